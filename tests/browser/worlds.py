"""Starting states of the journeys, built with the project's factories and services.

Each journey starts from the state the previous one leaves (built here directly,
so that a journey can run and fail on its own) and then clicks through the real UI.
"""

from dataclasses import dataclass

from certif.models import User
from certif.roles import Role
from evaluations.models import Deliberation, Inscription, MembreJury, Session
from referentiel.models import Referentiel
from tests.evaluations.factories_documents import (
    make_consolidations,
    make_deliberation,
    make_membre,
)
from tests.factories import (
    make_candidat,
    make_inscription,
    make_referentiel,
    make_session,
    make_user,
    small_data,
)

ADMIN = "admin@certif.example.fr"
PRESIDENT = "president@certif.example.fr"
MEMBRE = "membre@certif.example.fr"
MEMBRE2 = "membre2@certif.example.fr"
REFERENT = "referent@certif.example.fr"
CANDIDAT = "camille.martin@example.fr"


@dataclass
class Deliberated:
    referentiel: Referentiel
    session: Session
    admin: User
    president: MembreJury
    membre: MembreJury
    inscription: Inscription


def deliberated_session() -> Deliberated:
    """A deliberated session on a two-bloc référentiel: one candidate certified,
    every criterion acquis, the deliberation locked."""
    referentiel = make_referentiel(small_data(blocs=2, criteres=2))
    admin = make_user(ADMIN, Role.ADMINISTRATEUR, first_name="Alice", last_name="Admin")
    session = make_session(referentiel, nom="Session de juin 2026", statut="deliberee")
    president = make_membre(
        session, PRESIDENT, president=True, first_name="Paul", last_name="Président"
    )
    membre = make_membre(session, MEMBRE, first_name="Julie", last_name="Bernard")
    candidat = make_candidat(CANDIDAT, nom="Martin", prenom="Camille")
    inscription = make_inscription(candidat, session)
    make_consolidations(inscription, by=president.user)
    make_deliberation(
        inscription,
        decision=Deliberation.Decision.CERTIFIE,
        by=president.user,
        presents=[president, membre],
        blocs=("B1", "B2"),
        motif="Tous les critères sont acquis.",
    )
    return Deliberated(
        referentiel=referentiel,
        session=session,
        admin=admin,
        president=president,
        membre=membre,
        inscription=inscription,
    )
