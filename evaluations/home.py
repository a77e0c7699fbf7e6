"""Home-page actions of the evaluations app, one function per area."""

from django.urls import reverse
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role
from certif.selectors import Action


def sessions_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Sessions"),
                _(
                    "Ouvrir les sessions d'évaluation, inscrire les candidats (un par "
                    "un ou par fichier CSV) et suivre leurs dépôts."
                ),
                reverse("evaluations:session_list"),
            )
        )
    if Role.CANDIDAT in roles:
        actions.append(
            Action(
                _("Mon dossier"),
                _(
                    "Voir ce qui est attendu pour chaque compétence et déposer vos "
                    "fichiers avant la date limite."
                ),
                reverse("evaluations:mon_dossier"),
            )
        )
    return actions


def jury_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    if Role.MEMBRE_JURY in roles or Role.PRESIDENT in roles:
        actions.append(
            Action(
                _("Mes évaluations"),
                _(
                    "Noter les candidats qui vous sont affectés, critère par critère, "
                    "et déclarer vos conflits d'intérêts."
                ),
                reverse("evaluations:jury_tableau_de_bord"),
            )
        )
    if Role.ADMINISTRATEUR in roles or Role.PRESIDENT in roles:
        actions.append(
            Action(
                _("Jurys"),
                _(
                    "Composer les jurys des sessions, affecter les évaluateurs, "
                    "consolider et délibérer."
                ),
                reverse("evaluations:jury_sessions"),
            )
        )
    return actions


def documents_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    if Role.CANDIDAT in roles:
        actions.append(
            Action(
                _("Mes documents"),
                _(
                    "Télécharger vos relevés de résultats, parchemins et attestations "
                    "de blocs."
                ),
                reverse("evaluations:documents_mine"),
            )
        )
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Émission des documents"),
                _(
                    "Émettre les parchemins, attestations, relevés et procès-verbaux "
                    "des sessions délibérées ; révoquer un document."
                ),
                reverse("evaluations:emission_sessions"),
            )
        )
    return actions
