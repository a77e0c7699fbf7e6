"""Scores: one evaluator's result per criterion (``Evaluation``) and the
jury's consolidated result (``Consolidation``), both with their history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from evaluations.jury.models import Affectation
from evaluations.sessions.models import Inscription
from referentiel.models import Critere


class Resultat(models.TextChoices):
    """A scored result. *Dispensé* is not scored: it comes from an exemption
    decision (``handicap``) and is applied by the roll-up."""

    ACQUIS = "acquis", _("Acquis")
    NON_ACQUIS = "non_acquis", _("Non acquis")


class Evaluation(models.Model):
    """One evaluator's result on one criterion for one enrolment."""

    affectation = models.ForeignKey(
        Affectation,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("affectation"),
    )
    critere = models.ForeignKey(
        Critere, on_delete=models.PROTECT, related_name="+", verbose_name=_("critère")
    )
    resultat = models.CharField(_("résultat"), max_length=12, choices=Resultat)
    commentaire = models.TextField(_("commentaire"), blank=True)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        constraints = [
            models.UniqueConstraint(
                fields=["affectation", "critere"], name="evaluation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.critere.code} : {self.get_resultat_display()}"


class Consolidation(models.Model):
    """The jury's result on one criterion, set by the president. ``version`` grows
    on every change so that a concurrent change is detected, not lost."""

    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="consolidations",
        verbose_name=_("inscription"),
    )
    critere = models.ForeignKey(
        Critere, on_delete=models.PROTECT, related_name="+", verbose_name=_("critère")
    )
    resultat = models.CharField(_("résultat du jury"), max_length=12, choices=Resultat)
    commentaire = models.TextField(_("commentaire"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    modifie_le = models.DateTimeField(_("modifié le"), auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("résultat consolidé")
        verbose_name_plural = _("résultats consolidés")
        constraints = [
            models.UniqueConstraint(
                fields=["inscription", "critere"], name="consolidation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.critere.code} : {self.get_resultat_display()}"


class DerogationValidation(models.Model):
    """The president's recorded reason to consolidate and vote although an assigned
    evaluator has not validated their grid (evaluator absent, replaced). The PV
    prints it."""

    affectation = models.OneToOneField(
        Affectation,
        on_delete=models.CASCADE,
        related_name="derogation",
        verbose_name=_("affectation"),
    )
    motif = models.TextField(_("motif"))
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    le = models.DateTimeField(_("enregistrée le"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dérogation à la validation d'un évaluateur")
        verbose_name_plural = _("dérogations à la validation des évaluateurs")
        constraints = [
            models.CheckConstraint(
                name="derogation_motif_non_vide",
                condition=~models.Q(motif=""),
                violation_error_message=_(
                    "Indiquez pourquoi le jury se passe de la validation de cet "
                    "évaluateur."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.affectation} : {self.motif[:40]}"
