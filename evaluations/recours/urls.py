"""URLs of the appeals area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.recours import views

urlpatterns: list[URLPattern] = [
    path(
        "resultats/<int:pk>/recours/",
        views.recours_deposer_view,
        name="recours_deposer",
    ),
    path("recours/", views.recours_list_view, name="recours_list"),
    path("recours/<int:pk>/", views.recours_detail_view, name="recours_detail"),
    path(
        "recours/<int:pk>/instruire/",
        views.recours_instruire_view,
        name="recours_instruire",
    ),
    path(
        "recours/<int:pk>/decider/",
        views.recours_decider_view,
        name="recours_decider",
    ),
    path(
        "recours/<int:pk>/reediter/",
        views.recours_reediter_view,
        name="recours_reediter",
    ),
    path(
        "recours/<int:pk>/addendum/",
        views.recours_addendum_view,
        name="recours_addendum",
    ),
    path(
        "recours/pieces/<int:pk>/",
        views.piece_download_view,
        name="recours_piece",
    ),
]
