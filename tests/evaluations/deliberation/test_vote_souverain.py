"""A sovereign vote that leaves a trace: the jury may depart from the roll-up's
proposal only with a written motive; no vote nor consolidation while an assigned
evaluator has not validated (unless the president records why); no vote before
the jury date; members present pre-filled from the sitting's previous vote; the PV
prints departures and waivers."""

import io
from datetime import timedelta

import pypdf
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import deliberation_record
from evaluations.documents.models import Document
from evaluations.documents.tasks import emission_launch
from evaluations.jury.models import Affectation
from evaluations.notation.models import Consolidation, DerogationValidation
from evaluations.notation.services import (
    consolidation_record,
    derogation_validation_record,
)
from evaluations.sessions.models import BlocAcquis, Session
from tests.evaluations.factories_documents import make_scenario
from tests.evaluations.factories_jury import consolidate
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase
from tests.factories import make_candidat, make_inscription

ECART = (
    "La décision diffère de la proposition (Validation partielle : B1) : le jury ne "
    "s'en écarte qu'avec un motif écrit, que le procès-verbal imprime."
)
ATTENTE = (
    "M1 Nom n'a pas validé son évaluation : attendez sa validation, ou indiquez sur "
    "la page de consolidation pourquoi le jury s'en passe (évaluateur absent, "
    "remplacé)."
)


class VoteSouverainTests(ConsolidationTestCase):
    def setUp(self) -> None:
        consolidate(self.inscription, self.president.user)
        # Proposal: B1 validated, B2 not (one criterion non acquis).
        Consolidation.objects.filter(
            inscription=self.inscription, critere__code="C2.1.2"
        ).update(resultat="non_acquis")

    def voter(self, **kwargs: object) -> Deliberation:
        params: dict = {
            "inscription": self.inscription,
            "motif": "Après audition du candidat.",
            "presents": [self.president, self.m1],
            "by": self.president.user,
        }
        params.update(kwargs)
        return deliberation_record(**params)

    def test_following_the_proposal_needs_no_second_motive(self) -> None:
        deliberation = self.voter()
        self.assertEqual(
            (
                deliberation.decision,
                deliberation.decision_proposee,
                deliberation.blocs_proposes,
                deliberation.motif_ecart,
                deliberation.differe_de_la_proposition,
            ),
            ("validation_partielle", "validation_partielle", "B1", "", False),
        )

    def test_departing_without_motive_refused_nothing_stored(self) -> None:
        with self.assertRaisesMessage(ValidationError, ECART):
            self.voter(blocs_decides=["B1", "B2"])
        with self.assertRaisesMessage(ValidationError, ECART):
            self.voter(blocs_decides=["B1", "B2"], motif_ecart="  ")
        self.assertIs(Deliberation.objects.exists(), False)
        self.assertIs(BlocAcquis.objects.exists(), False)

    def test_departing_with_motive_certifies_and_keeps_the_proposal(self) -> None:
        deliberation = self.voter(
            blocs_decides=["B1", "B2"],
            motif_ecart="L'audition a montré la maîtrise de C2.1.2.",
        )
        self.assertEqual(
            (
                deliberation.decision,
                deliberation.decision_proposee,
                deliberation.blocs_proposes,
                deliberation.motif_ecart,
                deliberation.differe_de_la_proposition,
            ),
            (
                "certifie",
                "validation_partielle",
                "B1",
                "L'audition a montré la maîtrise de C2.1.2.",
                True,
            ),
        )
        self.assertEqual(
            sorted(BlocAcquis.objects.values_list("bloc__code", flat=True)),
            ["B1", "B2"],
        )

    def test_departing_down_to_not_validated(self) -> None:
        deliberation = self.voter(blocs_decides=[], motif_ecart="Fraude constatée.")
        self.assertEqual(
            (deliberation.decision, list(deliberation.blocs_valides.all())),
            ("non_valide", []),
        )
        self.assertIs(BlocAcquis.objects.exists(), False)

    def test_bloc_not_evaluated_refused(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "Le jury ne valide que des blocs évalués dans cette session.",
        ):
            self.voter(blocs_decides=["B1", "B9"], motif_ecart="x")
        self.assertIs(Deliberation.objects.exists(), False)

    def test_vote_waits_for_every_evaluator_unless_the_president_says_why(
        self,
    ) -> None:
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        with self.assertRaisesMessage(ValidationError, ATTENTE):
            self.voter()
        self.assertIs(Deliberation.objects.exists(), False)
        derogation_validation_record(
            affectation=self.a1,
            motif="Évaluateur malade, remplacé.",
            by=self.president.user,
        )
        self.assertEqual(self.voter().decision, "validation_partielle")

    def test_consolidation_waits_for_every_evaluator(self) -> None:
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        critere = self.criteres[0]
        with self.assertRaisesMessage(ValidationError, ATTENTE):
            consolidation_record(
                inscription=self.inscription,
                valeurs={critere.pk: ("non_acquis", "", 1)},
                by=self.president.user,
            )
        self.assertEqual(
            Consolidation.objects.get(
                inscription=self.inscription, critere=critere
            ).resultat,
            "acquis",
        )

    def test_waiver_refusals(self) -> None:
        with self.assertRaisesMessage(
            ValidationError,
            "M1 Nom a validé son évaluation : aucune dérogation n'est nécessaire.",
        ):
            derogation_validation_record(
                affectation=self.a1, motif="x", by=self.president.user
            )
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        with self.assertRaisesMessage(
            ValidationError,
            "Indiquez pourquoi le jury se passe de la validation de M1 Nom",
        ):
            derogation_validation_record(
                affectation=self.a1, motif=" ", by=self.president.user
            )
        with self.assertRaises(PermissionDenied):
            derogation_validation_record(
                affectation=self.a1, motif="x", by=self.m1.user
            )
        self.assertIs(DerogationValidation.objects.exists(), False)

    def test_no_vote_before_the_jury_date(self) -> None:
        demain = timezone.localdate() + timedelta(days=1)
        Session.objects.filter(pk=self.session.pk).update(date_jury=demain)
        with self.assertRaisesMessage(
            ValidationError, "il ne peut pas voter avant. Si le jury s'est"
        ):
            self.voter()
        self.assertIs(Deliberation.objects.exists(), False)


