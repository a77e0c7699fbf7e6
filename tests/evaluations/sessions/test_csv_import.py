"""CSV import: every line validated with line number and column, duplicates
reported and never merged, encodings and separators, all-or-nothing unless the
user asks for the valid lines only; the check and the import run in background
tasks (the immediate backend runs them inline here), safe to run again."""

from datetime import date

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certif.models import ChangementRole
from certif.roles import Role
from evaluations.sessions.csv_import import (
    CSV_BATCH,
    csv_decode,
    csv_example,
    csv_import,
    csv_parse,
    import_check_run,
    import_confirm,
    import_deposer,
    import_run,
)
from evaluations.sessions.models import Candidat, ImportCandidats, Inscription
from evaluations.sessions.services import invitations_send
from tests.evaluations.factories import make_candidat_complet
from tests.factories import make_referentiel, make_session, make_user

HEADER = (
    "email;nom_naissance;nom_usage;prenoms;date_naissance;sexe;commune_naissance;"
    "code_insee_naissance;pays_naissance;voie_acces;parcours;blocs"
)
ZOE = "zoe.leclerc@example.org;LECLERC;;Zoé Anne Marie;02/02/1999;F;Paris;75056;;vae;;"
ELIOTT = "eliott.noel@example.org;NOËL;MARTIN;Éliott;1987-12-24;M;Dakar;;Sénégal;Candidat libre;blocs;A1 A2"


def csv_text(*lines: str, separator: str = ";") -> str:
    return (
        "\r\n".join(line.replace(";", separator) for line in (HEADER, *lines)) + "\r\n"
    )


class CsvTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel()
        cls.session = make_session(cls.referentiel)

    def parse(self, *lines: str):  # type: ignore[no-untyped-def]
        return csv_parse(texte=csv_text(*lines), session=self.session)

    def errors(self, *lines: str) -> list[tuple[int, str, str]]:
        return [
            (ligne.numero, champ, message)
            for ligne in self.parse(*lines).lignes
            for champ, message in ligne.erreurs
        ]


