"""Access helper of the deliverables: an outsider gets a 404, an insider
without the right a 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from certif.models import User
from certif.roles import Role, has_role
from evaluations.livrables.models import Livrable
from evaluations.livrables.selectors import livrables_visible_to


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
