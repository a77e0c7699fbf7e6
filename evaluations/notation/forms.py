"""Forms of the scoring area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.notation.models import Resultat


class CritereSaisieForm(forms.Form):
    """One criterion of the grid, as sent by htmx."""

    resultat = forms.ChoiceField(
        choices=Resultat,
        error_messages={
            "required": _("Choisissez « Acquis » ou « Non acquis »."),
            "invalid_choice": _("Choisissez « Acquis » ou « Non acquis »."),
        },
    )
    commentaire = forms.CharField(required=False, max_length=2000)


class DerogationForm(forms.Form):
    motif = forms.CharField(
        label=_("Pourquoi le jury se passe de sa validation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _(
                "Indiquez pourquoi le jury se passe de la validation de cet "
                "évaluateur (absent, remplacé…)."
            )
        },
    )