class ParseTests(CsvTestCase):
    def test_valid_file(self) -> None:
        apercu = self.parse(ZOE, ELIOTT)
        self.assertEqual(apercu.erreurs_fichier, [])
        self.assertIs(apercu.importable, True)
        zoe, eliott = apercu.lignes
        self.assertEqual(zoe.numero, 2)
        assert zoe.identite is not None and eliott.identite is not None
        self.assertEqual(
            (zoe.identite.prenom1, zoe.identite.prenom2, zoe.identite.prenom3),
            ("Zoé", "Anne", "Marie"),
        )
        self.assertEqual(zoe.voie_acces, "vae")
        self.assertEqual(zoe.parcours, "complet")
        self.assertEqual(eliott.identite.date_naissance, date(1987, 12, 24))
        self.assertEqual(eliott.voie_acces, "candidat_libre")
        self.assertEqual((eliott.parcours, eliott.blocs), ("blocs", ["A1", "A2"]))
        self.assertEqual(eliott.identite.pays_naissance, "Sénégal")

    def test_each_kind_of_invalid_line(self) -> None:
        lines = [
            "pas-une-adresse;DUPONT;;Marie;01/01/1990;F;Paris;75056;;vae;;",
            "b@example.org;;;Marie;01/01/1990;F;Paris;75056;;vae;;",
            "c@example.org;DURANDC;;;01/01/1990;F;Paris;75056;;vae;;",
            "d@example.org;DURANDD;;A B C D;01/01/1990;F;Paris;75056;;vae;;",
            "e@example.org;DURANDE;;Marie;31/02/1990;F;Paris;75056;;vae;;",
            "f@example.org;DURANDF;;Marie;01/01/1990;X;Paris;75056;;vae;;",
            "g@example.org;DURANDG;;Marie;01/01/1990;F;Paris;7505;;vae;;",
            "h@example.org;DURANDH;;Marie;01/01/1990;F;;;;vae;;",
            "i@example.org;DURANDI;;Marie;01/01/1990;F;Paris;75056;Belgique;vae;;",
            "j@example.org;DURANDJ;;Marie;01/01/1990;F;Paris;75056;;apprenti;;",
            "k@example.org;DURANDK;;Marie;01/01/1990;F;Paris;75056;;vae;partiel;",
            "l@example.org;DURANDL;;Marie;01/01/1990;F;Paris;75056;;vae;blocs;",
            "m@example.org;DURANDM;;Marie;01/01/1990;F;Paris;75056;;vae;blocs;A9",
            "n@example.org;DURANDN;;Marie;01/01/1990;F;Paris;75056;;vae;complet;A1",
            "o@example.org;DURANDO;;Marie;01/01/2990;F;Paris;75056;;vae;;",
            "p@example.org;DURANDP;;Marie;01/01/1990;F;;;99350;vae;;",
            "q@example.org;DURANDQ;;Marie;01/01/1990;F;Ys;;Atlantide;vae;;",
        ]
        self.assertEqual(
            self.errors(*lines),
            [
                (2, "email", "Adresse e-mail invalide."),
                (3, "nom_naissance", "Ce champ ne peut pas être vide."),
                (4, "prenoms", "Indiquez au moins un prénom."),
                (5, "prenoms", "Trois prénoms au plus."),
                (6, "date_naissance", "Date de naissance invalide : écrivez JJ/MM/AAAA, par exemple 14/03/1995."),
                (7, "sexe", "Le sexe à l'état civil s'écrit M ou F."),
                (8, "code_insee_naissance", "Le code INSEE compte 5 caractères, par exemple 75056 ou 2A004."),
                (9, "commune_naissance", "Indiquez la commune de naissance (ou le pays pour une naissance à l'étranger)."),
                (9, "code_insee_naissance", "Indiquez le code INSEE de la commune de naissance."),
                (10, "pays_naissance", "Indiquez soit la commune de naissance et son code INSEE, soit le pays de naissance, pas les deux."),
                (11, "voie_acces", "Voie d'accès inconnue : utilisez un des codes de la liste."),
                (12, "parcours", "Le parcours s'écrit « complet » ou « blocs »."),
                (13, "blocs", "Indiquez les codes des blocs, par exemple A1 A2."),
                (14, "blocs", "Bloc inconnu dans ce référentiel : A9."),
                (15, "blocs", "Laissez « blocs » vide pour une inscription à la certification complète."),
                (16, "date_naissance", "La date de naissance doit être dans le passé."),
                (17, "commune_naissance", "Indiquez la ville de naissance à l'étranger."),
                (18, "pays_naissance", "« Atlantide » n'est pas un pays de la liste INSEE : indiquez son code (99xxx, par exemple 99350 pour le Maroc) ou son nom tel que la liste l'écrit."),
            ],
        )  # fmt: skip

    def test_missing_and_unknown_columns(self) -> None:
        apercu = csv_parse(
            texte="email;nom;prenoms\r\na@b.org;X;Y\r\n", session=self.session
        )
        self.assertEqual(
            apercu.erreurs_fichier,
            [
                "Colonnes manquantes : nom_naissance, nom_usage, date_naissance, "
                "sexe, commune_naissance, code_insee_naissance, pays_naissance, "
                "voie_acces, parcours, blocs.",
                "Colonne inconnue : nom.",
            ],
        )
        self.assertEqual(
            csv_parse(texte="", session=self.session).erreurs_fichier,
            ["Le fichier est vide."],
        )
        self.assertEqual(
            csv_parse(texte=HEADER + "\r\n\r\n", session=self.session).erreurs_fichier,
            ["Le fichier ne contient aucune ligne de données."],
        )

    def test_duplicates_within_the_file(self) -> None:
        twin = "ZOE.leclerc@example.org;Leclerc;;zoe;02/02/1999;F;Paris;75056;;vae;;"
        same_person = "autre@example.org;LÉCLERC;;Zoé;02/02/1999;F;Paris;75056;;vae;;"
        self.assertEqual(
            self.errors(ZOE, twin, same_person),
            [
                (2, "email", "Doublon : même adresse e-mail qu'à la ligne 3."),
                (2, "nom_naissance", "Doublon : même nom de naissance, prénom et date de naissance qu'à la ligne 3, 4."),
                (3, "email", "Doublon : même adresse e-mail qu'à la ligne 2."),
                (3, "nom_naissance", "Doublon : même nom de naissance, prénom et date de naissance qu'à la ligne 2, 4."),
                (4, "nom_naissance", "Doublon : même nom de naissance, prénom et date de naissance qu'à la ligne 2, 3."),
            ],
        )  # fmt: skip

    def test_duplicates_of_existing_candidates(self) -> None:
        make_user("zoe.leclerc@example.org", Role.MEMBRE_JURY)
        make_candidat_complet(
            "existant@example.org",
            nom_naissance="Noel",
            prenom1="Eliott",
            date_naissance=date(1987, 12, 24),
        )
        self.assertEqual(
            self.errors(ZOE, ELIOTT),
            [
                (2, "email", "Doublon : un compte existe déjà avec cette adresse e-mail."),
                (3, "nom_naissance", "Doublon : un candidat de même nom de naissance, prénom et date de naissance existe déjà (existant@example.org)."),
            ],
        )  # fmt: skip


