"""Forms of the sessions area."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from certif.forms import model_choice_field
from evaluations.sessions.csv_import import CSV_MAX_BYTES
from evaluations.sessions.models import Candidat, Inscription, Session, VoieAcces
from evaluations.sessions.pays import pays_choices
from evaluations.sessions.selectors import (
    DeskFilters,
    Progression,
    candidat_by_email,
    referentiels_publies,
)
from evaluations.sessions.services import (
    IdentiteData,
    SessionData,
    duplicates_of,
    identite_errors,
)
from referentiel.models import Bloc, Referentiel

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class SessionForm(forms.Form):
    nom = forms.CharField(label=_("Nom de la session"), max_length=200)
    referentiel = forms.ModelChoiceField(
        label=_("Référentiel (version publiée)"), queryset=referentiels_publies()
    )
    date_ouverture = forms.DateField(
        label=_("Date d'ouverture"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_limite_depot = forms.DateTimeField(
        label=_("Date et heure limites de dépôt"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
        ),
        help_text=_("Heure de Paris."),
    )
    date_jury = forms.DateField(
        label=_("Date du jury"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    lieu_jury = forms.CharField(
        label=_("Lieu de la séance du jury"),
        max_length=200,
        required=False,
        help_text=_("Imprimé sur le procès-verbal de délibération."),
    )

    def __init__(self, *args: Any, session: Session | None = None, **kwargs: Any):
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "nom": session.nom,
                "referentiel": session.referentiel_id,
                "date_ouverture": session.date_ouverture,
                "date_limite_depot": session.date_limite_depot,
                "date_jury": session.date_jury,
                "lieu_jury": session.lieu_jury,
            }
        super().__init__(*args, **kwargs)
        if session is not None:
            # Keep the session's own version selectable even if since archived.
            model_choice_field(self, "referentiel").queryset = (
                Referentiel.objects.filter(
                    Q(statut=Referentiel.Statut.PUBLIE) | Q(pk=session.referentiel_id)
                )
                .select_related("certification")
                .order_by("certification__code", "-cree_le")
            )

    def data_object(self) -> SessionData:
        return SessionData(**self.cleaned_data)


class IdentiteForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    nom_naissance = forms.CharField(label=_("Nom de naissance"), max_length=100)
    nom_usage = forms.CharField(label=_("Nom d'usage"), max_length=100, required=False)
    prenom1 = forms.CharField(label=_("Premier prénom"), max_length=100)
    prenom2 = forms.CharField(
        label=_("Deuxième prénom"), max_length=100, required=False
    )
    prenom3 = forms.CharField(
        label=_("Troisième prénom"), max_length=100, required=False
    )
    date_naissance = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sexe = forms.ChoiceField(
        label=_("Sexe à l'état civil"),
        choices=Candidat.Sexe.choices,
        widget=forms.RadioSelect,
    )
    commune_naissance = forms.CharField(
        label=_("Commune de naissance (ou ville, à l'étranger)"),
        max_length=100,
        required=False,
    )
    code_insee_naissance = forms.CharField(
        label=_("Code INSEE de la commune"),
        max_length=5,
        required=False,
        help_text=_("5 caractères, par exemple 75056 ou 2A004."),
    )
    pays_naissance = forms.ChoiceField(
        label=_("Pays de naissance (naissance à l'étranger)"),
        choices=lambda: [("", _("— naissance en France —")), *pays_choices()],
        required=False,
        help_text=_(
            "Liste INSEE des pays et territoires étrangers. En France : la commune "
            "et son code INSEE ; à l'étranger : le pays et la ville."
        ),
    )

    def identite(self) -> IdentiteData:
        fields = IdentiteData.__dataclass_fields__
        return IdentiteData(
            **{name: self.cleaned_data[name] for name in fields if name in self.fields}
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fields = IdentiteData.__dataclass_fields__
        if any(name in self.errors for name in fields):
            return cleaned
        identite = self.identite()
        errors = identite_errors(identite)
        for name, messages in duplicates_of(identite).items():
            errors.setdefault(name, []).extend(messages)
        for name, messages in errors.items():
            for message in messages:
                self.add_error(
                    None
                    if name == NON_FIELD_ERRORS or name not in self.fields
                    else name,
                    message,
                )
        return cleaned


class IdentiteCorrectionForm(IdentiteForm):
    """The civil identity of a known candidate, corrected by an administrator (the
    e-mail is the account's and stays)."""

    def __init__(self, *args: Any, candidat: Candidat, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(candidat, name)
                for name in IdentiteData.__dataclass_fields__
                if name != "email"
            }
        super().__init__(*args, **kwargs)
        self.candidat = candidat
        del self.fields["email"]

    def identite(self) -> IdentiteData:
        fields = IdentiteData.__dataclass_fields__
        return IdentiteData(
            email=self.candidat.user.email,
            **{name: self.cleaned_data[name] for name in fields if name in self.fields},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self) or {}
        if self.errors:
            return cleaned
        for name, messages in identite_errors(self.identite()).items():
            for message in messages:
                self.add_error(
                    None
                    if name == NON_FIELD_ERRORS or name not in self.fields
                    else name,
                    message,
                )
        return cleaned


class InscriptionFieldsForm(forms.Form):
    voie_acces = forms.ChoiceField(
        label=_("Voie d'accès"), choices=[("", "—"), *VoieAcces.choices]
    )
    parcours = forms.ChoiceField(
        label=_("Parcours"),
        choices=Inscription.Parcours.choices,
        initial=Inscription.Parcours.COMPLET,
        widget=forms.RadioSelect,
    )
    blocs = forms.ModelMultipleChoiceField(
        label=_("Blocs présentés (parcours par blocs)"),
        queryset=Bloc.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Les blocs déjà acquis par le candidat sont retirés automatiquement."
        ),
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        model_choice_field(self, "blocs").queryset = Bloc.objects.filter(
            referentiel_id=session.referentiel_id
        ).order_by("ordre", "code")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("parcours") == Inscription.Parcours.BLOCS and not cleaned.get(
            "blocs"
        ):
            self.add_error("blocs", _("Choisissez au moins un bloc de compétences."))
        if cleaned.get("parcours") == Inscription.Parcours.COMPLET:
            cleaned["blocs"] = []
        return cleaned


class NouveauCandidatForm(IdentiteForm, InscriptionFieldsForm):
    """A new candidate (identity and account) enrolled in the session."""

    field_order = (
        "email",
        "nom_naissance",
        "nom_usage",
        "prenom1",
        "prenom2",
        "prenom3",
        "date_naissance",
        "sexe",
        "commune_naissance",
        "code_insee_naissance",
        "pays_naissance",
        "voie_acces",
        "parcours",
        "blocs",
    )


class CandidatExistantForm(InscriptionFieldsForm):
    """An existing candidate, found by e-mail, enrolled in the session."""

    email = forms.EmailField(label=_("Adresse e-mail du candidat"))
    field_order = ("email", "voie_acces", "parcours", "blocs")

    def clean_email(self) -> Candidat:
        candidat = candidat_by_email(self.cleaned_data["email"])
        if candidat is None:
            raise ValidationError(
                _("Aucun candidat n'a cette adresse e-mail : créez sa fiche.")
            )
        return candidat


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Séparateur « ; » ou « , », encodage UTF-8 ou Windows."),
    )

    def clean_fichier(self) -> bytes:
        fichier: UploadedFile[bytes] = self.cleaned_data["fichier"]
        if (fichier.size or 0) > CSV_MAX_BYTES:
            raise ValidationError(
                _("Le fichier dépasse 10 Mo : découpez-le en plusieurs imports.")
            )
        if not (fichier.name or "").lower().endswith((".csv", ".txt")):
            raise ValidationError(
                _("Déposez un fichier .csv (export « CSV » du tableur).")
            )
        return fichier.read()


