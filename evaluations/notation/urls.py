"""URLs of the notation area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.notation import views

urlpatterns: list[URLPattern] = [
    path(
        "jury/mes-evaluations/",
        views.tableau_de_bord_view,
        name="jury_tableau_de_bord",
    ),
    path("jury/inscriptions/<int:pk>/grille/", views.grille_view, name="grille"),
    path(
        "jury/inscriptions/<int:pk>/grille/criteres/<int:critere_pk>/",
        views.grille_save_view,
        name="grille_critere",
    ),
    path(
        "jury/inscriptions/<int:pk>/grille/valider/",
        views.grille_valider_view,
        name="grille_valider",
    ),
    path(
        "jury/inscriptions/<int:pk>/consolidation/",
        views.consolidation_view,
        name="consolidation",
    ),
    path(
        "jury/inscriptions/<int:pk>/evaluateurs/<int:affectation_pk>/derogation/",
        views.derogation_view,
        name="derogation_validation",
    ),
]
