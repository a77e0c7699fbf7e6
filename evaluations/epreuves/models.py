"""Live épreuves (« épreuves en présence du jury »): the places where sittings
happen, the jury members' availability, the session's timetable and its
sittings, the candidates' convocations and the members' calendar feeds."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Modalite

# A sitting lasts from 1 minute to 8 hours.
DUREE_MAX_MINUTES = 480


class Site(models.Model):
    """A place with rooms (a building, a campus)."""

    nom = models.CharField(_("nom"), max_length=200, unique=True)
    adresse = models.TextField(_("adresse"), max_length=500)
    acces = models.TextField(
        _("accès"),
        max_length=1000,
        blank=True,
        help_text=_("Transports, entrée, étage : imprimé sur la convocation."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ("nom",)

    def __str__(self) -> str:
        return self.nom


class Salle(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="salles", verbose_name=_("site")
    )
    nom = models.CharField(_("nom"), max_length=100)
    capacite = models.PositiveSmallIntegerField(
        _("capacité"), help_text=_("Nombre de places, jury compris.")
    )
    accessible_pmr = models.BooleanField(
        _("accessible aux personnes à mobilité réduite"), default=False
    )

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ("site__nom", "nom")
        constraints = [
            models.UniqueConstraint(fields=["site", "nom"], name="salle_unique"),
            models.CheckConstraint(
                name="salle_capacite",
                condition=Q(capacite__gte=1),
                violation_error_message=_("Une salle compte au moins une place."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.nom} — {self.nom}"


class Disponibilite(models.Model):
    """A span of a day (usually a half-day) in which a jury member can sit."""

    membre = models.ForeignKey(
        MembreJury,
        on_delete=models.CASCADE,
        related_name="disponibilites",
        verbose_name=_("membre"),
    )
    date = models.DateField(_("date"))
    debut = models.TimeField(_("de"))
    fin = models.TimeField(_("à"))

    class Meta:
        verbose_name = _("disponibilité")
        verbose_name_plural = _("disponibilités")
        ordering = ("membre", "date", "debut")
        constraints = [
            models.UniqueConstraint(
                fields=["membre", "date", "debut"], name="disponibilite_unique"
            ),
            models.CheckConstraint(
                name="disponibilite_ordre",
                condition=Q(fin__gt=models.F("debut")),
                violation_error_message=_("Une disponibilité finit après son début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membre} {self.date} {self.debut:%H:%M}-{self.fin:%H:%M}"


class Planning(models.Model):
    """The session's timetable: a draft the administrator generates and adjusts,
    then publishes (convocations go out). Carries the generator's progress and
    what it could not place, and the accommodation deadline."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        PUBLIE = "publie", _("Publié")

    class Generation(models.TextChoices):
        AUCUNE = "aucune", _("Aucune")
        DEMANDEE = "demandee", _("Demandée")
        EN_COURS = "en_cours", _("En cours")
        TERMINEE = "terminee", _("Terminée")
        ECHOUEE = "echouee", _("Échouée")

    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        related_name="planning",
        verbose_name=_("session"),
    )
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut, default=Statut.BROUILLON
    )
    publie_le = models.DateTimeField(_("publié le"), null=True, blank=True)
    date_limite_amenagements = models.DateField(
        _("date limite des demandes d'aménagement"),
        null=True,
        blank=True,
        help_text=_(
            "Une demande déposée après cette date est signalée au référent et à "
            "l'administrateur."
        ),
    )
    generation = models.CharField(
        _("génération"), max_length=10, choices=Generation, default=Generation.AUCUNE
    )
    parametres = models.JSONField(_("paramètres"), default=dict, blank=True)
    a_placer = models.PositiveIntegerField(_("passages à placer"), default=0)
    places = models.PositiveIntegerField(_("passages traités"), default=0)
    # [[candidate, modalities, reason], …]: what the generator could not place.
    non_places = models.JSONField(_("non placés"), default=list, blank=True)
    generation_le = models.DateTimeField(_("générée le"), null=True, blank=True)
    # Convocations of the last publication: how many to send, how many sent.
    envois_total = models.PositiveIntegerField(_("convocations à envoyer"), default=0)
    envois_faits = models.PositiveIntegerField(_("convocations envoyées"), default=0)
    history = HistoricalRecords(excluded_fields=["places", "envois_faits"])
    _history_user: User

    class Meta:
        verbose_name = _("planning des épreuves")
        verbose_name_plural = _("plannings des épreuves")

    def __str__(self) -> str:
        return f"{self.session} ({self.get_statut_display()})"

    @property
    def est_publie(self) -> bool:
        return self.statut == self.Statut.PUBLIE

    @property
    def generation_en_cours(self) -> bool:
        return self.generation in (self.Generation.DEMANDEE, self.Generation.EN_COURS)

    @property
    def pourcentage(self) -> int:
        if not self.a_placer:
            return 100
        return round(100 * self.places / self.a_placer)


