"""URLs of the livrables area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.livrables import views

urlpatterns: list[URLPattern] = [
    path("candidat/", views.mon_dossier_view, name="mon_dossier"),
    path("candidat/inscriptions/<int:pk>/", views.dossier_view, name="dossier"),
    path(
        "candidat/inscriptions/<int:pk>/reglement/",
        views.reglement_accepter_view,
        name="reglement_accepter",
    ),
    path(
        "candidat/inscriptions/<int:pk>/modalites/<int:modalite_pk>/deposer/",
        views.depot_view,
        name="depot",
    ),
    path(
        "candidat/inscriptions/<int:pk>/recu/",
        views.recu_view,
        name="depot_recu",
    ),
    path("livrables/<int:pk>/retirer/", views.retrait_view, name="livrable_retirer"),
    path(
        "livrables/<int:pk>/accuse-depot/",
        views.livrable_recu_view,
        name="livrable_recu",
    ),
    path(
        "livrables/<int:pk>/telecharger/",
        views.livrable_download_view,
        name="livrable_download",
    ),
    path(
        "sessions/<int:pk>/inscriptions/<int:inscription_pk>/report/",
        views.inscription_report_view,
        name="session_report",
    ),
]
