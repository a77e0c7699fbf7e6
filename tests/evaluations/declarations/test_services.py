"""Batches: who goes in, incomplete identities refused with the holder and the
field named, the file always valid, the tracking holder by holder (deposit,
answer, rejection then a new batch, a correction after acceptance), the
deadline around the three-month boundary."""

from datetime import date, datetime, timedelta

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase
from lxml import etree

from certif.models import MessageEnvoye
from certif.roles import Role
from evaluations.declarations.documents import schema_errors
from evaluations.declarations.models import DeclarationCDC, LotCDC, RappelDeclarations
from evaluations.declarations.selectors import (
    Etat,
    certifications_declarees,
    echeance_of,
    echeances_for,
    titulaires_for,
)
from evaluations.declarations.services import (
    declaration_answer,
    lot_accept_all,
    lot_build,
    lot_deposit,
    lot_start,
    rappel_send,
)
from evaluations.declarations.tasks import lot_launch
from evaluations.deliberation.models import Deliberation
from evaluations.sessions.models import Candidat, Inscription
from evaluations.sessions.services import IdentiteData, candidat_identite_update
from referentiel.models import Certificateur, Certification
from tests.clock import frozen
from tests.emails import assert_links, html_of
from tests.evaluations.declarations.factories import (
    PARIS,
    make_referentiel_enregistre,
    make_titulaire,
)
from tests.factories import make_inscription, make_session, make_user


class DeclarationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel_enregistre()
        cls.certification = cls.referentiel.certification
        cls.session = make_session(cls.referentiel, statut="deliberee")
        cls.lea = make_titulaire(
            cls.session,
            "lea@example.org",
            par=cls.admin,
            nom_naissance="FONTAINE",
            prenom1="Léa",
        )
        cls.omar = make_titulaire(
            cls.session,
            "omar@example.org",
            par=cls.admin,
            nom_naissance="BENALI",
            prenom1="Omar",
            commune_naissance="Oran",
            code_insee_naissance="",
            pays_naissance="99352",
            voie_acces="apprentissage",
        )

    def build(self, **kwargs: object) -> LotCDC:
        lot = lot_start(certification=self.certification, by=self.admin, **kwargs)  # type: ignore[arg-type]
        lot = lot_build(lot_id=lot.pk)
        if lot.fichier:
            with lot.fichier.open("rb") as handle:
                self.assertEqual(schema_errors(handle.read()), [])
        return lot

    def etats(self) -> dict[str, str]:
        return {t.nom: t.etat for t in titulaires_for()}


