from django.urls import URLPattern, path

from evaluations.views import deliberation, grille, jury

urlpatterns: list[URLPattern] = [
    path("jury/", jury.jury_sessions_view, name="jury_sessions"),
    path(
        "jury/mes-evaluations/",
        jury.tableau_de_bord_view,
        name="jury_tableau_de_bord",
    ),
    path("jury/conflits/", jury.conflits_view, name="jury_conflits"),
    path("jury/sessions/<int:pk>/", jury.jury_session_view, name="jury_session"),
    path(
        "jury/sessions/<int:pk>/membres/ajouter/",
        jury.membre_add_view,
        name="jury_membre_ajouter",
    ),
    path(
        "jury/membres/<int:pk>/retirer/",
        jury.membre_remove_view,
        name="jury_membre_retirer",
    ),
    path(
        "jury/sessions/<int:pk>/affectations/ajouter/",
        jury.affectation_add_view,
        name="jury_affectation_ajouter",
    ),
    path(
        "jury/sessions/<int:pk>/affectations/automatique/",
        jury.affectations_auto_view,
        name="jury_affectations_auto",
    ),
    path(
        "jury/affectations/<int:pk>/retirer/",
        jury.affectation_remove_view,
        name="jury_affectation_retirer",
    ),
    path("jury/inscriptions/<int:pk>/grille/", grille.grille_view, name="grille"),
    path(
        "jury/inscriptions/<int:pk>/grille/criteres/<int:critere_pk>/",
        grille.grille_save_view,
        name="grille_critere",
    ),
    path(
        "jury/inscriptions/<int:pk>/grille/valider/",
        grille.grille_valider_view,
        name="grille_valider",
    ),
    path(
        "jury/inscriptions/<int:pk>/consolidation/",
        deliberation.consolidation_view,
        name="consolidation",
    ),
    path(
        "jury/inscriptions/<int:pk>/deliberation/",
        deliberation.deliberation_view,
        name="deliberation",
    ),
    path(
        "jury/inscriptions/<int:pk>/deliberation/rouvrir/",
        deliberation.deliberation_rouvrir_view,
        name="deliberation_rouvrir",
    ),
    path(
        "jury/inscriptions/<int:pk>/historique/",
        deliberation.historique_view,
        name="jury_historique",
    ),
]
