"""What each role can do today, for the home page."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role, roles_of


@dataclass(frozen=True)
class Action:
    title: str
    description: str
    url: str


def home_actions_for(*, user: User) -> list[Action]:
    """The actions shown on the home page: only features that exist, only those the
    user's roles allow."""
    roles = roles_of(user)
    actions: list[Action] = []
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Administration"),
                _(
                    "Modifier les référentiels en brouillon, gérer les comptes et les rôles."
                ),
                reverse("admin:index"),
            )
        )
    if roles:
        actions.append(
            Action(
                _("Référentiels"),
                _(
                    "Consulter les activités, compétences, modalités et critères "
                    "d'évaluation, et les télécharger en PDF."
                ),
                reverse("referentiel:list"),
            )
        )
    for provider in _providers():
        actions.extend(provider(user=user, roles=roles))
    return actions


def _providers() -> list:  # type: ignore[type-arg]
    # Imported here: the apps' home modules import Action from this module.
    from evaluations.home import (  # noqa: PLC0415
        documents_actions,
        jury_actions,
        sessions_actions,
    )
    from handicap.home import handicap_actions  # noqa: PLC0415

    return [sessions_actions, jury_actions, handicap_actions, documents_actions]
