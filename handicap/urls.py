from django.urls import path

from handicap import views

app_name = "handicap"
urlpatterns = [
    path("", views.mes_demandes_view, name="mes_demandes"),
    path(
        "inscriptions/<int:inscription_pk>/demande/",
        views.demande_create_view,
        name="demande_create",
    ),
    path("demandes/", views.bureau_view, name="bureau"),
    path("demandes/<int:pk>/", views.demande_detail_view, name="demande_detail"),
    path(
        "demandes/<int:pk>/pieces/<int:piece_pk>/",
        views.piece_download_view,
        name="piece_download",
    ),
    path(
        "demandes/<int:pk>/pieces/ajouter/",
        views.pieces_ajouter_view,
        name="pieces_ajouter",
    ),
    path(
        "demandes/<int:pk>/courrier/",
        views.courrier_download_view,
        name="courrier_download",
    ),
    path(
        "demandes/<int:pk>/instruire/",
        views.demande_instruire_view,
        name="demande_instruire",
    ),
    path(
        "demandes/<int:pk>/decider/", views.demande_decider_view, name="demande_decider"
    ),
    path("journal/", views.journal_view, name="journal"),
    path("formats/", views.formats_view, name="formats"),
    path(
        "formats/<int:pk>/confirmer/",
        views.format_confirmer_view,
        name="format_confirmer",
    ),
]