class ImportConfirmForm(forms.Form):
    seulement_valides = forms.BooleanField(required=False)


class DeskFiltersForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher (nom, e-mail)"), required=False, max_length=200
    )
    parcours = forms.ChoiceField(
        label=_("Parcours"),
        choices=[("", _("Tous")), *Inscription.Parcours.choices],
        required=False,
    )
    voie_acces = forms.ChoiceField(
        label=_("Voie d'accès"),
        choices=[("", _("Toutes")), *VoieAcces.choices],
        required=False,
    )
    progression = forms.ChoiceField(
        label=_("Dépôts"),
        choices=[
            ("", _("Tous")),
            (Progression.COMPLET, _("Complets")),
            (Progression.INCOMPLET, _("Incomplets")),
            (Progression.AUCUN, _("Aucun dépôt")),
        ],
        required=False,
    )

    def filters(self) -> DeskFilters:
        if not self.is_valid():
            return DeskFilters()
        return DeskFilters(**self.cleaned_data)


class DesistementForm(forms.Form):
    le = forms.DateField(
        label=_("Date du désistement"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Indiquez la date du désistement."),
            "invalid": _("Indiquez une date valide (jj/mm/aaaa)."),
        },
    )
    motif = forms.CharField(
        label=_("Motif du désistement"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif du désistement.")},
    )


class ReportForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session où le candidat est reporté"),
        queryset=Session.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choisissez la session."),
            "invalid_choice": _(
                "Choisissez une session ultérieure ouverte aux inscriptions, de la "
                "même certification."
            ),
        },
    )
    motif = forms.CharField(
        label=_("Motif du report"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif du report.")},
    )

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "session").queryset = sessions


class RetourForm(forms.Form):
    motif = forms.CharField(
        label=_("Motif du retour à « Ouverte »"),
        max_length=100,
        widget=forms.TextInput(),
        error_messages={"required": _("Indiquez le motif du retour à « Ouverte ».")},
    )
