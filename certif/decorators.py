from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

from certif.http import AuthenticatedHttpRequest
from certif.roles import Role, has_role, roles_of

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def role_required(
    *roles: Role,
) -> Callable[
    [Callable[Concatenate[AuthenticatedHttpRequest, P], R]],
    Callable[Concatenate[AuthenticatedHttpRequest, P], R],
]:
    """403 unless the (logged-in) user has one of ``roles``; with no roles given,
    any role will do. Put it under ``@login_required``. The view keeps its own
    signature and response type (``HttpResponse``, ``FileResponse``…)."""

    def decorator(
        view: Callable[Concatenate[AuthenticatedHttpRequest, P], R],
    ) -> Callable[Concatenate[AuthenticatedHttpRequest, P], R]:
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs
        ) -> R:
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