class EncodingTests(CsvTestCase):
    def check(self, content: bytes, encoding: str, separator: str) -> None:
        texte, found = csv_decode(content)
        self.assertEqual(found, encoding)
        apercu = csv_parse(texte=texte, session=self.session)
        self.assertEqual(apercu.separateur, separator)
        self.assertEqual(apercu.invalides, [])
        self.assertEqual(
            [ligne.identite.nom_naissance for ligne in apercu.lignes],  # type: ignore[union-attr]
            ["LECLERC", "NOËL"],
        )
        self.assertEqual(apercu.lignes[0].identite.prenom1, "Zoé")  # type: ignore[union-attr]

    def test_utf8_without_bom_semicolon(self) -> None:
        self.check(csv_text(ZOE, ELIOTT).encode("utf-8"), "utf-8", ";")

    def test_utf8_with_bom_semicolon(self) -> None:
        self.check(csv_text(ZOE, ELIOTT).encode("utf-8-sig"), "utf-8", ";")

    def test_utf8_with_bom_comma(self) -> None:
        texte = csv_text(ZOE, ELIOTT.replace("A1 A2", "A1 A2"), separator=",")
        self.check(texte.encode("utf-8-sig"), "utf-8", ",")

    def test_cp1252_semicolon(self) -> None:
        self.check(csv_text(ZOE, ELIOTT).encode("cp1252"), "cp1252", ";")

    def test_comma_separator_with_quoted_list(self) -> None:
        texte = csv_text(ZOE, separator=",") + (
            'x@example.org,DURAND,,"Jean-Pierre, Marie",01/01/1990,M,Paris,75056,,vae,blocs,"A1,A3"\r\n'
        )
        apercu = csv_parse(texte=texte, session=self.session)
        self.assertEqual(apercu.invalides, [])
        ligne = apercu.lignes[1]
        assert ligne.identite is not None
        self.assertEqual(
            (ligne.identite.prenom1, ligne.identite.prenom2), ("Jean-Pierre", "Marie")
        )
        self.assertEqual(ligne.blocs, ["A1", "A3"])

    def test_example_file_is_valid(self) -> None:
        apercu = csv_parse(texte=csv_example(), session=self.session)
        self.assertEqual(apercu.invalides, [])
        self.assertEqual(len(apercu.lignes), 2)


