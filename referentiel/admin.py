"""Editing in the Django admin. Only drafts can be changed; published and archived
versions are shown read-only (the services refuse the change as well)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from referentiel.forms import CertificateurForm
from referentiel.models import (
    Activite,
    Bloc,
    Certificateur,
    Certification,
    Competence,
    Critere,
    Modalite,
    Referentiel,
)
from referentiel.selectors import version_label_free
from referentiel.services import (
    referentiel_archive,
    referentiel_check_modifiable,
    referentiel_new_draft,
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


class ReferentielChildForm(forms.ModelForm):
    """Codes are unique within a version. The denormalised ``referentiel`` is not a
    form field, so Django cannot check the constraint: check it here, against the
    version of the parent row, so that a duplicate is a form error, not a crash."""

    def validate_unique(self) -> None:
        super().validate_unique()
        model = type(self.instance)
        parent_field = _PARENTS.get(model)
        code = self.cleaned_data.get("code")
        if parent_field is None or not code or self.has_error("code"):
            return
        parent_model = model._meta.get_field(parent_field).related_model
        parent_id = getattr(self.instance, f"{parent_field}_id")
        referentiel_id = (
            parent_model._default_manager.filter(pk=parent_id)
            .values_list("referentiel_id", flat=True)
            .first()
        )
        duplicate = (
            model._default_manager.filter(referentiel_id=referentiel_id, code=code)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            self.add_error(
                "code",
                _("Le code %(code)s est déjà utilisé dans cette version.")
                % {"code": code},
            )


# model with a denormalised ``referentiel`` -> the parent it is copied from
_PARENTS: dict[type[Model], str] = {
    Activite: "bloc",
    Competence: "activite",
    Critere: "competence",
}


class ReferentielChildFormSet(BaseInlineFormSet):
    """Refuse two rows with the same code in one submission."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get(
                DELETION_FIELD_NAME, False
            ):
                continue
            code = form.cleaned_data.get("code")
            if code and code in seen:
                form.add_error(
                    "code",
                    _("Le code %(code)s apparaît deux fois.") % {"code": code},
                )
            elif code:
                seen.add(code)


def _locked(obj: Model | None) -> bool:
    referentiel = _referentiel_of(obj)
    return referentiel is not None and not referentiel.est_modifiable


# foreign keys whose choices are limited to rows of draft versions
_DRAFT_CHOICES = {
    "referentiel": {"statut": Referentiel.Statut.BROUILLON},
    "bloc": {"referentiel__statut": Referentiel.Statut.BROUILLON},
    "activite": {"referentiel__statut": Referentiel.Statut.BROUILLON},
    "competence": {"referentiel__statut": Referentiel.Statut.BROUILLON},
}


class DraftOnlyInline(admin.options.InlineModelAdmin[Any, Any]):
    """Inline rows of a version: read-only when the parent's version is not a
    draft (``obj`` is the parent object)."""

    extra = 0
    show_change_link = True
    form = ReferentielChildForm
    formset = ReferentielChildFormSet

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(obj) and super().has_delete_permission(request, obj)


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


class DraftOnlyModelAdmin(admin.ModelAdmin):
    """Read-only once the version is no longer a draft; new rows only in drafts."""

    form = ReferentielChildForm

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _locked(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name in _DRAFT_CHOICES:
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **_DRAFT_CHOICES[db_field.name]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> None:
        _attach(obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        _attach(obj)
        super().delete_model(request, obj)

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
    fields = ("ordre", "code", "code_rncp", "intitule")


class ActiviteInline(DraftOnlyInline, admin.TabularInline):
    model = Activite
    fields = ("ordre", "code", "intitule")


class CompetenceInline(DraftOnlyInline, admin.StackedInline):
    model = Competence
    fields = ("ordre", "code", "intitule", "details")


class ModaliteInline(DraftOnlyInline, admin.StackedInline):
    model = Modalite
    fields = (
        "type",
        "intitule",
        "description",
        "description_capitalisation",
        "cadre_amenagements",
        "en_presence",
        "duree_minutes",
        "apres_depot",
    )
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 80})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 4, "cols": 80})},
    }


class CritereInline(DraftOnlyInline, admin.TabularInline):
    model = Critere
    fields = ("ordre", "code", "intitule")
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}
    }


