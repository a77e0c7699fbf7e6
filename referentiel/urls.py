from django.urls import path

from referentiel import views
from referentiel.reglement import views as reglement_views

app_name = "referentiel"
urlpatterns = [
    path("", views.referentiel_list_view, name="list"),
    path("<int:pk>/", views.referentiel_detail_view, name="detail"),
    path("<int:pk>/pdf/", views.referentiel_pdf_view, name="pdf"),
    path(
        "certifications/<int:certification_pk>/reglement/",
        reglement_views.reglement_view,
        name="reglement",
    ),
    path(
        "reglements/versions/<int:pk>/",
        reglement_views.reglement_version_view,
        name="reglement_version",
    ),
    path("reglements/", reglement_views.reglements_view, name="reglements"),
    path(
        "reglements/certifications/<int:certification_pk>/nouveau/",
        reglement_views.reglement_nouveau_view,
        name="reglement_nouveau",
    ),
    path(
        "reglements/versions/<int:pk>/modifier/",
        reglement_views.reglement_edit_view,
        name="reglement_edit",
    ),
    path(
        "reglements/versions/<int:pk>/publier/",
        reglement_views.reglement_publier_view,
        name="reglement_publier",
    ),
]
