"""Reads of the deliverables area: who may see which file."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from certif.models import User
from certif.roles import is_admin
from evaluations.models import Affectation, ConflitInterets, Livrable, MembreJury


def livrables_visible_to(*, user: User) -> QuerySet[Livrable]:
    """Administrators: every file. Candidates: their own. Jury members: the files
    of the enrolments assigned to them, and the jury's president: the files of the
    session's enrolments, unless a conflict of interest was declared with that
    candidate."""
    queryset = Livrable.objects.select_related(
        "inscription__session", "inscription__candidat", "modalite"
    )
    if is_admin(user):
        return queryset
    conflit = ConflitInterets.objects.filter(
        membre_id=OuterRef("membre_id"), inscription_id=OuterRef("inscription_id")
    )
    affectees = (
        Affectation.objects.filter(membre__user=user)
        .filter(~Exists(conflit))
        .values("inscription_id")
    )
    presidences = MembreJury.objects.filter(
        user=user, role=MembreJury.Role.PRESIDENT
    ).values("session_id")
    conflits = ConflitInterets.objects.filter(membre__user=user).values(
        "inscription_id"
    )
    return queryset.filter(
        Q(inscription__candidat__user=user)
        | Q(inscription_id__in=affectees)
        | (Q(inscription__session_id__in=presidences) & ~Q(inscription_id__in=conflits))
    )
