"""Editing in the Django admin. Only drafts can be changed; published and archived
versions are shown read-only (the services refuse the change as well)."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from referentiel.models import (
    Activite,
    Bloc,
    Certification,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)
from referentiel.services import (
    referentiel_archive,
    referentiel_check_modifiable,
    referentiel_publish,
)


def _referentiel_of(obj: Model | None) -> Referentiel | None:
    if obj is None:
        return None
    if isinstance(obj, Referentiel):
        return obj
    if isinstance(obj, Bloc | Activite | Competence | Critere):
        return obj.referentiel
    if isinstance(obj, Modalite):
        return obj.competence.referentiel
    return None


class DraftOnlyMixin:
    """Read-only once the version is no longer a draft."""

    def _locked(self, obj: Model | None) -> bool:
        referentiel = _referentiel_of(obj)
        return referentiel is not None and not referentiel.est_modifiable

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and self._locked(obj):
            return False
        return super().has_add_permission(request, obj)  # type: ignore[misc]


class DraftOnlyInline(DraftOnlyMixin):
    extra = 0
    show_change_link = True


def _attach(obj: Model) -> None:
    """Fill the denormalised ``referentiel`` of a row from its parent and refuse
    any change to a version that is not a draft."""
    if isinstance(obj, Activite):
        obj.referentiel = obj.bloc.referentiel
    elif isinstance(obj, Competence):
        obj.referentiel = obj.activite.referentiel
    elif isinstance(obj, Critere):
        obj.referentiel = obj.competence.referentiel
    referentiel = _referentiel_of(obj)
    if referentiel is not None and referentiel.pk:
        referentiel_check_modifiable(referentiel)


class DraftOnlyModelAdmin(DraftOnlyMixin, admin.ModelAdmin):
    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        _attach(obj)
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            _attach(obj)
            obj.delete()
        for obj in instances:
            _attach(obj)
            obj.save()
        formset.save_m2m()


class BlocInline(DraftOnlyInline, admin.TabularInline):
    model = Bloc
    fields = ("ordre", "code", "intitule")


class ActiviteInline(DraftOnlyInline, admin.TabularInline):
    model = Activite
    fields = ("ordre", "code", "intitule")


class CompetenceInline(DraftOnlyInline, admin.StackedInline):
    model = Competence
    fields = ("ordre", "code", "intitule", "details")


class ModaliteInline(DraftOnlyInline, admin.StackedInline):
    model = Modalite
    fields = ("type", "intitule", "description", "description_capitalisation")


class CritereInline(DraftOnlyInline, admin.TabularInline):
    model = Critere
    fields = ("ordre", "code", "intitule")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("code", "intitule", "niveau")
    search_fields = ("code", "intitule")


@admin.register(Referentiel)
class ReferentielAdmin(DraftOnlyModelAdmin):
    list_display = ("certification", "version", "statut", "cree_le", "publie_le")
    list_filter = ("statut", "certification")
    search_fields = ("certification__code", "certification__intitule", "version")
    readonly_fields = ("statut", "publie_le", "source")
    inlines = (BlocInline,)
    actions = ("publier", "archiver")

    @admin.action(description=_("Publier les versions sélectionnées"))
    def publier(self, request: HttpRequest, queryset: QuerySet[Referentiel]) -> None:
        for referentiel in queryset:
            try:
                referentiel_publish(referentiel=referentiel)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("%s publiée.") % referentiel)

    @admin.action(description=_("Archiver les versions sélectionnées"))
    def archiver(self, request: HttpRequest, queryset: QuerySet[Referentiel]) -> None:
        for referentiel in queryset:
            try:
                referentiel_archive(referentiel=referentiel)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("%s archivée.") % referentiel)


@admin.register(Bloc)
class BlocAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", "referentiel")
    list_filter = ("referentiel",)
    search_fields = ("code", "intitule")
    ordering = ("referentiel", "ordre")
    inlines = (ActiviteInline,)


@admin.register(Activite)
class ActiviteAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", "bloc")
    list_filter = ("referentiel",)
    search_fields = ("code", "intitule")
    ordering = ("referentiel", "bloc__ordre", "ordre")
    inlines = (CompetenceInline,)


@admin.register(Competence)
class CompetenceAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", "activite")
    list_filter = ("referentiel",)
    search_fields = ("code", "intitule", "details")
    ordering = ("referentiel", "activite__bloc__ordre", "activite__ordre", "ordre")
    inlines = (ModaliteInline, CritereInline)


@admin.register(Critere)
class CritereAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", "competence")
    list_filter = ("referentiel",)
    search_fields = ("code", "intitule")
    ordering = (
        "referentiel",
        "competence__activite__bloc__ordre",
        "competence__ordre",
        "ordre",
    )
