"""The référentiel app's home-page action and menu link, registered with
``certif.navigation`` when the app loads."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certif.models import User
from certif.navigation import Action, Lien, register_actions, register_menu
from certif.roles import Role


def referentiel_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    if not roles:
        return []
    actions = [
        Action(
            _("Référentiels"),
            _(
                "Consulter les activités, compétences, modalités et critères "
                "d'évaluation, et les télécharger en PDF."
            ),
            reverse("referentiel:list"),
        )
    ]
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Règlements d'examen"),
                _(
                    "Rédiger et publier le règlement d'examen de chaque "
                    "certification : délais de recours et d'aménagement, règles de "
                    "conduite, fraude."
                ),
                reverse("referentiel:reglements"),
            )
        )
    return actions


def register() -> None:
    register_actions(position=5, provider=referentiel_actions)
    register_menu(
        position=80,
        liens=[
            Lien(gettext_lazy("Référentiels"), "referentiel:list"),
            Lien(
                gettext_lazy("Règlements"),
                "referentiel:reglements",
                frozenset({Role.ADMINISTRATEUR}),
            ),
        ],
    )
