"""The evaluations app's home-page actions and menu links, one group per area,
registered with ``certif.navigation`` when the app loads."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from certif.models import User
from certif.navigation import Action, Lien, register_actions, register_menu
from certif.roles import Role
from evaluations.declarations.selectors import echeances_for
from evaluations.recours.views import recours_section
from evaluations.resultats.sections import register_section
from evaluations.resultats.views import publication_panneau
from evaluations.sessions.bureau import register_panneau
from evaluations.sessions.selectors import inscription_reglement_a_accepter
from handicap.models import Dispense, PropositionDispense


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
        a_lire = inscription_reglement_a_accepter(user=user)
        if a_lire is not None:
            actions.append(
                Action(
                    _("Règlement d'examen à lire"),
                    _(
                        "Lisez et acceptez le règlement d'examen de votre "
                        "certification avant votre prochain dépôt."
                    ),
                    reverse("evaluations:dossier", args=[a_lire]) + "#reglement",
                )
            )
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
        actions.append(
            Action(
                _("Mes messages"),
                _(
                    "Relire les e-mails que la plateforme vous a envoyés : invitation, "
                    "rappels avant la date limite, convocations, documents disponibles."
                ),
                reverse("messages_mine"),
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
                reverse("evaluations:dispenses"),
            )
        )
    return actions


def epreuves_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    actions: list[Action] = []
    if Role.CANDIDAT in roles:
        actions.append(
            Action(
                _("Mes convocations"),
                _(
                    "Vos convocations aux épreuves en présence du jury : date, heure, "
                    "lieu, à télécharger en PDF ou à ajouter à votre calendrier."
                ),
                reverse("evaluations:epreuves_mes_convocations"),
            )
        )
    if Role.ADMINISTRATEUR in roles:
        actions.append(
            Action(
                _("Sites et salles"),
                _(
                    "Les lieux des épreuves en présence du jury : adresses, notes "
                    "d'accès, salles, capacité et accessibilité."
                ),
                reverse("evaluations:epreuves_sites"),
            )
        )
    if Role.MEMBRE_JURY in roles or Role.PRESIDENT in roles:
        actions.append(
            Action(
                _("Mes épreuves"),
                _(
                    "Déclarer vos disponibilités, voir vos passages, constater la "
                    "présence des candidats, abonner votre calendrier."
                ),
                reverse("evaluations:epreuves_mes_sessions"),
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


def resultats_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    if Role.CANDIDAT not in roles:
        return []
    return [
        Action(
            _("Mes résultats"),
            _(
                "La décision du jury une fois les résultats publiés : blocs acquis, "
                "motif, lettre de résultat et voie de recours."
            ),
            reverse("evaluations:mes_resultats"),
        )
    ]


def recours_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    if Role.ADMINISTRATEUR in roles or Role.PRESIDENT in roles:
        return [
            Action(
                _("Recours"),
                _(
                    "Instruire et décider les recours des candidats contre les "
                    "décisions du jury ; l'addendum au procès-verbal."
                ),
                reverse("evaluations:recours_list"),
            )
        ]
    return []


def statistiques_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    if Role.ADMINISTRATEUR in roles or Role.PRESIDENT in roles:
        return [
            Action(
                _("Statistiques"),
                _(
                    "Les chiffres pour France compétences et pour la revue du "
                    "référentiel ; exports CSV et XLSX, rapport annuel."
                ),
                reverse("evaluations:statistiques"),
            )
        ]
    return []


def declarations_actions(*, user: User, roles: frozenset[str]) -> list[Action]:
    if Role.ADMINISTRATEUR not in roles:
        return []
    echeances = echeances_for()
    description = _(
        "Déclarer les titulaires à la Caisse des Dépôts dans les trois mois : "
        "construire le fichier XML, enregistrer le dépôt et la réponse."
    )
    if echeances.dues or echeances.en_retard:
        description = " ".join(
            [
                ngettext(
                    "%(n)d titulaire en retard ;",
                    "%(n)d titulaires en retard ;",
                    len(echeances.en_retard),
                )
                % {"n": len(echeances.en_retard)}
                if echeances.en_retard
                else _("aucun titulaire en retard ;"),
                ngettext(
                    "%(n)d à déclarer dans les 15 jours.",
                    "%(n)d à déclarer dans les 15 jours.",
                    len(echeances.dues),
                )
                % {"n": len(echeances.dues)}
                if echeances.dues
                else _("aucun à déclarer dans les 15 jours."),
                description,
            ]
        )
    return [
        Action(_("Déclarations CDC"), description, reverse("evaluations:declarations"))
    ]


def register() -> None:
    register_actions(position=10, provider=sessions_actions)
    register_actions(position=20, provider=jury_actions)
    register_actions(position=30, provider=epreuves_actions)
    register_actions(position=40, provider=documents_actions)
    register_actions(position=42, provider=resultats_actions)
    register_panneau(position=10, provider=publication_panneau)
    register_actions(position=43, provider=recours_actions)
    register_section(position=10, provider=recours_section)
    register_actions(position=50, provider=statistiques_actions)
    register_actions(position=45, provider=declarations_actions)
    admin = frozenset({Role.ADMINISTRATEUR})
    candidat = frozenset({Role.CANDIDAT})
    president = frozenset({Role.PRESIDENT})
    register_menu(
        position=10,
        liens=[
            Lien(gettext_lazy("Sessions"), "evaluations:session_list", admin),
            Lien(gettext_lazy("Mon dossier"), "evaluations:mon_dossier", candidat),
        ],
    )
    register_menu(
        position=20,
        liens=[
            Lien(
                gettext_lazy("Mes évaluations"),
                "evaluations:jury_tableau_de_bord",
                frozenset({Role.MEMBRE_JURY, Role.PRESIDENT}),
            ),
            Lien(gettext_lazy("Jurys"), "evaluations:jury_sessions", admin | president),
            Lien(gettext_lazy("Dispenses"), "evaluations:dispenses", president),
        ],
    )
    register_menu(
        position=30,
        liens=[
            Lien(
                gettext_lazy("Mes convocations"),
                "evaluations:epreuves_mes_convocations",
                candidat,
            ),
            Lien(
                gettext_lazy("Mes épreuves"),
                "evaluations:epreuves_mes_sessions",
                frozenset({Role.MEMBRE_JURY, Role.PRESIDENT}),
            ),
            Lien(gettext_lazy("Sites et salles"), "evaluations:epreuves_sites", admin),
        ],
    )
    register_menu(
        position=40,
        liens=[
            Lien(gettext_lazy("Mes résultats"), "evaluations:mes_resultats", candidat),
            Lien(gettext_lazy("Mes documents"), "evaluations:documents_mine", candidat),
            Lien(gettext_lazy("Documents"), "evaluations:emission_sessions", admin),
            Lien(
                gettext_lazy("Recours"), "evaluations:recours_list", admin | president
            ),
            Lien(gettext_lazy("Déclarations CDC"), "evaluations:declarations", admin),
        ],
    )
    register_menu(
        position=50,
        liens=[
            Lien(
                gettext_lazy("Statistiques"),
                "evaluations:statistiques",
                admin | president,
            ),
        ],
    )