class VoteSouverainViewTests(ConsolidationTestCase):
    def setUp(self) -> None:
        consolidate(self.inscription, self.president.user)
        Consolidation.objects.filter(
            inscription=self.inscription, critere__code="C2.1.2"
        ).update(resultat="non_acquis")
        self.url = reverse("evaluations:deliberation", args=[self.inscription.pk])
        self.client.force_login(self.president.user)

    def post(self, **data: object):  # type: ignore[no-untyped-def]
        return self.client.post(
            self.url,
            {
                "motif": "Après audition.",
                "presents": [self.president.pk, self.m1.pk],
                **data,
            },
        )

    def test_page_ticks_the_proposed_blocs(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.context["form"]["blocs"].value(), ["B1"])
        self.assertEqual(
            [c[0] for c in response.context["form"].fields["blocs"].choices],
            ["B1", "B2"],
        )

    def test_departing_without_motive_refused_with_the_message(self) -> None:
        response = self.post(blocs=["B1", "B2"])
        self.assertContains(response, ECART.replace("'", "&#x27;"), status_code=400)
        self.assertIs(Deliberation.objects.exists(), False)

    def test_departing_with_motive_shown_after_the_vote(self) -> None:
        response = self.post(blocs=["B1", "B2"], motif_ecart="Audition concluante.")
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        page = self.client.get(self.url)
        self.assertContains(page, "Décision différente de la proposition")
        self.assertContains(
            page, "Proposition du consolidé : Validation partielle (B1)"
        )
        self.assertContains(page, "Motif de l'écart : Audition concluante.")

    def test_waiting_evaluator_shown_and_vote_refused(self) -> None:
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        page = self.client.get(self.url)
        self.assertContains(page, "Validation attendue : M1 Nom n'a pas validé")
        response = self.post(blocs=["B1"])
        self.assertContains(response, ATTENTE.replace("'", "&#x27;"), status_code=400)
        self.assertIs(Deliberation.objects.exists(), False)

    def test_before_the_jury_date_refused_with_the_message(self) -> None:
        Session.objects.filter(pk=self.session.pk).update(
            date_jury=timezone.localdate() + timedelta(days=3)
        )
        response = self.post(blocs=["B1"])
        self.assertContains(response, "il ne peut pas voter avant", status_code=400)
        self.assertIs(Deliberation.objects.exists(), False)

    def test_members_present_prefilled_from_the_previous_vote(self) -> None:
        self.post(blocs=["B1"])
        autre = make_inscription(make_candidat("suivant@test.localhost"), self.session)
        response = self.client.get(reverse("evaluations:deliberation", args=[autre.pk]))
        self.assertEqual(
            sorted(response.context["form"]["presents"].value()),
            sorted([self.president.pk, self.m1.pk]),
        )


