from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from certif.messages import absolute_url
from certif.models import User
from certif.roles import Role

# Django-admin permissions of the administrators' group, by app label. Handicap
# models are deliberately absent: their content is confidential.
ADMIN_PERMISSION_APPS = ("referentiel",)
ADMIN_PERMISSION_MODELS = (
    ("certif", "user"),
    ("auth", "group"),
    # The places of the live épreuves, edited in the admin.
    ("evaluations", "site"),
    ("evaluations", "salle"),
)
# The role-change log: read by administrators, written only by certif.audit.
ADMIN_VIEW_PERMISSIONS = (("certif", "view_changementrole"),)


@transaction.atomic
def roles_setup() -> dict[Role, Group]:
    """Create one group per role (idempotent) and give administrators the admin
    permissions they need."""
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    permissions = Permission.objects.filter(
        content_type__app_label__in=ADMIN_PERMISSION_APPS
    )
    for app_label, model in ADMIN_PERMISSION_MODELS:
        permissions |= Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model
        )
    for app_label, codename in ADMIN_VIEW_PERMISSIONS:
        permissions |= Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    groups[Role.ADMINISTRATEUR].permissions.set(permissions)
    return groups


@transaction.atomic
def user_ensure(
    *,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[Role],
    password: str | None = None,
) -> tuple[User, bool]:
    """Create the account if missing (idempotent, by e-mail) and give it ``roles``.
    An existing account keeps its password."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.is_staff = Role.ADMINISTRATEUR in roles
        user.full_clean()
        user.save()
    groups = Group.objects.filter(name__in=[role.value for role in roles])
    user.groups.add(*groups)
    return user, created


def password_link(user: User) -> str:
    """The absolute link (on ``SITE_URL``) where ``user`` chooses a password: the
    invitation and the password reset send it. It lasts
    ``PASSWORD_RESET_TIMEOUT`` and dies once the password changes."""
    return absolute_url(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
