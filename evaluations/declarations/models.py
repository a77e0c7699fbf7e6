"""The declaration of certified holders to the Caisse des Dépôts (« accrochage »):
the XML batches (``LotCDC``) and, holder by holder, what each batch carried and
what became of it (``DeclarationCDC``).

A holder's state is read from their latest declaration: none → à déclarer;
``inclus`` → in batch N, not yet deposited; ``depose`` → deposited on the
CDC's portal; ``accepte`` or ``rejete`` (with the CDC's motive). A rejected
holder, or an accepted one whose identity was corrected since, goes into a new
batch; the older rows stay, so the history shows every declaration."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from certif.validators import validate_xml_text
from evaluations.sessions.models import Inscription
from referentiel.models import Certification


def lot_upload_to(instance: "LotCDC", filename: str) -> str:
    return f"declarations/lot-{instance.pk}-{uuid.uuid4().hex}.xml"


class LotCDC(models.Model):
    """One XML file for one certification, built in the background. Once built,
    its file and SHA-256 never change; only the deposit is recorded afterwards.
    Its number is its primary key (« lot n° 12 »)."""

    class Statut(models.TextChoices):
        EN_COURS = "en_cours", _("En construction")
        CONSTRUIT = "construit", _("Prêt à déposer")
        REFUSE = "refuse", _("Refusé (identités incomplètes)")
        ECHEC = "echec", _("Échec")
        DEPOSE = "depose", _("Déposé")

    class Mode(models.TextChoices):
        EXCLURE = "exclure", _("Laisser de côté les identités incomplètes")
        REFUSER = "refuser", _("Refuser le lot s'il y a une identité incomplète")

    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        related_name="lots_cdc",
        verbose_name=_("certification"),
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.EN_COURS
    )
    mode = models.CharField(
        _("identités incomplètes"), max_length=10, choices=Mode, default=Mode.EXCLURE
    )
    # The enrolments the administrator picked; null: every holder to declare.
    selection = models.JSONField(_("sélection"), null=True, blank=True)
    id_flux = models.CharField(_("identifiant du flux"), max_length=50, unique=True)
    horodatage = models.DateTimeField(_("horodatage du flux"), null=True, blank=True)
    fichier = models.FileField(
        _("fichier XML"), upload_to=lot_upload_to, blank=True, max_length=255
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    total = models.PositiveIntegerField(_("titulaires à écrire"), default=0)
    faits = models.PositiveIntegerField(_("titulaires écrits"), default=0)
    # The holders left out (or that refused the batch): [{"inscription", "nom",
    # "manquants"}]; and the reason of a failure.
    exclus = models.JSONField(_("titulaires écartés"), default=list, blank=True)
    erreur = models.TextField(_("erreur"), blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("construit par"),
    )
    cree_le = models.DateTimeField(_("demandé le"), auto_now_add=True)
    construit_le = models.DateTimeField(_("construit le"), null=True, blank=True)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    depose_le = models.DateTimeField(_("déposé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot de déclaration CDC")
        verbose_name_plural = _("lots de déclaration CDC")
        ordering = ("-pk",)
        constraints = [
            models.CheckConstraint(
                name="lot_cdc_construit_a_un_fichier",
                condition=Q(statut__in=["en_cours", "refuse", "echec"])
                | (~Q(fichier="") & ~Q(sha256="") & Q(construit_le__isnull=False)),
            ),
            models.CheckConstraint(
                name="lot_cdc_depot_complet",
                condition=~Q(statut="depose")
                | (Q(depose_le__isnull=False) & Q(depose_par__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Lot n° %(numero)s") % {"numero": self.pk})

    @property
    def nom_fichier(self) -> str:
        return f"declaration-cdc-lot-{self.pk}.xml"

    @property
    def pourcentage(self) -> int:
        return round(100 * self.faits / self.total) if self.total else 0

    @property
    def termine(self) -> bool:
        return self.statut != self.Statut.EN_COURS


class DeclarationCDC(models.Model):
    """One holder (a certified enrolment) in one batch, with the values declared
    (``donnees``, so that a later correction shows beside them) and the CDC's
    answer."""

    class Statut(models.TextChoices):
        INCLUS = "inclus", _("Inclus dans un lot")
        DEPOSE = "depose", _("Déposé")
        ACCEPTE = "accepte", _("Accepté")
        REJETE = "rejete", _("Rejeté")

    lot = models.ForeignKey(
        LotCDC,
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("lot"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="declarations_cdc",
        verbose_name=_("inscription"),
    )
    id_technique = models.CharField(_("idTechnique"), max_length=255)
    donnees = models.JSONField(_("valeurs déclarées"))
    empreinte = models.CharField(_("empreinte des valeurs"), max_length=64)
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut, default=Statut.INCLUS
    )
    motif_rejet = models.TextField(
        _("motif du rejet"), max_length=1000, blank=True, validators=[validate_xml_text]
    )
    repondu_le = models.DateTimeField(
        _("réponse enregistrée le"), null=True, blank=True
    )
    repondu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse enregistrée par"),
    )

    class Meta:
        verbose_name = _("déclaration CDC")
        verbose_name_plural = _("déclarations CDC")
        ordering = ("lot_id", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "inscription"], name="declaration_cdc_unique_par_lot"
            ),
            models.CheckConstraint(
                name="declaration_cdc_rejet_motive",
                condition=~Q(statut="rejete") | ~Q(motif_rejet=""),
            ),
        ]
        indexes = [models.Index(fields=["inscription", "-id"])]

    def __str__(self) -> str:
        return f"{self.lot} — {self.id_technique}"


class RappelDeclarations(models.Model):
    """The daily reminder e-mail to the administrators (``manage.py
    rappels_declarations``): one row per day it was sent, so that running the
    command twice the same day sends it once."""

    jour = models.DateField(_("jour"), unique=True)
    envoye_le = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    destinataires = models.PositiveIntegerField(_("destinataires"))
    dues = models.PositiveIntegerField(_("titulaires à déclarer sous 15 jours"))
    en_retard = models.PositiveIntegerField(_("titulaires en retard"))

    class Meta:
        verbose_name = _("rappel des déclarations CDC")
        verbose_name_plural = _("rappels des déclarations CDC")
        ordering = ("-jour",)

    def __str__(self) -> str:
        return str(self.jour)