class DerogationViewTests(ConsolidationTestCase):
    def setUp(self) -> None:
        Affectation.objects.filter(pk=self.a1.pk).update(validee_le=None)
        self.url = reverse(
            "evaluations:derogation_validation", args=[self.inscription.pk, self.a1.pk]
        )
        self.consolidation_url = reverse(
            "evaluations:consolidation", args=[self.inscription.pk]
        )

    def test_president_records_the_reason(self) -> None:
        self.client.force_login(self.president.user)
        page = self.client.get(self.consolidation_url)
        self.assertContains(page, "validation attendue")
        response = self.client.post(
            self.url, {f"d{self.a1.pk}-motif": "Évaluateur remplacé."}
        )
        self.assertRedirects(
            response, self.consolidation_url, fetch_redirect_response=False
        )
        derogation = DerogationValidation.objects.get()
        self.assertEqual(
            (derogation.affectation_id, derogation.motif, derogation.par_id),
            (self.a1.pk, "Évaluateur remplacé.", self.president.user.pk),
        )
        self.assertContains(
            self.client.get(self.consolidation_url), "Motif : Évaluateur remplacé."
        )

    def test_empty_reason_refused_with_a_message(self) -> None:
        self.client.force_login(self.president.user)
        response = self.client.post(self.url, {f"d{self.a1.pk}-motif": ""}, follow=True)
        self.assertContains(
            response,
            "Indiquez pourquoi le jury se passe de la validation de cet évaluateur",
        )
        self.assertIs(DerogationValidation.objects.exists(), False)

    def test_outsider_wrong_role_wrong_method(self) -> None:
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url, {}).status_code, 404)
        self.client.force_login(self.m1.user)
        self.assertEqual(self.client.post(self.url, {}).status_code, 403)
        self.client.force_login(self.president.user)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        autre = reverse(
            "evaluations:derogation_validation", args=[self.inscription.pk, 999999]
        )
        self.assertEqual(self.client.post(autre, {}).status_code, 404)
        self.assertIs(DerogationValidation.objects.exists(), False)


class PVRulesTests(TestCase):
    def test_pv_prints_departures_and_waivers(self) -> None:
        sc = make_scenario()
        Deliberation.objects.filter(inscription=sc.partiel).update(
            decision_proposee="non_valide",
            blocs_proposes="",
            motif_ecart="Entendu, le jury valide B1.",
        )
        affectation = Affectation.objects.create(membre=sc.absent, inscription=sc.echec)
        DerogationValidation.objects.create(
            affectation=affectation,
            motif="Évaluateur hospitalisé.",
            par=sc.president.user,
            le=timezone.now(),
        )
        emission_launch(session=sc.session, by=sc.admin)
        document = Document.objects.get(nature="pv", statut="valide")
        with document.fichier.open("rb") as handle:
            reader = pypdf.PdfReader(io.BytesIO(handle.read()))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        self.assertIn(
            "Décisions différentes de la proposition Candidat Proposition du "
            "consolidé Décision du jury Motif Hugo LEROY Non validé Validation "
            "partielle (B1) Entendu, le jury valide B1.",
            text,
        )
        self.assertIn(
            "Évaluations non validées Le jury a consolidé et délibéré sans la "
            "validation des évaluateurs suivants, pour le motif indiqué par le "
            "président. Candidat Évaluateur Motif Zoé MARTIN Karim Benali "
            "Évaluateur hospitalisé.",
            text,
        )
