"""The statistics page's filters and the export request."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certif.models import User
from evaluations.sessions.models import Session
from evaluations.statistiques.models import Export
from evaluations.statistiques.selectors import Filtre, filtre_choices_for
from referentiel.models import Certification, Referentiel


class FiltreForm(forms.Form):
    """Certification, référentiel version, year of the jury and session, each
    optional, offered within the user's scope (a session outside it is refused
    as an invalid choice, never shown)."""

    certification: forms.ModelChoiceField[Certification] = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=None,
        required=False,
        empty_label=_("Toutes"),
    )
    referentiel: forms.ModelChoiceField[Referentiel] = forms.ModelChoiceField(
        label=_("Version du référentiel"),
        queryset=None,
        required=False,
        empty_label=_("Toutes"),
    )
    annee = forms.TypedChoiceField(
        label=_("Année du jury"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    session: forms.ModelChoiceField[Session] = forms.ModelChoiceField(
        label=_("Session"),
        queryset=None,
        required=False,
        empty_label=_("Toutes"),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choix = filtre_choices_for(user=user)
        fields: dict[str, Any] = self.fields
        fields["certification"].queryset = choix["certifications"]
        fields["referentiel"].queryset = choix["referentiels"]
        fields["session"].queryset = choix["sessions"]
        self._annees = choix["annees"]
        fields["annee"].choices = self._annee_choices

    def _annee_choices(self) -> list[tuple[str, str]]:
        # Evaluated when the field validates or renders: one query, only then.
        return [("", str(_("Toutes")))] + [
            (str(d.year), str(d.year)) for d in self._annees
        ]

    def filtre(self) -> Filtre:
        data = self.cleaned_data
        return Filtre(
            certification=data["certification"].pk if data["certification"] else None,
            referentiel=data["referentiel"].pk if data["referentiel"] else None,
            annee=data["annee"],
            session=data["session"].pk if data["session"] else None,
        )


class ExportForm(forms.Form):
    nature = forms.ChoiceField(
        label=_("Export"),
        choices=Export.Nature.choices,
        error_messages={"invalid_choice": _("Cet export n'existe pas.")},
    )
