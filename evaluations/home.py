"""Home-page actions of the evaluations app, one function per area."""

from certif.models import User
from certif.selectors import Action


def sessions_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    return []


def jury_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    return []


def documents_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    return []