class BatchTests(DeclarationTestCase):
    def test_only_locked_certified_awards_are_holders(self) -> None:
        make_titulaire(
            self.session,
            "partiel@example.org",
            par=self.admin,
            nom_naissance="PARTIEL",
            decision="validation_partielle",
        )
        make_titulaire(
            self.session,
            "rouvert@example.org",
            par=self.admin,
            nom_naissance="ROUVERT",
            verrouillee=False,
        )
        self.assertEqual(
            self.etats(),
            {"Léa FONTAINE": Etat.A_DECLARER, "Omar BENALI": Etat.A_DECLARER},
        )

    def test_absent_withdrawn_or_deferred_is_never_a_holder(self) -> None:
        make_titulaire(
            self.session,
            "absent@example.org",
            par=self.admin,
            nom_naissance="ABSENT",
            decision=Deliberation.Decision.ABSENT,
        )
        # A « certifié » left on an enrolment that was then withdrawn or deferred
        # (the jury's guard stops it today; the rule does not rely on it).
        desiste = make_titulaire(
            self.session, "desiste@example.org", par=self.admin, nom_naissance="DESISTE"
        )
        Inscription.objects.filter(pk=desiste.pk).update(
            desiste_le=date(2026, 1, 5), desistement_motif="Raisons personnelles"
        )
        reporte = make_titulaire(
            self.session, "reporte@example.org", par=self.admin, nom_naissance="REPORTE"
        )
        suivante = make_session(self.referentiel, nom="Session suivante")
        Inscription.objects.filter(pk=reporte.pk).update(
            reportee_vers=make_inscription(reporte.candidat, suivante),
            report_motif="Hospitalisation",
        )
        self.assertEqual(
            self.etats(),
            {"Léa FONTAINE": Etat.A_DECLARER, "Omar BENALI": Etat.A_DECLARER},
        )
        lot = self.build()
        self.assertEqual(
            sorted(lot.declarations.values_list("inscription_id", flat=True)),
            sorted([self.lea.pk, self.omar.pk]),
        )
        self.assertEqual(lot.exclus, [])

    def test_certification_without_holders_is_not_offered(self) -> None:
        self.assertEqual(list(certifications_declarees()), [self.certification])
        Deliberation.objects.filter(inscription__in=[self.lea, self.omar]).update(
            decision=Deliberation.Decision.ABSENT
        )
        self.assertEqual(list(certifications_declarees()), [])

    def test_incomplete_identity_left_out_and_named(self) -> None:
        Candidat.objects.filter(pk=self.lea.candidat_id).update(
            code_insee_naissance="2A0"
        )
        lot = self.build()
        self.assertEqual(lot.statut, "construit")
        self.assertEqual(
            lot.exclus,
            [
                {
                    "inscription": self.lea.pk,
                    "candidat": self.lea.candidat_id,
                    "nom": "Léa FONTAINE",
                    "manquants": [
                        "code INSEE de la commune de naissance « 2A0 » invalide"
                    ],
                }
            ],
        )
        self.assertEqual(
            list(lot.declarations.values_list("inscription_id", flat=True)),
            [self.omar.pk],
        )
        self.assertEqual(
            self.etats(), {"Léa FONTAINE": Etat.A_DECLARER, "Omar BENALI": Etat.INCLUS}
        )

    def test_incomplete_identity_refuses_the_batch_when_asked(self) -> None:
        Candidat.objects.filter(pk=self.omar.candidat_id).update(
            pays_naissance="Atlantide", nom_naissance="B" * 61
        )
        lot = self.build(mode=LotCDC.Mode.REFUSER)
        self.assertEqual(
            (lot.statut, lot.erreur, bool(lot.fichier), lot.declarations.count()),
            ("refuse", "Lot refusé : 1 titulaire a une identité incomplète.", False, 0),
        )
        self.assertEqual(
            lot.exclus[0]["manquants"],
            [
                "nom de naissance de plus de 60 caractères",
                "pays de naissance « Atlantide » hors de la liste INSEE",
            ],
        )

    def test_missing_identifiers_refuse_to_start(self) -> None:
        Certificateur.objects.update(cdc_id_client_emetteur="", cdc_id_contrat="")
        with self.assertRaisesMessage(
            ValidationError,
            "La déclaration à la Caisse des Dépôts de RNCP12345 (certificateur "
            "« Institut Exemple de Certification ») n'a pas : idClient de "
            "l'émetteur (8 caractères exactement), idContrat (1 à 20 "
            "caractères). Renseignez-les dans l'administration (Certificateurs, "
            "Certifications) avant de construire un lot.",
        ):
            lot_start(certification=self.certification, by=self.admin)
        self.assertEqual(LotCDC.objects.count(), 0)

    def test_no_certifier_refuses_to_start(self) -> None:
        Certification.objects.update(certificateur=None)
        with self.assertRaisesMessage(
            ValidationError,
            "La certification RNCP12345 n'a pas de certificateur : désignez-le "
            "dans l'administration (Certifications), puis renseignez ses "
            "identifiants de la Caisse des Dépôts avant de construire un lot.",
        ):
            lot_start(certification=self.certification, by=self.admin)
        self.assertEqual(LotCDC.objects.count(), 0)

    def test_provisional_rncp_code_refuses_unless_specimen(self) -> None:
        Certification.objects.update(code="RNCP00000")
        self.certification.refresh_from_db()
        with self.assertRaisesMessage(
            ValidationError,
            "n'a pas : le code RNCP de la certification (RNCP00000 est provisoire).",
        ):
            lot_start(certification=self.certification, by=self.admin)
        self.assertEqual(LotCDC.objects.count(), 0)
        # The demo's certifier issues specimens: its file is built, never deposited.
        Certificateur.objects.update(specimen=True)
        lot = self.build()
        self.assertEqual(lot.statut, LotCDC.Statut.CONSTRUIT)

    def test_identifiers_and_nature_come_from_the_certifier(self) -> None:
        Certificateur.objects.update(
            cdc_id_client_emetteur="TIERS001",
            cdc_id_client_certificateur="CERT0042",
            cdc_id_contrat="CONTRAT-2026-07",
            cdc_nature_deposant="TIERS_CONFIANCE",
        )
        lot = self.build()
        with lot.fichier.open("rb") as handle:
            document = etree.fromstring(handle.read())
        ns = {"cpf": "urn:cdc:cpf:pc5:schema:1.0.0"}
        self.assertEqual(
            [
                document.findtext(path, namespaces=ns)
                for path in (
                    "cpf:emetteur/cpf:idClient",
                    "cpf:emetteur/cpf:certificateurs/cpf:certificateur/cpf:idClient",
                    "cpf:emetteur/cpf:certificateurs/cpf:certificateur/cpf:idContrat",
                    ".//cpf:certification/cpf:natureDeposant",
                )
            ],
            ["TIERS001", "CERT0042", "CONTRAT-2026-07", "TIERS_CONFIANCE"],
        )

    def test_one_batch_at_a_time_per_certification(self) -> None:
        lot_start(certification=self.certification, by=self.admin)
        with self.assertRaisesMessage(ValidationError, "est en construction"):
            lot_start(certification=self.certification, by=self.admin)

    def test_build_twice_changes_nothing(self) -> None:
        lot = self.build()
        again = lot_build(lot_id=lot.pk)
        self.assertEqual((again.sha256, again.statut), (lot.sha256, "construit"))
        self.assertEqual(DeclarationCDC.objects.count(), 2)

    def test_selection_and_empty_batch(self) -> None:
        lot = self.build(inscription_ids=[self.omar.pk])
        self.assertEqual(
            list(lot.declarations.values_list("inscription_id", flat=True)),
            [self.omar.pk],
        )
        lot = self.build(inscription_ids=[self.omar.pk])
        self.assertEqual(
            (lot.statut, lot.erreur),
            ("echec", "Aucun titulaire à déclarer dans ce lot."),
        )

    def test_background_launch_shows_progress_done(self) -> None:
        lot = lot_launch(
            certification=self.certification, by=self.admin, mode=LotCDC.Mode.EXCLURE
        )
        self.assertEqual((lot.statut, lot.total, lot.faits), ("construit", 2, 2))

    def test_text_is_escaped(self) -> None:
        Candidat.objects.filter(pk=self.lea.candidat_id).update(
            nom_naissance="O'NEIL & <FILS>"
        )
        lot = self.build()
        with lot.fichier.open("rb") as handle:
            content = handle.read()
        self.assertIn(
            b"<cpf:nomNaissance>O'NEIL &amp; &lt;FILS&gt;</cpf:nomNaissance>", content
        )


