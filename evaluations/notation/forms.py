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
