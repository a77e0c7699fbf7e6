"""URLs of the statistics area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.statistiques import views

urlpatterns: list[URLPattern] = [
    path("statistiques/", views.statistiques_view, name="statistiques"),
    path(
        "statistiques/tableaux/<slug:cle>.<str:format>",
        views.tableau_export_view,
        name="statistiques_tableau",
    ),
    path(
        "statistiques/exports/",
        views.export_launch_view,
        name="export_launch",
    ),
    path(
        "statistiques/exports/<int:pk>/",
        views.export_detail_view,
        name="export_detail",
    ),
    path(
        "statistiques/exports/<int:pk>/telecharger/",
        views.export_download_view,
        name="export_download",
    ),
]
