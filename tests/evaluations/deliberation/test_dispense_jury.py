"""Exemptions are the jury's: decided by the jury sitting (quorum, president
present, members present recorded), condition 1 affirmed over the candidate's
whole set of exemptions, never every criterion of a competency."""

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations.deliberation.services import dispense_decider
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.jury.selectors import presents_possibles
from handicap.models import Dispense, PropositionDispense
from tests.handicap.factories import (
    HandicapTestCase,
    make_decision,
    make_demande,
)

REFUS_COMPETENCE = (
    "Dispense refusée : ce serait dispenser le candidat de tous les critères de la "
    "compétence C1.1. Le jury dispense de certains critères seulement : une "
    "compétence dont rien n'est évalué ne peut pas être acquise par dispense."
)
QUORUM = (
    "Quorum non atteint : il faut au moins 2 membres présents, le président compris."
)


class DispenseParLeJuryTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Every criterion of C1.1 proposed by the avis.
        cls.avis = make_decision(
            make_demande(cls.inscription),
            cls.referent,
            propositions=cls.criteres[:3],
        ).avis
        cls.membres = list(presents_possibles(inscription=cls.inscription))
        cls.president_membre = MembreJury.objects.get(
            session=cls.session, user=cls.president
        )

    def decider(self, critere_index: int = 0, **kwargs: object) -> Dispense:
        params: dict = {
            "inscription": self.inscription,
            "critere": self.criteres[critere_index],
            "accorder": True,
            "condition_capacite_globale": True,
            "condition_pratique_future": True,
            "raisonnement": "Le jury motive sa décision.",
            "presents": self.membres,
            "by": self.president,
        }
        params.update(kwargs)
        return dispense_decider(**params)

    def test_members_present_recorded_with_the_decision(self) -> None:
        dispense = self.decider()
        self.assertEqual(
            sorted(dispense.presents.values_list("pk", flat=True)),
            sorted(m.pk for m in self.membres),
        )

    def test_president_alone_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, QUORUM):
            self.decider(presents=[self.president_membre])
        self.assertEqual(Dispense.objects.count(), 0)

    def test_president_absent_refused(self) -> None:
        autres = [m for m in self.membres if m.pk != self.president_membre.pk]
        with self.assertRaisesMessage(
            ValidationError, "Le président du jury doit être présent."
        ):
            self.decider(presents=autres)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_member_in_conflict_does_not_sit(self) -> None:
        membre = next(m for m in self.membres if m.pk != self.president_membre.pk)
        ConflitInterets.objects.create(
            membre=membre,
            inscription=self.inscription,
            nature=ConflitInterets.Nature.EMPLOYEUR,
        )
        with self.assertRaisesMessage(
            ValidationError,
            "Un membre en conflit d'intérêts avec le candidat ne siège pas pour lui.",
        ):
            self.decider()
        self.assertEqual(Dispense.objects.count(), 0)

    def test_condition_one_is_affirmed_over_the_whole_set(self) -> None:
        premiere = self.decider(0)
        self.assertEqual(premiere.ensemble, "C1.1.1")
        seconde = self.decider(1)
        self.assertEqual(seconde.ensemble, "C1.1.1, C1.1.2")
        # A refusal covers nothing.
        refus = self.decider(
            1,
            accorder=False,
            condition_capacite_globale=False,
            condition_pratique_future=False,
        )
        self.assertEqual(refus.ensemble, "")

    def test_every_criterion_of_a_competency_refused(self) -> None:
        self.decider(0)
        self.decider(1)
        with self.assertRaisesMessage(ValidationError, REFUS_COMPETENCE):
            self.decider(2)
        self.assertEqual(
            sorted(
                Dispense.objects.filter(accordee=True).values_list(
                    "critere__code", flat=True
                )
            ),
            ["C1.1.1", "C1.1.2"],
        )

    def test_refusing_the_last_one_is_allowed(self) -> None:
        self.decider(0)
        self.decider(1)
        dispense = self.decider(
            2,
            accorder=False,
            condition_capacite_globale=False,
            condition_pratique_future=False,
        )
        self.assertIs(dispense.accordee, False)


class DispenseParLeJuryViewTests(HandicapTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.avis = make_decision(
            make_demande(cls.inscription),
            cls.referent,
            propositions=cls.criteres[:3],
        ).avis
        cls.propositions = list(
            PropositionDispense.objects.filter(avis=cls.avis).order_by("critere_id")
        )
        cls.membres = [m.pk for m in presents_possibles(inscription=cls.inscription)]

    def post(self, proposition: PropositionDispense, presents: list[int]) -> Any:
        prefix = f"p{proposition.pk}"
        return self.client.post(
            reverse("evaluations:dispense_decider", args=[proposition.pk]),
            {
                f"{prefix}-decision": "accorder",
                f"{prefix}-condition_capacite_globale": "on",
                f"{prefix}-condition_pratique_future": "on",
                f"{prefix}-raisonnement": "Raisonnement du jury.",
                f"{prefix}-presents": presents,
            },
        )

    def test_no_member_ticked_refused_with_a_message(self) -> None:
        self.client.force_login(self.president)
        response = self.post(self.propositions[0], [])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Cochez les membres présents.")
        self.assertEqual(Dispense.objects.count(), 0)

    def test_quorum_refused_with_a_message(self) -> None:
        self.client.force_login(self.president)
        president = MembreJury.objects.get(session=self.session, user=self.president)
        response = self.post(self.propositions[0], [president.pk])
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, QUORUM)
        self.assertEqual(Dispense.objects.count(), 0)

    def test_last_criterion_of_a_competency_refused_and_presents_prefilled(
        self,
    ) -> None:
        self.client.force_login(self.president)
        for proposition in self.propositions[:2]:
            response = self.post(proposition, self.membres)
            self.assertEqual(response.status_code, 302)
        url = reverse("evaluations:dispenses_inscription", args=[self.inscription.pk])
        response = self.client.get(url)
        # The members of the morning's sitting are ticked again for the next one.
        self.assertEqual(
            [sorted(coches) for _p, _f, coches in response.context["lignes"]],
            [sorted(self.membres)] * 3,
        )
        self.assertContains(response, "Dispenses déjà accordées : C1.1.1, C1.1.2")
        response = self.post(self.propositions[2], self.membres)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, REFUS_COMPETENCE.replace("'", "&#x27;"))
        self.assertEqual(Dispense.objects.filter(accordee=True).count(), 2)
