"""Access helpers of the sessions area, one per guarded model: an outsider
gets a 404 (no existence leak), an insider without the right a 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from certif.models import User
from certif.roles import is_admin
from evaluations.sessions.models import Candidat, ImportCandidats, Inscription, Session
from evaluations.sessions.selectors import inscriptions_visible_to


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


def get_candidat_for(user: User, pk: int) -> Candidat:
    """A candidate's identity, to correct: administrators only (403); an unknown
    candidate is a 404."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(Candidat.objects.select_related("user"), pk=pk)


def get_import_for(user: User, session_pk: int, pk: int) -> ImportCandidats:
    """A CSV import of a session, for its progress and preview page:
    administrators only (403), an import of another session is a 404."""
    session = get_session_for(user, session_pk)
    return get_object_or_404(
        # The file's text can weigh megabytes: the page never needs it.
        ImportCandidats.objects.select_related("session", "lance_par").defer("texte"),
        pk=pk,
        session=session,
    )
