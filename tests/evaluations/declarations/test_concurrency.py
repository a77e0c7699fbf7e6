"""Real concurrent transactions (PostgreSQL): two administrators starting a batch
of the same certification, two workers building the same batch, two answers for
the same holder, at the same instant."""

import threading
from collections.abc import Callable
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase

from certif.roles import Role
from evaluations.declarations.models import DeclarationCDC, LotCDC
from evaluations.declarations.services import (
    declaration_answer,
    lot_build,
    lot_deposit,
    lot_start,
)
from tests.evaluations.declarations.factories import make_titulaire
from tests.factories import make_referentiel, make_session, make_user, small_data


def together(*calls: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as exc:  # reported by the caller's assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentDeclarationTests(TransactionTestCase):
    def setUp(self) -> None:
        self.admin = make_user("admin@example.org", Role.ADMINISTRATEUR)
        referentiel = make_referentiel(small_data(blocs=1, criteres=1))
        self.certification = referentiel.certification
        session = make_session(referentiel, statut="deliberee")
        self.lea = make_titulaire(session, "lea@example.org", par=self.admin)

    def test_one_batch_at_a_time(self) -> None:
        start = lambda: lot_start(certification=self.certification, by=self.admin)  # noqa: E731
        results, errors = together(start, start)
        self.assertEqual(len(results), 1)
        self.assertEqual(
            [type(e) for e in errors], [ValidationError], [str(e) for e in errors]
        )
        self.assertEqual(LotCDC.objects.count(), 1)

    def test_two_workers_build_the_same_batch_once(self) -> None:
        lot = lot_start(certification=self.certification, by=self.admin)
        build = lambda: lot_build(lot_id=lot.pk)  # noqa: E731
        _results, errors = together(build, build)
        self.assertEqual(errors, [])
        self.assertEqual(DeclarationCDC.objects.count(), 1)
        lot.refresh_from_db()
        self.assertEqual(lot.statut, LotCDC.Statut.CONSTRUIT)

    def test_two_answers_for_one_holder(self) -> None:
        lot = lot_build(
            lot_id=lot_start(certification=self.certification, by=self.admin).pk
        )
        lot_deposit(lot=lot, by=self.admin)
        declaration = lot.declarations.get()
        results, errors = together(
            lambda: declaration_answer(
                declaration=declaration, accepte=True, by=self.admin
            ),
            lambda: declaration_answer(
                declaration=declaration, accepte=False, motif="Refus", by=self.admin
            ),
        )
        self.assertEqual(
            (len(results), [type(e) for e in errors]), (1, [ValidationError])
        )
        declaration.refresh_from_db()
        self.assertIn(declaration.statut, ("accepte", "rejete"))
        self.assertEqual(
            declaration.statut == "rejete", declaration.motif_rejet == "Refus"
        )