@admin.register(Certificateur)
class CertificateurAdmin(admin.ModelAdmin):
    """The certifier's identity, signatory and images. Every change is kept in
    the admin's history (who, when, which fields)."""

    form = CertificateurForm
    list_display = ("raison_sociale", "siret", "ville", "signataire_nom", "specimen")
    search_fields = ("raison_sociale", "siret")
    fieldsets = (
        (None, {"fields": ("raison_sociale", "siret", "adresse", "ville", "logo")}),
        (
            _("Signature des documents"),
            {"fields": ("signataire_nom", "signataire_qualite", "signature")},
        ),
        (_("Recours"), {"fields": ("recours",)}),
        (
            _("Déclaration des titulaires à la Caisse des Dépôts"),
            {
                "fields": (
                    "cdc_id_client_emetteur",
                    "cdc_id_client_certificateur",
                    "cdc_id_contrat",
                    "cdc_nature_deposant",
                )
            },
        ),
        (_("Démonstration"), {"fields": ("specimen",)}),
    )


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    """The RNCP registration. The code and level are the référentiel's; the
    registration decision, NSF codes and certifier are edited here."""

    list_display = ("code", "intitule", "niveau", "certificateur")
    search_fields = ("code", "intitule")
    fields = (
        "certificateur",
        "code",
        "intitule",
        "niveau",
        "nsf",
        "date_enregistrement",
        "date_fin_enregistrement",
        "duree_validite_blocs_mois",
    )


@admin.register(Referentiel)
class ReferentielAdmin(DraftOnlyModelAdmin):
    list_display = ("certification", "version", "statut", "cree_le", "publie_le")
    list_filter = ("statut", "certification")
    search_fields = ("certification__code", "certification__intitule", "version")
    readonly_fields = ("statut", "publie_le", "source")
    inlines = (BlocInline,)
    actions = ("publier", "archiver", "nouveau_brouillon")

    @admin.action(description=_("Publier les versions sélectionnées"))
    def publier(self, request: HttpRequest, queryset: QuerySet[Referentiel]) -> None:
        self._apply(request, queryset, referentiel_publish, _("publiée"))

    @admin.action(description=_("Archiver les versions sélectionnées"))
    def archiver(self, request: HttpRequest, queryset: QuerySet[Referentiel]) -> None:
        self._apply(request, queryset, referentiel_archive, _("archivée"))

    @admin.action(
        description=_("Créer un brouillon à partir des versions sélectionnées")
    )
    def nouveau_brouillon(
        self, request: HttpRequest, queryset: QuerySet[Referentiel]
    ) -> None:
        """Copy each selected version into a new draft (numbered after the
        certification's existing versions; the label can be changed in the draft)."""
        for referentiel in queryset.select_related("certification"):
            label = version_label_free(certification_id=referentiel.certification_id)
            try:
                draft = referentiel_new_draft(referentiel=referentiel, version=label)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                continue
            message = _(
                "Version brouillon %(draft)s de %(code)s créée à partir de la "
                "version %(version)s."
            ) % {
                "draft": draft.version,
                "code": referentiel.certification.code,
                "version": referentiel.version,
            }
            self.log_addition(request, draft, message)
            self.message_user(request, message)

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Referentiel],
        service: Callable[..., Referentiel],
        done: str | Promise,
    ) -> None:
        """Run ``service`` on each version, report each outcome, and record each
        change in the admin log (who, when, what)."""
        for referentiel in queryset.select_related("certification"):
            try:
                referentiel = service(referentiel=referentiel)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                continue
            message = _("Version %(version)s de %(code)s %(done)s.") % {
                "version": referentiel.version,
                "code": referentiel.certification.code,
                "done": done,
            }
            self.log_change(request, referentiel, message)
            self.message_user(request, message)


@admin.display(description=_("version"), ordering="referentiel__version")
def _version(obj: Bloc | Competence | Critere) -> str:
    """Which version a row belongs to: two « C1.1.1 » of two versions differ."""
    referentiel = obj.referentiel
    return f"v{referentiel.version} ({referentiel.get_statut_display()})"


@admin.register(Bloc)
class BlocAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", _version)
    list_filter = ("referentiel",)
    list_select_related = ("referentiel",)
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
    list_display = ("code", "intitule", "activite", _version)
    list_filter = ("referentiel",)
    list_select_related = ("referentiel", "activite")
    search_fields = ("code", "intitule", "details")
    ordering = ("referentiel", "activite__bloc__ordre", "activite__ordre", "ordre")
    inlines = (ModaliteInline, CritereInline)


@admin.register(Critere)
class CritereAdmin(DraftOnlyModelAdmin):
    list_display = ("code", "intitule", "competence", _version)
    list_filter = ("referentiel",)
    list_select_related = ("referentiel", "competence")
    search_fields = ("code", "intitule")
    ordering = (
        "referentiel",
        "competence__activite__bloc__ordre",
        "competence__ordre",
        "ordre",
    )
