from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certif.models import ChangementRole, User
from certif.roles import role_change_errors

admin.site.site_header = _("Administration de la certification")
admin.site.site_title = _("certif")
admin.site.index_title = _("Référentiels, comptes et rôles")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (
            _("Droits"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: Any = None
    ) -> list[str] | tuple[Any, ...]:
        """Only a superuser makes a superuser."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if not getattr(request.user, "is_superuser", False):
            fields += ("is_superuser",)
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[User]]:
        base = super().get_form(request, obj, change=change, **kwargs)
        by = request.user if isinstance(request.user, User) else None

        class RolesCheckedForm(base):  # type: ignore[valid-type,misc]
            """The role rules (``role_change_errors``) as form errors."""

            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                if "groups" in cleaned and self.instance.pk:
                    before = frozenset(
                        self.instance.groups.values_list("name", flat=True)
                    )
                    after = frozenset(group.name for group in cleaned["groups"])
                    for error in role_change_errors(
                        user=self.instance, before=before, after=after, by=by
                    ):
                        self.add_error("groups", error)
                return cleaned

        return RolesCheckedForm


@admin.register(ChangementRole)
class ChangementRoleAdmin(admin.ModelAdmin[ChangementRole]):
    """The role-change log: read only."""

    list_display = ("date", "utilisateur_email", "action", "role", "par_email")
    list_filter = ("action", "role")
    search_fields = ("utilisateur_email", "par_email")
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
