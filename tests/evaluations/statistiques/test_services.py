"""The stored figures of the sessions: aggregated once per vote, brought up to
date when a session's deliberations change, once when two pages ask at once."""

import threading
from datetime import date, timedelta
from unittest import skipUnless

from django.db import connection
from django.test import TestCase, TransactionTestCase

from evaluations.sessions.models import Candidat, Inscription
from evaluations.statistiques.documents import Cellule
from evaluations.statistiques.models import StatistiqueLigne, StatistiqueSession
from evaluations.statistiques.selectors import (
    Filtre,
    perimetre_statistiques,
    resultats_lots,
    resultats_rows,
    tableau_of,
)
from evaluations.statistiques.services import (
    _resultat_ligne,
    libelles_resultats,
    statistiques_refresh,
)
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


def ligne_des_modeles(inscription: Inscription) -> list[Cellule]:
    """The row of the results export as the model instances tell it (how the
    export built it before it read plain values)."""
    candidat = inscription.candidat
    deliberation = getattr(inscription, "deliberation", None)
    return [
        inscription.session.nom,
        inscription.session.date_jury,
        candidat.nom_naissance,
        candidat.nom_usage,
        candidat.prenoms,
        candidat.date_naissance,
        candidat.user.email,
        inscription.get_voie_acces_display(),
        inscription.get_parcours_display(),
        ", ".join(sorted(b.code for b in inscription.blocs.all())),
        deliberation.get_decision_display() if deliberation else "",
        ", ".join(sorted(b.code for b in deliberation.blocs_valides.all()))
        if deliberation
        else "",
        deliberation.decidee_le if deliberation else None,
        inscription.session.date_limite_depot,
        inscription.desiste_le,
        inscription.reportee_vers.session.nom if inscription.reportee_vers else "",
    ]


class ResultatsExportRowsTests(TestCase):
    """The results export reads plain values by lots: a fixed number of queries
    per lot, and every row as the models tell it."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = make_world()
        # r1, enrolled in 2025 with three first names and a married name, was
        # carried over to the 2026 session.
        candidat = make_candidat("r1@stats.fr", nom="Report", prenom="Anne")
        Candidat.objects.filter(pk=candidat.pk).update(
            prenom2="Marie", prenom3="Zoé", nom_usage="Durand"
        )
        origine = make_inscription(candidat, cls.w.ancienne, blocs=["B2"])
        suite = make_inscription(candidat, cls.w.session, blocs=["B2"])
        Inscription.objects.filter(pk=origine.pk).update(reportee_vers=suite)

    def lignes(self, taille: int) -> list[list[Cellule]]:
        inscriptions = Inscription.objects.all()
        libelles = libelles_resultats()
        return [
            _resultat_ligne(ligne, libelles)
            for lot in resultats_lots(inscriptions, taille)
            for ligne in lot
        ]

    def test_rows_as_the_models_tell_them(self) -> None:
        attendues = [
            ligne_des_modeles(inscription)
            for inscription in resultats_rows(Inscription.objects.all())
        ]
        self.assertEqual(len(attendues), 13)
        self.assertEqual(self.lignes(5), attendues)
        r1 = next(ligne for ligne in attendues if ligne[6] == "r1@stats.fr")
        self.assertEqual(
            r1[:5] + r1[7:12] + r1[15:],
            [
                "Session juin 2025", date(2025, 6, 10), "REPORT", "Durand",
                "Anne Marie Zoé",
                "Formation continue hors contrat de professionnalisation",
                "Blocs de compétences (capitalisation)", "B2", "", "",
                "Session juin 2026",
            ],
        )  # fmt: skip

    def test_queries_per_lot(self) -> None:
        # The enrolments (one cursor), then two queries per lot: the blocs
        # evaluated and validated.
        with self.assertNumQueries(1 + 2):
            self.assertEqual(len(self.lignes(20)), 13)
        with self.assertNumQueries(1 + 2 * 3):
            self.assertEqual(len(self.lignes(5)), 13)
