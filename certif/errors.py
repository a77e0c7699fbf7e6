"""French error pages (400, 403, 404, 429, 500)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views import defaults


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return bad_request_response(request)


def bad_request_response(request: HttpRequest, *, message: str = "") -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.permission_denied(request, exception, template_name="403.html")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.page_not_found(request, exception, template_name="404.html")


def too_many_requests(
    request: HttpRequest, *, retry_after: int, template: str = "429.html"
) -> HttpResponse:
    """429 with a French page and a ``Retry-After`` that is the true wait."""
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request,
        template,
        {"secondes": retry_after, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request's context (which may be what
    failed). It says the team was told only when errors are mailed (``ADMINS``:
    Django's ``mail_admins`` handler sends every 500 to them)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"equipe_prevenue": bool(settings.ADMINS)})
    )
