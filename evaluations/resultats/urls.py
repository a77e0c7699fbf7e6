"""URLs of the results area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.resultats import views

urlpatterns: list[URLPattern] = [
    path("resultats/", views.mes_resultats_view, name="mes_resultats"),
    path("resultats/<int:pk>/", views.resultat_view, name="resultat"),
    path(
        "sessions/<int:pk>/resultats/",
        views.publication_view,
        name="publication_resultats",
    ),
    path(
        "sessions/<int:pk>/resultats/programmer/",
        views.publication_schedule_view,
        name="publication_programmer",
    ),
    path(
        "sessions/<int:pk>/resultats/annuler/",
        views.publication_cancel_view,
        name="publication_annuler",
    ),
    path(
        "sessions/<int:pk>/resultats/reprendre/",
        views.publication_resume_view,
        name="publication_reprendre",
    ),
]
