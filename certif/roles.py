"""The platform's roles. A role is a Django group; these helpers are the only place
that knows the group names."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from certif.models import User


class Role(models.TextChoices):
    ADMINISTRATEUR = "administrateur", _("Administrateur")
    PRESIDENT = "president_jury", _("Président du jury")
    MEMBRE_JURY = "membre_jury", _("Membre du jury")
    CANDIDAT = "candidat", _("Candidat")
    REFERENT_HANDICAP = "referent_handicap", _("Référent handicap")


def roles_of(user: User) -> frozenset[str]:
    """The role names of a user, cached on the instance for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_certif_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._certif_roles = cached
    return cached


def has_role(user: User, *roles: Role) -> bool:
    return not roles_of(user).isdisjoint(roles)


def is_admin(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATEUR)
