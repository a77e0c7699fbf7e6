"""The audit trail of role changes (``ChangementRole``) and the rules that guard
them, hooked to the membership relation itself.

Signals are used here on purpose: a membership changes through the admin's user
form, a group's side of the relation (``group.user_set.add``), a bulk ``set`` or
``clear``, a service or a shell; only ``m2m_changed`` sees every one of these, so
no path escapes the log or the rules (``certif.roles.role_change_errors``). The
rules raise ``ValidationError`` before anything is written; the admin's form
checks the same rules first to show them as messages."""

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed, pre_save
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from certif.models import ChangementRole, User
from certif.roles import role_change_errors


def acting_user() -> User | None:
    """Who is making the change: the logged-in user of the current request
    (django-simple-history's request middleware keeps it), ``None`` outside a
    request (a command, a shell, a task)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def _log(user: User, role: str, action: str, by: User | None) -> ChangementRole:
    return ChangementRole.objects.create(
        par=by,
        par_email=by.email if by is not None else "",
        utilisateur=user,
        utilisateur_email=user.email,
        role=role,
        action=action,
    )


def _group_names(user: User) -> frozenset[str]:
    return frozenset(user.groups.values_list("name", flat=True))


def _pairs(
    instance: Any, reverse: bool, pk_set: set[int] | None
) -> list[tuple[User, Group]]:
    """The (account, group) pairs a change names."""
    if reverse:
        group = instance
        users = User.objects.filter(pk__in=pk_set or ())
        return [(user, group) for user in users]
    groups = Group.objects.filter(pk__in=pk_set or ())
    return [(instance, group) for group in groups]


def membership_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    by = acting_user()
    if action == "pre_add":
        by_user: dict[int, tuple[User, set[str]]] = {}
        for user, group in _pairs(instance, reverse, pk_set):
            by_user.setdefault(user.pk, (user, set()))[1].add(group.name)
        for user, names in by_user.values():
            before = _group_names(user)
            errors = role_change_errors(
                user=user, before=before, after=before | names, by=by
            )
            if errors:
                raise ValidationError(errors)
    elif action == "post_add":
        for user, group in _pairs(instance, reverse, pk_set):
            _log(user, group.name, ChangementRole.Action.AJOUT, by)
    elif action in {"pre_remove", "pre_clear"}:
        if action == "pre_clear":
            pairs = (
                [(user, instance) for user in instance.user_set.all()]
                if reverse
                else [(instance, group) for group in instance.groups.all()]
            )
        else:
            pairs = _pairs(instance, reverse, pk_set)
        for user, group in pairs:
            if user.groups.filter(pk=group.pk).exists():
                _log(user, group.name, ChangementRole.Action.RETRAIT, by)


def new_accounts_role_grant(
    *, users: list[User], group: Group, by: User | None
) -> None:
    """Give ``group`` to accounts created a moment ago, in bulk (the CSV import
    of thousands of candidates): the relation's rows and their log rows are
    written in two statements. The rules have nothing to refuse: a new account
    holds no role yet, and only roles that open no health data and need no
    superuser may be given this way."""
    errors = role_change_errors(
        user=User(), before=frozenset(), after=frozenset({group.name}), by=by
    )
    if errors:
        raise ValidationError(errors)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users],
        batch_size=1000,
    )
    ChangementRole.objects.bulk_create(
        [
            ChangementRole(
                par=by,
                par_email=by.email if by is not None else "",
                utilisateur=u,
                utilisateur_email=u.email,
                role=group.name,
                action=ChangementRole.Action.AJOUT,
            )
            for u in users
        ],
        batch_size=1000,
    )


def superuser_changed(sender: Any, instance: User, **kwargs: Any) -> None:
    """Log a change of the superuser status; only a superuser may give it."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "is_superuser" not in update_fields:
        return
    was = (
        User.objects.filter(pk=instance.pk)
        .values_list("is_superuser", flat=True)
        .first()
        if instance.pk
        else False
    )
    if bool(was) == instance.is_superuser:
        return
    by = acting_user()
    if instance.is_superuser and by is not None and not by.is_superuser:
        raise ValidationError(
            _("Seul un superutilisateur peut donner le statut de superutilisateur.")
        )
    if instance.pk:
        _log(
            instance,
            ChangementRole.SUPERUTILISATEUR,
            ChangementRole.Action.AJOUT
            if instance.is_superuser
            else ChangementRole.Action.RETRAIT,
            by,
        )


def connect() -> None:
    m2m_changed.connect(
        membership_changed,
        sender=User.groups.through,
        dispatch_uid="certif_membership_changed",
    )
    pre_save.connect(superuser_changed, sender=User, dispatch_uid="certif_superuser")
