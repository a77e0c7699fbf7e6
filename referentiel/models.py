"""A certification's référentiel: versions, blocs, activities, competencies,
modalities and criteria.

Every child row carries its ``referentiel`` so that codes are unique within a version
by a database constraint and a version's rows are read in one query per level. Only
the services in ``referentiel.services`` create or change these rows; they keep the
denormalised ``referentiel`` consistent and refuse any change to a version that is
not a draft.
"""

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The placeholder code of a référentiel not yet registered: nothing official is
# issued while a certification carries it.
CODE_RNCP_PROVISOIRE = "RNCP00000"
# Logo and signature: small images, read back into every rendered PDF (checked by
# CertificateurForm).
IMAGE_MAX_BYTES = 512 * 1024


def luhn_valide(digits: str) -> bool:
    """The Luhn key of a SIREN (9 digits) or SIRET (14 digits)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """SIREN or SIRET, checked with its Luhn key. La Poste's establishments
    (SIREN 356000000) follow another rule: the sum of the digits is a multiple
    of 5."""
    if not value.isdigit() or len(value) not in {9, 14}:
        raise ValidationError(
            _("Un SIREN compte 9 chiffres et un SIRET 14, sans espace."),
            code="siret_format",
        )
    if value.startswith("356000000") and len(value) == 14:
        valide = sum(int(c) for c in value) % 5 == 0
    else:
        valide = luhn_valide(value)
    if not valide:
        raise ValidationError(
            _("Ce numéro SIREN/SIRET est invalide (clé de contrôle fausse)."),
            code="siret_cle",
        )


# An identifier given by the Caisse des Dépôts, as its schema takes it: printable
# ASCII without spaces (the schema fixes only the length; a space or an accent
# would be a typing slip, not an identifier).
_ID_CDC = r"[!-~]"


def validate_id_client_cdc(value: str) -> None:
    """The ``idClient`` of the CDC's schema: exactly 8 characters."""
    RegexValidator(
        rf"^{_ID_CDC}{{8}}$",
        _(
            "L'idClient de la Caisse des Dépôts compte exactement 8 caractères "
            "(lettres, chiffres ou signes, sans espace ni accent)."
        ),
        code="id_client_cdc",
    )(value)


def validate_id_contrat_cdc(value: str) -> None:
    """The ``idContrat`` of the CDC's schema: 1 to 20 characters."""
    RegexValidator(
        rf"^{_ID_CDC}{{1,20}}$",
        _(
            "L'idContrat de la Caisse des Dépôts compte de 1 à 20 caractères "
            "(lettres, chiffres ou signes, sans espace ni accent)."
        ),
        code="id_contrat_cdc",
    )(value)


class NatureDeposant(models.TextChoices):
    """``natureDeposant`` of the CDC's schema."""

    CERTIFICATEUR = "CERTIFICATEUR", _("Le certificateur")
    TIERS_CONFIANCE = "TIERS_CONFIANCE", _("Un tiers de confiance")


def _verbose_name(instance: models.Model, field: str) -> str:
    return str(getattr(instance._meta.get_field(field), "verbose_name", field))


def certificateur_upload_to(instance: "Certificateur", filename: str) -> str:
    return f"certificateur/{filename}"


