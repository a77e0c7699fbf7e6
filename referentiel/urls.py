from django.urls import path

from referentiel import views

app_name = "referentiel"
urlpatterns = [
    path("", views.referentiel_list_view, name="list"),
    path("<int:pk>/", views.referentiel_detail_view, name="detail"),
    path("<int:pk>/pdf/", views.referentiel_pdf_view, name="pdf"),
]