class TrackingTests(DeclarationTestCase):
    def test_deposit_then_answers(self) -> None:
        lot = self.build()
        self.assertEqual(lot.declarations.count(), 2)
        lot = lot_deposit(lot=lot, by=self.admin)
        self.assertEqual((lot.statut, lot.depose_par), ("depose", self.admin))
        self.assertEqual(
            self.etats(), {"Léa FONTAINE": Etat.DEPOSE, "Omar BENALI": Etat.DEPOSE}
        )
        with self.assertRaisesMessage(ValidationError, "Seul un lot prêt à déposer"):
            lot_deposit(lot=lot, by=self.admin)
        lea = lot.declarations.get(inscription=self.lea)
        with self.assertRaisesMessage(ValidationError, "Recopiez le motif du rejet"):
            declaration_answer(declaration=lea, accepte=False, motif=" ", by=self.admin)
        declaration_answer(
            declaration=lea,
            accepte=False,
            motif="Commune de naissance inconnue",
            by=self.admin,
        )
        self.assertEqual(lot_accept_all(lot=lot, by=self.admin), 1)
        titulaires = {t.nom: t for t in titulaires_for()}
        self.assertEqual(
            {nom: t.etat for nom, t in titulaires.items()},
            {"Léa FONTAINE": Etat.REJETE, "Omar BENALI": Etat.ACCEPTE},
        )
        self.assertEqual(
            titulaires["Léa FONTAINE"].etat_libelle,
            f"Rejeté (lot n° {lot.pk}) : Commune de naissance inconnue — à déclarer "
            "de nouveau",
        )
        with self.assertRaisesMessage(ValidationError, "s'enregistre une fois"):
            declaration_answer(declaration=lea, accepte=True, by=self.admin)

        # Léa, corrected, goes into a new batch; Omar is not declared twice.
        candidat_identite_update(
            candidat=self.lea.candidat,
            identite=IdentiteData(
                email="lea@example.org",
                nom_naissance="FONTAINE",
                prenom1="Léa",
                date_naissance=date(1990, 5, 4),
                sexe="F",
                commune_naissance="Bastia",
                code_insee_naissance="2B033",
            ),
            by=self.admin,
        )
        second = self.build()
        self.assertEqual(
            list(second.declarations.values_list("inscription_id", flat=True)),
            [self.lea.pk],
        )
        self.assertEqual(
            second.declarations.get().donnees["titulaire"]["code_insee"], "2B033"
        )

        # A correction after acceptance goes into a new batch too; both stay.
        candidat_identite_update(
            candidat=self.omar.candidat,
            identite=IdentiteData(
                email="omar@example.org",
                nom_naissance="BENALI",
                prenom1="Omar",
                prenom2="Karim",
                date_naissance=date(1990, 5, 4),
                sexe="M",
                commune_naissance="Oran",
                pays_naissance="99352",
            ),
            by=self.admin,
        )
        omar = next(t for t in titulaires_for() if t.nom == "Omar BENALI")
        self.assertEqual(omar.etat, Etat.A_REDECLARER)
        self.assertEqual(
            omar.etat_libelle, "Corrigé après acceptation : à déclarer de nouveau"
        )
        lot_deposit(lot=second, by=self.admin)
        third = self.build()
        self.assertEqual(
            [d.lot_id for d in DeclarationCDC.objects.filter(inscription=self.omar)],
            [lot.pk, third.pk],
        )
        self.assertEqual(
            [
                d["titulaire"]["prenom2"]
                for d in DeclarationCDC.objects.filter(
                    inscription=self.omar
                ).values_list("donnees", flat=True)
            ],
            ["", "Karim"],
        )


