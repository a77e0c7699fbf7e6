"""Uploaded deliverables, versioned: a re-upload is a new row that points at
the previous version; nothing is overwritten or deleted."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations.sessions.models import Inscription
from referentiel.models import Modalite


def livrable_upload_to(instance: "Livrable", filename: str) -> str:
    """A random name under the enrolment's folder; the original name is kept in
    ``nom_original`` for display only."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"livrables/{instance.inscription_id}/{uuid.uuid4().hex}{suffix}"


class Livrable(models.Model):
    """One uploaded file for a modality. A re-upload of the same document is a new
    row whose ``remplace`` points at the previous version; nothing is overwritten or
    deleted by a candidate (a withdrawn file keeps its row, marked withdrawn)."""

    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.PROTECT,
        related_name="livrables",
        verbose_name=_("inscription"),
    )
    modalite = models.ForeignKey(
        Modalite,
        on_delete=models.PROTECT,
        related_name="livrables",
        verbose_name=_("modalité"),
    )
    fichier = models.FileField(
        _("fichier"), upload_to=livrable_upload_to, max_length=255
    )
    nom_original = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    type_mime = models.CharField(_("type"), max_length=120)
    version = models.PositiveIntegerField(_("version"), default=1)
    remplace = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remplace_par",
        verbose_name=_("remplace la version"),
    )
    depose_le = models.DateTimeField(_("déposé le"), auto_now_add=True)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    retire_le = models.DateTimeField(_("retiré le"), null=True, blank=True)
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retiré par"),
    )

    class Meta:
        verbose_name = _("livrable")
        verbose_name_plural = _("livrables")
        ordering = ("inscription", "modalite", "depose_le")

    def __str__(self) -> str:
        return f"{self.nom_original} (v{self.version})"
