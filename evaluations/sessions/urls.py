"""URLs of the sessions area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.sessions import views

urlpatterns: list[URLPattern] = [
    path("sessions/", views.session_list_view, name="session_list"),
    path("sessions/nouvelle/", views.session_create_view, name="session_create"),
    path(
        "sessions/import/exemple.csv",
        views.import_example_view,
        name="session_import_example",
    ),
    path("sessions/<int:pk>/", views.session_detail_view, name="session_detail"),
    path(
        "candidats/<int:pk>/identite/",
        views.candidat_identite_view,
        name="candidat_identite",
    ),
    path(
        "sessions/<int:pk>/modifier/",
        views.session_edit_view,
        name="session_edit",
    ),
    path(
        "sessions/<int:pk>/statut/<slug:action>/",
        views.session_transition_view,
        name="session_transition",
    ),
    path(
        "sessions/<int:pk>/inscrire/",
        views.inscription_create_view,
        name="session_inscrire",
    ),
    path(
        "sessions/<int:pk>/inscrire/existant/",
        views.inscription_existing_view,
        name="session_inscrire_existant",
    ),
    path(
        "sessions/<int:pk>/inscriptions/<int:inscription_pk>/inviter/",
        views.inscription_reinvite_view,
        name="session_reinviter",
    ),
    path("sessions/<int:pk>/import/", views.import_view, name="session_import"),
    path(
        "sessions/<int:pk>/import/<int:import_pk>/",
        views.import_preview_view,
        name="session_import_preview",
    ),
    path(
        "sessions/<int:pk>/import/<int:import_pk>/confirmer/",
        views.import_confirm_view,
        name="session_import_confirm",
    ),
    path(
        "sessions/<int:pk>/inscriptions/<int:inscription_pk>/desistement/",
        views.inscription_desister_view,
        name="session_desistement",
    ),
    path(
        "sessions/<int:pk>/retour-ouverte/",
        views.session_retour_view,
        name="session_retour",
    ),
]
