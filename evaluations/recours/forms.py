"""Forms of the appeals area."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from certif.uploads import BUREAUTIQUE
from evaluations.livrables.forms import MultipleFileField, MultipleFileInput
from evaluations.recours.models import PIECES_MAX, TEXTE_MAX, Recours


class RecoursForm(forms.Form):
    """The candidate's appeal: its text (a NUL character is refused by the
    field) and optional documents, checked by the service."""

    texte = forms.CharField(
        label=_("Motifs de votre recours"),
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Exposez en quoi la décision du jury vous paraît devoir être revue "
            "(%(n)d caractères au plus)."
        )
        % {"n": TEXTE_MAX},
    )
    pieces = MultipleFileField(
        label=_("Documents joints (facultatif)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": BUREAUTIQUE.accepte()}),
        help_text=_("%(formats)s ; %(n)d documents au plus.")
        % {"formats": BUREAUTIQUE.libelle, "n": PIECES_MAX},
    )

    def fichiers(self) -> list[UploadedFile[bytes]]:
        pieces: list[Any] = self.cleaned_data.get("pieces") or []
        return [piece for piece in pieces if piece]


class DecisionForm(forms.Form):
    issue = forms.ChoiceField(
        label=_("Issue du recours"),
        choices=Recours.Issue.choices,
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(
        label=_("Motif de la décision"),
        max_length=TEXTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Communiqué au candidat et imprimé à l'addendum au procès-verbal. Une "
            "décision révisée rouvre la délibération : le président vote de "
            "nouveau."
        ),
    )


class FiltreForm(forms.Form):
    statut = forms.ChoiceField(
        label=_("Statut"),
        choices=[("", _("Tous")), *Recours.Statut.choices],
        required=False,
    )
