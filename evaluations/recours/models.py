"""Appeals (« recours ») against the jury's decision, filed by a candidate once
the results of the session are published and within the appeal delay, with the
documents they join; instructed and decided by the administrator or the
session's president. A revised decision re-opens the deliberation (the logged
re-opening is kept on the appeal)."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from evaluations.deliberation.models import Deliberation, ReouvertureDeliberation
from evaluations.sessions.models import Inscription

# The longest text of an appeal, in characters.
TEXTE_MAX = 10_000
# The most documents an appeal joins.
PIECES_MAX = 5


class Recours(models.Model):
    """One appeal of an enrolment. ``statut`` goes déposé → en instruction →
    décidé, never back; a decided appeal has its outcome (``issue``) and motive.
    At most one appeal of an enrolment is undecided at a time (constraint)."""

    class Statut(models.TextChoices):
        DEPOSE = "depose", _("Déposé")
        EN_INSTRUCTION = "en_instruction", _("En instruction")
        DECIDE = "decide", _("Décidé")

    class Issue(models.TextChoices):
        MAINTENUE = "maintenue", _("Décision maintenue")
        REVISEE = "revisee", _("Décision révisée")

    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="recours",
        verbose_name=_("inscription"),
    )
    texte = models.TextField(_("texte du recours"), max_length=TEXTE_MAX)
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.DEPOSE
    )
    depose_le = models.DateTimeField(_("déposé le"), default=timezone.now)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    instruit_le = models.DateTimeField(
        _("mis en instruction le"), null=True, blank=True
    )
    instruit_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mis en instruction par"),
    )
    issue = models.CharField(_("issue"), max_length=20, choices=Issue, blank=True)
    motif_decision = models.TextField(
        _("motif de la décision"), max_length=TEXTE_MAX, blank=True
    )
    decide_le = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    # A revised decision re-opens the deliberation: the logged re-opening.
    reouverture = models.OneToOneField(
        ReouvertureDeliberation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recours",
        verbose_name=_("réouverture de la délibération"),
    )
    # When the documents were issued again after the new vote (révisée).
    documents_reedites_le = models.DateTimeField(
        _("documents réédités le"), null=True, blank=True
    )
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("recours")
        verbose_name_plural = _("recours")
        ordering = ("-depose_le", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["inscription"],
                condition=~Q(statut="decide"),
                name="recours_un_seul_en_cours",
                violation_error_message=_(
                    "Un recours de cette inscription est déjà en cours d'examen."
                ),
            ),
            models.CheckConstraint(
                name="recours_decision_complete",
                condition=(
                    Q(statut="decide")
                    & ~Q(issue="")
                    & ~Q(motif_decision="")
                    & Q(decide_le__isnull=False)
                    & Q(instruit_le__isnull=False)
                )
                | (Q(issue="") & Q(decide_le__isnull=True) & ~Q(statut="decide")),
                violation_error_message=_(
                    "Un recours décidé porte son issue, son motif et sa date, et "
                    "seulement lui."
                ),
            ),
            models.CheckConstraint(
                name="recours_revise_rouvre",
                condition=~Q(issue="revisee") | Q(reouverture__isnull=False),
                violation_error_message=_("Un recours révisé rouvre la délibération."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.inscription}"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:recours_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        """The appeal's reference, as the candidate's e-mail and the pages give
        it: year of filing (Paris) and number."""
        annee = timezone.localtime(self.depose_le).year
        return f"R{annee}-{self.pk:05d}"

    @property
    def est_decide(self) -> bool:
        return self.statut == self.Statut.DECIDE

    @property
    def est_revise(self) -> bool:
        return self.issue == self.Issue.REVISEE

    def nouveau_vote_verrouille(self, deliberation: Deliberation | None) -> bool:
        """For a revised appeal: the jury voted again since the appeal's
        re-opening and the deliberation is locked (``deliberation``: the
        enrolment's, read by the caller)."""
        reouverture = self.reouverture
        return (
            self.est_revise
            and reouverture is not None
            and deliberation is not None
            and deliberation.verrouillee
            and deliberation.decidee_le > reouverture.le
        )


def piece_upload_to(instance: "PieceRecours", filename: str) -> str:
    """A random name under the appeal's folder; the original name is kept in
    ``nom_original`` for display only."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"recours/{instance.recours_id}/{uuid.uuid4().hex}{suffix}"


class PieceRecours(models.Model):
    """A document joined to an appeal: checked like a deliverable, stored in
    private storage with its size and SHA-256; never changed."""

    recours = models.ForeignKey(
        Recours,
        on_delete=models.PROTECT,
        related_name="pieces",
        verbose_name=_("recours"),
    )
    fichier = models.FileField(_("fichier"), upload_to=piece_upload_to, max_length=255)
    nom_original = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    type_mime = models.CharField(_("type"), max_length=120)
    depose_le = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("pièce d'un recours")
        verbose_name_plural = _("pièces des recours")
        ordering = ("recours", "pk")

    def __str__(self) -> str:
        return self.nom_original
