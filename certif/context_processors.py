from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from certif.navigation import menu_for
from certif.roles import Role, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """The menu's links and the user's roles, for the navigation only; every view
    checks its permission itself."""
    user = getattr(request, "user", None)
    names = roles_of(user) if user is not None else frozenset()
    flags = {role.name.lower(): role.value in names for role in Role}
    flags["any"] = bool(names)
    return {
        "user_roles": flags,
        "menu": SimpleLazyObject(
            lambda: menu_for(user=user) if user is not None and names else []
        ),
    }
