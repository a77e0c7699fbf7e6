"""URLs of the deliberation area (namespace ``evaluations``: see ``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.deliberation import views

urlpatterns: list[URLPattern] = [
    path(
        "jury/inscriptions/<int:pk>/deliberation/",
        views.deliberation_view,
        name="deliberation",
    ),
    path(
        "jury/inscriptions/<int:pk>/absence/",
        views.absence_view,
        name="absence",
    ),
    path(
        "jury/inscriptions/<int:pk>/deliberation/rouvrir/",
        views.deliberation_rouvrir_view,
        name="deliberation_rouvrir",
    ),
    path(
        "jury/inscriptions/<int:pk>/historique/",
        views.historique_view,
        name="jury_historique",
    ),
    path("jury/dispenses/", views.dispenses_list_view, name="dispenses"),
    path(
        "jury/dispenses/inscriptions/<int:inscription_pk>/",
        views.dispenses_inscription_view,
        name="dispenses_inscription",
    ),
    path(
        "jury/dispenses/propositions/<int:pk>/decider/",
        views.dispense_decider_view,
        name="dispense_decider",
    ),
]
