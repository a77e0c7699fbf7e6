"""The demo's autumn session: its results published by ``load_demo``, so that
its candidates read their decision, the jury's motive and the appeal route."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from certif.models import MessageEnvoye, User
from evaluations.demo import DEMO_SESSION_DELIBEREE
from evaluations.documents.models import Document
from evaluations.resultats.models import PublicationResultats
from evaluations.sessions.models import Inscription
from tests.clock import frozen


@frozen()
class DemoResultatsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())

    def test_published_once(self) -> None:
        call_command("load_demo", stdout=StringIO())
        publication = PublicationResultats.objects.get(
            session__nom=DEMO_SESSION_DELIBEREE
        )
        self.assertEqual(
            (publication.statut, publication.total, publication.faits),
            ("publiee", 3, 3),
        )
        self.assertEqual(
            Document.objects.filter(
                session=publication.session, nature="lettre"
            ).count(),
            3,
        )
        self.assertEqual(MessageEnvoye.objects.filter(gabarit="resultat").count(), 3)

    def test_candidates_read_their_decision_and_the_appeal_route(self) -> None:
        for email, decision, motif in (
            ("candidat@certif.localhost", "Certifié", "Tous les critères sont acquis."),
            (
                "candidat2@certif.localhost",
                "Validation partielle",
                "Le bloc A5 n&#x27;est pas validé",
            ),
        ):
            inscription = Inscription.objects.get(
                candidat__user__email=email, session__nom=DEMO_SESSION_DELIBEREE
            )
            self.client.force_login(User.objects.get(email=email))
            response = self.client.get(f"/resultats/{inscription.pk}/")
            with self.subTest(email=email):
                self.assertContains(response, decision)
                self.assertContains(response, motif)
                self.assertContains(
                    response,
                    "Vous pouvez contester la décision du jury jusqu'au 18 mai 2026 "
                    "inclus.",
                )
                self.assertContains(response, "Lettre de résultat (PDF)")
