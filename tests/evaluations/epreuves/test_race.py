"""Real concurrent placements (PostgreSQL): two administrators put two candidates
in the same room at the same time, at the same instant. The planning's row lock
makes the second one read the first: exactly one is placed, the other is refused
with the clash named; never two sittings in one room."""

import threading
from datetime import time
from unittest import skipUnless

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TransactionTestCase

from evaluations.epreuves.models import Passage
from evaluations.epreuves.services import PassageSaisi, passage_save
from tests.evaluations.epreuves.base import aware, build_world
from tests.evaluations.factories_jury import make_membre


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentPlacementTests(TransactionTestCase):
    def test_two_sittings_never_share_a_room(self) -> None:
        build_world(self)
        m3 = make_membre(self.session, "chloe@example.org")
        saisies = [
            PassageSaisi(
                inscription=inscription,
                modalites=self.mes[:2],
                debut=aware(self.jour1, time(9)),
                duree_minutes=40,
                salle=self.salle_a,
                lien_visio="",
                membres=membres,
            )
            for inscription, membres in (
                (self.camille, [self.m1]),
                (self.dominique, [m3]),
            )
        ]
        barrier = threading.Barrier(len(saisies))
        refused: list[list[str]] = []
        errors: list[BaseException] = []

        def place(saisi: PassageSaisi) -> None:
            try:
                barrier.wait(timeout=10)
                passage_save(saisi=saisi, by=self.admin)
            except ValidationError as exc:
                refused.append(exc.messages)
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=place, args=(s,)) for s in saisies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(Passage.objects.filter(salle=self.salle_a).count(), 1)
        self.assertEqual(len(refused), 1)
        (message,) = refused[0]
        self.assertTrue(
            message.startswith("La salle Campus Lyon — A101 est prise par "), message
        )