class Certificateur(models.Model):
    """The organisation that holds certifications and signs their documents. One
    per installation is enough; a certification names its own, so a second one is
    possible."""

    raison_sociale = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(
        _("SIREN ou SIRET"),
        max_length=14,
        validators=[validate_siret],
        help_text=_("9 ou 14 chiffres, vérifiés par leur clé."),
    )
    adresse = models.TextField(
        _("adresse postale"), max_length=500, validators=[MaxLengthValidator(500)]
    )
    ville = models.CharField(
        _("ville d'émission des documents"),
        max_length=100,
        help_text=_("Imprimée dans « Fait à … »."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to=certificateur_upload_to,
        blank=True,
        max_length=255,
        help_text=_("PNG ou JPEG, 512 ko au plus."),
    )
    signataire_nom = models.CharField(_("nom du signataire"), max_length=200)
    signataire_qualite = models.CharField(
        _("qualité du signataire"),
        max_length=200,
        help_text=_("Par exemple : Directrice générale."),
    )
    signature = models.FileField(
        _("image de la signature"),
        upload_to=certificateur_upload_to,
        blank=True,
        max_length=255,
        help_text=_("PNG ou JPEG, 512 ko au plus."),
    )
    recours = models.TextField(
        _("voie de recours"),
        max_length=1000,
        validators=[MaxLengthValidator(1000)],
        help_text=_(
            "À qui, comment et dans quel délai un candidat conteste une décision ; "
            "imprimée sur les relevés et les courriers de décision."
        ),
    )
    # The identifiers of the declaration of holders to the Caisse des Dépôts
    # (evaluations/declarations): blank until the CDC gives them; no batch is
    # built while one is missing.
    cdc_id_client_emetteur = models.CharField(
        _("idClient de l'émetteur (CDC)"),
        max_length=8,
        blank=True,
        validators=[validate_id_client_cdc],
        help_text=_(
            "8 caractères, donnés par la Caisse des Dépôts : le compte qui dépose "
            "le fichier (le certificateur lui-même, ou son tiers de confiance)."
        ),
    )
    cdc_id_client_certificateur = models.CharField(
        _("idClient du certificateur (CDC)"),
        max_length=8,
        blank=True,
        validators=[validate_id_client_cdc],
        help_text=_("8 caractères, donnés par la Caisse des Dépôts."),
    )
    cdc_id_contrat = models.CharField(
        _("idContrat (CDC)"),
        max_length=20,
        blank=True,
        validators=[validate_id_contrat_cdc],
        help_text=_("De 1 à 20 caractères, donné par la Caisse des Dépôts."),
    )
    cdc_nature_deposant = models.CharField(
        _("nature du déposant (CDC)"),
        max_length=20,
        choices=NatureDeposant,
        default=NatureDeposant.CERTIFICATEUR,
        help_text=_(
            "Qui dépose les fichiers sur le portail de la Caisse des Dépôts : le "
            "certificateur, ou un tiers de confiance pour lui."
        ),
    )
    specimen = models.BooleanField(
        _("mode spécimen"),
        default=False,
        help_text=_(
            "Démonstration : chaque document porte la mention « SPÉCIMEN — document "
            "de démonstration sans valeur ». Refusé en production sauf réglage "
            "CERTIFICATEUR_SPECIMEN_AUTORISE."
        ),
    )

    class Meta:
        verbose_name = _("certificateur")
        verbose_name_plural = _("certificateurs")
        ordering = ("raison_sociale",)

    def __str__(self) -> str:
        return self.raison_sociale

    def clean(self) -> None:
        from django.conf import settings  # noqa: PLC0415 - read at call time, never at import

        if self.specimen and not (
            settings.DEBUG or settings.CERTIFICATEUR_SPECIMEN_AUTORISE
        ):
            raise ValidationError(
                {
                    "specimen": _(
                        "Le mode spécimen est réservé à la démonstration : il est "
                        "refusé en production (réglage "
                        "CERTIFICATEUR_SPECIMEN_AUTORISE)."
                    )
                }
            )

    def manquants(self) -> list[str]:
        """What an official document needs and this certifier lacks."""
        manquants = []
        for field in (
            "raison_sociale",
            "siret",
            "adresse",
            "ville",
            "signataire_nom",
            "signataire_qualite",
            "signature",
            "recours",
        ):
            if not getattr(self, field):
                manquants.append(_verbose_name(self, field))
        return manquants


class Certification(models.Model):
    certificateur = models.ForeignKey(
        Certificateur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certifications",
        verbose_name=_("certificateur"),
    )
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
        _("niveau"),
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_(
            "Niveau du cadre national des certifications professionnelles (décret "
            "n° 2019-14) ; les certifications professionnelles vont de 3 à 8."
        ),
    )
    nsf = models.CharField(
        _("codes NSF"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{3}[a-z]?(, ?\d{3}[a-z]?)*$",
                _("Codes NSF séparés par des virgules, par exemple « 326n, 312p »."),
            )
        ],
    )
    date_enregistrement = models.DateField(
        _("date de la décision d'enregistrement de France compétences"),
        null=True,
        blank=True,
    )
    date_fin_enregistrement = models.DateField(
        _("date de fin d'enregistrement"), null=True, blank=True
    )
    # How long a bloc acquired in this certification stays valid for completing
    # it (printed on the results page and letter); empty: with no time limit.
    duree_validite_blocs_mois = models.PositiveSmallIntegerField(
        _("durée de validité des blocs acquis (mois)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "Pendant combien de mois un bloc acquis compte pour obtenir la "
            "certification complète. Vide : sans limite de durée."
        ),
    )

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ("intitule",)

    def __str__(self) -> str:
        return f"{self.code} — {self.intitule}"

    @property
    def niveau_libelle(self) -> str:
        """The level as documents print it, with its European equivalent (levels
        3 to 8 of the national framework match the same European levels)."""
        return str(
            _(
                "niveau %(niveau)d du cadre national des certifications "
                "professionnelles, équivalent au niveau %(niveau)d du cadre européen "
                "des certifications"
            )
            % {"niveau": self.niveau}
        )

    def manquants(self) -> list[str]:
        """What an official document of this certification still lacks: its
        registration, its certifier's identity and signatory."""
        manquants = []
        if self.code == CODE_RNCP_PROVISOIRE:
            manquants.append(
                str(_("le code RNCP (%(code)s est provisoire)") % {"code": self.code})
            )
        if not 3 <= self.niveau <= 8:
            manquants.append(str(_("un niveau de 3 à 8")))
        if not self.nsf:
            manquants.append(str(_("le code NSF")))
        if self.date_enregistrement is None:
            manquants.append(_verbose_name(self, "date_enregistrement"))
        if self.certificateur is None:
            manquants.append(str(_("le certificateur")))
        else:
            manquants.extend(
                str(_("du certificateur : %(champ)s") % {"champ": champ})
                for champ in self.certificateur.manquants()
            )
        return manquants


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
    code_rncp = models.CharField(
        _("code RNCP du bloc"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^RNCP\d{3,6}BC\d{2}$",
                _("Le code d'un bloc s'écrit RNCP<numéro>BC<deux chiffres>."),
            )
        ],
        help_text=_("Par exemple RNCP12345BC01 ; imprimé sur les documents."),
    )
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

    # A live épreuve (« épreuve en présence du jury »: presentation, role play,
    # oral defence) is scheduled in a sitting; the others are only deposited.
    en_presence = models.BooleanField(
        _("épreuve en présence du jury"),
        default=False,
        help_text=_("Présentation, mise en situation ou soutenance devant le jury."),
    )
    duree_minutes = models.PositiveSmallIntegerField(
        _("durée habituelle (minutes)"),
        default=0,
        help_text=_("Pour une épreuve en présence du jury : de 1 à 480 minutes."),
    )
    apres_depot = models.BooleanField(
        _("suit un dépôt"),
        default=False,
        help_text=_(
            "L'épreuve présente un travail déposé : elle a lieu après la date "
            "limite de dépôt."
        ),
    )

    class Meta:
        verbose_name = _("modalité d'évaluation")
        verbose_name_plural = _("modalités d'évaluation")
        constraints = [
            models.CheckConstraint(
                name="modalite_epreuve_duree",
                condition=(
                    Q(en_presence=True, duree_minutes__gte=1, duree_minutes__lte=480)
                    | Q(en_presence=False, duree_minutes=0, apres_depot=False)
                ),
                violation_error_message=_(
                    "Une épreuve en présence du jury dure de 1 à 480 minutes ; une "
                    "modalité déposée seulement n'a ni durée ni dépôt préalable."
                ),
            ),
        ]

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


