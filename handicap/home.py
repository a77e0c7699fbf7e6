"""Home-page actions of the handicap app."""

from certif.models import User
from certif.selectors import Action


def handicap_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    return []
