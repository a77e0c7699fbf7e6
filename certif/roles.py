"""The platform's roles. A role is a Django group; these helpers are the only place
that knows the group names."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from certif.expressions import ListSubquery
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


def roles_subquery(user_ref: str) -> ListSubquery:
    """The role names of the user at ``user_ref`` (a field of the outer query), to
    read them with another row; ``roles_remember`` keeps them for the request."""
    return ListSubquery(Group.objects.filter(user=OuterRef(user_ref)), "name")


def roles_remember(user: User, names: Iterable[str]) -> None:
    """Keep the role names read with another row (``roles_subquery``) for the
    request, as ``roles_of`` would have read them."""
    user._certif_roles = frozenset(names)


def has_role(user: User, *roles: Role) -> bool:
    return not roles_of(user).isdisjoint(roles)


def is_admin(user: User) -> bool:
    return has_role(user, Role.ADMINISTRATEUR)


# Roles that open health data (disability files): granted only by a superuser,
# never to oneself.
ROLES_SANTE = frozenset({Role.REFERENT_HANDICAP.value})


def role_change_errors(
    *,
    user: User,
    before: frozenset[str],
    after: frozenset[str],
    by: User | None,
) -> list[str]:
    """Why the roles of ``user`` may not go from ``before`` to ``after`` when
    ``by`` changes them (``None``: the server's operator, from a command or a
    shell). Empty when the change is allowed. The one home of these rules: the
    admin's form shows them, and every other path hits them when the membership
    is written (``certif.audit``)."""
    errors = []
    added = after - before
    if added & ROLES_SANTE and by is not None:
        if not by.is_superuser:
            errors.append(
                _(
                    "Seul un superutilisateur peut donner le rôle « Référent "
                    "handicap », qui ouvre des données de santé."
                )
            )
        elif by.pk == user.pk:
            errors.append(
                _(
                    "Personne ne se donne à soi-même le rôle « Référent handicap » : "
                    "un autre superutilisateur doit le faire."
                )
            )
    cumul = {Role.ADMINISTRATEUR.value, Role.REFERENT_HANDICAP.value}
    if (
        cumul <= after
        and not cumul <= before
        and not settings.ROLES_CUMUL_ADMIN_REFERENT
    ):
        errors.append(
            _(
                "Un même compte ne peut pas être à la fois administrateur et "
                "référent handicap (réglage ROLES_CUMUL_ADMIN_REFERENT)."
            )
        )
    return [str(error) for error in errors]
