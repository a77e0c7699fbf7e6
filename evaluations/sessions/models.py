"""Sessions, candidates (the person and their identity), enrolments, and the
blocs a person acquired (kept across sessions: capitalisation)."""

from datetime import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from certif.validators import validate_xml_text
from evaluations.sessions.pays import pays_libelle, validate_code_pays
from referentiel.models import Bloc, Referentiel


class Session(models.Model):
    """One evaluation campaign on one published référentiel version."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        OUVERTE = "ouverte", _("Ouverte")
        EN_EVALUATION = "en_evaluation", _("En évaluation")
        DELIBEREE = "deliberee", _("Délibérée")
        CLOSE = "close", _("Close")

    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("référentiel"),
    )
    nom = models.CharField(_("nom"), max_length=200)
    date_ouverture = models.DateField(_("date d'ouverture"))
    date_limite_depot = models.DateTimeField(_("date limite de dépôt"))
    date_jury = models.DateField(_("date du jury"))
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.BROUILLON
    )
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)
    close_le = models.DateTimeField(_("close le"), null=True, blank=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("-date_jury", "nom")

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        return reverse("evaluations:session_detail", kwargs={"pk": self.pk})

    # The session's stages, asked everywhere through these predicates. A query
    # filters with the tuples below (``session__statut__in=…``).
    STATUTS_INSCRIPTION = (Statut.BROUILLON, Statut.OUVERTE)
    STATUTS_TERMINES = (Statut.DELIBEREE, Statut.CLOSE)

    @property
    def inscriptions_ouvertes(self) -> bool:
        """Candidates may be enrolled (one by one or by CSV)."""
        return self.statut in self.STATUTS_INSCRIPTION

    def depots_ouverts(self, *, now: datetime | None = None) -> bool:
        """Candidates may upload and withdraw files: the session is open and its
        deadline has not passed."""
        return (
            self.statut == self.Statut.OUVERTE
            and (now or timezone.now()) < self.date_limite_depot
        )

    @property
    def notation_ouverte(self) -> bool:
        """Evaluators may score: the session is in evaluation."""
        return self.statut == self.Statut.EN_EVALUATION

    @property
    def consolidation_ouverte(self) -> bool:
        """The president may consolidate (in evaluation, and after the session is
        marked deliberated, for an enrolment whose deliberation was re-opened)."""
        return self.statut in (self.Statut.EN_EVALUATION, self.Statut.DELIBEREE)

    @property
    def est_terminee(self) -> bool:
        """Deliberated or closed: the session, its jury and its accommodation
        requests no longer change."""
        return self.statut in self.STATUTS_TERMINES

    @property
    def est_close(self) -> bool:
        return self.statut == self.Statut.CLOSE


class Candidat(models.Model):
    """The person, with exactly the identity that certificates and the state's
    reporting of certified holders need."""

    class Sexe(models.TextChoices):
        M = "M", _("Masculin")
        F = "F", _("Féminin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="candidat",
        verbose_name=_("compte"),
    )
    nom_naissance = models.CharField(
        _("nom de naissance"), max_length=100, validators=[validate_xml_text]
    )
    nom_usage = models.CharField(
        _("nom d'usage"), max_length=100, blank=True, validators=[validate_xml_text]
    )
    prenom1 = models.CharField(
        _("premier prénom"), max_length=100, validators=[validate_xml_text]
    )
    prenom2 = models.CharField(
        _("deuxième prénom"), max_length=100, blank=True, validators=[validate_xml_text]
    )
    prenom3 = models.CharField(
        _("troisième prénom"),
        max_length=100,
        blank=True,
        validators=[validate_xml_text],
    )
    date_naissance = models.DateField(_("date de naissance"))
    sexe = models.CharField(_("sexe à l'état civil"), max_length=1, choices=Sexe)
    # Birth in France: the commune and its INSEE code. Birth abroad: the country's
    # INSEE code (99xxx, see ``pays.py``) and the foreign town, free text, in
    # ``commune_naissance``.
    commune_naissance = models.CharField(
        _("commune ou ville de naissance"),
        max_length=100,
        blank=True,
        validators=[validate_xml_text],
    )
    code_insee_naissance = models.CharField(
        _("code INSEE de la commune de naissance"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{5}|2[AB]\d{3})$",
                _("Le code INSEE compte 5 caractères, par exemple 75056 ou 2A004."),
            )
        ],
    )
    # The code, never the name; the column keeps its width of free text so that a
    # name written before the INSEE list stays readable until it is corrected.
    pays_naissance = models.CharField(
        _("pays de naissance (code INSEE, naissance à l'étranger)"),
        max_length=100,
        blank=True,
        validators=[validate_code_pays],
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    invite_le = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ("nom_naissance", "prenom1")
        constraints = [
            models.CheckConstraint(
                name="candidat_lieu_naissance",
                condition=(
                    Q(pays_naissance="")
                    & ~Q(commune_naissance="")
                    & ~Q(code_insee_naissance="")
                )
                | (~Q(pays_naissance="") & Q(code_insee_naissance="")),
                violation_error_message=_(
                    "Indiquez soit la commune de naissance et son code INSEE, soit le "
                    "pays de naissance (et la ville) pour une naissance à l'étranger."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.nom_complet

    @property
    def prenoms(self) -> str:
        return " ".join(p for p in (self.prenom1, self.prenom2, self.prenom3) if p)

    @property
    def nom_complet(self) -> str:
        nom = self.nom_usage or self.nom_naissance
        return f"{self.prenom1} {nom}"

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def ne_a_l_etranger(self) -> bool:
        return bool(self.pays_naissance)

    @property
    def pays_naissance_libelle(self) -> str:
        """The country's name from the INSEE list (the stored value itself for a
        name written before the list, until it is corrected)."""
        return pays_libelle(self.pays_naissance) or self.pays_naissance

    @property
    def lieu_naissance(self) -> str:
        """« Lyon (69123) » in France, « Casablanca (Maroc) » abroad."""
        if self.pays_naissance:
            if self.commune_naissance:
                return f"{self.commune_naissance} ({self.pays_naissance_libelle})"
            return self.pays_naissance_libelle
        return f"{self.commune_naissance} ({self.code_insee_naissance})"


class VoieAcces(models.TextChoices):
    """The access routes exactly as the state's reporting lists them."""

    FORMATION_INITIALE = (
        "formation_initiale",
        _("Formation initiale hors apprentissage"),
    )
    APPRENTISSAGE = "apprentissage", _("Formation initiale en apprentissage")
    FORMATION_CONTINUE = (
        "formation_continue",
        _("Formation continue hors contrat de professionnalisation"),
    )
    CONTRAT_PRO = (
        "contrat_professionnalisation",
        _("Formation continue en contrat de professionnalisation"),
    )
    VAE = "vae", _("VAE")
    EQUIVALENCE = "equivalence", _("Équivalence de diplôme étranger")
    CANDIDAT_LIBRE = "candidat_libre", _("Candidat libre")


