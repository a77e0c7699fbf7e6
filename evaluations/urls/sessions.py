from django.urls import URLPattern, path

from evaluations.views import candidat, livrables, sessions

urlpatterns: list[URLPattern] = [
    path("sessions/", sessions.session_list_view, name="session_list"),
    path("sessions/nouvelle/", sessions.session_create_view, name="session_create"),
    path(
        "sessions/import/exemple.csv",
        sessions.import_example_view,
        name="session_import_example",
    ),
    path("sessions/<int:pk>/", sessions.session_detail_view, name="session_detail"),
    path(
        "sessions/<int:pk>/modifier/",
        sessions.session_edit_view,
        name="session_edit",
    ),
    path(
        "sessions/<int:pk>/statut/<slug:action>/",
        sessions.session_transition_view,
        name="session_transition",
    ),
    path(
        "sessions/<int:pk>/inscrire/",
        sessions.inscription_create_view,
        name="session_inscrire",
    ),
    path(
        "sessions/<int:pk>/inscrire/existant/",
        sessions.inscription_existing_view,
        name="session_inscrire_existant",
    ),
    path(
        "sessions/<int:pk>/inscriptions/<int:inscription_pk>/inviter/",
        sessions.inscription_reinvite_view,
        name="session_reinviter",
    ),
    path("sessions/<int:pk>/import/", sessions.import_view, name="session_import"),
    path(
        "sessions/<int:pk>/import/<str:token>/",
        sessions.import_preview_view,
        name="session_import_preview",
    ),
    path(
        "sessions/<int:pk>/import-confirmer/",
        sessions.import_confirm_view,
        name="session_import_confirm",
    ),
    path("candidat/", candidat.mon_dossier_view, name="mon_dossier"),
    path("candidat/inscriptions/<int:pk>/", candidat.dossier_view, name="dossier"),
    path(
        "candidat/inscriptions/<int:pk>/modalites/<int:modalite_pk>/deposer/",
        candidat.depot_view,
        name="depot",
    ),
    path(
        "candidat/inscriptions/<int:pk>/recu/",
        candidat.recu_view,
        name="depot_recu",
    ),
    path("livrables/<int:pk>/retirer/", candidat.retrait_view, name="livrable_retirer"),
    path(
        "livrables/<int:pk>/telecharger/",
        livrables.livrable_download_view,
        name="livrable_download",
    ),
]
