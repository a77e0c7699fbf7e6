"""Forms of the deliberation area."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from certif.forms import model_choice_field
from evaluations.jury.models import MembreJury


class _PresentsChoice(forms.ModelMultipleChoiceField[MembreJury]):
    def label_from_instance(self, obj: MembreJury) -> str:
        nom = obj.user.get_full_name() or obj.user.email
        return f"{nom} ({obj.get_role_display()})"


class DeliberationForm(forms.Form):
    presents = _PresentsChoice(
        label=_("Membres présents"),
        queryset=MembreJury.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez les membres présents.")},
    )
    motif = forms.CharField(
        label=_("Motif de la décision"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif de la décision.")},
    )

    def __init__(
        self, *args: Any, presents: QuerySet[MembreJury], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "presents").queryset = presents
        self.fields["presents"].help_text = _(
            "Quorum : au moins %(n)d membres présents, le président compris. Les "
            "membres en conflit d'intérêts avec le candidat ne siègent pas."
        ) % {"n": settings.QUORUM_DELIBERATION}


class ReouvertureForm(forms.Form):
    motif = forms.CharField(
        label=_("Motif de la réouverture"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif de la réouverture.")},
    )


class DispenseForm(forms.Form):
    class Decision:
        ACCORDER = "accorder"
        REFUSER = "refuser"

    decision = forms.ChoiceField(
        label=_("Décision du jury"),
        choices=[
            (Decision.ACCORDER, _("Accorder la dispense")),
            (Decision.REFUSER, _("Refuser la dispense")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez d'accorder ou de refuser.")},
    )
    condition_capacite_globale = forms.BooleanField(
        label=_(
            "La dispense ne remet pas en question la capacité professionnelle "
            "globale du candidat."
        ),
        required=False,
    )
    condition_pratique_future = forms.BooleanField(
        label=_(
            "Au regard de la nature du handicap, le critère n'a pas vocation à "
            "s'appliquer dans la pratique professionnelle future du candidat."
        ),
        required=False,
    )
    raisonnement = forms.CharField(
        label=_("Raisonnement du jury"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
