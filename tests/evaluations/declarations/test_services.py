"""Batches: who goes in, incomplete identities refused with the holder and the
field named, the file always valid, the tracking holder by holder (deposit,
answer, rejection then a new batch, a correction after acceptance), the
deadline around the three-month boundary."""

from datetime import date, datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings

from certif.roles import Role
from evaluations.declarations.documents import schema_errors
from evaluations.declarations.models import DeclarationCDC, LotCDC, RappelDeclarations
from evaluations.declarations.selectors import (
    Etat,
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
from evaluations.sessions.models import Candidat
from evaluations.sessions.services import IdentiteData, candidat_identite_update
from tests.clock import frozen
from tests.evaluations.declarations.factories import PARIS, make_titulaire
from tests.factories import make_referentiel, make_session, make_user

IDS = {
    "CDC_ID_CLIENT_EMETTEUR": "EMET0001",
    "CDC_ID_CLIENT_CERTIFICATEUR": "CERT0001",
    "CDC_ID_CONTRAT": "C-1",
}


@override_settings(**IDS)
class DeclarationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        cls.referentiel = make_referentiel()
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
        with (
            override_settings(CDC_ID_CLIENT_EMETTEUR="", CDC_ID_CONTRAT="X" * 21),
            self.assertRaisesMessage(
                ValidationError,
                "Identifiants de la Caisse des Dépôts incomplets : idClient de "
                "l'émetteur (8 caractères exactement), idContrat (1 à 20 "
                "caractères). Renseignez-les avant de construire un lot.",
            ),
        ):
            lot_start(certification=self.certification, by=self.admin)
        self.assertEqual(LotCDC.objects.count(), 0)

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
        make_user("admin2@example.org", Role.ADMINISTRATEUR)
        with frozen(datetime(2026, 4, 1, 7, tzinfo=PARIS)):
            with self.captureOnCommitCallbacks(execute=True):
                rappel = rappel_send()
            self.assertEqual((rappel.envoye, rappel.destinataires), (True, 2))
            self.assertEqual(len(mail.outbox), 1)
            message = mail.outbox[0]
            self.assertEqual(
                message.subject,
                "Déclarations à la Caisse des Dépôts : titulaires à déclarer",
            )
            self.assertEqual(message.to, ["admin2@example.org", "admin@example.org"])
            self.assertIn(
                "2 titulaires sont à déclarer dans les 15 jours.\n", message.body
            )
            self.assertIn(
                "Léa FONTAINE (RNCP00000) : à déclarer au plus tard le 10/04/2026",
                message.body,
            )
            with self.captureOnCommitCallbacks(execute=True):
                self.assertIs(rappel_send().envoye, False)
            self.assertEqual(len(mail.outbox), 1)
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
                "administrateur(s)",
            )
            out = StringIO()
            call_command("rappels_declarations", stdout=out)
            self.assertEqual(
                out.getvalue().strip(),
                "2 en retard, 0 à déclarer dans les 15 jours — rappel déjà envoyé "
                "aujourd'hui (ou aucun administrateur)",
            )
        self.assertEqual(len(mail.outbox), 1)
