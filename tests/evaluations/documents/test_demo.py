"""The documents step of the demo data, and the issue's "done" path on it: the
administrator issues the deliberated session's documents, a candidate downloads
their certificate, and the URL of its QR code says it is valid."""

import io
import re
from io import StringIO

import pypdf
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase

from certif.models import User
from evaluations.deliberation.models import Deliberation
from evaluations.demo import DEMO_SESSION_DELIBEREE
from evaluations.documents.models import Document, EmissionSession
from evaluations.sessions.models import Session


class DemoDocumentsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())
        cls.session = Session.objects.get(nom=DEMO_SESSION_DELIBEREE)

    def setUp(self) -> None:
        cache.clear()

    def test_deliberated_session(self) -> None:
        self.assertEqual(self.session.statut, Session.Statut.DELIBEREE)
        self.assertEqual(
            sorted(
                Deliberation.objects.filter(
                    inscription__session=self.session
                ).values_list(
                    "inscription__candidat__user__email", "decision", "verrouillee"
                )
            ),
            [
                ("candidat2@certif.localhost", "validation_partielle", True),
                ("candidat@certif.localhost", "certifie", True),
                ("nadia.kaddour@certif.localhost", "certifie", True),
            ],
        )
        # The publication of the results issued the candidates' documents and
        # letters (three relevés and letters, two parchemins, an attestation), not
        # the PV; the demo's appeal, decided, issued the addendum to the PV.
        self.assertEqual(
            sorted(
                Document.objects.filter(session=self.session).values_list(
                    "nature", flat=True
                )
            ),
            [
                "addendum",
                "attestation",
                *["lettre"] * 3,
                *["parchemin"] * 2,
                *["releve"] * 3,
            ],
        )

    def test_place_of_birth_abroad_is_the_city_and_the_country_by_name(self) -> None:
        """Nadia KADDOUR was born in Tunis; her documents once printed the INSEE
        code of Tunisia in its place (« née le 14 mars 1990 à 99351 »)."""
        for nature in ("parchemin", "releve"):
            with self.subTest(nature=nature):
                document = Document.objects.get(
                    inscription__candidat__user__email="nadia.kaddour@certif.localhost",
                    nature=nature,
                )
                with document.fichier.open("rb") as fichier:
                    reader = pypdf.PdfReader(io.BytesIO(fichier.read()))
                text = "\n".join(page.extract_text() for page in reader.pages)
                self.assertIn("née le 14 mars 1990 à Tunis (Tunisie)", text)
                self.assertNotIn("99351", text)
                self.assertEqual(
                    document.snapshot["titulaire"]["lieu_naissance"], "Tunis (Tunisie)"
                )

    def test_idempotent(self) -> None:
        call_command("load_demo", stdout=StringIO())
        self.assertEqual(Session.objects.filter(nom=DEMO_SESSION_DELIBEREE).count(), 1)
        self.assertEqual(
            Deliberation.objects.filter(inscription__session=self.session).count(), 3
        )

    def test_issue_download_and_verify(self) -> None:
        self.client.force_login(User.objects.get(email="admin@certif.localhost"))
        response = self.client.post(f"/documents/sessions/{self.session.pk}/emettre/")
        emission = EmissionSession.objects.get(session=self.session)
        self.assertRedirects(response, f"/documents/emissions/{emission.pk}/")
        self.assertEqual((emission.statut, emission.faits), ("terminee", 4))

        self.client.force_login(User.objects.get(email="candidat@certif.localhost"))
        parchemin = Document.objects.get(
            inscription__candidat__user__email="candidat@certif.localhost",
            nature="parchemin",
        )
        response = self.client.get(f"/documents/{parchemin.pk}/telecharger/")
        content = b"".join(response.streaming_content)
        text = "\n".join(
            page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages
        )
        match = re.search(r"https://certif\.test(/verification/[A-Z2-7]{16}/)", text)
        assert match is not None
        self.assertIn("SPÉCIMEN — document de démonstration sans valeur", text)
        self.client.logout()
        response = self.client.get(match.group(1))
        self.assertContains(
            response,
            "<strong>SPÉCIMEN — document de démonstration sans valeur.</strong> Ce "
            "document a été émis par une plateforme de démonstration : il n'atteste "
            "d'aucune certification.",
        )
        self.assertNotContains(response, "Document valide.")
        self.assertContains(response, "Camille Louise PETIT")
