"""The jury's demo step: idempotent, skipped without its session."""

from django.test import TestCase

from certif.demo import demo_accounts
from evaluations.demo import demo_jury
from evaluations.jury.models import Affectation, MembreJury
from evaluations.notation.models import Evaluation
from tests.evaluations.factories_jury import criteres_of
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
)


class DemoJuryTests(TestCase):
    def test_skipped_without_the_winter_session(self) -> None:
        lines: list[str] = []
        demo_jury(lines.append)
        self.assertEqual(
            lines, ["Jury : session « Session d'hiver 2026 » absente, étape ignorée"]
        )

    def test_composes_assigns_and_scores_idempotently(self) -> None:
        demo_accounts(lambda line: None)
        session = make_session(
            make_referentiel(), nom="Session d'hiver 2026", statut="en_evaluation"
        )
        inscriptions = {
            n: make_inscription(make_candidat(f"candidat{n}@certif.localhost"), session)
            for n in (2, 3, 4)
        }
        lines: list[str] = []
        demo_jury(lines.append)
        self.assertEqual(
            sorted(MembreJury.objects.values_list("user__email", "role")),
            [
                ("jury2@certif.localhost", "membre"),
                ("jury@certif.localhost", "membre"),
                ("president@certif.localhost", "president"),
            ],
        )
        for inscription in inscriptions.values():
            self.assertEqual(inscription.affectations.count(), 2)
        candidat3 = inscriptions[3]
        self.assertEqual(
            sorted(
                candidat3.affectations.values_list("membre__user__email", flat=True)
            ),
            ["jury2@certif.localhost", "jury@certif.localhost"],
        )
        nb = len(criteres_of(candidat3))
        self.assertEqual(Evaluation.objects.count(), 2 * nb)
        self.assertEqual(Evaluation.objects.filter(resultat="non_acquis").count(), 2)
        self.assertIsNotNone(
            Affectation.objects.get(
                inscription=candidat3, membre__user__email="jury@certif.localhost"
            ).validee_le
        )
        demo_jury(lines.append)
        self.assertEqual(Affectation.objects.count(), 6)
        self.assertEqual(Evaluation.objects.count(), 2 * nb)
        self.assertEqual(MembreJury.objects.count(), 3)
