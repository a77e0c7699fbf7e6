"""Forms of the results area."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class PublicationForm(forms.Form):
    """« Publier maintenant » or at a date and time (Paris time); the service
    refuses a moment in the past."""

    MAINTENANT = "maintenant"
    PROGRAMMER = "programmer"

    quand = forms.ChoiceField(
        label=_("Publication des résultats"),
        choices=[
            (MAINTENANT, _("Publier maintenant")),
            (PROGRAMMER, _("Publier à la date et à l'heure choisies")),
        ],
        initial=PROGRAMMER,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    prevue_le = forms.DateTimeField(
        label=_("Date et heure de publication"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"},
            format=DATETIME_LOCAL,
        ),
        help_text=_("Heure de Paris."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("quand") == self.PROGRAMMER and not cleaned.get("prevue_le"):
            self.add_error(
                "prevue_le",
                _("Indiquez la date et l'heure de publication, ou publiez maintenant."),
            )
        return cleaned

    def moment(self) -> datetime | None:
        """The chosen moment; None for « maintenant »."""
        if self.cleaned_data["quand"] == self.MAINTENANT:
            return None
        moment: datetime = self.cleaned_data["prevue_le"]
        return moment
