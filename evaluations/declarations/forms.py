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
    )


class LotForm(forms.Form):
    """A new batch: the certification, every holder to declare or only those
    ticked, and what to do with an incomplete identity."""

    certification = forms.ModelChoiceField(
        label=_("Certification"), queryset=certifications_declarees()
    )
    mode = forms.ChoiceField(
        label=_("Titulaires dont l'identité est incomplète"),
        choices=LotCDC.Mode.choices,
        initial=LotCDC.Mode.EXCLURE,
        widget=forms.RadioSelect,
    )
    inscriptions = forms.TypedMultipleChoiceField(
        label=_("Seulement ces titulaires"),
        coerce=int,
        required=False,
        help_text=_("Aucun coché : tous les titulaires à déclarer."),
    )

    def __init__(self, *args: Any, choix: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["inscriptions"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        field.choices = choix


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
