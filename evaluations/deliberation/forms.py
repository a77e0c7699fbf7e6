"""Forms of the deliberation area."""

from typing import Any, cast

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
    blocs = forms.MultipleChoiceField(
        label=_("Blocs validés par le jury"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Cochés selon la proposition du consolidé. Le jury peut en décider "
            "autrement (par exemple après avoir entendu le candidat), seulement avec "
            "un motif écrit ci-dessous. Tous les blocs validés ou capitalisés : "
            "certifié ; aucun : non validé."
        ),
        error_messages={
            "invalid_choice": _(
                "Le jury ne valide que des blocs évalués dans cette session."
            )
        },
    )
    motif_ecart = forms.CharField(
        label=_("Motif de la décision différente de la proposition"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire si les blocs cochés diffèrent de la proposition."),
    )

    def __init__(
        self,
        *args: Any,
        presents: QuerySet[MembreJury],
        blocs: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "presents").queryset = presents
        choix = cast(forms.MultipleChoiceField, self.fields["blocs"])
        choix.choices = [(code, code) for code in blocs or []]
        self.fields["presents"].help_text = _(
            "Quorum : au moins %(n)d membres présents, le président compris. Les "
            "membres en conflit d'intérêts avec le candidat ne siègent pas."
        ) % {"n": settings.QUORUM_DELIBERATION}


class AbsenceForm(forms.Form):
    presents = _PresentsChoice(
        label=_("Membres présents"),
        queryset=MembreJury.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez les membres présents.")},
    )
    motif = forms.CharField(
        label=_("Motif de l'absence"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Épreuve ou session manquée, date, justificatif éventuel."),
        error_messages={
            "required": _(
                "Indiquez le motif de l'absence (épreuve, date, justificatif)."
            )
        },
    )

    def __init__(
        self, *args: Any, presents: QuerySet[MembreJury], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "absence")
        super().__init__(*args, **kwargs)
        model_choice_field(self, "presents").queryset = presents


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
            "L'ensemble des dispenses du candidat, celle-ci comprise, ne remet pas "
            "en question sa capacité professionnelle globale."
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
    presents = _PresentsChoice(
        label=_("Membres du jury présents pour cette décision"),
        queryset=MembreJury.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez les membres présents.")},
    )

    def __init__(
        self, *args: Any, presents: QuerySet[MembreJury], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "presents").queryset = presents
        self.fields["presents"].help_text = _(
            "Le jury siège pour décider : quorum d'au moins %(n)d membres présents, "
            "le président compris."
        ) % {"n": settings.QUORUM_DELIBERATION}
