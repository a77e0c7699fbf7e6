"""Certified holders for the declarations tests: real rows, written as the jury
would have left them once the deliberation was locked."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from certif.models import User
from evaluations.deliberation.models import Deliberation
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Certification, Referentiel
from tests.evaluations.factories import make_candidat_complet
from tests.factories import make_inscription, make_referentiel

PARIS = ZoneInfo("Europe/Paris")


def make_referentiel_enregistre(code: str = "RNCP12345") -> Referentiel:
    """The seed référentiel with a certifier, its certification registered under
    ``code`` (the seed's RNCP00000 is a placeholder: no file is built for it
    unless the certifier is the demo's specimen)."""
    referentiel = make_referentiel()
    Certification.objects.filter(pk=referentiel.certification_id).update(code=code)
    referentiel.certification.refresh_from_db()
    return referentiel


def make_titulaire(
    session: Session,
    email: str,
    *,
    par: User,
    le: datetime = datetime(2026, 1, 10, 15, 0, tzinfo=PARIS),
    decision: str = Deliberation.Decision.CERTIFIE,
    voie_acces: str = "formation_continue",
    verrouillee: bool = True,
    **identite: Any,
) -> Inscription:
    candidat = make_candidat_complet(email, **identite)
    inscription = make_inscription(candidat, session, voie_acces=voie_acces)
    Deliberation.objects.create(
        inscription=inscription,
        decision=decision,
        motif="Tous les critères sont acquis.",
        verrouillee=verrouillee,
        decidee_le=le,
        decidee_par=par,
    )
    return inscription
