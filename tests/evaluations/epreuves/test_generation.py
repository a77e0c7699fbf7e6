"""The generator on a real session: one sitting per bloc and candidate with the
assigned evaluators, accommodations applied, nothing placed twice."""

from datetime import time, timedelta

from django.utils import timezone

from certif.roles import Role
from evaluations.epreuves.models import Passage, Planning
from evaluations.epreuves.tasks import generation_launch
from evaluations.jury.models import ConflitInterets
from evaluations.sessions.models import Inscription
from handicap.models import Amenagement, DemandeAmenagement
from tests.evaluations.epreuves.base import EpreuvesTestCase
from tests.factories import make_user


def decide(
    inscription: Inscription, *amenagements: tuple[str, str] | tuple[str, str, int]
) -> None:
    """Accommodations decided by the référent, each (type, precision) or (type,
    precision, majoration in percent) (rows written directly: the référent's
    workflow is tested in tests/handicap)."""
    referent = make_user("referent@example.org", Role.REFERENT_HANDICAP)
    demande = DemandeAmenagement.objects.create(
        inscription=inscription,
        besoins="Confidentiel.",
        consentement_texte="J'accepte.",
        consentement_le=timezone.now(),
        deposee_le=timezone.now(),
        statut=DemandeAmenagement.Statut.DECIDEE,
        decidee_le=timezone.now(),
        decidee_par=referent,
    )
    for type_, precision, *majoration in amenagements:
        Amenagement.objects.create(
            demande=demande,
            type=type_,
            precision=precision,
            majoration_pourcent=majoration[0] if majoration else None,
            description="Décidé.",
        )


class GenerationTests(EpreuvesTestCase):
    def generate(self, **kwargs: object) -> Planning:
        with self.captureOnCommitCallbacks(execute=True):
            planning = generation_launch(
                session=self.session,
                parametres=self.parametres(**kwargs),
                by=self.admin,
            )
        planning.refresh_from_db()
        return planning

    def test_one_sitting_per_candidate_and_bloc_with_the_evaluators(self) -> None:
        planning = self.generate()
        self.assertEqual(
            (planning.generation, planning.a_placer, planning.non_places),
            ("terminee", 2, []),
        )
        rows = [
            (
                p.inscription_id,
                sorted(m.competence.code for m in p.modalites.all()),
                sorted(m.pk for m in p.membres.all()),
                p.duree_minutes,
                timezone.localtime(p.debut).date(),
            )
            for p in Passage.objects.order_by("debut")
        ]
        codes = ["C2.1", "C2.2", "C2.3", "C2.4"]
        membres = sorted([self.m1.pk, self.m2.pk])
        self.assertEqual(
            sorted(rows),
            sorted(
                [
                    (self.camille.pk, codes, membres, 80, self.jour1),
                    (self.dominique.pk, codes, membres, 80, self.jour1),
                ]
            ),
        )
        first, second = Passage.objects.order_by("debut")
        # Same evaluators: one after the other, with the 10-minute break.
        self.assertEqual(
            (timezone.localtime(first.debut).time(), second.debut - first.fin),
            (time(9), timedelta(minutes=10)),
        )

    def test_running_twice_places_nothing_more(self) -> None:
        self.generate()
        planning = self.generate()
        self.assertEqual((planning.a_placer, Passage.objects.count()), (0, 2))

    def test_temps_majore_lengthens_by_a_third_or_the_decided_amount(self) -> None:
        decide(self.camille, (Amenagement.Type.TEMPS_MAJORE, ""))
        decide(self.dominique, (Amenagement.Type.TEMPS_MAJORE, "", 50))
        self.generate()
        self.assertEqual(
            {p.inscription_id: p.duree_minutes for p in Passage.objects.all()},
            # 4 x 20 min = 80; + a third = 106.7 → 110; + 50 % = 120.
            {self.camille.pk: 110, self.dominique.pk: 120},
        )

    def test_temps_majore_of_25_percent(self) -> None:
        decide(self.camille, (Amenagement.Type.TEMPS_MAJORE, "", 25))
        self.generate()
        passage = Passage.objects.get(inscription=self.camille)
        # 80 min + 25 % = 100.
        self.assertEqual(passage.duree_minutes, 100)

    def test_the_precision_text_no_longer_sets_the_amount(self) -> None:
        """Only the field counts: a precision that happens to hold « 50 % » on a
        row without amount (written after the data migration) is a tiers-temps."""
        decide(self.camille, (Amenagement.Type.TEMPS_MAJORE, "50 %"))
        self.generate()
        passage = Passage.objects.get(inscription=self.camille)
        self.assertEqual(passage.duree_minutes, 110)

    def test_accessible_room_when_the_accommodation_says_so(self) -> None:
        decide(self.dominique, (Amenagement.Type.SALLE_ACCESSIBLE, ""))
        self.generate(salles=[self.salle_b.pk])
        planning = Planning.objects.get()
        self.assertEqual(
            planning.non_places,
            [
                [
                    "Dominique PETIT",
                    "C2.1, C2.2, C2.3, C2.4",
                    "Aucune salle accessible aux personnes à mobilité réduite.",
                ]
            ],
        )
        self.assertEqual(
            list(Passage.objects.values_list("inscription_id", "salle_id")),
            [(self.camille.pk, self.salle_b.pk)],
        )

    def test_a_member_in_conflict_is_never_placed_with_the_candidate(self) -> None:
        ConflitInterets.objects.create(
            membre=self.m2, inscription=self.camille, nature="employeur"
        )
        self.generate()
        passage = Passage.objects.get(inscription=self.camille)
        self.assertEqual([m.pk for m in passage.membres.all()], [self.m1.pk])

    def test_impossible_constraints_place_what_fits_and_list_the_rest(self) -> None:
        # A 2-hour day: one 80-minute sitting fits, the second does not.
        self.generate(debut=time(9), fin=time(11), pause_debut=None, pause_fin=None)
        planning = Planning.objects.get()
        self.assertEqual(Passage.objects.count(), 1)
        self.assertEqual(
            [row[2] for row in planning.non_places],
            [
                "Plus aucun créneau libre commun au candidat, à ses évaluateurs et "
                "à une salle."
            ],
        )
