"""The access helpers of the handicap app: the only way views reach its rows.

- Confidential content (needs, documents): the candidate who filed the request and
  the référent handicap. The administrator, jury members and presidents get a 403
  (they know requests exist: the desk lists them for the administrator, the grid
  shows accommodations to the jury); any other user gets a 404.
- Exemption decisions: the president of the enrolment's session only (404 for
  another president).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from certif.models import User
from certif.roles import Role, has_role
from evaluations.sessions.models import Inscription
from handicap.models import DemandeAmenagement, PieceJustificative

# Roles that may know a request exists but never read its content.
_INITIES = (Role.ADMINISTRATEUR, Role.MEMBRE_JURY, Role.PRESIDENT)


def _demandes() -> QuerySet[DemandeAmenagement]:
    return DemandeAmenagement.objects.select_related(
        "inscription__candidat__user",
        "inscription__session__referentiel__certification",
    )


def get_demande_for(user: User, pk: int, *, write: bool = False) -> DemandeAmenagement:
    """A request with its confidential content. ``write``: the référent's actions."""
    if has_role(user, Role.REFERENT_HANDICAP):
        try:
            return _demandes().get(pk=pk)
        except DemandeAmenagement.DoesNotExist:
            raise Http404 from None
    demande = _demandes().filter(pk=pk, inscription__candidat__user=user).first()
    if demande is not None:
        if write:
            raise PermissionDenied
        return demande
    if has_role(user, *_INITIES) and DemandeAmenagement.objects.filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def get_piece_for(user: User, demande_pk: int, pk: int) -> PieceJustificative:
    """A supporting document, under the same rule as its request's content."""
    demande = get_demande_for(user, demande_pk)
    try:
        return demande.pieces.get(pk=pk)
    except PieceJustificative.DoesNotExist:
        raise Http404 from None


def get_inscription_for_candidat(user: User, pk: int) -> Inscription:
    """The user's own enrolment (404 for anyone else's)."""
    try:
        return Inscription.objects.select_related(
            "candidat", "session__referentiel"
        ).get(pk=pk, candidat__user=user)
    except Inscription.DoesNotExist:
        raise Http404 from None
