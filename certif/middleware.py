"""Cross-cutting request filters."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from certif.errors import bad_request_response

NUL = "\x00"
SEEN_KEY = "certif_vu"


def _has_nul(data: QueryDict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values)
        for key, values in data.lists()
    )


class RefuseNulMiddleware:
    """Refuse, with a French 400 page, any request whose query string or form
    fields hold a NUL character. PostgreSQL cannot store or compare one in a text
    column (a 500 otherwise), and no legitimate input holds one: checked here,
    once, for every view and every form, rather than field by field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET) or (
            request.method == "POST" and _has_nul(request.POST)
        ):
            return bad_request_response(
                request,
                message=_(
                    "La requête contient un caractère nul (invisible) : retirez-le "
                    "du texte saisi et réessayez."
                ),
            )
        return self.get_response(request)


class PrivateSessionMiddleware:
    """Two rules of logged-in use, for every page.

    Nothing a logged-in person sees is stored by the browser or a proxy
    (``Cache-Control: private, no-store``): pages show personal data, health
    data and documents. And the session lives ``SESSION_COOKIE_AGE`` seconds after
    the last request: it is saved again (its expiry moved) at most once every
    tenth of that time, not on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        logged_in = SESSION_KEY in request.session
        if logged_in:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if (
                not isinstance(seen, int)
                or now - seen > settings.SESSION_COOKIE_AGE // 10
            ):
                request.session[SEEN_KEY] = now
        response = self.get_response(request)
        if logged_in or SESSION_KEY in request.session:
            patch_cache_control(response, private=True, no_store=True)
        return response


def session_mark_seen(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """At login (``user_logged_in``): the idle clock starts now, in the save the
    login makes anyway, so the next page does not save the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())


class ServerTimingMiddleware:
    """With ``SERVER_TIMING`` on (the benchmarks), every response tells the CPU
    time its request took in its thread: ``Server-Timing: cpu;dur=<ms>``
    (``time.thread_time``), a figure that other processes on the machine do not
    change, unlike the elapsed time. Off by default: then it is not even in the
    chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.thread_time()
        response = self.get_response(request)
        response["Server-Timing"] = f"cpu;dur={(time.thread_time() - start) * 1000:.2f}"
        return response