class ReglementExamen(models.Model):
    """The règlement d'examen of a certification, versioned: the administrator
    writes a draft (Markdown), then publishes it; a published version never
    changes (its HTML is rendered once, at publication) and the latest published
    one is in force. It sets the appeal delay and the deadline of accommodation
    requests that the platform applies, and the rules of conduct and fraud that
    candidates acknowledge."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("brouillon")
        PUBLIE = "publie", _("publié")

    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        related_name="reglements",
        verbose_name=_("certification"),
    )
    version = models.PositiveSmallIntegerField(_("version"), editable=False)
    statut = models.CharField(
        _("statut"),
        max_length=10,
        choices=Statut,
        default=Statut.BROUILLON,
        editable=False,
    )
    texte = models.TextField(
        _("texte (Markdown)"),
        max_length=100_000,
        help_text=_(
            "Titres avec #, listes avec -, gras avec **…**, liens [texte](https://…). "
            "Le HTML n'est pas interprété."
        ),
    )
    texte_html = models.TextField(_("texte mis en forme"), blank=True, editable=False)
    delai_recours_mois = models.PositiveSmallIntegerField(
        _("délai de recours (mois)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("À compter de la publication des résultats."),
    )
    delai_amenagements_jours = models.PositiveSmallIntegerField(
        _("délai des demandes d'aménagement (jours)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Nombre de jours avant la date limite de dépôt de la session au-delà "
            "duquel une demande d'aménagement est tardive."
        ),
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    publie_le = models.DateTimeField(
        _("publié le"), null=True, blank=True, editable=False
    )
    publie_par = models.ForeignKey(
        "certif.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("publié par"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("règlement d'examen")
        verbose_name_plural = _("règlements d'examen")
        ordering = ("certification", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "version"],
                name="reglement_version_unique",
            ),
            models.UniqueConstraint(
                fields=["certification"],
                condition=Q(statut="brouillon"),
                name="reglement_un_brouillon",
            ),
            models.CheckConstraint(
                condition=Q(statut="brouillon")
                | (Q(publie_le__isnull=False) & ~Q(texte_html="")),
                name="reglement_publie_complet",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Règlement d'examen %(code)s, version %(version)d")
            % {"code": self.certification.code, "version": self.version}
        )

    @property
    def est_publie(self) -> bool:
        return self.statut == self.Statut.PUBLIE
