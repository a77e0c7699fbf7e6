"""The sessions step of the demo data (``make run``)."""

import io
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from pypdf import PdfReader

from certif.demo import DEMO_PASSWORD
from certif.models import User
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import Inscription, Session


class DemoSessionsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())

    def test_open_spring_session(self) -> None:
        session = Session.objects.get(nom="Session de printemps 2027")
        self.assertEqual(session.statut, Session.Statut.OUVERTE)
        self.assertGreater(session.date_limite_depot, timezone.now())
        self.assertEqual(session.referentiel.certification.code, "RNCP00000")
        inscriptions = {
            i.candidat.user.email: i
            for i in Inscription.objects.filter(session=session).select_related(
                "candidat__user"
            )
        }
        self.assertEqual(
            sorted(inscriptions),
            [
                "candidat@certif.localhost",
                "lea.fontaine@certif.localhost",
                "yanis.bouvier@certif.localhost",
            ],
        )
        camille = inscriptions["candidat@certif.localhost"]
        self.assertEqual(camille.candidat.nom_complet, "Camille PETIT")
        self.assertEqual(camille.parcours, "complet")
        self.assertEqual(
            list(
                Livrable.objects.filter(inscription=camille)
                .order_by("pk")
                .values_list("modalite__competence__code", "version")
            ),
            [("C1.1", 1), ("C1.2", 1), ("C1.3", 1), ("C1.1", 2)],
        )
        yanis = inscriptions["yanis.bouvier@certif.localhost"]
        self.assertEqual(yanis.parcours, "blocs")
        self.assertEqual(sorted(b.code for b in yanis.blocs.all()), ["A1", "A2"])

    def test_winter_session_in_evaluation_with_every_file(self) -> None:
        session = Session.objects.get(nom="Session d'hiver 2026")
        self.assertEqual(session.statut, Session.Statut.EN_EVALUATION)
        self.assertLess(session.date_limite_depot, timezone.now())
        for email in (
            "candidat2@certif.localhost",
            "candidat3@certif.localhost",
            "candidat4@certif.localhost",
        ):
            with self.subTest(email=email):
                inscription = Inscription.objects.get(
                    session=session, candidat__user__email=email
                )
                self.assertEqual(
                    Livrable.objects.filter(inscription=inscription)
                    .values("modalite")
                    .distinct()
                    .count(),
                    18,
                )
        user = User.objects.get(email="candidat4@certif.localhost")
        self.assertIs(user.check_password(DEMO_PASSWORD), True)

    def test_files_are_readable_pdfs(self) -> None:
        livrable = Livrable.objects.order_by("pk").first()
        assert livrable is not None
        with livrable.fichier.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        self.assertEqual(reader.pages[0].extract_text(), "C1.1 - C1.1 dossier.pdf")

    def test_no_invitation_sent(self) -> None:
        call_command("load_demo", stdout=StringIO())
        self.assertEqual(
            [m for m in mail.outbox if m.subject.startswith("Votre compte")], []
        )
