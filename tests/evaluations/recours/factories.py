"""Helpers of the appeals tests: a deliberated session whose results are
published at ``NOW`` (tests/clock.py), appeals filed, instructed and decided
through the services, each step at its own moment of a controlled clock."""

from datetime import datetime, timedelta

from django.test import TestCase

from evaluations.livrables.services import Depot
from evaluations.recours.models import Recours
from evaluations.recours.services import (
    recours_decider,
    recours_deposer,
    recours_instruire,
)
from evaluations.sessions.models import Inscription
from tests.clock import NOW, frozen
from tests.evaluations.factories import upload
from tests.evaluations.factories_documents import Scenario, make_scenario
from tests.evaluations.resultats.factories import publish_now

# The appeal delay runs two months from the publication (18 March 2026): its
# last day is 18 May 2026.
DERNIER_JOUR = datetime(2026, 5, 18, 23, 30, tzinfo=NOW.tzinfo)
LENDEMAIN = datetime(2026, 5, 19, 0, 30, tzinfo=NOW.tzinfo)


def moment(jours: int, heures: int = 0) -> datetime:
    """``NOW`` plus days and hours: each step of an appeal at its own time."""
    return NOW + timedelta(days=jours, hours=heures)


def published_scenario() -> Scenario:
    """The documents scenario (four candidates, tests/evaluations), its results
    published at ``NOW``."""
    with frozen():
        sc = make_scenario()
        publish_now(sc.session, by=sc.admin)
    return sc


def file_appeal(
    inscription: Inscription,
    *,
    texte: str = "Le critère C1.1.1 a été mal apprécié.",
    pieces: tuple[str, ...] = (),
    at: datetime | None = None,
) -> Recours:
    with frozen(at or moment(1)):
        return recours_deposer(
            inscription=inscription,
            texte=texte,
            pieces=[Depot(fichier=upload(nom), nom=nom) for nom in pieces],
            by=inscription.candidat.user,
        )


class RecoursTestCase(TestCase):
    """A test case whose e-mails leave: the shared sender sends after the commit,
    which a TestCase only runs when asked (``self.steps``)."""

    sc: Scenario

    def instruct(self, recours: Recours, *, at: datetime | None = None) -> Recours:
        with self.captureOnCommitCallbacks(execute=True), frozen(at or moment(2)):
            return recours_instruire(recours=recours, by=self.sc.admin)

    def decide(
        self,
        recours: Recours,
        *,
        issue: str,
        motif: str,
        at: datetime | None = None,
    ) -> Recours:
        with self.captureOnCommitCallbacks(execute=True), frozen(at or moment(3)):
            return recours_decider(
                recours=recours,
                issue=issue,
                motif=motif,
                by=self.sc.president.user,
            )

    def file(self, inscription: Inscription, **kwargs: object) -> Recours:
        with self.captureOnCommitCallbacks(execute=True):
            return file_appeal(inscription, **kwargs)  # type: ignore[arg-type]
