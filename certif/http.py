from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString

from certif.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is logged in (use under @login_required)."""

    user: User


def csrf_input(request: HttpRequest) -> SafeString:
    """The hidden CSRF field as ``{% csrf_token %}`` writes it, rendered once: a
    page whose rows each carry a form (the jury page: a hundred) prints it rather
    than rendering the tag for each form."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
        get_token(request),
    )
