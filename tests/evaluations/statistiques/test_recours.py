"""The appeals table of the statistics (filed, maintained, revised, still to
decide, enrolments that appealed) against hand-counted appeals in the
statistics world, its CSV export, and the yearly report's line."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import TestCase

from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.recours.models import Recours
from evaluations.sessions.models import Inscription
from evaluations.statistiques.selectors import (
    Filtre,
    perimetre_statistiques,
    tableau_of,
)
from tests.evaluations.statistiques.factories import World, make_world
from tests.evaluations.statistiques.test_views import read_csv

LE = datetime(2026, 7, 1, 10, tzinfo=ZoneInfo("Europe/Paris"))


def appeal(
    w: World, inscription: Inscription, *, issue: str = "", statut: str = "decide"
) -> Recours:
    """An appeal recorded as its services leave it (the clock does not matter
    here: the table counts rows)."""
    reouverture = None
    if issue == Recours.Issue.REVISEE:
        reouverture = ReouvertureDeliberation.objects.create(
            deliberation=Deliberation.objects.get(inscription=inscription),
            motif="Recours.",
            par=w.admin,
        )
    decide = statut == Recours.Statut.DECIDE
    return Recours.objects.create(
        inscription=inscription,
        texte="Texte.",
        statut=statut,
        depose_le=LE,
        depose_par=inscription.candidat.user,
        instruit_le=LE if statut != Recours.Statut.DEPOSE else None,
        issue=issue,
        motif_decision="Motif." if decide else "",
        decide_le=LE if decide else None,
        reouverture=reouverture,
    )


class RecoursTableTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        i = cls.w.inscriptions
        # Session juin 2026: c1 twice (maintained, then a new appeal filed), p1
        # revised, c2 under instruction. Session juin 2025: z1 maintained.
        appeal(cls.w, i["c1"], issue="maintenue")
        appeal(cls.w, i["c1"], statut="depose")
        appeal(cls.w, i["p1"], issue="revisee")
        appeal(cls.w, i["c2"], statut="en_instruction")
        appeal(cls.w, i["z1"], issue="maintenue")

    def lignes(self, filtre: Filtre) -> tuple[tuple[object, ...], ...]:
        perimetre = perimetre_statistiques(user=self.w.admin, filtre=filtre)
        return tableau_of(perimetre, cle="recours").lignes

    def test_one_session(self) -> None:
        self.assertEqual(
            self.lignes(Filtre(session=self.w.session.pk)),
            (
                ("Recours formés", 4, 100.0),
                ("Décisions maintenues", 1, 25.0),
                ("Décisions révisées", 1, 25.0),
                ("Recours en cours (déposés ou en instruction)", 2, 50.0),
                ("Inscriptions ayant formé au moins un recours", 3, 75.0),
            ),
        )

    def test_every_session(self) -> None:
        self.assertEqual(
            [ligne[1:] for ligne in self.lignes(Filtre())],
            [(5, 100.0), (2, 40.0), (1, 20.0), (2, 40.0), (4, 80.0)],
        )

    def test_a_president_counts_the_sessions_he_presides(self) -> None:
        perimetre = perimetre_statistiques(
            user=self.w.president_ancienne, filtre=Filtre()
        )
        self.assertEqual(
            [ligne[1] for ligne in tableau_of(perimetre, cle="recours").lignes],
            [1, 1, 0, 0, 1],
        )

    def test_no_appeal(self) -> None:
        Recours.objects.all().delete()
        self.assertEqual(
            [ligne[1:] for ligne in self.lignes(Filtre())],
            [(0, None)] * 5,
        )

    def test_the_csv_export(self) -> None:
        self.client.force_login(self.w.admin)
        response = self.client.get(
            "/statistiques/tableaux/recours.csv", {"session": self.w.session.pk}
        )
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="statistiques-recours.csv"',
        )
        rows = read_csv(b"".join(response.streaming_content))
        self.assertEqual(
            rows[0], ["Indicateur", "Recours", "Part des recours formés (%)"]
        )
        self.assertEqual(rows[1][:2], ["Recours formés", "4"])
        self.assertEqual(rows[3][:2], ["Décisions révisées", "1"])
