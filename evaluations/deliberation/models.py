"""The jury's decision on an enrolment and its logged re-openings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from certif.models import User
from evaluations.jury.models import MembreJury
from evaluations.sessions.models import Inscription
from referentiel.models import Bloc


class Deliberation(models.Model):
    """The jury's decision on an enrolment. Once ``verrouillee``, every write to the
    enrolment's scores, consolidation or decision is refused until an explicit,
    logged re-opening. The roll-up proposes (``decision_proposee``,
    ``blocs_proposes``); the jury may decide otherwise only with ``motif_ecart``."""

    class Decision(models.TextChoices):
        CERTIFIE = "certifie", _("Certifié")
        VALIDATION_PARTIELLE = "validation_partielle", _("Validation partielle")
        NON_VALIDE = "non_valide", _("Non validé")
        # Recorded by the jury without any score: the candidate did not sit.
        ABSENT = "absent", _("Absent")

    inscription = models.OneToOneField(
        Inscription,
        on_delete=models.PROTECT,
        related_name="deliberation",
        verbose_name=_("inscription"),
    )
    decision = models.CharField(_("décision"), max_length=30, choices=Decision)
    motif = models.TextField(_("motif"))
    decision_proposee = models.CharField(
        _("décision proposée"), max_length=30, choices=Decision, blank=True, default=""
    )
    blocs_proposes = models.CharField(
        _("blocs proposés"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Codes des blocs que le consolidé proposait de valider."),
    )
    motif_ecart = models.TextField(
        _("motif de la décision différente de la proposition"),
        blank=True,
        default="",
    )
    blocs_valides = models.ManyToManyField(
        Bloc, related_name="+", blank=True, verbose_name=_("blocs validés")
    )
    presents = models.ManyToManyField(
        MembreJury, related_name="deliberations", verbose_name=_("membres présents")
    )
    verrouillee = models.BooleanField(_("verrouillée"), default=True)
    decidee_le = models.DateTimeField(_("décidée le"))
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[blocs_valides, presents])
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("délibération")
        verbose_name_plural = _("délibérations")

    def __str__(self) -> str:
        return f"{self.inscription} : {self.get_decision_display()}"

    @property
    def differe_de_la_proposition(self) -> bool:
        """The jury decided otherwise than the roll-up proposed: ``deliberation_record``
        stores ``motif_ecart`` exactly then."""
        return bool(self.motif_ecart)


class ReouvertureDeliberation(models.Model):
    """An explicit re-opening of a locked deliberation, with its reason."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="reouvertures"
    )
    motif = models.TextField(_("motif de la réouverture"))
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    le = models.DateTimeField(_("rouverte le"), auto_now_add=True)

    class Meta:
        verbose_name = _("réouverture de délibération")
        verbose_name_plural = _("réouvertures de délibération")
        ordering = ("-le",)

    def __str__(self) -> str:
        return f"{self.deliberation} ({self.le:%d/%m/%Y})"
