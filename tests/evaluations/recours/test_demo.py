"""The demo's appeal: in the published autumn session, Hugo Leroy's appeal
decided « maintenue » with a motive, and the addendum to the session's PV."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from certif.models import User
from evaluations.demo import DEMO_SESSION_DELIBEREE
from evaluations.documents.models import Document
from evaluations.recours.models import Recours
from tests.clock import frozen
from tests.evaluations.resultats.factories import document_text


@frozen()
class DemoRecoursTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())

    def test_one_appeal_decided_and_the_addendum(self) -> None:
        call_command("load_demo", stdout=StringIO())  # idempotent
        recours = Recours.objects.get()
        self.assertEqual(
            (
                recours.inscription.session.nom,
                recours.inscription.candidat.user.email,
                recours.statut,
                recours.issue,
            ),
            (
                DEMO_SESSION_DELIBEREE,
                "candidat2@certif.localhost",
                "decide",
                "maintenue",
            ),
        )
        addendum = Document.objects.get(nature="addendum", statut="valide")
        texte = " ".join(document_text(addendum).split())
        self.assertIn(
            f"Recours {recours.reference} — Hugo LEROY Formé le : 18 mars 2026 "
            "Décision contestée : Validation partielle (A1, A2, A3, A4) Issue : "
            "Décision maintenue, le 18 mars 2026 Motif : Le jury a relu la partie 3",
            texte,
        )

    def test_the_president_and_the_candidate_read_it(self) -> None:
        recours = Recours.objects.get()
        self.client.force_login(User.objects.get(email="president@certif.localhost"))
        response = self.client.get(f"/recours/{recours.pk}/")
        self.assertContains(response, "Je conteste la non-validation du bloc A5")
        self.client.force_login(User.objects.get(email="candidat2@certif.localhost"))
        response = self.client.get(f"/resultats/{recours.inscription_id}/")
        self.assertContains(response, "Décision maintenue")
