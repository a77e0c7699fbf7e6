"""Forms of the jury area."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from certif.forms import model_choice_field
from certif.models import User
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.jury.selectors import personnes_ajoutables
from evaluations.sessions.models import Inscription, Session


class _MembreChoice(forms.ModelChoiceField[MembreJury]):
    def label_from_instance(self, obj: MembreJury) -> str:
        return obj.user.get_full_name() or obj.user.email


class MembreJuryAddForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Personne"), queryset=User.objects.none(), empty_label=None
    )
    role = forms.ChoiceField(label=_("Rôle dans le jury"), choices=MembreJury.Role)
    qualite = forms.CharField(
        label=_("Qualité"),
        max_length=200,
        required=False,
        help_text=_(
            "Imprimée sur le procès-verbal : par exemple « professionnelle du "
            "secteur, employeur »."
        ),
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "user").queryset = personnes_ajoutables(
            session=session
        )


class AffectationAddForm(forms.Form):
    """Assign one evaluator by hand. The jury page renders it on each candidate's
    row (the candidate as a hidden field): one select of every enrolment would
    be 10,000 options in a large session."""

    inscription = forms.ModelChoiceField(
        queryset=Inscription.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Ce candidat n'est pas de la session.")},
    )
    membre = _MembreChoice(
        label=_("Évaluateur"),
        queryset=MembreJury.objects.none(),
        error_messages={
            "required": _("Choisissez un évaluateur."),
            "invalid_choice": _("Cet évaluateur n'est pas membre du jury."),
        },
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "inscription").queryset = Inscription.objects.filter(
            session=session
        ).select_related("candidat")
        model_choice_field(self, "membre").queryset = MembreJury.objects.filter(
            session=session
        ).select_related("user")


class AffectationsAutoForm(forms.Form):
    par_candidat = forms.IntegerField(
        label=_("Évaluateurs par candidat"), min_value=1, max_value=10
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["par_candidat"].initial = settings.EVALUATEURS_PAR_CANDIDAT


class ConflitForm(forms.Form):
    """Declare a conflict with one candidate, chosen beforehand from the searchable
    list of the member's candidates (hence a hidden field, not a select)."""

    inscription = forms.ModelChoiceField(
        queryset=Inscription.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choisissez le candidat dans la liste."),
            "invalid_choice": _(
                "Ce candidat n'est pas dans vos sessions ouvertes, ou vous avez déjà "
                "déclaré ce lien."
            ),
        },
    )
    nature = forms.ChoiceField(
        label=_("Nature du lien"), choices=ConflitInterets.Nature
    )
    commentaire = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour « Autre »."),
    )

    def __init__(
        self, *args: Any, inscriptions: QuerySet[Inscription], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "inscription").queryset = inscriptions

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("nature") == ConflitInterets.Nature.AUTRE
            and not (data.get("commentaire") or "").strip()
        ):
            self.add_error("commentaire", _("Précisez la nature du lien."))
        return data
