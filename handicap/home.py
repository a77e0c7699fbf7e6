"""The handicap app's home-page actions and menu links, registered with
``certif.navigation`` when the app loads."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certif.models import User
from certif.navigation import Action, Lien, register_actions, register_menu
from certif.roles import Role


def handicap_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    if Role.CANDIDAT in roles:
        actions.append(
            Action(
                _("Demande d'aménagement"),
                _(
                    "Demander au référent handicap l'aménagement de vos épreuves, "
                    "suivre votre demande et lire la décision."
                ),
                reverse("handicap:mes_demandes"),
            )
        )
    if Role.REFERENT_HANDICAP in roles:
        actions.append(
            Action(
                _("Demandes d'aménagement"),
                _(
                    "Instruire les demandes, décider des aménagements et rédiger "
                    "l'avis motivé."
                ),
                reverse("handicap:bureau"),
            )
        )
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Journal des accès confidentiels"),
                _(
                    "Qui a consulté les données de santé des candidats, et quand "
                    "(sans leur contenu)."
                ),
                reverse("handicap:journal"),
            )
        )
        actions.append(
            Action(
                _("Adaptations de format à confirmer"),
                _(
                    "Confirmer pour le certificateur les adaptations du format d'une "
                    "modalité conseillées par le référent handicap."
                ),
                reverse("handicap:formats"),
            )
        )
    return actions


def register() -> None:
    register_actions(position=30, provider=handicap_actions)
    register_menu(
        position=30,
        liens=[
            Lien(
                gettext_lazy("Aménagements"),
                "handicap:mes_demandes",
                frozenset({Role.CANDIDAT}),
            ),
            Lien(
                gettext_lazy("Demandes d'aménagement"),
                "handicap:bureau",
                frozenset({Role.REFERENT_HANDICAP, Role.ADMINISTRATEUR}),
            ),
        ],
    )