class DeadlineTests(DeclarationTestCase):
    def test_three_months_with_the_month_end(self) -> None:
        self.assertEqual(echeance_of(date(2026, 1, 10)), date(2026, 4, 10))
        self.assertEqual(echeance_of(date(2025, 11, 30)), date(2026, 2, 28))
        self.assertEqual(echeance_of(date(2027, 11, 30)), date(2028, 2, 29))
        self.assertEqual(echeance_of(date(2026, 10, 15)), date(2027, 1, 15))

    def test_due_and_overdue_around_the_boundary(self) -> None:
        # Both awarded on 10 January 2026 (Paris): deadline 10 April 2026.
        cases = [
            (datetime(2026, 3, 25, 12, tzinfo=PARIS), 0, 0),  # 16 days before
            (datetime(2026, 3, 26, 12, tzinfo=PARIS), 2, 0),  # 15 days before
            (datetime(2026, 4, 10, 23, 59, tzinfo=PARIS), 2, 0),  # last day
            (datetime(2026, 4, 11, 0, 1, tzinfo=PARIS), 0, 2),  # the day after
        ]
        for moment, dues, retard in cases:
            with self.subTest(moment=moment), frozen(moment):
                echeances = echeances_for()
                self.assertEqual(
                    (len(echeances.dues), len(echeances.en_retard)), (dues, retard)
                )

    def test_narrowed_reading_agrees_with_every_holder(self) -> None:
        # Awards near month ends (30 November → 28 February), one decided at
        # 00:30 in Paris (23:30 UTC the day before), one rejected by the CDC, one
        # accepted, one deposited.
        fins_de_mois = [
            make_titulaire(self.session, f"m{i}@example.org", par=self.admin, le=moment)
            for i, moment in enumerate(
                [
                    datetime(2025, 11, 28, 15, tzinfo=PARIS),
                    datetime(2025, 11, 29, 15, tzinfo=PARIS),
                    datetime(2025, 11, 30, 0, 30, tzinfo=PARIS),
                    datetime(2025, 12, 31, 23, 30, tzinfo=PARIS),
                ]
            )
        ]
        accepte = make_titulaire(
            self.session,
            "accepte@example.org",
            par=self.admin,
            le=datetime(2025, 11, 30, 12, tzinfo=PARIS),
        )
        rejete = make_titulaire(
            self.session,
            "rejete@example.org",
            par=self.admin,
            le=datetime(2025, 11, 30, 12, tzinfo=PARIS),
        )
        lot = lot_deposit(
            lot=self.build(inscription_ids=[accepte.pk, rejete.pk]), by=self.admin
        )
        declarations = {d.inscription_id: d for d in lot.declarations.all()}
        declaration_answer(
            declaration=declarations[accepte.pk], accepte=True, motif="", by=self.admin
        )
        declaration_answer(
            declaration=declarations[rejete.pk],
            accepte=False,
            motif="Commune inconnue",
            by=self.admin,
        )
        self.build(inscription_ids=[self.omar.pk])  # included, not deposited
        tous = titulaires_for()
        jour = date(2026, 1, 20)
        while jour <= date(2026, 4, 20):
            with self.subTest(jour=jour):
                attendu = echeances_for(today=jour, titulaires=tous)
                lu = echeances_for(today=jour)
                self.assertEqual(
                    (
                        [t.inscription_id for t in lu.dues],
                        [t.inscription_id for t in lu.en_retard],
                    ),
                    (
                        [t.inscription_id for t in attendu.dues],
                        [t.inscription_id for t in attendu.en_retard],
                    ),
                )
            jour += timedelta(days=1)
        # On 2 March: the awards of 28-30 November (deadline 28 February) are
        # overdue, the rejected one too; never the accepted one.
        self.assertEqual(
            [t.inscription_id for t in echeances_for(today=date(2026, 3, 2)).en_retard],
            [*(i.pk for i in fins_de_mois[:3]), rejete.pk],
        )

    def test_deposited_holders_are_no_longer_due(self) -> None:
        lot = self.build(inscription_ids=[self.lea.pk])
        with frozen(datetime(2026, 4, 11, 9, tzinfo=PARIS)):
            self.assertEqual(
                [t.nom for t in echeances_for().en_retard],
                ["Omar BENALI", "Léa FONTAINE"],
            )
            lot_deposit(lot=lot, by=self.admin)
            self.assertEqual(
                [t.nom for t in echeances_for().en_retard], ["Omar BENALI"]
            )

    def test_reminder_once_a_day(self) -> None:
        admin2 = make_user("admin2@example.org", Role.ADMINISTRATEUR)
        with frozen(datetime(2026, 4, 1, 7, tzinfo=PARIS)):
            with self.captureOnCommitCallbacks(execute=True):
                rappel = rappel_send()
            self.assertEqual((rappel.envoye, rappel.destinataires), (True, 2))
            # One message per administrator, each in their « Mes messages ».
            self.assertEqual(
                [m.to for m in mail.outbox],
                [["admin2@example.org"], ["admin@example.org"]],
            )
            message = mail.outbox[0]
            self.assertEqual(
                message.subject,
                "Déclarations à la Caisse des Dépôts : titulaires à déclarer",
            )
            self.assertEqual(
                assert_links(self, message), ["https://certif.test/declarations/"]
            )
            self.assertIn(
                "<li>Léa FONTAINE (RNCP12345) : à déclarer au plus tard le "
                "10/04/2026</li>",
                html_of(message),
            )
            self.assertEqual(
                sorted(MessageEnvoye.objects.values_list("utilisateur__email", "cle")),
                [
                    (
                        "admin2@example.org",
                        f"rappel-declarations:2026-04-01:{admin2.pk}",
                    ),
                    (
                        "admin@example.org",
                        f"rappel-declarations:2026-04-01:{self.admin.pk}",
                    ),
                ],
            )
            self.assertIn(
                "2 titulaires sont à déclarer dans les 15 jours.\n", message.body
            )
            self.assertIn(
                "Léa FONTAINE (RNCP12345) : à déclarer au plus tard le 10/04/2026",
                message.body,
            )
            with self.captureOnCommitCallbacks(execute=True):
                self.assertIs(rappel_send().envoye, False)
            self.assertEqual(len(mail.outbox), 2)
            self.assertEqual(RappelDeclarations.objects.count(), 1)

    def test_reminder_command(self) -> None:
        from io import StringIO

        with frozen(datetime(2026, 1, 12, 7, tzinfo=PARIS)):
            out = StringIO()
            call_command("rappels_declarations", stdout=out)
            self.assertEqual(
                out.getvalue().strip(),
                "0 en retard, 0 à déclarer dans les 15 jours — aucun rappel",
            )
        with frozen(datetime(2026, 4, 20, 7, tzinfo=PARIS)):
            out = StringIO()
            with self.captureOnCommitCallbacks(execute=True):
                call_command("rappels_declarations", stdout=out)
            self.assertEqual(
                out.getvalue().strip(),
                "2 en retard, 0 à déclarer dans les 15 jours — rappel envoyé à 1 "
                "administrateur",
            )
            out = StringIO()
            call_command("rappels_declarations", stdout=out)
            self.assertEqual(
                out.getvalue().strip(),
                "2 en retard, 0 à déclarer dans les 15 jours — rappel déjà envoyé "
                "aujourd'hui (ou aucun administrateur)",
            )
        self.assertEqual(len(mail.outbox), 1)
