"""The session's jury: members and their role, declared conflicts of interest,
and the assignment of evaluators to enrolments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluations.sessions.models import Inscription, Session


class MembreJury(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("Président")
        MEMBRE = "membre", _("Membre")

    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="membres",
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="jurys",
        verbose_name=_("membre"),
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role, default=Role.MEMBRE)
    qualite = models.CharField(
        _("qualité"),
        max_length=200,
        blank=True,
        help_text=_(
            "Ce que le procès-verbal imprime : par exemple « professionnelle du "
            "secteur, employeur » ou « formateur »."
        ),
    )
    ajoute_le = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        ordering = ("session", "role", "user__last_name")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="membre_jury_unique"
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(role="president"),
                name="un_president_par_session",
                violation_error_message=_("La session a déjà un président du jury."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ConflitInterets(models.Model):
    class Nature(models.TextChoices):
        EMPLOYEUR = "employeur", _("Employeur")
        FORMATEUR = "formateur", _("Formateur")
        TUTEUR = "tuteur", _("Tuteur")
        FAMILLE = "famille", _("Famille")
        AUTRE = "autre", _("Autre")

    membre = models.ForeignKey(
        MembreJury,
        on_delete=models.PROTECT,
        related_name="conflits",
        verbose_name=_("membre"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="conflits",
        verbose_name=_("inscription"),
    )
    nature = models.CharField(_("nature du lien"), max_length=20, choices=Nature)
    commentaire = models.TextField(_("commentaire"), blank=True)
    declare_le = models.DateTimeField(_("déclaré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        constraints = [
            models.UniqueConstraint(
                fields=["membre", "inscription"], name="conflit_unique"
            ),
            models.CheckConstraint(
                name="conflit_autre_commente",
                condition=~Q(nature="autre") | ~Q(commentaire=""),
                violation_error_message=_("Précisez la nature du lien."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membre} / {self.inscription} ({self.get_nature_display()})"


class Affectation(models.Model):
    """A jury member assigned to evaluate an enrolment."""

    membre = models.ForeignKey(
        MembreJury,
        on_delete=models.PROTECT,
        related_name="affectations",
        verbose_name=_("évaluateur"),
    )
    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="affectations",
        verbose_name=_("inscription"),
    )
    cree_le = models.DateTimeField(_("affecté le"), auto_now_add=True)
    validee_le = models.DateTimeField(_("évaluation validée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            models.UniqueConstraint(
                fields=["membre", "inscription"], name="affectation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membre} → {self.inscription}"
