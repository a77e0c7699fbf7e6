"""A deliberation, and its re-opening, need a motive: refused without one, through
the service and through the view, nothing recorded."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.deliberation.services import deliberation_record, deliberation_reopen
from evaluations.sessions.models import BlocAcquis
from tests.evaluations.factories_jury import consolidate
from tests.evaluations.notation.test_consolidation import ConsolidationTestCase


class DeliberationMotifTests(ConsolidationTestCase):
    def setUp(self) -> None:
        consolidate(self.inscription, self.president.user)
        self.url = reverse("evaluations:deliberation", args=[self.inscription.pk])

    def record(self, motif: str) -> Deliberation:
        return deliberation_record(
            inscription=self.inscription,
            motif=motif,
            presents=[self.president, self.m1],
            by=self.president.user,
        )

    def test_service_refuses_an_empty_or_blank_motive(self) -> None:
        for motif in ("", "   ", "\n\t"):
            with self.subTest(motif=motif):
                with self.assertRaises(ValidationError) as caught:
                    self.record(motif)
                self.assertEqual(
                    caught.exception.messages, ["Indiquez le motif de la décision."]
                )
        self.assertIs(Deliberation.objects.exists(), False)
        self.assertIs(BlocAcquis.objects.exists(), False)

    def test_service_keeps_the_motive_stripped(self) -> None:
        deliberation = self.record("  Dossier solide.  ")
        self.assertEqual(
            (deliberation.motif, deliberation.decision, deliberation.verrouillee),
            ("Dossier solide.", "certifie", True),
        )

    def test_view_refuses_a_missing_motive(self) -> None:
        self.client.force_login(self.president.user)
        for data in (
            {"presents": [self.president.pk, self.m1.pk]},
            {"presents": [self.president.pk, self.m1.pk], "motif": ""},
        ):
            with self.subTest(data=data):
                response = self.client.post(self.url, data)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(
                    response.context["form"].errors,
                    {"motif": ["Indiquez le motif de la décision."]},
                )
        self.assertIs(Deliberation.objects.exists(), False)


class ReouvertureMotifTests(ConsolidationTestCase):
    def setUp(self) -> None:
        self.deliberation = Deliberation.objects.create(
            inscription=self.inscription,
            decision=Deliberation.Decision.CERTIFIE,
            motif="Dossier solide.",
            verrouillee=True,
            decidee_le=timezone.now(),
            decidee_par=self.president.user,
        )
        self.url = reverse(
            "evaluations:deliberation_rouvrir", args=[self.inscription.pk]
        )

    def test_service_refuses_a_blank_motive(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            deliberation_reopen(
                deliberation=self.deliberation, motif="  ", by=self.president.user
            )
        self.assertEqual(
            caught.exception.messages, ["Indiquez le motif de la réouverture."]
        )
        self.assertIs(Deliberation.objects.get().verrouillee, True)
        self.assertIs(ReouvertureDeliberation.objects.exists(), False)

    def test_view_refuses_a_missing_motive(self) -> None:
        self.client.force_login(self.president.user)
        response = self.client.post(self.url, {})
        deliberation_url = reverse(
            "evaluations:deliberation", args=[self.inscription.pk]
        )
        self.assertRedirects(response, deliberation_url, fetch_redirect_response=False)
        page = self.client.get(deliberation_url)
        self.assertEqual(
            [str(m) for m in page.context["messages"]],
            ["Indiquez le motif de la réouverture."],
        )
        self.assertIs(Deliberation.objects.get().verrouillee, True)
        self.assertIs(ReouvertureDeliberation.objects.exists(), False)
