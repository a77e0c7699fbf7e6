"""CSV import: every line validated with line number and column, duplicates
reported and never merged, encodings and separators, all-or-nothing unless the
user asks for the valid lines only; the preview stays on the server."""

from datetime import date

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from certif.roles import Role
from evaluations.sessions.csv_import import (
    csv_decode,
    csv_example,
    csv_import,
    csv_parse,
)
from evaluations.sessions.models import Candidat, Inscription
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
                (14, "blocs", "Bloc(s) inconnu(s) dans ce référentiel : A9."),
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
                "Colonne(s) manquante(s) : nom_naissance, nom_usage, date_naissance, "
                "sexe, commune_naissance, code_insee_naissance, pays_naissance, "
                "voie_acces, parcours, blocs.",
                "Colonne(s) inconnue(s) : nom.",
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

    def test_imports_every_line_and_invites(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
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
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["eliott.noel@example.org", "zoe.leclerc@example.org"],
        )

    def test_nothing_imported_when_a_line_is_invalid(self) -> None:
        with (
            self.captureOnCommitCallbacks(execute=True),
            self.assertRaisesMessage(
                ValidationError,
                "Le fichier contient des lignes invalides : rien n'a été importé.",
            ),
        ):
            csv_import(
                session=self.session,
                texte=csv_text(ZOE, self.INVALID),
                seulement_valides=False,
                by=self.admin,
            )
        self.assertEqual(Candidat.objects.count(), 0)
        self.assertEqual(len(mail.outbox), 0)

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


class ImportViewTests(CsvTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.admin)
        self.url = reverse("evaluations:session_import", args=[self.session.pk])

    def send(self, content: bytes, name: str = "candidats.csv"):  # type: ignore[no-untyped-def]
        return self.client.post(
            self.url, {"fichier": SimpleUploadedFile(name, content, "text/csv")}
        )

    def test_upload_preview_confirm(self) -> None:
        response = self.send(csv_text(ZOE, ELIOTT).encode("cp1252"))
        preview = response["Location"]
        token = preview.rstrip("/").rsplit("/", 1)[1]
        self.assertEqual(
            preview,
            reverse(
                "evaluations:session_import_preview", args=[self.session.pk, token]
            ),
        )
        response = self.client.get(preview)
        self.assertContains(
            response, "Fichier « candidats.csv » : séparateur « ; », encodage cp1252."
        )
        self.assertContains(response, "Importer les 2 candidats")
        self.assertEqual(Candidat.objects.count(), 0)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("evaluations:session_import_confirm", args=[self.session.pk]),
                {"token": token},
                follow=True,
            )
        self.assertRedirects(response, self.session.get_absolute_url())
        self.assertContains(response, "2 candidats importés et invités.")
        self.assertEqual(Inscription.objects.filter(session=self.session).count(), 2)
        self.assertEqual(len(mail.outbox), 2)
        # The pending import is gone: a second confirmation finds nothing.
        response = self.client.post(
            reverse("evaluations:session_import_confirm", args=[self.session.pk]),
            {"token": token},
        )
        self.assertEqual(response.status_code, 404)

    def test_preview_shows_errors_and_offers_valid_lines_only(self) -> None:
        response = self.send(csv_text(ZOE, ImportTests.INVALID).encode("utf-8"))
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        response = self.client.get(response["Location"])
        self.assertContains(
            response,
            "<td>3</td><td>DURAND Marie</td><td><code>email</code></td><td>Adresse e-mail invalide.</td>",
            html=True,
        )
        self.assertContains(response, "Importer seulement la ligne valide")
        confirm = reverse("evaluations:session_import_confirm", args=[self.session.pk])
        response = self.client.post(confirm, {"token": token}, follow=True)
        self.assertContains(
            response,
            "Le fichier contient des lignes invalides : rien n&#x27;a été importé.",
        )
        self.assertEqual(Candidat.objects.count(), 0)
        response = self.client.post(
            confirm, {"token": token, "seulement_valides": "on"}, follow=True
        )
        self.assertContains(
            response, "1 candidat importé et invité. 1 ligne invalide ignorée."
        )
        self.assertEqual(Candidat.objects.count(), 1)

    def test_confirm_revalidates(self) -> None:
        response = self.send(csv_text(ZOE).encode("utf-8"))
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        make_user("zoe.leclerc@example.org", Role.MEMBRE_JURY)
        response = self.client.post(
            reverse("evaluations:session_import_confirm", args=[self.session.pk]),
            {"token": token},
            follow=True,
        )
        self.assertContains(response, "rien n&#x27;a été importé")
        self.assertEqual(Candidat.objects.count(), 0)

    def test_unknown_token_or_other_session(self) -> None:
        response = self.send(csv_text(ZOE).encode("utf-8"))
        token = response["Location"].rstrip("/").rsplit("/", 1)[1]
        other = make_session(self.referentiel, nom="Autre")
        self.assertEqual(
            self.client.get(
                reverse("evaluations:session_import_preview", args=[other.pk, token])
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse(
                    "evaluations:session_import_preview",
                    args=[self.session.pk, "inconnu"],
                )
            ).status_code,
            404,
        )

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
