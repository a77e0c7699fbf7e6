"""A certification's référentiel: versions, blocs, activities, competencies,
modalities and criteria.

Every child row carries its ``referentiel`` so that codes are unique within a version
by a database constraint and a version's rows are read in one query per level. Only
the services in ``referentiel.services`` create or change these rows; they keep the
denormalised ``referentiel`` consistent and refuse any change to a version that is
not a draft.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Certification(models.Model):
    code = models.CharField(
        _("code RNCP"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^RNCP\d{3,6}$", _("Le code RNCP s'écrit RNCP suivi de chiffres.")
            )
        ],
    )
    intitule = models.CharField(_("intitulé"), max_length=300)
    niveau = models.PositiveSmallIntegerField(
        _("niveau"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ("intitule",)

    def __str__(self) -> str:
        return f"{self.code} — {self.intitule}"


class Referentiel(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        PUBLIE = "publie", _("Publié")
        # Published, then superseded by a later published version: still valid
        # for its existing sessions and enrolments, no longer offered for new
        # sessions.
        REMPLACE = "remplace", _("Remplacé")
        ARCHIVE = "archive", _("Archivé")

    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        related_name="referentiels",
        verbose_name=_("certification"),
    )
    version = models.CharField(_("version"), max_length=20)
    dispositions = models.JSONField(
        _("dispositions générales"),
        default=list,
        blank=True,
        help_text=_(
            "Les dispositions générales du référentiel, mot pour mot : une liste de "
            "paragraphes titrés {titre, texte}."
        ),
    )
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut, default=Statut.BROUILLON
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    publie_le = models.DateTimeField(_("publié le"), null=True, blank=True)
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copié de"),
    )

    class Meta:
        verbose_name = _("version de référentiel")
        verbose_name_plural = _("versions de référentiel")
        ordering = ("certification__intitule", "-cree_le")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "version"],
                name="referentiel_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.certification.code} v{self.version} ({self.get_statut_display()})"
        )

    def get_absolute_url(self) -> str:
        return reverse("referentiel:detail", kwargs={"pk": self.pk})

    @property
    def est_modifiable(self) -> bool:
        return self.statut == self.Statut.BROUILLON


class Bloc(models.Model):
    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.CASCADE,
        related_name="blocs",
        verbose_name=_("référentiel"),
    )
    code = models.CharField(_("code"), max_length=20)
    intitule = models.CharField(_("intitulé"), max_length=500)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("bloc de compétences")
        verbose_name_plural = _("blocs de compétences")
        ordering = ("referentiel", "ordre", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel", "code"], name="bloc_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.intitule}"


class Activite(models.Model):
    referentiel = models.ForeignKey(
        Referentiel, on_delete=models.CASCADE, related_name="+", editable=False
    )
    bloc = models.ForeignKey(
        Bloc, on_delete=models.CASCADE, related_name="activites", verbose_name=_("bloc")
    )
    code = models.CharField(_("code"), max_length=20)
    intitule = models.CharField(_("intitulé"), max_length=500)
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ("bloc", "ordre", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel", "code"], name="activite_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.intitule}"


class Competence(models.Model):
    referentiel = models.ForeignKey(
        Referentiel, on_delete=models.CASCADE, related_name="+", editable=False
    )
    activite = models.ForeignKey(
        Activite,
        on_delete=models.CASCADE,
        related_name="competences",
        verbose_name=_("activité"),
    )
    code = models.CharField(_("code"), max_length=20)
    intitule = models.TextField(_("intitulé"))
    details = models.TextField(
        _("détails"),
        blank=True,
        help_text=_("Les précisions « en … », une par ligne, commençant par « - »."),
    )
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ("activite", "ordre", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel", "code"], name="competence_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.intitule}"


class Modalite(models.Model):
    class Type(models.TextChoices):
        PROJET_PROFESSIONNEL = (
            "projet_professionnel",
            _("Projet professionnel et/ou projet de consulting"),
        )
        MISE_EN_SITUATION = "mise_en_situation", _("Mise en situation professionnelle")
        CAS_PRATIQUE = "cas_pratique", _("Cas pratique : analyse réflexive")

    competence = models.OneToOneField(
        Competence,
        on_delete=models.CASCADE,
        related_name="modalite",
        verbose_name=_("compétence"),
    )
    type = models.CharField(_("type"), max_length=30, choices=Type)
    intitule = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"))
    description_capitalisation = models.TextField(
        _("variante « dossier professionnel »"),
        help_text=_("Ce qui est demandé au candidat inscrit sur des blocs seulement."),
    )
    cadre_amenagements = models.TextField(
        _("cadre des aménagements possibles"),
        blank=True,
        default="",
        help_text=_(
            "Pour une modalité liée à une situation de travail : les aménagements "
            "que le format admet. Montré au référent handicap quand il conseille "
            "une adaptation du format."
        ),
    )

    class Meta:
        verbose_name = _("modalité d'évaluation")
        verbose_name_plural = _("modalités d'évaluation")

    def __str__(self) -> str:
        return self.intitule


class Critere(models.Model):
    referentiel = models.ForeignKey(
        Referentiel, on_delete=models.CASCADE, related_name="+", editable=False
    )
    competence = models.ForeignKey(
        Competence,
        on_delete=models.CASCADE,
        related_name="criteres",
        verbose_name=_("compétence"),
    )
    code = models.CharField(_("code"), max_length=30)
    intitule = models.TextField(_("intitulé"))
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ("competence", "ordre", "code")
        constraints = [
            models.UniqueConstraint(
                fields=["referentiel", "code"], name="critere_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.intitule[:80]}"
