from django.http import HttpRequest

from certif.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is logged in (use under @login_required)."""

    user: User
