"""Two filings of an appeal for one enrolment at the same instant, on
PostgreSQL: the rule is read under the enrolment's row lock, so one appeal is
recorded and the other filing is refused with its message."""

import threading
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase

from evaluations.recours.models import Recours
from evaluations.recours.services import recours_deposer
from tests.clock import frozen
from tests.evaluations.recours.factories import moment, published_scenario


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentFilingTests(TransactionTestCase):
    def test_two_filings_at_once_record_one(self) -> None:
        sc = published_scenario()
        inscription = sc.echec
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def deposit(index: int) -> None:
            try:
                barrier.wait(timeout=10)
                recours_deposer(
                    inscription=inscription,
                    texte=f"Recours {index}.",
                    pieces=[],
                    by=inscription.candidat.user,
                )
                outcomes.append("stored")
            except ValidationError as exc:
                outcomes.append(exc.messages[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=deposit, args=(i,)) for i in range(2)]
        # One clock for both threads (the day after the publication), stopped
        # before they start and released after they end.
        with frozen(moment(1)):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        recours = Recours.objects.get(inscription=inscription)
        self.assertEqual(
            sorted(outcomes),
            [
                f"Votre recours {recours.reference} est en cours d'examen : un autre "
                "recours ne peut être formé qu'après sa décision.",
                "stored",
            ],
        )
