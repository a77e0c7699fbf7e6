"""The publication of a session's results, at the time the administrator chose,
and what it did for each candidate (letter issued, e-mail sent).

Before ``PublicationResultats.publiee_le`` is set, a candidate sees nothing of
their result: not the result page, not the documents of the session, not an
e-mail. The background run sets it when it starts (``publication_claim``), then
issues each candidate's documents and letter and sends the result e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from evaluations.documents.models import Document
from evaluations.sessions.models import Inscription, Session

# The one filter « the results of the document's or enrolment's session are
# published », for a queryset of ``Document`` or ``Inscription``.
PUBLIEE_LOOKUP = "session__publication_resultats__publiee_le__isnull"


def resultats_publies_q() -> Q:
    return Q(**{PUBLIEE_LOOKUP: False})


class PublicationResultats(models.Model):
    """The publication of one session's results. Scheduled (``prevue_le``) by an
    administrator once every deliberation is locked; ``publiee_le`` is the moment
    the results became visible to the candidates. ``total`` units (one per
    enrolment with a locked deliberation), ``faits`` done, ``echecs`` with their
    reason; ``unites`` makes each unit count once. Every change is kept in the
    history (who scheduled, rescheduled, cancelled, when)."""

    class Statut(models.TextChoices):
        PROGRAMMEE = "programmee", _("Programmée")
        EN_COURS = "en_cours", _("Publication en cours")
        PUBLIEE = "publiee", _("Publiée")
        PUBLIEE_AVEC_ECHECS = "echecs", _("Publiée, avec des échecs")
        ANNULEE = "annulee", _("Annulée")

    session = models.OneToOneField(
        Session,
        on_delete=models.PROTECT,
        related_name="publication_resultats",
        verbose_name=_("session"),
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.PROGRAMMEE
    )
    prevue_le = models.DateTimeField(_("publication prévue le"))
    # Empty for the sessions whose documents were issued before publications
    # existed: migration 0020 recorded them as published by the platform.
    programmee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programmée par"),
    )
    programmee_le = models.DateTimeField(_("programmée le"), default=timezone.now)
    publiee_le = models.DateTimeField(_("publiée le"), null=True, blank=True)
    # Why a publication due could not start (a deliberation re-opened since).
    blocage = models.TextField(_("publication empêchée"), blank=True, default="")
    total = models.PositiveIntegerField(_("candidats à publier"), default=0)
    faits = models.PositiveIntegerField(_("candidats publiés"), default=0)
    echecs = models.JSONField(_("échecs"), default=list, blank=True)
    unites = models.JSONField(_("unités traitées"), default=list, blank=True)
    modifiee_le = models.DateTimeField(_("dernière progression"), auto_now=True)
    terminee_le = models.DateTimeField(_("terminée le"), null=True, blank=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User | None

    class Meta:
        verbose_name = _("publication des résultats")
        verbose_name_plural = _("publications des résultats")
        constraints = [
            models.CheckConstraint(
                name="publication_publiee_datee",
                condition=Q(statut__in=["programmee", "annulee"], publiee_le=None)
                | (
                    Q(statut__in=["en_cours", "publiee", "echecs"])
                    & Q(publiee_le__isnull=False)
                ),
                violation_error_message=_(
                    "Une publication lancée porte sa date de publication, et "
                    "seulement elle."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.get_statut_display()}"

    @property
    def est_publiee(self) -> bool:
        """The results are visible to the candidates (the one rule)."""
        return self.publiee_le is not None

    @property
    def en_cours(self) -> bool:
        return self.statut == self.Statut.EN_COURS

    @property
    def modifiable(self) -> bool:
        """Scheduled or cancelled: its date may still change."""
        return self.statut in {self.Statut.PROGRAMMEE, self.Statut.ANNULEE}

    @property
    def traites(self) -> int:
        return self.faits + len(self.echecs)

    @property
    def pourcentage(self) -> int:
        return 100 if not self.total else round(100 * self.traites / self.total)


class ResultatPublie(models.Model):
    """What the publication did for one enrolment: the result letter issued and
    the moment the result e-mail left (once)."""

    publication = models.ForeignKey(
        PublicationResultats,
        on_delete=models.PROTECT,
        related_name="resultats",
        verbose_name=_("publication"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="resultats_publies",
        verbose_name=_("inscription"),
    )
    lettre = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lettre de résultat"),
    )
    courriel_le = models.DateTimeField(
        _("courriel de résultat envoyé le"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("résultat publié")
        verbose_name_plural = _("résultats publiés")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "inscription"], name="resultat_publie_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inscription} ({self.publication_id})"
