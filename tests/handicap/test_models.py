"""Database constraints of the handicap app: the rules hold even for a direct
insert that bypasses the services."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from handicap.models import Amenagement, Dispense, PropositionDispense
from tests.handicap.factories import HandicapTestCase, make_decision, make_demande


class DispenseConstraintTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demande = make_decision(
            make_demande(cls.inscription), cls.referent, propositions=cls.criteres[:1]
        )
        cls.proposition = PropositionDispense.objects.get()

    def insert(self, **kwargs: object) -> Dispense:
        params: dict = {
            "proposition": self.proposition,
            "inscription": self.inscription,
            "critere": self.criteres[0],
            "accordee": True,
            "condition_capacite_globale": True,
            "condition_pratique_future": True,
            "raisonnement": "Raisonnement.",
            "decide_par": self.president,
            "decide_le": timezone.now(),
        }
        params.update(kwargs)
        return Dispense.objects.create(**params)

    def test_granted_without_a_condition_or_reasoning_rejected(self) -> None:
        for kwargs in (
            {"condition_capacite_globale": False},
            {"condition_pratique_future": False},
            {"raisonnement": ""},
            {"condition_capacite_globale": False, "condition_pratique_future": False},
        ):
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                self.insert(**kwargs)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_granted_with_both_conditions_and_refused_without_accepted(self) -> None:
        self.insert()
        Dispense.objects.all().delete()
        self.insert(
            accordee=False,
            condition_capacite_globale=False,
            condition_pratique_future=False,
            raisonnement="",
        )
        self.assertEqual(Dispense.objects.count(), 1)

    def test_update_bypassing_the_service_rejected(self) -> None:
        self.insert(accordee=False, condition_pratique_future=False)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Dispense.objects.update(accordee=True)
        self.assertIs(Dispense.objects.get().accordee, False)


class AmenagementConstraintTests(HandicapTestCase):
    def test_typed_fields_required(self) -> None:
        demande = make_demande(self.inscription)
        for kwargs in (
            {"type": "format_adapte", "precision": "Écrit"},  # no modality
            {"type": "assistance_tiers", "precision": ""},
            {"type": "temps_majore", "description": ""},
        ):
            params = {"demande": demande, "description": "D."} | kwargs
            with (
                self.subTest(kwargs=kwargs),
                self.assertRaises(IntegrityError),
                transaction.atomic(),
            ):
                Amenagement.objects.create(**params)
        self.assertEqual(Amenagement.objects.count(), 0)
