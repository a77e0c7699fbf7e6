"""Forms of the live épreuves. Every text field has a maximum length; the
services refuse what the forms cannot check (clashes, availability)."""

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.epreuves.generation import ParametresGeneration
from evaluations.epreuves.lieux import SalleSaisie, SiteSaisi
from evaluations.epreuves.models import DUREE_MAX_MINUTES, Passage, Salle, Site
from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Session
from referentiel.models import Modalite


class _Date(forms.DateInput):
    """A browser date picker: its value is always ISO (never the French format)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class _Time(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DisponibiliteForm(forms.Form):
    DEMI_JOURNEES = {
        "matin": (time(8, 30), time(12, 30)),
        "apres_midi": (time(13, 30), time(18)),
    }

    jour = forms.DateField(label=_("Date"), widget=_Date)
    demi_journee = forms.ChoiceField(
        label=_("Demi-journée"),
        choices=[
            ("matin", _("Matin (8 h 30 à 12 h 30)")),
            ("apres_midi", _("Après-midi (13 h 30 à 18 h)")),
            ("autre", _("Autres horaires")),
        ],
    )
    debut = forms.TimeField(label=_("De"), required=False, widget=_Time)
    fin = forms.TimeField(label=_("À"), required=False, widget=_Time)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choix = data.get("demi_journee")
        if choix in self.DEMI_JOURNEES:
            data["debut"], data["fin"] = self.DEMI_JOURNEES[choix]
        elif choix == "autre" and not (data.get("debut") and data.get("fin")):
            raise forms.ValidationError(_("Indiquez l'heure de début et de fin."))
        return data


class GenerationForm(forms.Form):
    jours = forms.CharField(
        label=_("Jours d'épreuves"),
        max_length=2000,
        help_text=_("Une date par ligne ou séparées par des virgules (AAAA-MM-JJ)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    debut = forms.TimeField(label=_("Début de journée"), initial=time(9), widget=_Time)
    fin = forms.TimeField(label=_("Fin de journée"), initial=time(17, 30), widget=_Time)
    pause_debut = forms.TimeField(
        label=_("Pause de midi : début"),
        required=False,
        initial=time(12, 30),
        widget=_Time,
    )
    pause_fin = forms.TimeField(
        label=_("Pause de midi : fin"),
        required=False,
        initial=time(13, 30),
        widget=_Time,
    )
    intervalle = forms.IntegerField(
        label=_("Intervalle entre deux passages (minutes)"),
        min_value=0,
        max_value=120,
        initial=10,
    )
    salles = forms.ModelMultipleChoiceField(
        label=_("Salles"),
        queryset=Salle.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, salles: QuerySet[Salle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["salles"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = salles

    def clean_jours(self) -> list[date]:
        raw = self.cleaned_data["jours"].replace(",", "\n").split()
        jours = []
        for item in raw:
            try:
                jours.append(date.fromisoformat(item.strip()))
            except ValueError:
                raise forms.ValidationError(
                    _("« %(valeur)s » n'est pas une date AAAA-MM-JJ."),
                    params={"valeur": item[:20]},
                ) from None
        if not jours:
            raise forms.ValidationError(_("Indiquez au moins un jour d'épreuves."))
        return sorted(set(jours))

    def parametres(self) -> ParametresGeneration:
        d = self.cleaned_data
        return ParametresGeneration(
            jours=d["jours"],
            debut=d["debut"],
            fin=d["fin"],
            pause_debut=d.get("pause_debut"),
            pause_fin=d.get("pause_fin"),
            intervalle=d["intervalle"],
            salles=[s.pk for s in d["salles"]],
        )


class _ModalitesField(forms.ModelMultipleChoiceField[Modalite]):
    def label_from_instance(self, obj: Modalite) -> str:
        return f"{obj.competence.code} — {obj.intitule}"


class _MembresField(forms.ModelMultipleChoiceField[MembreJury]):
    def label_from_instance(self, obj: MembreJury) -> str:
        return obj.user.get_full_name()


class PassageForm(forms.Form):
    jour = forms.DateField(label=_("Date"), widget=_Date)
    heure = forms.TimeField(label=_("Heure de début"), widget=_Time)
    duree_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), min_value=1, max_value=DUREE_MAX_MINUTES
    )
    salle = forms.ModelChoiceField(
        label=_("Salle"), queryset=Salle.objects.none(), required=False
    )
    lien_visio = forms.URLField(
        label=_("ou lien de visioconférence (https://)"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    modalites = _ModalitesField(
        label=_("Modalités"),
        queryset=Modalite.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    membres = _MembresField(
        label=_("Membres du jury"),
        queryset=MembreJury.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        session: Session,
        salles: QuerySet[Salle],
        modalites: QuerySet[Modalite],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("salle", salles),
            ("modalites", modalites),
            (
                "membres",
                MembreJury.objects.filter(session=session).select_related("user"),
            ),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
            field.queryset = qs

    @classmethod
    def initial_of(cls, passage: Passage) -> dict[str, Any]:
        local = timezone.localtime(passage.debut)
        return {
            "jour": local.date(),
            "heure": local.time(),
            "duree_minutes": passage.duree_minutes,
            "salle": passage.salle,
            "lien_visio": passage.lien_visio,
            "modalites": list(passage.modalites.all()),
            "membres": list(passage.membres.all()),
        }

    def debut(self) -> datetime:
        d = self.cleaned_data
        return timezone.make_aware(datetime.combine(d["jour"], d["heure"]))


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(
        choices=[
            (Passage.Presence.PRESENT.value, Passage.Presence.PRESENT.label),
            (Passage.Presence.ABSENT.value, Passage.Presence.ABSENT.label),
        ]
    )


class JustificationForm(forms.Form):
    motif = forms.CharField(
        label=_("Motif de l'absence justifiée"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanningReglagesForm(forms.Form):
    date_limite_amenagements = forms.DateField(
        label=_("Date limite des demandes d'aménagement"),
        required=False,
        widget=_Date,
    )


class SiteForm(forms.Form):
    nom = forms.CharField(label=_("Nom du site"), max_length=200)
    adresse = forms.CharField(
        label=_("Adresse"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Imprimée sur les convocations."),
    )
    acces = forms.CharField(
        label=_("Notes d'accès"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Transports, entrée, étage : imprimé sur la convocation."),
    )

    def saisi(self) -> SiteSaisi:
        d = self.cleaned_data
        return SiteSaisi(nom=d["nom"], adresse=d["adresse"], acces=d["acces"])

    @staticmethod
    def initial_of(site: Site) -> dict[str, Any]:
        return {"nom": site.nom, "adresse": site.adresse, "acces": site.acces}


# A room's number of places (jury included): from one to this.
CAPACITE_MAX = 1000


class SalleForm(forms.Form):
    nom = forms.CharField(label=_("Nom de la salle"), max_length=100)
    capacite = forms.IntegerField(
        label=_("Capacité"),
        min_value=1,
        max_value=CAPACITE_MAX,
        help_text=_("Nombre de places, jury compris."),
    )
    accessible_pmr = forms.BooleanField(
        label=_("Accessible aux personnes à mobilité réduite"), required=False
    )

    def saisie(self) -> SalleSaisie:
        d = self.cleaned_data
        return SalleSaisie(
            nom=d["nom"], capacite=d["capacite"], accessible_pmr=d["accessible_pmr"]
        )

    @staticmethod
    def initial_of(salle: Salle) -> dict[str, Any]:
        return {
            "nom": salle.nom,
            "capacite": salle.capacite,
            "accessible_pmr": salle.accessible_pmr,
        }
