"""Issued documents (parchemin, attestation de blocs, relevé, PV and its
addendum of the appeals, result letter) and the background
batches that issue a whole session's documents.

A ``Document`` is immutable once issued: its file, SHA-256 and ``snapshot`` (the
frozen data the PDF was rendered from) never change. Re-issuing creates the next
``version`` and revokes the previous one; only ``statut`` and the revocation
fields ever change on an existing row."""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.sessions.models import Inscription, Session

CODE_LENGTH = 16


def new_document_code() -> str:
    """16 characters of base32 (A to Z, 2 to 7): 80 random bits, easy to type by hand."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def normalize_code(raw: str) -> str:
    """A code as typed by a person: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def document_upload_to(instance: "Document", filename: str) -> str:
    return f"documents/{instance.session_id}/{uuid.uuid4().hex}.pdf"


def scan_upload_to(instance: "Document", filename: str) -> str:
    return f"documents/{instance.session_id}/scans/{uuid.uuid4().hex}.pdf"


def archive_upload_to(instance: "EmissionSession", filename: str) -> str:
    return f"documents/{instance.session_id}/archives/{uuid.uuid4().hex}.zip"


class EmissionSession(models.Model):
    """One run of the issuing of a session's documents, done by background tasks.
    ``total`` units (one per deliberated enrolment, plus the PV); ``faits`` counts
    the units done (issued or already up to date); ``echecs`` lists the failed units
    with the reason."""

    class Statut(models.TextChoices):
        EN_COURS = "en_cours", _("En cours")
        ARCHIVAGE = "archivage", _("Préparation de l'archive")
        TERMINEE = "terminee", _("Terminée")
        TERMINEE_AVEC_ECHECS = "echecs", _("Terminée avec des échecs")

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="emissions",
        verbose_name=_("session"),
    )
    lancee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lancée par"),
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.EN_COURS
    )
    total = models.PositiveIntegerField(_("documents à traiter"), default=0)
    faits = models.PositiveIntegerField(_("traités"), default=0)
    echecs = models.JSONField(_("échecs"), default=list, blank=True)
    # The units counted ("inscription:<id>", "pv"): a unit is counted once.
    unites = models.JSONField(_("unités traitées"), default=list, blank=True)
    archive = models.FileField(
        _("archive ZIP"), upload_to=archive_upload_to, blank=True, max_length=255
    )
    lancee_le = models.DateTimeField(_("lancée le"), default=timezone.now)
    modifiee_le = models.DateTimeField(_("dernière progression"), auto_now=True)
    terminee_le = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("émission de documents")
        verbose_name_plural = _("émissions de documents")
        ordering = ("-lancee_le", "-pk")

    def __str__(self) -> str:
        return f"{self.session} — {self.lancee_le:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:emission_detail", kwargs={"pk": self.pk})

    @property
    def traites(self) -> int:
        return self.faits + len(self.echecs)

    @property
    def en_cours(self) -> bool:
        return self.statut in {self.Statut.EN_COURS, self.Statut.ARCHIVAGE}

    @property
    def pourcentage(self) -> int:
        return 100 if not self.total else round(100 * self.traites / self.total)


class Document(models.Model):
    class Nature(models.TextChoices):
        PARCHEMIN = "parchemin", _("Parchemin")
        ATTESTATION = "attestation", _("Attestation de blocs de compétences")
        RELEVE = "releve", _("Relevé individuel de résultats")
        PV = "pv", _("Procès-verbal de délibération")
        # Issued at the publication of the results (evaluations/resultats).
        LETTRE = "lettre", _("Lettre de résultat")
        # The appeals of a session and their outcome (evaluations/recours).
        ADDENDUM = "addendum", _("Addendum au procès-verbal")

    class Statut(models.TextChoices):
        VALIDE = "valide", _("Valide")
        REVOQUE = "revoque", _("Révoqué")

    AWARDS = (Nature.PARCHEMIN, Nature.ATTESTATION)
    # Documents of a whole session (no enrolment), read by its jury.
    SESSION_NATURES = (Nature.PV, Nature.ADDENDUM)
    # Found by their code on the public verification page: the awards, and the
    # result letter (which carries the decision and the appeal route).
    VERIFIABLES = (Nature.PARCHEMIN, Nature.ATTESTATION, Nature.LETTRE)

    nature = models.CharField(_("nature"), max_length=20, choices=Nature)
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("session"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("inscription"),
    )
    code = models.CharField(
        _("code de vérification"),
        max_length=CODE_LENGTH,
        unique=True,
        default=new_document_code,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    remplace = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplace_par",
        verbose_name=_("remplace la version"),
    )
    fichier = models.FileField(
        _("fichier"), upload_to=document_upload_to, max_length=255
    )
    nom_fichier = models.CharField(_("nom du fichier"), max_length=200)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    snapshot = models.JSONField(_("données figées"))
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut, default=Statut.VALIDE
    )
    emis_le = models.DateTimeField(_("émis le"), default=timezone.now)
    emis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émis par"),
    )
    emission = models.ForeignKey(
        EmissionSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("émission"),
    )
    revoque_le = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoque_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
    )
    motif_revocation = models.TextField(_("motif de la révocation"), blank=True)
    # A PV is signed on paper by the members present: its scan is attached to the
    # record (the issued file itself never changes).
    scan_signe = models.FileField(
        _("scan signé"), upload_to=scan_upload_to, blank=True, max_length=255
    )
    scan_depose_le = models.DateTimeField(_("scan déposé le"), null=True, blank=True)
    scan_depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scan déposé par"),
    )

    class Meta:
        verbose_name = _("document émis")
        verbose_name_plural = _("documents émis")
        ordering = ("session", "inscription", "nature", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["nature", "inscription", "version"],
                condition=Q(inscription__isnull=False),
                name="document_version_unique",
            ),
            models.UniqueConstraint(
                fields=["nature", "session", "version"],
                condition=Q(inscription__isnull=True),
                name="document_pv_version_unique",
            ),
            models.UniqueConstraint(
                fields=["nature", "inscription"],
                condition=Q(inscription__isnull=False, statut="valide"),
                name="document_un_seul_valide",
            ),
            models.UniqueConstraint(
                fields=["nature", "session"],
                condition=Q(inscription__isnull=True, statut="valide"),
                name="document_pv_un_seul_valide",
            ),
            models.CheckConstraint(
                name="document_pv_sans_inscription",
                condition=(
                    Q(nature__in=["pv", "addendum"]) & Q(inscription__isnull=True)
                )
                | (~Q(nature__in=["pv", "addendum"]) & Q(inscription__isnull=False)),
            ),
            models.CheckConstraint(
                name="document_revocation_complete",
                condition=(Q(statut="valide") & Q(revoque_le__isnull=True))
                | (
                    Q(statut="revoque")
                    & Q(revoque_le__isnull=False)
                    & ~Q(motif_revocation="")
                ),
                violation_error_message=_("Une révocation exige une date et un motif."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} v{self.version} ({self.code})"

    @property
    def est_distinction(self) -> bool:
        """Parchemin and attestation are awards: verifiable by code and QR."""
        return self.nature in self.AWARDS

    @property
    def est_verifiable(self) -> bool:
        """Found by its code on the public verification page."""
        return self.nature in self.VERIFIABLES

    @property
    def est_valide(self) -> bool:
        return self.statut == self.Statut.VALIDE

    @property
    def code_affiche(self) -> str:
        """The code in groups of four, as printed."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))
