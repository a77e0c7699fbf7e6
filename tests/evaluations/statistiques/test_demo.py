"""The statistics of the demo's closed session, against the figures counted by
hand from the plan in ``demo_statistiques``'s docstring (candidates 0 to 39):

  withdrew 13, 27; absent 9, 19, 29, 39; not validated 8, 18, 28, 38;
  partial (whole certification) 6, 16, 17, 26, 36, 37; partial (blocs path)
  7, 15, 23, 31; certified the twenty others; accommodations 0, 6, 12, 18, 24,
  30, 36 (« temps majoré »), 6 and 24 also « assistance d'un tiers »."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from certif.models import User
from evaluations.demo import DEMO_SESSION_STATISTIQUES
from evaluations.sessions.models import Session
from evaluations.statistiques.selectors import (
    Filtre,
    perimetre_statistiques,
    tableau_of,
)
from evaluations.statistiques.services import statistiques_refresh


class DemoStatistiquesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", stdout=StringIO())
        cls.session = Session.objects.get(nom=DEMO_SESSION_STATISTIQUES)
        cls.admin = User.objects.get(email="admin@certif.localhost")
        cls.president = User.objects.get(email="president@certif.localhost")

    def lignes(self, cle: str) -> tuple[tuple[object, ...], ...]:
        inscriptions = perimetre_statistiques(
            user=self.admin, filtre=Filtre(session=self.session.pk)
        )
        statistiques_refresh(perimetre=inscriptions)
        return tableau_of(inscriptions, cle=cle).lignes

    def test_effectifs(self) -> None:
        self.assertEqual(
            [ligne[1:] for ligne in self.lignes("effectifs")],
            [
                (40, 100.0),
                (34, 85.0),
                (20, 50.0),
                (10, 25.0),
                (4, 10.0),
                (4, 10.0),
                (2, 5.0),
                (0, 0.0),
                (0, 0.0),
            ],
        )

    def test_voies(self) -> None:
        self.assertEqual(
            [ligne[1:] for ligne in self.lignes("voies")],
            [
                (6, 6, 4, 1, 1, 0, 0, 66.7),
                (6, 5, 2, 2, 1, 1, 0, 40.0),
                (6, 5, 2, 3, 0, 1, 0, 40.0),
                (6, 6, 3, 2, 1, 0, 0, 50.0),
                (6, 5, 4, 0, 1, 1, 0, 80.0),
                (5, 4, 3, 1, 0, 1, 0, 75.0),
                (5, 3, 2, 1, 0, 0, 2, 66.7),
                (40, 34, 20, 10, 4, 4, 2, 58.8),
            ],
        )

    def test_parcours(self) -> None:
        self.assertEqual(
            [ligne[1:] for ligne in self.lignes("parcours")],
            [
                (35, 30, 20, 6, 4, 3, 2, 66.7),
                (5, 4, 0, 4, 0, 1, 0, 0.0),
                (40, 34, 20, 10, 4, 4, 2, 58.8),
            ],
        )

    def test_blocs(self) -> None:
        self.assertEqual(
            [(ligne[0], *ligne[2:]) for ligne in self.lignes("blocs")],
            [
                ("A1", 34, 30, 88.2),
                ("A2", 34, 30, 88.2),
                ("A3", 30, 26, 86.7),
                ("A4", 30, 26, 86.7),
                ("A5", 30, 20, 66.7),
            ],
        )

    def test_criteres_that_fail_most(self) -> None:
        lignes = self.lignes("criteres")
        self.assertEqual(len(lignes), 71)
        self.assertEqual(
            [(ligne[0], *ligne[2:]) for ligne in lignes[:6]],
            [
                ("C5.1.1", 30, 10, 33.3),
                ("C3.1.1", 30, 4, 13.3),
                ("C4.1.1", 30, 4, 13.3),
                ("C1.1.1", 34, 4, 11.8),
                ("C2.1.1", 34, 4, 11.8),
                ("C1.1.2", 34, 0, 0.0),
            ],
        )

    def test_handicap_masked(self) -> None:
        self.assertEqual(
            [(ligne[0], ligne[1]) for ligne in self.lignes("handicap")],
            [
                ("Demandes d'aménagement décidées", 7),
                ("Candidats avec au moins un aménagement", 7),
                ("Format adapté d'une modalité", "< 5"),
                ("Assistance d'un tiers", "< 5"),
                ("Supports et matériels adaptés", "< 5"),
                ("Temps majoré", 7),
                # No one in the demo's closed session: a zero is masked too.
                ("Salle accessible aux personnes à mobilité réduite", "< 5"),
                ("Autre aménagement", "< 5"),
                ("Candidats avec au moins une dispense accordée", "< 5"),
                ("Candidats avec aménagement, certifiés", "< 5"),
            ],
        )

    def test_page_of_the_demo(self) -> None:
        self.client.force_login(self.president)
        response = self.client.get(
            reverse("evaluations:statistiques"), {"session": self.session.pk}
        )
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn('<td class="text-end">58,8</td>', body)
        self.assertNotIn("STATISTIQUE", body)