class ImportTests(CsvTestCase):
    INVALID = "bad;DURAND;;Marie;01/01/1990;F;Paris;75056;;vae;;"

    def test_imports_every_line_then_invites_once(self) -> None:
        result = csv_import(
            session=self.session,
            texte=csv_text(ZOE, ELIOTT),
            seulement_valides=False,
            by=self.admin,
        )
        self.assertEqual(result.ignorees, 0)
        self.assertEqual(
            sorted(i.candidat.user.email for i in result.inscriptions),
            ["eliott.noel@example.org", "zoe.leclerc@example.org"],
        )
        eliott = Inscription.objects.get(
            candidat__user__email="eliott.noel@example.org"
        )
        self.assertEqual(sorted(b.code for b in eliott.blocs.all()), ["A1", "A2"])
        self.assertEqual(eliott.candidat.nom_usage, "MARTIN")
        # The copies of the names that order the session's lists.
        self.assertEqual(
            (eliott.tri_nom_naissance, eliott.tri_prenom1),
            ("NOËL", "Éliott"),
        )
        # Born abroad, the country given by its name: stored by its INSEE code.
        self.assertEqual(
            (
                eliott.candidat.commune_naissance,
                eliott.candidat.code_insee_naissance,
                eliott.candidat.pays_naissance,
            ),
            ("Dakar", "", "99341"),
        )
        self.assertEqual(eliott.candidat.user.first_name, "Éliott")
        self.assertEqual(eliott.candidat.user.last_name, "MARTIN")
        self.assertIs(eliott.candidat.user.has_usable_password(), False)
        self.assertEqual(
            list(eliott.candidat.user.groups.values_list("name", flat=True)),
            [Role.CANDIDAT.value],
        )
        # The role given is logged, as any change of role.
        self.assertEqual(
            sorted(
                ChangementRole.objects.filter(role="candidat").values_list(
                    "utilisateur_email", "role", "action", "par_email"
                )
            ),
            [
                ("eliott.noel@example.org", "candidat", "ajout", "admin@example.org"),
                ("zoe.leclerc@example.org", "candidat", "ajout", "admin@example.org"),
            ],
        )
        zoe = Inscription.objects.get(candidat__user__email="zoe.leclerc@example.org")
        self.assertEqual(
            sorted(b.code for b in zoe.blocs.all()), ["A1", "A2", "A3", "A4", "A5"]
        )
        # The audit trail, as one-by-one enrolment writes it.
        self.assertEqual(
            list(
                Candidat.history.filter(id=eliott.candidat_id).values_list(
                    "history_type", "history_user"
                )
            ),
            [("+", self.admin.pk)],
        )
        record = Inscription.history.get(id=eliott.pk)
        self.assertEqual((record.history_type, record.history_user), ("+", self.admin))
        self.assertEqual(sorted(b.bloc.code for b in record.blocs.all()), ["A1", "A2"])
        self.assertEqual(len(mail.outbox), 0)
        # Each invitation is recorded, then sent once committed.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(invitations_send(candidat_ids=result.candidat_ids), 2)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["eliott.noel@example.org", "zoe.leclerc@example.org"],
        )
        # Run again (a task re-run): nothing sent twice.
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(invitations_send(candidat_ids=result.candidat_ids), 0)
        self.assertEqual(len(mail.outbox), 2)

    def test_nothing_imported_when_a_line_is_invalid(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "Le fichier contient des lignes invalides : rien n'a été importé.",
        ):
            csv_import(
                session=self.session,
                texte=csv_text(ZOE, self.INVALID),
                seulement_valides=False,
                by=self.admin,
            )
        self.assertEqual(Candidat.objects.count(), 0)

    def test_valid_lines_only(self) -> None:
        result = csv_import(
            session=self.session,
            texte=csv_text(ZOE, self.INVALID),
            seulement_valides=True,
            by=self.admin,
        )
        self.assertEqual(result.ignorees, 1)
        self.assertEqual(
            list(Candidat.objects.values_list("user__email", flat=True)),
            ["zoe.leclerc@example.org"],
        )

    def test_refused_when_enrolment_closed(self) -> None:
        closed = make_session(self.referentiel, nom="Close", statut="close")
        with self.assertRaisesMessage(ValidationError, "Les inscriptions sont fermées"):
            csv_import(
                session=closed,
                texte=csv_text(ZOE),
                seulement_valides=False,
                by=self.admin,
            )


def many_lines(n: int, *, start: int = 0) -> list[str]:
    """``n`` valid, distinct lines."""
    first = date(1960, 1, 1).toordinal()
    return [
        f"c{i}@example.org;NOM{i};;Prenom;"
        f"{date.fromordinal(first + i):%d/%m/%Y};F;Paris;75056;;vae;;"
        for i in range(start, start + n)
    ]


