"""URLs of the live épreuves (namespace ``evaluations``)."""

from django.urls import URLPattern, path

from evaluations.epreuves import views

urlpatterns: list[URLPattern] = [
    path("epreuves/sessions/<int:pk>/", views.planning_view, name="epreuves_planning"),
    path(
        "epreuves/sessions/<int:pk>/generer/",
        views.generation_view,
        name="epreuves_generer",
    ),
    path(
        "epreuves/sessions/<int:pk>/reglages/",
        views.reglages_view,
        name="epreuves_reglages",
    ),
    path("epreuves/sessions/<int:pk>/vider/", views.vider_view, name="epreuves_vider"),
    path(
        "epreuves/sessions/<int:pk>/publier/",
        views.publier_view,
        name="epreuves_publier",
    ),
    path(
        "epreuves/sessions/<int:pk>/planning.pdf",
        views.planning_pdf_view,
        name="epreuves_planning_pdf",
    ),
    path(
        "epreuves/passages/<int:pk>/",
        views.passage_edit_view,
        name="epreuves_passage",
    ),
    path(
        "epreuves/passages/<int:pk>/presence/",
        views.presence_view,
        name="epreuves_presence",
    ),
    path(
        "epreuves/passages/<int:pk>/justifier/",
        views.justifier_view,
        name="epreuves_justifier",
    ),
    path("epreuves/sites/", views.sites_view, name="epreuves_sites"),
    path(
        "epreuves/sites/ajouter/", views.site_create_view, name="epreuves_site_ajouter"
    ),
    path("epreuves/sites/<int:pk>/", views.site_edit_view, name="epreuves_site"),
    path(
        "epreuves/sites/<int:pk>/supprimer/",
        views.site_delete_view,
        name="epreuves_site_supprimer",
    ),
    path(
        "epreuves/sites/<int:pk>/salles/ajouter/",
        views.salle_create_view,
        name="epreuves_salle_ajouter",
    ),
    path("epreuves/salles/<int:pk>/", views.salle_edit_view, name="epreuves_salle"),
    path(
        "epreuves/salles/<int:pk>/supprimer/",
        views.salle_delete_view,
        name="epreuves_salle_supprimer",
    ),
    path("epreuves/jury/", views.mes_sessions_view, name="epreuves_mes_sessions"),
    path(
        "epreuves/jury/<int:pk>/",
        views.mes_passages_view,
        name="epreuves_mes_passages",
    ),
    path(
        "epreuves/jury/<int:pk>/disponibilites/",
        views.disponibilite_add_view,
        name="epreuves_disponibilite_ajouter",
    ),
    path(
        "epreuves/disponibilites/<int:pk>/retirer/",
        views.disponibilite_remove_view,
        name="epreuves_disponibilite_retirer",
    ),
    path("epreuves/agenda.ics", views.agenda_ics_view, name="epreuves_agenda_ics"),
    path("epreuves/agenda.pdf", views.agenda_pdf_view, name="epreuves_agenda_pdf"),
    path("epreuves/flux/", views.flux_view, name="epreuves_flux"),
    path(
        "epreuves/flux/<str:jeton>.ics", views.flux_ics_view, name="epreuves_flux_ics"
    ),
    path(
        "epreuves/convocations/",
        views.mes_convocations_view,
        name="epreuves_mes_convocations",
    ),
    path(
        "epreuves/convocations/<int:pk>/convocation.pdf",
        views.convocation_pdf_view,
        name="epreuves_convocation_pdf",
    ),
    path(
        "epreuves/convocations/<int:pk>/convocation.ics",
        views.convocation_ics_view,
        name="epreuves_convocation_ics",
    ),
]
