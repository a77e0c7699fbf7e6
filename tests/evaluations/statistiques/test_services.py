"""The stored figures of the sessions: aggregated once per vote, brought up to
date when a session's deliberations change, once when two pages ask at once."""

import threading
from datetime import timedelta
from unittest import skipUnless

from django.db import connection
from django.test import TestCase, TransactionTestCase

from evaluations.statistiques.models import StatistiqueLigne, StatistiqueSession
from evaluations.statistiques.selectors import (
    Filtre,
    perimetre_statistiques,
    tableau_of,
)
from evaluations.statistiques.services import statistiques_refresh
from tests.evaluations.factories_documents import make_consolidations, make_deliberation
from tests.evaluations.statistiques.factories import DEADLINE, make_world
from tests.factories import make_candidat, make_inscription, make_session


class RefreshTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()

    def inscriptions(self):  # type: ignore[no-untyped-def]
        return perimetre_statistiques(user=self.w.admin, filtre=Filtre())

    def test_aggregated_once_then_two_queries(self) -> None:
        self.assertEqual(statistiques_refresh(perimetre=self.inscriptions()), 2)
        self.assertEqual(StatistiqueSession.objects.count(), 2)
        # 2 blocs, 2 competencies, 4 criteria for each session.
        self.assertEqual(
            StatistiqueLigne.objects.filter(session=self.w.session).count(), 8
        )
        with self.assertNumQueries(2):  # the shared counts, the stored fingerprints
            self.assertEqual(statistiques_refresh(perimetre=self.inscriptions()), 0)

    def test_a_new_vote_refreshes_its_session_only(self) -> None:
        statistiques_refresh(perimetre=self.inscriptions())
        # The waiting candidate w1 is decided: not validated, C1.1.1 non acquis.
        w1 = self.w.inscriptions["w1"]
        make_consolidations(w1, by=self.w.president, non_acquis=("C1.1.1",))
        make_deliberation(
            w1,
            decision="non_valide",
            by=self.w.president,
            presents=[],
            decidee_le=DEADLINE + timedelta(days=30),
        )
        self.assertEqual(statistiques_refresh(perimetre=self.inscriptions()), 1)
        lignes = tableau_of(self.inscriptions(), cle="criteres").lignes
        self.assertEqual(lignes[0], ("C2.1.1", "Critère 1.", 9, 3, 33.3))
        self.assertEqual(
            [ligne for ligne in lignes if ligne[0] == "C1.1.1"],
            [("C1.1.1", "Critère 1.", 8, 1, 12.5)],
        )

    def test_a_session_without_deliberation_stores_nothing(self) -> None:
        nouvelle = make_session(self.w.referentiel, nom="Session sans vote")
        make_inscription(make_candidat("x@stats.fr"), nouvelle)
        scope = perimetre_statistiques(
            user=self.w.admin, filtre=Filtre(session=nouvelle.pk)
        )
        self.assertEqual(statistiques_refresh(perimetre=scope), 0)
        self.assertEqual(StatistiqueSession.objects.count(), 0)
        self.assertEqual(tableau_of(scope, cle="blocs").lignes, ())


@skipUnless(connection.vendor == "postgresql", "needs concurrent transactions")
class ConcurrentRefreshTests(TransactionTestCase):
    def test_two_pages_at_once_aggregate_once(self) -> None:
        w = make_world()
        barrier = threading.Barrier(2)
        done: list[int] = []
        errors: list[BaseException] = []

        def refresh() -> None:
            try:
                scope = perimetre_statistiques(user=w.admin, filtre=Filtre())
                barrier.wait(timeout=10)
                done.append(statistiques_refresh(perimetre=scope))
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=refresh) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        # Whichever came second found the figures done after the lock.
        self.assertEqual(sorted(done), [0, 2])
        self.assertEqual(StatistiqueLigne.objects.count(), 16)