class BatchTests(CsvTestCase):
    def test_progress_after_each_batch(self) -> None:
        seen: list[tuple[int, int]] = []
        apercu = csv_parse(
            texte=csv_text(*many_lines(CSV_BATCH * 2 + 3)),
            session=self.session,
            on_batch=lambda apercu, batch: seen.append(
                (len(apercu.lignes), len(batch))
            ),
        )
        self.assertEqual(
            seen,
            [
                (CSV_BATCH, CSV_BATCH),
                (2 * CSV_BATCH, CSV_BATCH),
                (2 * CSV_BATCH + 3, 3),
            ],
        )
        self.assertEqual(len(apercu.valides), 2 * CSV_BATCH + 3)

    def test_one_duplicate_query_per_batch(self) -> None:
        make_candidat_complet(
            "existant@example.org",
            nom_naissance="NOM7",
            prenom1="Prenom",
            date_naissance=date.fromordinal(date(1960, 1, 1).toordinal() + 7),
        )
        for lines, batches in ((1, 1), (CSV_BATCH * 3, 3)):
            with self.subTest(lines=lines), CaptureQueriesContext(connection) as ctx:
                apercu = csv_parse(
                    texte=csv_text(*many_lines(lines, start=7)), session=self.session
                )
            # The référentiel's bloc codes, then one query per batch.
            self.assertEqual(len(ctx.captured_queries), 1 + batches)
            self.assertEqual(
                [(ligne.numero, ligne.erreurs) for ligne in apercu.invalides],
                [
                    (
                        2,
                        [
                            (
                                "nom_naissance",
                                "Doublon : un candidat de même nom de naissance, "
                                "prénom et date de naissance existe déjà "
                                "(existant@example.org).",
                            )
                        ],
                    )
                ],
            )

    def test_too_many_lines(self) -> None:
        with override_settings():
            from evaluations.sessions import csv_import as module

            limit = module.CSV_MAX_LINES
            module.CSV_MAX_LINES = 3
            try:
                apercu = csv_parse(texte=csv_text(*many_lines(4)), session=self.session)
            finally:
                module.CSV_MAX_LINES = limit
        self.assertEqual(
            apercu.erreurs_fichier, ["Le fichier dépasse 3 lignes : découpez-le."]
        )
        self.assertEqual(apercu.lignes, [])


class BackgroundImportTests(CsvTestCase):
    """The check and the import as the tasks run them: safe to run again."""

    def deposer(self, *lines: str) -> ImportCandidats:
        return import_deposer(
            session=self.session,
            texte=csv_text(*lines),
            encodage="utf-8",
            nom_fichier="candidats.csv",
            by=self.admin,
        )

    def test_check_saves_progress_and_first_errors_then_runs_once(self) -> None:
        fichier = self.deposer(ZOE, ImportTests.INVALID, ELIOTT)
        self.assertEqual(
            (fichier.statut, fichier.total, fichier.verifiees), ("verification", 3, 0)
        )
        self.assertIsNotNone(import_check_run(import_id=fichier.pk))
        fichier.refresh_from_db()
        self.assertEqual(
            (fichier.statut, fichier.verifiees, fichier.invalides, fichier.valides),
            ("verifie", 3, 1, 2),
        )
        self.assertEqual(
            fichier.erreurs, [[3, "DURAND Marie", "email", "Adresse e-mail invalide."]]
        )
        self.assertIsNone(import_check_run(import_id=fichier.pk))

    def test_confirm_once_then_import_once(self) -> None:
        fichier = self.deposer(ZOE, ELIOTT)
        import_check_run(import_id=fichier.pk)
        fichier.refresh_from_db()
        self.assertIs(
            import_confirm(fichier=fichier, seulement_valides=False, by=self.admin),
            True,
        )
        # A second click: nothing more.
        self.assertIs(
            import_confirm(fichier=fichier, seulement_valides=False, by=self.admin),
            False,
        )
        result = import_run(import_id=fichier.pk)
        assert result is not None
        self.assertEqual(len(result.inscriptions), 2)
        self.assertIsNone(import_run(import_id=fichier.pk))
        fichier.refresh_from_db()
        self.assertEqual((fichier.statut, fichier.importees), ("importe", 2))
        self.assertEqual(Inscription.objects.count(), 2)

    def test_a_duplicate_created_meanwhile_refuses_all(self) -> None:
        fichier = self.deposer(ZOE, ELIOTT)
        import_check_run(import_id=fichier.pk)
        fichier.refresh_from_db()
        import_confirm(fichier=fichier, seulement_valides=False, by=self.admin)
        make_user("zoe.leclerc@example.org", Role.MEMBRE_JURY)
        self.assertIsNone(import_run(import_id=fichier.pk))
        fichier.refresh_from_db()
        self.assertEqual(
            (fichier.statut, fichier.message),
            (
                "echoue",
                "Le fichier contient des lignes invalides : rien n'a été importé. "
                "Corrigez-les, ou choisissez d'importer seulement les lignes valides.",
            ),
        )
        self.assertEqual(Candidat.objects.count(), 0)

    def test_nul_refused_at_upload(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "Le fichier contient un caractère nul : ce n'est pas un fichier CSV "
            "exporté d'un tableur.",
        ):
            self.deposer(ZOE.replace("LECLERC", "LEC\x00LERC"))
        self.assertEqual(ImportCandidats.objects.count(), 0)


