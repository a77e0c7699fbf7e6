"""A URL configuration with one failing view, for the 500 tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from certif.urls import urlpatterns as project_urls


def boom_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("panne simulée")


urlpatterns = [path("panne/", boom_view), *project_urls]
handler400 = "certif.errors.bad_request"
handler500 = "certif.errors.server_error"
