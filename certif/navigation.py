"""The menu and the home page's actions. Each app registers its own when it loads
(``AppConfig.ready``); this module knows no app, so that nothing here imports the
apps that build on it.

A link or an action is shown only to the roles it names; every view still checks
its own permission."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certif.models import User
from certif.roles import Role, roles_of


@dataclass(frozen=True)
class Action:
    """A card of the home page."""

    title: str
    description: str
    url: str


ActionsProvider = Callable[..., list[Action]]


@dataclass(frozen=True)
class Lien:
    """A link of the menu, shown to ``roles`` (to anyone with a role when empty)."""

    titre: str | Promise
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def visible_par(self, roles: frozenset[str]) -> bool:
        return bool(roles) and (not self.roles or not self.roles.isdisjoint(roles))


@dataclass(frozen=True)
class LienMenu:
    titre: str | Promise
    url: str


# (position, entry): a lower position comes first.
_actions: list[tuple[int, ActionsProvider]] = []
_menu: list[tuple[int, Lien]] = []


def register_actions(*, position: int, provider: ActionsProvider) -> None:
    """Add an app's home-page actions: ``provider(user=…, roles=…)`` returns the
    actions for that user. Called from ``AppConfig.ready``; idempotent."""
    if (position, provider) not in _actions:
        _actions.append((position, provider))
        _actions.sort(key=lambda item: item[0])


def register_menu(*, position: int, liens: Iterable[Lien]) -> None:
    """Add an app's menu links, in their order, at ``position``. Idempotent."""
    for offset, lien in enumerate(liens):
        entry = (position * 100 + offset, lien)
        if entry not in _menu:
            _menu.append(entry)
    _menu.sort(key=lambda item: item[0])


def home_actions_for(*, user: User) -> list[Action]:
    """The actions shown on the home page: only features that exist, only those the
    user's roles allow."""
    roles = roles_of(user)
    result: list[Action] = []
    for _position, provider in _actions:
        result.extend(provider(user=user, roles=roles))
    return result


def menu_for(*, user: User) -> list[LienMenu]:
    """The menu's links for the user's roles, in order."""
    roles = roles_of(user)
    return [
        LienMenu(lien.titre, reverse(lien.url_name))
        for _position, lien in _menu
        if lien.visible_par(roles)
    ]


def _administration(*, user: User, roles: frozenset[str]) -> list[Action]:
    if Role.ADMINISTRATEUR not in roles:
        return []
    return [
        Action(
            _("Administration"),
            _(
                "Modifier les référentiels en brouillon, gérer les comptes et les rôles."
            ),
            reverse("admin:index"),
        )
    ]


def register_certif() -> None:
    register_actions(position=0, provider=_administration)
    register_menu(
        position=90,
        liens=[
            Lien(gettext_lazy("Mes messages"), "messages_mine"),
            Lien(
                gettext_lazy("Administration"),
                "admin:index",
                frozenset({Role.ADMINISTRATEUR}),
            ),
        ],
    )