class Inscription(models.Model):
    """A candidate in a session. ``blocs`` are the blocs evaluated in this session:
    the whole certification minus blocs already acquired, or the selected blocs."""

    class Parcours(models.TextChoices):
        COMPLET = "complet", _("Certification complète")
        BLOCS = "blocs", _("Blocs de compétences (capitalisation)")

    candidat = models.ForeignKey(
        Candidat,
        on_delete=models.PROTECT,
        related_name="inscriptions",
        verbose_name=_("candidat"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="inscriptions",
        verbose_name=_("session"),
    )
    voie_acces = models.CharField(_("voie d'accès"), max_length=40, choices=VoieAcces)
    parcours = models.CharField(
        _("parcours"), max_length=10, choices=Parcours, default=Parcours.COMPLET
    )
    blocs = models.ManyToManyField(
        Bloc, related_name="inscriptions", verbose_name=_("blocs évalués")
    )
    cree_le = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[blocs])
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ("session", "candidat__nom_naissance", "candidat__prenom1")
        constraints = [
            models.UniqueConstraint(
                fields=["candidat", "session"], name="inscription_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidat} — {self.session}"


class BlocAcquis(models.Model):
    """A bloc validated for a person, kept across sessions (capitalisation)."""

    candidat = models.ForeignKey(
        Candidat, on_delete=models.PROTECT, related_name="blocs_acquis"
    )
    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    inscription = models.ForeignKey(
        Inscription, on_delete=models.PROTECT, related_name="blocs_acquis"
    )
    acquis_le = models.DateField(_("acquis le"))

    class Meta:
        verbose_name = _("bloc acquis")
        verbose_name_plural = _("blocs acquis")
        constraints = [
            models.UniqueConstraint(
                fields=["candidat", "bloc"], name="bloc_acquis_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidat} : {self.bloc.code}"
