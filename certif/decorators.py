from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from certif.http import AuthenticatedHttpRequest
from certif.roles import Role, has_role, roles_of

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """403 unless the (logged-in) user has one of ``roles``; with no roles given,
    any role will do. Put it under ``@login_required``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            allowed = (
                has_role(request.user, *roles)
                if roles
                else bool(roles_of(request.user))
            )
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
