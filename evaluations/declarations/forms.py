"""Forms of the declarations area."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certif.validators import validate_xml_text
from evaluations.declarations.models import LotCDC
from evaluations.declarations.selectors import certifications_declarees


class CertificationFiltreForm(forms.Form):
    certification = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=certifications_declarees(),
        required=False,
        empty_label=_("Toutes"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class IdsField(forms.Field):
    """Ticked enrolments, as ids: whether each one may be declared is decided when
    the batch is built (``lot_build`` keeps only holders to declare)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError(
                _("Sélection de titulaires invalide : cochez-les dans la liste.")
            ) from None


class LotForm(forms.Form):
    """A new batch: the certification, every holder to declare or only those
    ticked, and what to do with an incomplete identity."""

    certification = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=certifications_declarees(),
        empty_label=_("Choisissez la certification"),
    )
    mode = forms.ChoiceField(
        label=_("Titulaires dont l'identité est incomplète"),
        choices=LotCDC.Mode.choices,
        initial=LotCDC.Mode.EXCLURE,
        widget=forms.RadioSelect,
    )
    inscriptions = IdsField(
        label=_("Seulement ces titulaires"),
        required=False,
        help_text=_("Aucun coché : tous les titulaires à déclarer."),
    )


class ReponseForm(forms.Form):
    """The CDC's answer for one holder."""

    reponse = forms.ChoiceField(
        choices=[("accepte", _("Accepté")), ("rejete", _("Rejeté"))]
    )
    motif = forms.CharField(
        label=_("Motif du rejet (tel que la CDC l'écrit)"),
        max_length=1000,
        required=False,
        validators=[validate_xml_text],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reponse") == "rejete" and not cleaned.get("motif", "").strip():
            self.add_error("motif", _("Recopiez le motif du rejet donné par la CDC."))
        return cleaned
