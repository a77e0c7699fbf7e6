"""Access helpers of the sessions area, one per guarded model: an outsider gets a
404 (no existence leak), an insider without the right a 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.models import Inscription, Livrable, Session
from evaluations.selectors.livrables import livrables_visible_to
from evaluations.selectors.sessions import inscriptions_visible_to


def get_session_for(user: User, pk: int) -> Session:
    """A session for its administration pages: administrators only."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        Session.objects.select_related("referentiel__certification"), pk=pk
    )


def get_inscription_for(user: User, pk: int, *, write: bool = False) -> Inscription:
    """An enrolment: its candidate, or an administrator (read only: 403 on a
    write). Anyone else: 404."""
    admin = is_admin(user)
    inscription = get_object_or_404(
        inscriptions_visible_to(user=user, admin=admin), pk=pk
    )
    if write and inscription.candidat.user_id != user.pk:
        raise PermissionDenied
    return inscription


def get_livrable_for(user: User, pk: int, *, write: bool = False) -> Livrable:
    """A deliverable: its candidate; an administrator; a jury member assigned to
    the enrolment without a declared conflict; the president of the session's
    jury. The référent handicap has no business with deliverables (403); anyone
    else gets a 404. Only the candidate writes (withdraws)."""
    livrable = livrables_visible_to(user=user).filter(pk=pk).first()
    if livrable is None:
        if has_role(user, Role.REFERENT_HANDICAP):
            raise PermissionDenied
        raise Http404
    if write and livrable.inscription.candidat.user_id != user.pk:
        raise PermissionDenied
    return livrable
