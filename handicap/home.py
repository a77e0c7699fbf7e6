"""Home-page actions of the handicap app."""

from django.urls import reverse
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role
from certif.selectors import Action
from handicap.models import Dispense, PropositionDispense


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
    if (
        Role.PRESIDENT in roles
        and PropositionDispense.objects.filter(
            avis__demande__inscription__session__membres__user=user,
            avis__demande__inscription__session__membres__role="president",
        )
        .exclude(pk__in=Dispense.objects.values("proposition_id"))
        .exists()
    ):
        actions.append(
            Action(
                _("Dispenses à décider"),
                _(
                    "Décider des dispenses de critères proposées par l'avis motivé "
                    "du référent handicap."
                ),
                reverse("handicap:dispenses"),
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
    return actions
