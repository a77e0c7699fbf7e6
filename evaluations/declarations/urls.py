"""URLs of the declarations area (namespace ``evaluations``: see
``evaluations/urls.py``)."""

from django.urls import URLPattern, path

from evaluations.declarations import views

urlpatterns: list[URLPattern] = [
    path("declarations/", views.declarations_view, name="declarations"),
    path("declarations/lots/nouveau/", views.lot_create_view, name="lot_cdc_create"),
    path("declarations/lots/<int:pk>/", views.lot_view, name="lot_cdc"),
    path(
        "declarations/lots/<int:pk>/fichier.xml",
        views.lot_fichier_view,
        name="lot_cdc_fichier",
    ),
    path(
        "declarations/lots/<int:pk>/deposer/",
        views.lot_deposit_view,
        name="lot_cdc_deposer",
    ),
    path(
        "declarations/lots/<int:pk>/tout-accepter/",
        views.lot_accept_all_view,
        name="lot_cdc_accepter",
    ),
    path(
        "declarations/<int:pk>/reponse/",
        views.declaration_answer_view,
        name="declaration_cdc_reponse",
    ),
]
