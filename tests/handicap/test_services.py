"""Services of the handicap app: filing, deciding, exemptions and their rules."""

import io
from datetime import timedelta

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from certif.models import MessageEnvoye
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import dispense_decider
from evaluations.jury.selectors import presents_possibles
from evaluations.notation.rollup import (
    BlocSpec,
    CompetenceSpec,
    CompetenceStatut,
    CritereStatut,
    RollupInput,
    rollup,
)
from evaluations.sessions.models import Session
from evaluations.sessions.verrou import DeliberationVerrouilleeError
from handicap.models import (
    CONSENTEMENT_TEXTE,
    AccesConfidentiel,
    Amenagement,
    AvisMotive,
    DemandeAmenagement,
    Dispense,
    PieceJustificative,
    PropositionDispense,
)
from handicap.selectors import (
    amenagements_for_jury,
    criteres_dispenses_for,
    dispenses_accordees_for,
)
from handicap.services import (
    AmenagementSaisi,
    PropositionSaisie,
    demande_decider,
    demande_deposer,
    demande_instruire,
    mois_avant,
)
from referentiel.models import Modalite
from tests.emails import assert_links, html_of
from tests.factories import make_candidat, make_inscription
from tests.handicap.factories import (
    AVIS,
    BESOINS,
    HandicapTestCase,
    make_decision,
    make_demande,
    pdf_upload,
    png_upload,
)


class DeposerTests(HandicapTestCase):
    def deposer(self, **kwargs: object) -> DemandeAmenagement:
        params: dict = {
            "inscription": self.inscription,
            "besoins": BESOINS,
            "modalites": [],
            "consentement": True,
            "pieces": [pdf_upload()],
            "by": self.candidat,
        }
        params.update(kwargs)
        return demande_deposer(**params)

    def assert_nothing_stored(self) -> None:
        self.assertEqual(DemandeAmenagement.objects.count(), 0)
        self.assertEqual(PieceJustificative.objects.count(), 0)

    def test_files_the_request_with_consent_text_and_date(self) -> None:
        modalite = Modalite.objects.get(competence__code="C1.1")
        demande = self.deposer(
            modalites=[modalite], pieces=[pdf_upload(), png_upload()]
        )
        self.assertEqual(demande.statut, DemandeAmenagement.Statut.DEPOSEE)
        self.assertEqual(demande.besoins, BESOINS)
        self.assertEqual(demande.consentement_texte, str(CONSENTEMENT_TEXTE))
        self.assertLess(timezone.now() - demande.consentement_le, timedelta(minutes=1))
        self.assertEqual(list(demande.modalites.all()), [modalite])
        pieces = list(demande.pieces.order_by("pk"))
        self.assertEqual(
            [(p.nom_original, p.type_mime) for p in pieces],
            [("certificat.pdf", "application/pdf"), ("scan.png", "image/png")],
        )
        self.assertRegex(
            str(pieces[0].fichier.name), r"^handicap/pieces/[0-9a-f]{32}\.pdf$"
        )
        self.assertEqual(len(pieces[0].sha256), 64)

    def test_no_consent_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Votre consentement"):
            self.deposer(consentement=False)
        self.assert_nothing_stored()

    def test_empty_needs_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Décrivez vos besoins."):
            self.deposer(besoins="   \n ")
        self.assert_nothing_stored()

    def test_someone_elses_enrolment_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.deposer(by=self.autre)
        self.assert_nothing_stored()

    def test_modality_outside_the_path_refused(self) -> None:
        cand = make_candidat("blocs@example.org", nom="Bloc")
        inscription = make_inscription(cand, self.autre_session, blocs=["B1"])
        hors = Modalite.objects.get(competence__code="C2.1")
        with self.assertRaisesMessage(
            ValidationError, "Modalité hors de votre parcours"
        ):
            self.deposer(inscription=inscription, by=cand.user, modalites=[hors])
        self.assert_nothing_stored()

    def test_bad_files_refused(self) -> None:
        cases = {
            "texte.pdf": b"ceci n'est pas un PDF",
            "programme.exe": b"MZ\x90\x00" + b"\x00" * 60,
            "vide.pdf": b"",
            "image.pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        }
        for name, content in cases.items():
            with self.subTest(name=name):
                upload = SimpleUploadedFile(
                    name, content, content_type="application/pdf"
                )
                with self.assertRaisesMessage(ValidationError, f"« {name} »"):
                    self.deposer(pieces=[pdf_upload(), upload])
                self.assert_nothing_stored()

    def test_bad_file_name_refused(self) -> None:
        upload = pdf_upload("certificat\x07.pdf")
        with self.assertRaisesMessage(ValidationError, "caractères de contrôle"):
            self.deposer(pieces=[upload])
        self.assert_nothing_stored()

    @override_settings(UPLOAD_MAX_BYTES=100)
    def test_too_large_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "dépasse la taille maximale"):
            self.deposer()
        self.assert_nothing_stored()

    def test_after_the_session_is_deliberated_refused(self) -> None:
        for statut in (Session.Statut.DELIBEREE, Session.Statut.CLOSE):
            Session.objects.filter(pk=self.session.pk).update(statut=statut)
            with (
                self.subTest(statut=statut),
                self.assertRaisesMessage(ValidationError, "délibérée ou close"),
            ):
                self.deposer()
            self.assert_nothing_stored()

    def test_after_the_enrolment_is_deliberated_refused(self) -> None:
        Deliberation.objects.create(
            inscription=self.inscription,
            decision=Deliberation.Decision.NON_VALIDE,
            motif="Vote.",
            decidee_le=timezone.now(),
            decidee_par=self.president,
        )
        with self.assertRaisesMessage(ValidationError, "délibérée ou close"):
            self.deposer()
        self.assert_nothing_stored()

    def test_second_request_refused(self) -> None:
        self.deposer()
        with self.assertRaisesMessage(ValidationError, "existe déjà"):
            self.deposer()
        self.assertEqual(DemandeAmenagement.objects.count(), 1)


class DeciderTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demande = make_demande(cls.inscription)

    def decider(self, **kwargs: object) -> DemandeAmenagement:
        params: dict = {
            "demande": self.demande,
            "amenagements": [
                AmenagementSaisi(
                    type=Amenagement.Type.TEMPS_MAJORE, description="Tiers-temps."
                )
            ],
            "avis": AVIS,
            "propositions": [
                PropositionSaisie(critere=self.criteres[0], motif="Motif.")
            ],
            "by": self.referent,
        }
        params.update(kwargs)
        return demande_decider(**params)

    def assert_nothing_decided(self) -> None:
        self.assertEqual(Amenagement.objects.count(), 0)
        self.assertEqual(AvisMotive.objects.count(), 0)
        self.assertEqual(PropositionDispense.objects.count(), 0)
        self.demande.refresh_from_db()
        self.assertEqual(self.demande.statut, DemandeAmenagement.Statut.DEPOSEE)
        self.assertEqual(self.demande.courrier.name, "")

    def test_instruire(self) -> None:
        demande = demande_instruire(demande=self.demande, by=self.referent)
        self.assertEqual(demande.statut, DemandeAmenagement.Statut.EN_INSTRUCTION)
        self.assertEqual(demande.instruite_par, self.referent)
        with self.assertRaisesMessage(ValidationError, "déjà en instruction"):
            demande_instruire(demande=demande, by=self.referent)

    def test_decision_letter_and_mail(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            demande = make_decision(
                self.demande, self.referent, propositions=[self.criteres[1]]
            )
        self.assertEqual(demande.statut, DemandeAmenagement.Statut.DECIDEE)
        self.assertEqual(demande.decidee_par, self.referent)
        self.assertEqual(
            list(demande.amenagements.values_list("type", "precision")),
            [("temps_majore", ""), ("assistance_tiers", "Secrétaire")],
        )
        with demande.courrier.open("rb") as handle:
            stored = handle.read()
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(stored)).pages
        )
        self.assertIn("Temps majoré", text)
        self.assertIn("Tiers-temps pour chaque épreuve orale.", text)
        self.assertIn("Assistance d'un tiers", text)
        self.assertIn("Secrétaire", text)
        self.assertIn(AVIS, text)
        self.assertIn(self.criteres[1].code, text)
        self.assertIn("Marie DUPONT", text)
        self.assertIn(
            "Institut Exemple de Certification 12 rue des Écoles 69002 Lyon "
            "Référent handicap — Institut Exemple de Certification",
            text,
        )
        self.assertIn(
            "Voie de recours : Recours écrit auprès du certificateur (12 rue des "
            "Écoles, 69002 Lyon) dans les deux mois suivant la notification de la "
            "décision.",
            text,
        )
        self.assertNotIn("Sclérose", text)
        self.assertNotIn("fatigue importante", text)
        self.assertNotIn("piece-0.pdf", text)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["candidat@example.org"])
        self.assertEqual(
            message.subject, "Décision sur votre demande d'aménagement — Session A"
        )
        self.assertNotIn("Sclérose", message.body)
        self.assertEqual(
            message.attachments,
            [("decision-amenagement.pdf", stored, "application/pdf")],
        )

    def test_decision_email_is_sent_whole_and_its_body_never_stored(self) -> None:
        Session.objects.filter(pk=self.inscription.session_id).update(
            nom="Session d'été & automne"
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.decider()
        (message,) = mail.outbox
        self.assertEqual(message.to, ["candidat@example.org"])
        self.assertEqual(
            message.subject,
            "Décision sur votre demande d'aménagement — Session d'été & automne",
        )
        lien = "https://certif.test/handicap/"
        lines = str(message.body).splitlines()
        self.assertEqual(lines[0], "Bonjour Marie,")
        self.assertIn(
            "Le référent handicap a statué sur votre demande d'aménagement des "
            "épreuves de la session « Session d'été & automne ».",
            lines[2],
        )
        self.assertEqual(assert_links(self, message), [lien])
        self.assertIn("Session d&#x27;été &amp; automne", html_of(message))
        # Health data: the record keeps the subject, never the body nor the letter.
        stored = MessageEnvoye.objects.get()
        self.assertEqual(
            (stored.utilisateur, stored.sujet, stored.corps, stored.pieces_jointes),
            (
                self.inscription.candidat.user,
                message.subject,
                "Le contenu de ce message, confidentiel, n'est pas conservé ici.\n",
                ["decision-amenagement.pdf"],
            ),
        )

    def test_audit_history(self) -> None:
        make_decision(self.demande, self.referent, propositions=[self.criteres[0]])
        self.assertEqual(Amenagement.history.filter(history_type="+").count(), 2)
        self.assertEqual(AvisMotive.history.filter(history_type="+").count(), 1)
        self.assertEqual(
            PropositionDispense.history.filter(history_type="+").count(), 1
        )

    def test_empty_avis_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Rédigez l'avis motivé."):
            self.decider(avis=" ")
        self.assert_nothing_decided()

    def test_empty_motive_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Indiquez le motif"):
            self.decider(
                propositions=[PropositionSaisie(critere=self.criteres[0], motif="")]
            )
        self.assert_nothing_decided()

    def test_criterion_outside_the_path_refused(self) -> None:
        cand = make_candidat("blocs@example.org", nom="Bloc")
        inscription = make_inscription(cand, self.autre_session, blocs=["B1"])
        self.demande = make_demande(inscription)
        hors = next(c for c in self.criteres if c.code.startswith("C2."))
        with self.assertRaisesMessage(ValidationError, "n'est pas dans le parcours"):
            self.decider(propositions=[PropositionSaisie(critere=hors, motif="M.")])
        self.assert_nothing_decided()

    def test_incomplete_accommodations_refused(self) -> None:
        cases = [
            (Amenagement.Type.FORMAT_ADAPTE, "", "Un format adapté précise"),
            (Amenagement.Type.ASSISTANCE_TIERS, "", "Précisez le rôle du tiers"),
            (Amenagement.Type.AUTRE, "x", "Décrivez chaque aménagement."),
        ]
        for type_, precision, message in cases:
            description = "" if type_ == Amenagement.Type.AUTRE else "Desc."
            with (
                self.subTest(type=type_),
                self.assertRaisesMessage(ValidationError, message),
            ):
                self.decider(
                    amenagements=[
                        AmenagementSaisi(
                            type=type_, description=description, precision=precision
                        )
                    ]
                )
            self.assert_nothing_decided()

    def test_already_decided_refused(self) -> None:
        self.decider()
        with self.assertRaisesMessage(ValidationError, "déjà décidée"):
            self.decider()
        self.assertEqual(Amenagement.objects.count(), 1)


class DispenseTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.critere = cls.criteres[0]
        cls.demande = make_decision(
            make_demande(cls.inscription),
            cls.referent,
            propositions=[cls.critere, cls.criteres[1]],
        )

    def decider(self, **kwargs: object) -> Dispense:
        params: dict = {
            "inscription": self.inscription,
            "critere": self.critere,
            "accorder": True,
            "condition_capacite_globale": True,
            "condition_pratique_future": True,
            "raisonnement": "Le jury motive sa décision.",
            "presents": presents_possibles(inscription=self.inscription),
            "by": self.president,
        }
        params.update(kwargs)
        return dispense_decider(**params)

    def test_granted_with_both_conditions(self) -> None:
        dispense = self.decider()
        self.assertIs(dispense.accordee, True)
        self.assertEqual(dispense.decide_par, self.president)
        self.assertEqual(
            criteres_dispenses_for(inscription_ids=[self.inscription.pk]),
            {self.inscription.pk: {self.critere.pk}},
        )

    def test_one_condition_missing_refused(self) -> None:
        cases: list[tuple[dict[str, object], str]] = [
            ({"condition_capacite_globale": False}, "capacité professionnelle globale"),
            ({"condition_pratique_future": False}, "pratique professionnelle future"),
            ({"raisonnement": "  "}, "rédigez le raisonnement du jury"),
            (
                {
                    "condition_capacite_globale": False,
                    "condition_pratique_future": False,
                },
                "Dispense refusée",
            ),
        ]
        for kwargs, message in cases:
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaisesMessage(ValidationError, message),
            ):
                self.decider(**kwargs)
            self.assertEqual(Dispense.objects.count(), 0)
        self.assertEqual(
            criteres_dispenses_for(inscription_ids=[self.inscription.pk]), {}
        )

    def test_criterion_not_in_the_avis_refused(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "n'est pas proposé à la dispense"
        ):
            self.decider(critere=self.criteres[2])
        self.assertEqual(Dispense.objects.count(), 0)

    def test_enrolment_without_avis_refused(self) -> None:
        with self.assertRaisesMessage(
            ValidationError, "n'est pas proposé à la dispense"
        ):
            self.decider(inscription=self.autre_inscription)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_after_lock_refused(self) -> None:
        Deliberation.objects.create(
            inscription=self.inscription,
            decision=Deliberation.Decision.NON_VALIDE,
            motif="Vote.",
            decidee_le=timezone.now(),
            decidee_par=self.president,
        )
        with self.assertRaisesMessage(
            DeliberationVerrouilleeError,
            "La délibération de ce candidat est votée et verrouillée : plus aucune "
            "modification n'est possible. Le président du jury peut la rouvrir en "
            "indiquant le motif.",
        ):
            self.decider()
        self.assertEqual(Dispense.objects.count(), 0)

    def test_not_the_president_refused(self) -> None:
        for user in (self.jury, self.autre_president, self.referent):
            with self.subTest(user=user.email), self.assertRaises(PermissionDenied):
                self.decider(by=user)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_refusal_and_change_keep_history(self) -> None:
        refus = self.decider(
            accorder=False,
            condition_capacite_globale=False,
            condition_pratique_future=False,
            raisonnement="",
        )
        self.assertIs(refus.accordee, False)
        self.assertEqual(
            criteres_dispenses_for(inscription_ids=[self.inscription.pk]), {}
        )
        accord = self.decider()
        self.assertEqual(accord.pk, refus.pk)
        self.assertEqual(
            list(
                Dispense.history.filter(id=accord.pk)
                .order_by("history_date")
                .values_list("history_type", "accordee")
            ),
            # The members present are recorded after the decision: one more row
            # the first time; the same members again add none.
            [("+", False), ("~", False), ("~", True)],
        )

    def test_criteres_dispenses_for_in_one_query(self) -> None:
        self.decider()
        self.decider(critere=self.criteres[1])
        demande = make_decision(
            make_demande(self.autre_inscription),
            self.referent,
            propositions=[self.criteres[2]],
        )
        self.assertEqual(demande.statut, "decidee")
        self.decider(inscription=self.autre_inscription, critere=self.criteres[2])
        self.decider(
            inscription=self.autre_inscription, critere=self.criteres[2], accorder=False
        )
        ids = [self.inscription.pk, self.autre_inscription.pk, 999999]
        with self.assertNumQueries(1):
            result = criteres_dispenses_for(inscription_ids=iter(ids))
        self.assertEqual(
            result,
            {self.inscription.pk: {self.criteres[0].pk, self.criteres[1].pk}},
        )

    def test_dispenses_accordees_for_in_one_query(self) -> None:
        self.decider()
        self.decider(critere=self.criteres[1], accorder=False)
        with self.assertNumQueries(1):
            result = dispenses_accordees_for(
                inscription_ids=[self.inscription.pk, self.autre_inscription.pk]
            )
        self.assertEqual(
            [
                (d.critere_code, d.condition_capacite_globale, d.raisonnement)
                for d in result[self.inscription.pk]
            ],
            [(self.critere.code, True, "Le jury motive sa décision.")],
        )
        self.assertEqual(list(result), [self.inscription.pk])

    def test_rollup_with_exemption(self) -> None:
        self.decider()
        c1 = [c for c in self.criteres if c.code.startswith("C1.")]
        dispenses = criteres_dispenses_for(inscription_ids=[self.inscription.pk])
        data = RollupInput(
            blocs=(BlocSpec("B1", (CompetenceSpec("C1.1", tuple(c.pk for c in c1)),)),),
            resultats={c1[0].pk: None, c1[1].pk: "acquis", c1[2].pk: "acquis"},
            parcours=frozenset({"B1"}),
            dispenses=frozenset(dispenses[self.inscription.pk]),
        )
        competence = rollup(data).competence("C1.1")
        assert competence is not None
        self.assertEqual(competence.statut, CompetenceStatut.ACQUISE)
        self.assertEqual(
            [c.statut for c in competence.criteres],
            [CritereStatut.DISPENSE, CritereStatut.ACQUIS, CritereStatut.ACQUIS],
        )

    def test_jury_view_of_accommodations(self) -> None:
        self.decider()
        with self.assertNumQueries(3):
            vue = amenagements_for_jury(inscription_id=self.inscription.pk)
        self.assertIs(bool(vue), True)
        self.assertEqual(
            [(a.type_label, a.precision, a.description) for a in vue],
            [
                ("Temps majoré", "", "Tiers-temps pour chaque épreuve orale."),
                (
                    "Assistance d'un tiers",
                    "Secrétaire",
                    "Un secrétaire écrit sous la dictée du candidat.",
                ),
            ],
        )
        self.assertEqual(vue.avis, AVIS)
        self.assertEqual(
            [(p.critere_code, p.decision) for p in vue.propositions],
            [(self.criteres[0].code, "accordee"), (self.criteres[1].code, "")],
        )
        self.assertNotIn("Sclérose", repr(vue))
        with self.assertNumQueries(1):
            vide = amenagements_for_jury(inscription_id=self.autre_inscription.pk)
        self.assertIs(bool(vide), False)
        self.assertEqual(list(vide), [])


class MoisAvantTests(HandicapTestCase):
    def test_clamps_the_day(self) -> None:
        moment = timezone.now().replace(year=2026, month=3, day=31)
        self.assertEqual(mois_avant(moment, 1).date().isoformat(), "2026-02-28")
        self.assertEqual(mois_avant(moment, 24).date().isoformat(), "2024-03-31")
        self.assertEqual(mois_avant(moment, 13).date().isoformat(), "2025-02-28")


class AccesLogTests(HandicapTestCase):
    def test_nothing_logged_by_filing(self) -> None:
        make_demande(self.inscription)
        self.assertEqual(AccesConfidentiel.objects.count(), 0)