class Passage(models.Model):
    """A sitting: a candidate, one or more live modalities, a date, a start time, a
    duration, a room or a video link, and the jury members who evaluate it."""

    class Presence(models.TextChoices):
        A_CONSTATER = "a_constater", _("À constater")
        PRESENT = "present", _("Présent")
        ABSENT = "absent", _("Absent")
        JUSTIFIEE = "justifiee", _("Absence justifiée")

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="passages",
        verbose_name=_("session"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="passages",
        verbose_name=_("inscription"),
    )
    modalites = models.ManyToManyField(
        Modalite, related_name="+", verbose_name=_("modalités")
    )
    debut = models.DateTimeField(_("début"))
    duree_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    fin = models.DateTimeField(_("fin"))
    salle = models.ForeignKey(
        Salle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="passages",
        verbose_name=_("salle"),
    )
    lien_visio = models.URLField(
        _("lien de visioconférence"), max_length=500, blank=True, default=""
    )
    membres = models.ManyToManyField(
        MembreJury, related_name="passages", verbose_name=_("membres du jury")
    )
    presence = models.CharField(
        _("présence"), max_length=12, choices=Presence, default=Presence.A_CONSTATER
    )
    presence_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("présence constatée par"),
    )
    presence_le = models.DateTimeField(
        _("présence constatée le"), null=True, blank=True
    )
    justification = models.TextField(
        _("motif de l'absence justifiée"), max_length=2000, blank=True, default=""
    )
    # The convocation already sent for this sitting, to say « modifiée » and give
    # the previous slot when it changes.
    convoque_version = models.PositiveIntegerField(_("version convoquée"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(m2m_fields=[membres])
    _history_user: User

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ("debut", "salle", "pk")
        indexes = [models.Index(fields=["session", "debut"])]
        constraints = [
            models.CheckConstraint(
                name="passage_duree",
                condition=Q(duree_minutes__gte=1, duree_minutes__lte=DUREE_MAX_MINUTES),
                violation_error_message=_("Un passage dure de 1 minute à 8 heures."),
            ),
            models.CheckConstraint(
                name="passage_lieu",
                condition=(Q(salle__isnull=False) & Q(lien_visio=""))
                | (Q(salle__isnull=True) & ~Q(lien_visio="")),
                violation_error_message=_(
                    "Un passage a lieu soit dans une salle, soit par un lien de "
                    "visioconférence."
                ),
            ),
            models.CheckConstraint(
                name="passage_fin", condition=Q(fin__gt=models.F("debut"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inscription.candidat} — {timezone.localtime(self.debut):%d/%m/%Y %H:%M}"

    @property
    def a_distance(self) -> bool:
        return not self.salle_id


class Convocation(models.Model):
    """A convocation sent to the candidate for one version of a sitting: the frozen
    PDF, and the previous slot when it replaces an earlier one."""

    passage = models.ForeignKey(
        Passage,
        on_delete=models.PROTECT,
        related_name="convocations",
        verbose_name=_("passage"),
    )
    version = models.PositiveIntegerField(_("version du passage"))
    modifiee = models.BooleanField(_("convocation modifiée"), default=False)
    precedent = models.CharField(
        _("créneau précédent"), max_length=300, blank=True, default=""
    )
    creneau = models.CharField(_("créneau convoqué"), max_length=300, default="")
    fichier = models.FileField(_("PDF"), upload_to="convocations/%Y/")
    emise_le = models.DateTimeField(_("émise le"), default=timezone.now)
    envoyee_le = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ("passage", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["passage", "version"], name="convocation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.passage} v{self.version}"


def new_jeton() -> str:
    return secrets.token_urlsafe(32)


class FluxCalendrier(models.Model):
    """A jury member's private calendar feed: a secret URL that calendar
    applications subscribe to. Revoking it gives a new secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flux_calendrier",
        verbose_name=_("membre"),
    )
    jeton = models.CharField(_("jeton"), max_length=64, unique=True, default=new_jeton)
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("flux de calendrier")
        verbose_name_plural = _("flux de calendrier")

    def __str__(self) -> str:
        return str(self.user)
