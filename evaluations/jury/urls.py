"""URLs of the jury area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.jury import views

urlpatterns: list[URLPattern] = [
    path("jury/", views.jury_sessions_view, name="jury_sessions"),
    path("jury/conflits/", views.conflits_view, name="jury_conflits"),
    path("jury/sessions/<int:pk>/", views.jury_session_view, name="jury_session"),
    path(
        "jury/sessions/<int:pk>/membres/ajouter/",
        views.membre_add_view,
        name="jury_membre_ajouter",
    ),
    path(
        "jury/membres/<int:pk>/retirer/",
        views.membre_remove_view,
        name="jury_membre_retirer",
    ),
    path(
        "jury/sessions/<int:pk>/affectations/ajouter/",
        views.affectation_add_view,
        name="jury_affectation_ajouter",
    ),
    path(
        "jury/sessions/<int:pk>/affectations/automatique/",
        views.affectations_auto_view,
        name="jury_affectations_auto",
    ),
    path(
        "jury/affectations/<int:pk>/retirer/",
        views.affectation_remove_view,
        name="jury_affectation_retirer",
    ),
]
