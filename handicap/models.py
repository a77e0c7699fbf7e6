"""Disability accommodation requests, their confidential documents, the référent
handicap's decision (accommodations and avis motivé), the jury's exemptions and the
log of every read of confidential content.

Confidential: ``DemandeAmenagement.besoins`` and the ``PieceJustificative`` files.
They are read only through ``handicap.access`` and every read is written to
``AccesConfidentiel``. Everything else here (accommodations, avis, exemptions) is
what the jury may see.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Inscription
from referentiel.models import Critere, Modalite

CONSENTEMENT_TEXTE = _(
    "J'accepte que les informations relatives à ma santé et à mon handicap que je "
    "transmets dans cette demande (description de mes besoins et pièces "
    "justificatives) soient traitées par le référent handicap du certificateur, dans "
    "le seul but d'instruire ma demande d'aménagement des épreuves. Ces informations "
    "ne sont communiquées ni au jury ni à l'administration des sessions ; le jury "
    "ne connaît que les aménagements accordés et l'avis motivé du référent. Les "
    "pièces justificatives sont supprimées à l'issue de la durée de conservation "
    "prévue après la clôture de la session."
)


# A « temps majoré » adds from 1 to 100 % of the usual duration; one third when
# the référent decided no amount.
MAJORATION_MIN = 1
MAJORATION_MAX = 100
MAJORATION_DEFAUT = 100 / 3


def courrier_upload_to(instance: "DemandeAmenagement", filename: str) -> str:
    return f"handicap/courriers/{uuid.uuid4().hex}.pdf"


class DemandeAmenagement(models.Model):
    """A candidate's request to the référent handicap for one enrolment."""

    class Statut(models.TextChoices):
        DEPOSEE = "deposee", _("Déposée")
        EN_INSTRUCTION = "en_instruction", _("En instruction")
        DECIDEE = "decidee", _("Décidée")

    inscription = models.OneToOneField(
        Inscription,
        on_delete=models.PROTECT,
        related_name="demande_amenagement",
        verbose_name=_("inscription"),
    )
    besoins = models.TextField(_("besoins exprimés par le candidat"))
    modalites = models.ManyToManyField(
        Modalite,
        related_name="+",
        blank=True,
        verbose_name=_("modalités d'évaluation concernées"),
    )
    consentement_texte = models.TextField(_("texte du consentement accepté"))
    consentement_le = models.DateTimeField(_("consentement donné le"))
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.DEPOSEE
    )
    deposee_le = models.DateTimeField(_("déposée le"))
    instruction_le = models.DateTimeField(
        _("mise en instruction le"), null=True, blank=True
    )
    instruite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instruite par"),
    )
    decidee_le = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    courrier = models.FileField(
        _("courrier de décision"),
        upload_to=courrier_upload_to,
        blank=True,
        max_length=255,
    )

    class Meta:
        verbose_name = _("demande d'aménagement")
        verbose_name_plural = _("demandes d'aménagement")
        ordering = ("-deposee_le", "-pk")
        constraints = [
            models.CheckConstraint(
                name="demande_consentement_donne",
                condition=~Q(consentement_texte=""),
                violation_error_message=_("Le consentement est obligatoire."),
            ),
            models.CheckConstraint(
                name="demande_decision_complete",
                condition=~Q(statut="decidee")
                | (Q(decidee_le__isnull=False) & Q(decidee_par__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Demande d'aménagement de %(inscription)s")
            % {"inscription": self.inscription}
        )

    def get_absolute_url(self) -> str:
        return reverse("handicap:demande_detail", kwargs={"pk": self.pk})


def piece_upload_to(instance: "PieceJustificative", filename: str) -> str:
    """A random name: the original one may itself be health data."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"handicap/pieces/{uuid.uuid4().hex}{suffix}"


class PieceJustificative(models.Model):
    """A confidential supporting document. Deleted only by the retention purge
    (``handicap.services.pieces_purger``)."""

    demande = models.ForeignKey(
        DemandeAmenagement,
        on_delete=models.PROTECT,
        related_name="pieces",
        verbose_name=_("demande"),
    )
    fichier = models.FileField(_("fichier"), upload_to=piece_upload_to, max_length=255)
    nom_original = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    type_mime = models.CharField(_("type"), max_length=120)
    deposee_le = models.DateTimeField(_("déposée le"))

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        ordering = ("demande", "deposee_le", "pk")

    def __str__(self) -> str:
        return str(_("Pièce n° %(pk)s") % {"pk": self.pk})


class Amenagement(models.Model):
    """One accommodation decided by the référent. It changes how the candidate is
    evaluated, never the criteria. A format adaptation is « sur conseil du
    référent handicap »: it applies once an administrator confirms it for the
    certifier."""

    class Type(models.TextChoices):
        FORMAT_ADAPTE = "format_adapte", _("Format adapté d'une modalité")
        ASSISTANCE_TIERS = "assistance_tiers", _("Assistance d'un tiers")
        SUPPORTS_ADAPTES = "supports_adaptes", _("Supports et matériels adaptés")
        TEMPS_MAJORE = "temps_majore", _("Temps majoré")
        SALLE_ACCESSIBLE = (
            "salle_accessible",
            _("Salle accessible aux personnes à mobilité réduite"),
        )
        AUTRE = "autre", _("Autre aménagement")

    demande = models.ForeignKey(
        DemandeAmenagement,
        on_delete=models.PROTECT,
        related_name="amenagements",
        verbose_name=_("demande"),
    )
    type = models.CharField(_("type d'aménagement"), max_length=20, choices=Type)
    modalite = models.ForeignKey(
        Modalite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modalité adaptée"),
    )
    precision = models.CharField(
        _("format ou rôle du tiers"),
        max_length=200,
        blank=True,
        help_text=_(
            "Le format retenu (format adapté) ou le rôle du tiers (assistance)."
        ),
    )
    # A « temps majoré »: the extra time decided, in percent of the usual
    # duration; none decided means one third (MAJORATION_DEFAUT).
    majoration_pourcent = models.PositiveSmallIntegerField(
        _("majoration du temps (%)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MAJORATION_MIN),
            MaxValueValidator(MAJORATION_MAX),
        ],
        help_text=_(
            "Temps majoré seulement : de 1 à 100 % du temps prévu ; vide, un "
            "tiers-temps."
        ),
    )
    description = models.TextField(_("description"))
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)
    # A format adaptation is advised by the référent (the decision) and confirmed
    # for the certifier by an administrator.
    confirme_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    confirme_le = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aménagement")
        verbose_name_plural = _("aménagements")
        ordering = ("demande", "ordre", "pk")
        constraints = [
            models.CheckConstraint(
                name="amenagement_format_complet",
                condition=~Q(type="format_adapte")
                | (Q(modalite__isnull=False) & ~Q(precision="")),
                violation_error_message=_(
                    "Un format adapté précise la modalité et le format retenu."
                ),
            ),
            models.CheckConstraint(
                name="amenagement_tiers_role",
                condition=~Q(type="assistance_tiers") | ~Q(precision=""),
                violation_error_message=_("Précisez le rôle du tiers."),
            ),
            models.CheckConstraint(
                name="amenagement_majoration",
                condition=Q(majoration_pourcent__isnull=True)
                | (
                    Q(type="temps_majore")
                    & Q(
                        majoration_pourcent__gte=MAJORATION_MIN,
                        majoration_pourcent__lte=MAJORATION_MAX,
                    )
                ),
                violation_error_message=_(
                    "Une majoration du temps (de 1 à 100 %) ne se donne qu'à un "
                    "temps majoré."
                ),
            ),
            models.CheckConstraint(
                name="amenagement_description",
                condition=~Q(description=""),
                violation_error_message=_("Décrivez l'aménagement."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_type_display()

    @property
    def majoration(self) -> float:
        """A « temps majoré »'s extra time in percent: the amount decided, one
        third when none was."""
        if self.majoration_pourcent is None:
            return MAJORATION_DEFAUT
        return float(self.majoration_pourcent)

    @property
    def a_confirmer(self) -> bool:
        """A format adaptation advised by the référent, not yet confirmed."""
        return self.type == self.Type.FORMAT_ADAPTE and self.confirme_le is None


class AvisMotive(models.Model):
    """The référent's motivated opinion; it may propose criterion exemptions."""

    demande = models.OneToOneField(
        DemandeAmenagement,
        on_delete=models.PROTECT,
        related_name="avis",
        verbose_name=_("demande"),
    )
    texte = models.TextField(_("avis motivé"))
    redige_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    redige_le = models.DateTimeField(_("rédigé le"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avis motivé")
        verbose_name_plural = _("avis motivés")
        constraints = [
            models.CheckConstraint(
                name="avis_texte_non_vide",
                condition=~Q(texte=""),
                violation_error_message=_("Rédigez l'avis motivé."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Avis motivé sur %(demande)s") % {"demande": self.demande})


class PropositionDispense(models.Model):
    """A criterion the avis proposes to exempt, with its motive."""

    avis = models.ForeignKey(
        AvisMotive,
        on_delete=models.PROTECT,
        related_name="propositions",
        verbose_name=_("avis motivé"),
    )
    critere = models.ForeignKey(
        Critere, on_delete=models.PROTECT, related_name="+", verbose_name=_("critère")
    )
    motif = models.TextField(_("motif"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposition de dispense")
        verbose_name_plural = _("propositions de dispense")
        ordering = ("avis_id", "critere_id")
        constraints = [
            models.UniqueConstraint(
                fields=["avis", "critere"],
                name="proposition_dispense_unique",
                violation_error_message=_("Ce critère est déjà proposé."),
            ),
            models.CheckConstraint(
                name="proposition_motif_non_vide",
                condition=~Q(motif=""),
                violation_error_message=_("Indiquez le motif de la proposition."),
            ),
        ]

    def __str__(self) -> str:
        return self.critere.code


class Dispense(models.Model):
    """The jury's decision on one proposed exemption, taken by the jury sitting
    (``presents``: the members present, quorum and president included). Granting it
    requires both cumulative conditions and the jury's reasoning (database
    constraint); condition 1 is affirmed over the candidate's whole set of
    exemptions, whose codes ``ensemble`` keeps as they were at that decision."""

    proposition = models.OneToOneField(
        PropositionDispense,
        on_delete=models.PROTECT,
        related_name="dispense",
        verbose_name=_("proposition"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="dispenses",
        verbose_name=_("inscription"),
    )
    critere = models.ForeignKey(
        Critere, on_delete=models.PROTECT, related_name="+", verbose_name=_("critère")
    )
    accordee = models.BooleanField(_("dispense accordée"))
    condition_capacite_globale = models.BooleanField(
        _(
            "la dispense ne remet pas en question la capacité professionnelle "
            "globale du candidat"
        ),
        default=False,
    )
    condition_pratique_future = models.BooleanField(
        _(
            "au regard de la nature du handicap, le critère n'a pas vocation à "
            "s'appliquer dans la pratique professionnelle future du candidat"
        ),
        default=False,
    )
    raisonnement = models.TextField(_("raisonnement du jury"), blank=True)
    ensemble = models.CharField(
        _("dispenses couvertes par la condition 1"),
        max_length=2000,
        blank=True,
        default="",
        help_text=_(
            "Codes des critères dispensés, celui-ci compris, sur lesquels le jury a "
            "affirmé la capacité professionnelle globale."
        ),
    )
    presents = models.ManyToManyField(
        MembreJury,
        related_name="dispenses_siegees",
        blank=True,
        verbose_name=_("membres présents"),
    )
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decide_le = models.DateTimeField(_("décidée le"))
    history = HistoricalRecords(m2m_fields=[presents])

    class Meta:
        verbose_name = _("dispense")
        verbose_name_plural = _("dispenses")
        ordering = ("inscription_id", "critere_id")
        constraints = [
            models.UniqueConstraint(
                fields=["inscription", "critere"], name="dispense_unique"
            ),
            models.CheckConstraint(
                name="dispense_conditions_cumulatives",
                condition=Q(accordee=False)
                | (
                    Q(condition_capacite_globale=True)
                    & Q(condition_pratique_future=True)
                    & ~Q(raisonnement="")
                ),
                violation_error_message=_(
                    "Une dispense n'est accordée que si les deux conditions "
                    "cumulatives sont affirmées et le raisonnement du jury rédigé."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.critere.code} : {'accordée' if self.accordee else 'refusée'}"


class AccesConfidentiel(models.Model):
    """One read of confidential content (needs description or a document), or the
    purge of a document. Append-only: nothing updates or deletes these rows."""

    class Objet(models.TextChoices):
        BESOINS = "besoins", _("Description des besoins")
        PIECE = "piece", _("Pièce justificative")

    class Action(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        TELECHARGEMENT = "telechargement", _("Téléchargement")
        SUPPRESSION = "suppression", _("Suppression (conservation échue)")

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilisateur"),
        help_text=_("Vide pour une suppression automatique."),
    )
    le = models.DateTimeField(_("le"))
    demande = models.ForeignKey(
        DemandeAmenagement,
        on_delete=models.PROTECT,
        related_name="acces",
        verbose_name=_("demande"),
    )
    objet = models.CharField(_("objet"), max_length=10, choices=Objet)
    piece_id = models.PositiveBigIntegerField(_("n° de pièce"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action)

    class Meta:
        verbose_name = _("accès à une donnée confidentielle")
        verbose_name_plural = _("journal des accès confidentiels")
        ordering = ("-le", "-pk")

    def __str__(self) -> str:
        return f"{self.le:%d/%m/%Y %H:%M} {self.utilisateur} {self.action}"