class ImportViewTests(CsvTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)
        self.url = reverse("evaluations:session_import", args=[self.session.pk])

    def send(self, content: bytes, name: str = "candidats.csv"):  # type: ignore[no-untyped-def]
        return self.client.post(
            self.url, {"fichier": SimpleUploadedFile(name, content, "text/csv")}
        )

    def confirm_url(self, fichier: ImportCandidats) -> str:
        return reverse(
            "evaluations:session_import_confirm", args=[self.session.pk, fichier.pk]
        )

    def test_upload_check_confirm_import_invite(self) -> None:
        response = self.send(csv_text(ZOE, ELIOTT).encode("cp1252"))
        fichier = ImportCandidats.objects.get()
        self.assertRedirects(
            response, fichier.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            fichier.get_absolute_url(),
            f"/sessions/{self.session.pk}/import/{fichier.pk}/",
        )
        response = self.client.get(fichier.get_absolute_url())
        self.assertContains(
            response, "Fichier « candidats.csv » : séparateur « ; », encodage cp1252."
        )
        self.assertContains(response, "Importer les 2 candidats")
        # Checked, not polling any more.
        self.assertNotContains(response, "hx-trigger")
        self.assertEqual(Candidat.objects.count(), 0)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.confirm_url(fichier), follow=True)
        self.assertRedirects(response, fichier.get_absolute_url())
        self.assertContains(
            response, "Import lancé : suivez sa progression ci-dessous."
        )
        self.assertContains(
            response, "2 candidats importés ; leurs invitations partent par e-mail."
        )
        self.assertEqual(Inscription.objects.filter(session=self.session).count(), 2)
        # The background parser keeps a birth abroad, the country by its code.
        self.assertEqual(
            sorted(
                Candidat.objects.values_list(
                    "nom_naissance", "commune_naissance", "pays_naissance"
                )
            ),
            [("LECLERC", "Paris", ""), ("NOËL", "Dakar", "99341")],
        )
        self.assertEqual(len(mail.outbox), 2)
        # A second click imports nothing more.
        response = self.client.post(self.confirm_url(fichier), follow=True)
        self.assertContains(
            response, "Cet import est déjà lancé ou terminé : il ne se relance pas."
        )
        self.assertEqual(Inscription.objects.filter(session=self.session).count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_progress_fragment_polls_while_checking(self) -> None:
        fichier = import_deposer(
            session=self.session,
            texte=csv_text(ZOE, ImportTests.INVALID),
            encodage="utf-8",
            nom_fichier="candidats.csv",
            by=self.admin,
        )
        ImportCandidats.objects.filter(pk=fichier.pk).update(
            verifiees=1,
            invalides=1,
            erreurs=[[3, "DURAND Marie", "email", "Adresse e-mail invalide."]],
        )
        response = self.client.get(fichier.get_absolute_url(), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        self.assertTrue(html.strip().startswith('<div id="etat" hx-get='))
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, "1 / 2 lignes vérifiées")
        self.assertContains(response, "Premières erreurs")
        self.assertContains(
            response,
            "<td>3</td><td>DURAND Marie</td><td><code>email</code></td><td>Adresse e-mail invalide.</td>",
            html=True,
        )
        self.assertNotContains(response, "<form")

    def test_preview_shows_errors_and_offers_valid_lines_only(self) -> None:
        response = self.send(csv_text(ZOE, ImportTests.INVALID).encode("utf-8"))
        fichier = ImportCandidats.objects.get()
        response = self.client.get(response["Location"])
        self.assertContains(
            response,
            "<td>3</td><td>DURAND Marie</td><td><code>email</code></td><td>Adresse e-mail invalide.</td>",
            html=True,
        )
        self.assertContains(response, "Importer seulement la ligne valide")
        response = self.client.post(self.confirm_url(fichier), follow=True)
        self.assertContains(
            response,
            "Le fichier contient des lignes invalides : rien n&#x27;a été importé.",
        )
        self.assertEqual(Candidat.objects.count(), 0)
        response = self.client.post(
            self.confirm_url(fichier), {"seulement_valides": "on"}, follow=True
        )
        self.assertContains(
            response,
            "1 candidat importé ; son invitation part par e-mail. 1 ligne invalide "
            "ignorée.",
        )
        self.assertEqual(Candidat.objects.count(), 1)

    def test_import_revalidates(self) -> None:
        self.send(csv_text(ZOE).encode("utf-8"))
        fichier = ImportCandidats.objects.get()
        make_user("zoe.leclerc@example.org", Role.MEMBRE_JURY)
        response = self.client.post(self.confirm_url(fichier), follow=True)
        self.assertContains(response, "Import refusé")
        self.assertContains(response, "rien n&#x27;a été importé")
        self.assertEqual(Candidat.objects.count(), 0)

    def test_page_queries_do_not_grow_with_errors(self) -> None:
        for lines in ([ImportTests.INVALID], [ImportTests.INVALID] * 40):
            fichier = import_deposer(
                session=self.session,
                texte=csv_text(*lines),
                encodage="utf-8",
                nom_fichier="candidats.csv",
                by=self.admin,
            )
            import_check_run(import_id=fichier.pk)
            # session, user, roles, the session, the import (never its text)
            with self.subTest(lines=len(lines)), self.assertNumQueries(5):
                response = self.client.get(fichier.get_absolute_url())
            self.assertEqual(response.status_code, 200)

    def test_permissions(self) -> None:
        fichier = import_deposer(
            session=self.session,
            texte=csv_text(ZOE),
            encodage="utf-8",
            nom_fichier="candidats.csv",
            by=self.admin,
        )
        other = make_session(self.referentiel, nom="Autre")
        for url in (
            reverse("evaluations:session_import_preview", args=[other.pk, fichier.pk]),
            reverse("evaluations:session_import_confirm", args=[other.pk, fichier.pk]),
            reverse(
                "evaluations:session_import_preview",
                args=[self.session.pk, fichier.pk + 1],
            ),
        ):
            with self.subTest(url=url):
                method = self.client.post if "confirmer" in url else self.client.get
                self.assertEqual(method(url).status_code, 404)
        self.assertEqual(self.client.get(self.confirm_url(fichier)).status_code, 405)
        self.client.force_login(make_user("jury@example.org", Role.MEMBRE_JURY))
        self.assertEqual(self.client.get(fichier.get_absolute_url()).status_code, 403)
        self.assertEqual(self.client.post(self.confirm_url(fichier)).status_code, 403)
        self.assertEqual(ImportCandidats.objects.get().statut, "verification")

    def test_not_a_csv_file(self) -> None:
        response = self.send(b"%PDF-1.4", name="candidats.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "Déposez un fichier .csv (export « CSV » du tableur)."
        )

    def test_example_download(self) -> None:
        response = self.client.get(reverse("evaluations:session_import_example"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="exemple-import.csv"'
        )
        self.assertEqual(response.content.decode("utf-8-sig"), csv_example())

    def test_import_page_documents_the_columns(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "<code>prenoms</code>", html=True)
        self.assertContains(response, reverse("evaluations:session_import_example"))
