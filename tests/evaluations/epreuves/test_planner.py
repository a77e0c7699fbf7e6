"""The pure generator: property test over random sessions (hypothesis) — no
generated timetable ever has a clash, every sitting is inside the day, outside
the break, inside its members' availability, after its deposit deadline, in an
accessible room when needed; what is not placed has a reason."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.epreuves.planner import (
    APlacer,
    Journee,
    Occupation,
    Planificateur,
    SalleLibre,
)

PARIS = ZoneInfo("Europe/Paris")
JOUR = date(2027, 6, 14)
JOURNEE = Journee(time(9), time(17, 30), time(12, 30), time(13, 30))


def at(jour: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(jour, time(h, m), tzinfo=PARIS)


@st.composite
def sessions(draw: st.DrawFn) -> dict:
    n_membres = draw(st.integers(1, 6))
    n_salles = draw(st.integers(1, 4))
    jours = [JOUR + timedelta(days=i) for i in range(draw(st.integers(1, 3)))]
    salles = [SalleLibre(100 + i, draw(st.booleans())) for i in range(n_salles)]
    dispos: dict[int, dict[date, list[tuple[time, time]]]] = {}
    for membre in range(n_membres):
        if draw(st.booleans()):
            dispos[membre] = {
                jour: [
                    (time(draw(st.integers(8, 12))), time(draw(st.integers(13, 18))))
                ]
                for jour in jours
                if draw(st.booleans())
            }
    items = []
    for cle in range(draw(st.integers(0, 30))):
        membres = draw(
            st.lists(st.integers(0, n_membres - 1), min_size=0, max_size=3, unique=True)
        )
        items.append(
            APlacer(
                cle=cle,
                candidat=draw(st.integers(0, 10)),
                membres=tuple(membres),
                duree=draw(st.integers(1, 200)),
                accessible=draw(st.booleans()),
                pas_avant=at(JOUR, draw(st.integers(8, 16)))
                if draw(st.booleans())
                else None,
            )
        )
    return {
        "jours": jours,
        "salles": salles,
        "dispos": dispos,
        "items": items,
        "intervalle": draw(st.sampled_from([0, 5, 10, 15])),
    }


def overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class PlannerPropertyTests(SimpleTestCase):
    @settings(max_examples=150, deadline=None)
    @given(sessions())
    def test_no_generated_timetable_has_a_clash(self, s: dict) -> None:
        planner = Planificateur(
            jours=s["jours"],
            journee=JOURNEE,
            salles=s["salles"],
            tz=PARIS,
            disponibilites=s["dispos"],
            intervalle=s["intervalle"],
        )
        result = planner.placer(s["items"])
        by_key = {i.cle: i for i in s["items"]}
        self.assertEqual(
            sorted([p.cle for p in result.places] + [n.cle for n in result.non_places]),
            sorted(by_key),
        )
        for n in result.non_places:
            self.assertTrue(n.motif)
        accessible = {salle.id: salle.accessible for salle in s["salles"]}
        placed = []
        for p in result.places:
            item = by_key[p.cle]
            fin = p.debut + timedelta(minutes=item.duree)
            jour = p.debut.date()
            self.assertIn(jour, s["jours"])
            self.assertGreaterEqual(p.debut.time(), JOURNEE.debut)
            self.assertLessEqual(fin.time(), JOURNEE.fin)
            self.assertFalse(
                overlap((p.debut, fin), (at(jour, 12, 30), at(jour, 13, 30)))
            )
            self.assertTrue(item.membres)
            if item.accessible:
                self.assertIs(accessible[p.salle], True)
            if item.pas_avant is not None:
                self.assertGreaterEqual(p.debut, item.pas_avant)
            for membre in item.membres:
                if membre in s["dispos"]:
                    spans = s["dispos"][membre].get(jour, [])
                    self.assertTrue(
                        any(
                            at(jour, d.hour, d.minute) <= p.debut
                            and fin <= at(jour, f.hour, f.minute)
                            for d, f in spans
                        )
                    )
            placed.append((p, item, fin))
        gap = timedelta(minutes=s["intervalle"])
        for i, (p, item, fin) in enumerate(placed):
            for q, other, other_fin in placed[i + 1 :]:
                # Nothing shared within the break between two sittings.
                near = overlap((p.debut, fin + gap), (q.debut, other_fin + gap))
                if not near:
                    continue
                self.assertNotEqual(p.salle, q.salle)
                self.assertNotEqual(item.candidat, other.candidat)
                self.assertFalse(set(item.membres) & set(other.membres))

    def test_existing_sittings_are_never_overlapped(self) -> None:
        planner = Planificateur(
            jours=[JOUR], journee=JOURNEE, salles=[SalleLibre(1, True)], tz=PARIS
        )
        planner.occuper([Occupation(at(JOUR, 9), at(JOUR, 10), (7,), 3, 1)])
        result = planner.placer([APlacer(cle=0, candidat=4, membres=(8,), duree=30)])
        self.assertEqual([p.debut for p in result.places], [at(JOUR, 10)])

    def test_reasons(self) -> None:
        planner = Planificateur(
            jours=[JOUR],
            journee=JOURNEE,
            salles=[SalleLibre(1, False)],
            tz=PARIS,
            disponibilites={5: {JOUR: [(time(9), time(9, 20))]}},
        )
        result = planner.placer(
            [
                APlacer(cle=0, candidat=1, membres=(5,), duree=30),
                APlacer(cle=1, candidat=2, membres=(6,), duree=30, accessible=True),
                APlacer(cle=2, candidat=3, membres=(), duree=30),
                APlacer(cle=3, candidat=4, membres=(6,), duree=600),
                APlacer(
                    cle=4,
                    candidat=5,
                    membres=(6,),
                    duree=30,
                    pas_avant=at(JOUR + timedelta(days=1), 9),
                ),
            ]
        )
        self.assertEqual(result.places, [])
        self.assertEqual(
            sorted((n.cle, n.motif) for n in result.non_places),
            [
                (
                    0,
                    "Les disponibilités des évaluateurs ne laissent aucun créneau "
                    "commun assez long.",
                ),
                (1, "Aucune salle accessible aux personnes à mobilité réduite."),
                (2, "Aucun évaluateur affecté au candidat."),
                (3, "Le passage (600 min) est plus long que la journée."),
                (
                    4,
                    "Aucun jour d'épreuves entre la date limite de dépôt et la date "
                    "du jury.",
                ),
            ],
        )
