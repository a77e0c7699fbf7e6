from typing import Any

from django.http import HttpRequest

from certif.roles import Role, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's roles to templates for the navigation only; every view
    checks its permission itself."""
    user = getattr(request, "user", None)
    names = roles_of(user) if user is not None else frozenset()  # type: ignore[arg-type]
    flags = {role.name.lower(): role.value in names for role in Role}
    flags["any"] = bool(names)
    return {"user_roles": flags}
