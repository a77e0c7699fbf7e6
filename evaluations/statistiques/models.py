"""The spreadsheet and report exports produced in the background: what was asked
(nature and filters), by whom, how far it went, and the file once done."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_upload_to(instance: "Export", filename: str) -> str:
    extension = filename.rpartition(".")[2]
    return f"exports/{uuid.uuid4().hex}.{extension}"


class Export(models.Model):
    """One export asked from the statistics page, built by a background task
    (``evaluations/statistiques/tasks.py``). ``parametres`` are the page's filters
    (primary keys and year); the file holds personal data: only the person who
    asked downloads it."""

    class Nature(models.TextChoices):
        RESULTATS = "resultats", _("Résultats des inscriptions (XLSX)")
        NOTES = "notes", _("Notes du jury (XLSX)")
        RAPPORT = "rapport", _("Rapport annuel (PDF)")

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        EN_COURS = "en_cours", _("En cours")
        TERMINE = "termine", _("Terminé")
        ECHOUE = "echoue", _("Échoué")
        # The file was deleted past EXPORTS_CONSERVATION_JOURS (personal data).
        EXPIRE = "expire", _("Expiré")

    nature = models.CharField(_("nature"), max_length=20, choices=Nature)
    parametres = models.JSONField(_("filtres"), default=dict, blank=True)
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.EN_ATTENTE
    )
    total = models.PositiveIntegerField(_("lignes à écrire"), default=0)
    traites = models.PositiveIntegerField(_("lignes écrites"), default=0)
    fichier = models.FileField(
        _("fichier"), upload_to=export_upload_to, blank=True, max_length=255
    )
    nom_fichier = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    message = models.TextField(_("motif de l'échec"), blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    demande_le = models.DateTimeField(_("demandé le"), default=timezone.now)
    modifie_le = models.DateTimeField(_("dernière progression"), auto_now=True)
    termine_le = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ("-demande_le", "-pk")

    def __str__(self) -> str:
        return f"{self.get_nature_display()} ({self.demande_le:%d/%m/%Y %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("evaluations:export_detail", kwargs={"pk": self.pk})

    @property
    def en_cours(self) -> bool:
        return self.statut in {self.Statut.EN_ATTENTE, self.Statut.EN_COURS}

    @property
    def pourcentage(self) -> int:
        return 100 if not self.total else round(100 * self.traites / self.total)


class StatistiqueSession(models.Model):
    """The state of a session's stored figures (``StatistiqueLigne``): the
    fingerprint of its deliberations when they were aggregated. The figures that
    need the jury's consolidated results (blocs, competencies, criteria) change
    only with a vote, so they are aggregated once per vote, not per page view:
    ``statistiques_refresh`` compares the fingerprint and recomputes the sessions
    whose deliberations changed."""

    session = models.OneToOneField(
        "evaluations.Session",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("session"),
    )
    empreinte = models.CharField(_("empreinte des délibérations"), max_length=100)
    calculee_le = models.DateTimeField(_("calculée le"), default=timezone.now)

    class Meta:
        verbose_name = _("statistiques d'une session")
        verbose_name_plural = _("statistiques des sessions")

    def __str__(self) -> str:
        return f"{self.session_id} : {self.empreinte}"


class StatistiqueLigne(models.Model):
    """One stored figure of a session: for a bloc, the blocs presented and
    validated; for a competency or a criterion, the enrolments evaluated and those
    « non acquis ». Only the enrolments the jury decided on, absences aside."""

    class Niveau(models.TextChoices):
        BLOC = "bloc", _("Bloc")
        COMPETENCE = "competence", _("Compétence")
        CRITERE = "critere", _("Critère")

    session = models.ForeignKey(
        "evaluations.Session",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("session"),
    )
    niveau = models.CharField(_("niveau"), max_length=20, choices=Niveau)
    code = models.CharField(_("code"), max_length=30)
    intitule = models.TextField(_("intitulé"))
    effectif = models.PositiveIntegerField(_("présentés ou évalués"))
    nombre = models.PositiveIntegerField(_("validés ou non acquis"))

    class Meta:
        verbose_name = _("chiffre d'une session")
        verbose_name_plural = _("chiffres des sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "niveau", "code"], name="statistique_ligne_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.niveau} {self.code}"
