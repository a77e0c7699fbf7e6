"""Forms of the handicap app. They only collect input: the rules (consent, needs,
path, conditions of an exemption) are enforced by the services, whose French
messages are shown on the fields."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from certif.forms import model_choice_field
from certif.uploads import PIECES
from evaluations.sessions.models import Inscription
from handicap.models import (
    CONSENTEMENT_TEXTE,
    MAJORATION_MAX,
    MAJORATION_MIN,
    Amenagement,
)
from handicap.selectors import criteres_du_parcours, modalites_du_parcours
from handicap.services import MAJORATION_HORS_TEMPS
from referentiel.models import Critere, Modalite


class ModaliteChoiceMixin:
    def label_from_instance(self, obj: Modalite) -> str:
        return f"{obj.competence.code} — {obj.intitule}"


class ModalitesField(ModaliteChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class ModaliteField(ModaliteChoiceMixin, forms.ModelChoiceField):
    pass


class CritereField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Critere) -> str:
        intitule = obj.intitule if len(obj.intitule) <= 90 else f"{obj.intitule[:89]}…"
        return f"{obj.code} — {intitule}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DemandeForm(forms.Form):
    besoins = forms.CharField(
        label=_("Vos besoins"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Décrivez avec vos mots ce qui vous gêne dans les épreuves et ce qui vous "
            "aiderait. Seuls vous et le référent handicap pourrez lire ce texte."
        ),
    )
    modalites = ModalitesField(
        label=_("Modalités d'évaluation concernées"),
        queryset=Modalite.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pieces = MultipleFileField(
        label=_("Pièces justificatives (facultatif)"),
        required=False,
        help_text=_("PDF, JPEG ou PNG. Confidentielles : lues par le seul référent."),
    )
    consentement = forms.BooleanField(label=CONSENTEMENT_TEXTE, required=False)

    def __init__(self, *args: Any, inscription: Inscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "modalites").queryset = modalites_du_parcours(
            inscription=inscription
        )
        self.fields["pieces"].widget.attrs["accept"] = PIECES.accepte()


class PiecesForm(forms.Form):
    pieces = MultipleFileField(
        label=_("Ajouter des pièces justificatives"),
        required=False,
        help_text=_("PDF, JPEG ou PNG."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pieces"].widget.attrs["accept"] = PIECES.accepte()


class AvisForm(forms.Form):
    avis = forms.CharField(
        label=_("Avis motivé"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Lu par le candidat et par le jury. N'y écrivez aucun détail médical."
        ),
    )


class AmenagementForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("— aucun —")), *Amenagement.Type.choices],
        required=False,
    )
    modalite = ModaliteField(
        label=_("Modalité (format adapté)"),
        queryset=Modalite.objects.none(),
        required=False,
    )
    precision = forms.CharField(
        label=_("Format retenu ou rôle du tiers"),
        max_length=200,
        required=False,
    )
    majoration_pourcent = forms.IntegerField(
        label=_("Majoration du temps (%)"),
        min_value=MAJORATION_MIN,
        max_value=MAJORATION_MAX,
        required=False,
        help_text=_("Temps majoré seulement : de 1 à 100 % ; vide, un tiers-temps."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, inscription: Inscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "modalite").queryset = modalites_du_parcours(
            inscription=inscription
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rempli = (
            data.get("modalite")
            or data.get("precision")
            or data.get("description")
            or data.get("majoration_pourcent") is not None
        )
        if rempli and not data.get("type"):
            self.add_error("type", _("Choisissez le type de cet aménagement."))
        elif (
            data.get("majoration_pourcent") is not None
            and data.get("type") != Amenagement.Type.TEMPS_MAJORE
        ):
            self.add_error("majoration_pourcent", MAJORATION_HORS_TEMPS)
        return data


class PropositionForm(forms.Form):
    critere = CritereField(
        label=_("Critère dont la dispense est proposée"),
        queryset=Critere.objects.none(),
        required=False,
    )
    motif = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, inscription: Inscription, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "critere").queryset = criteres_du_parcours(
            inscription=inscription
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("motif") and not data.get("critere"):
            self.add_error("critere", _("Choisissez le critère proposé."))
        return data


AmenagementFormSet = formset_factory(AmenagementForm, extra=4, max_num=20)
PropositionFormSet = formset_factory(PropositionForm, extra=3, max_num=30)
