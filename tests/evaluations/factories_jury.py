"""Jury objects for tests: juries, assignments, scores, consolidations."""

from django.utils import timezone

from certif.models import User
from certif.roles import Role
from evaluations.jury.models import Affectation, MembreJury
from evaluations.notation.models import Consolidation, Evaluation
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Critere
from tests.factories import make_user


def make_membre(
    session: Session, email: str, *, president: bool = False, user: User | None = None
) -> MembreJury:
    if user is None:
        roles = (Role.PRESIDENT, Role.MEMBRE_JURY) if president else (Role.MEMBRE_JURY,)
        user = make_user(email, *roles, first_name=email.split("@")[0].title())
    return MembreJury.objects.create(
        session=session,
        user=user,
        role=MembreJury.Role.PRESIDENT if president else MembreJury.Role.MEMBRE,
    )


def make_affectation(
    membre: MembreJury, inscription: Inscription, *, validee: bool = False
) -> Affectation:
    """An assignment; ``validee``: the evaluator validated their grid (the
    consolidation and the vote wait for every assigned evaluator)."""
    return Affectation.objects.create(
        membre=membre,
        inscription=inscription,
        validee_le=timezone.now() if validee else None,
    )


def criteres_of(inscription: Inscription) -> list[Critere]:
    return list(
        Critere.objects.filter(
            competence__activite__bloc__inscriptions=inscription
        ).order_by("pk")
    )


def score(
    affectation: Affectation,
    *,
    resultat: str = "acquis",
    criteres: list[Critere] | None = None,
) -> list[Evaluation]:
    criteres = (
        criteres if criteres is not None else criteres_of(affectation.inscription)
    )
    return Evaluation.objects.bulk_create(
        [
            Evaluation(affectation=affectation, critere=c, resultat=resultat)
            for c in criteres
        ]
    )


def consolidate(
    inscription: Inscription,
    by: User,
    *,
    resultat: str = "acquis",
    criteres: list[Critere] | None = None,
) -> list[Consolidation]:
    criteres = criteres if criteres is not None else criteres_of(inscription)
    now = timezone.now()
    return Consolidation.objects.bulk_create(
        [
            Consolidation(
                inscription=inscription,
                critere=c,
                resultat=resultat,
                modifie_par=by,
                modifie_le=now,
            )
            for c in criteres
        ]
    )
