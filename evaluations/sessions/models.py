"""Sessions, candidates (the person and their identity), enrolments, and the
blocs a person acquired (kept across sessions: capitalisation)."""

from datetime import date, datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from certif.models import User
from certif.validators import validate_xml_text
from evaluations.sessions.pays import pays_libelle, validate_code_pays
from referentiel.models import Bloc, Referentiel, ReglementExamen


class Session(models.Model):
    """One evaluation campaign on one published référentiel version."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        OUVERTE = "ouverte", _("Ouverte")
        EN_EVALUATION = "en_evaluation", _("En évaluation")
        DELIBEREE = "deliberee", _("Délibérée")
        # The adjective, with a context: Django's own catalogue translates the
        # bare msgid "Close" as the verb « Fermer ».
        CLOSE = "close", pgettext_lazy("statut de session", "Close")

    referentiel = models.ForeignKey(
        Referentiel,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("référentiel"),
    )
    nom = models.CharField(_("nom"), max_length=200)
    date_ouverture = models.DateField(_("date d'ouverture"))
    date_limite_depot = models.DateTimeField(_("date limite de dépôt"))
    date_jury = models.DateField(_("date du jury"))
    lieu_jury = models.CharField(
        _("lieu de la séance du jury"),
        max_length=200,
        blank=True,
        help_text=_("Imprimé sur le procès-verbal de délibération."),
    )
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.BROUILLON
    )
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)
    close_le = models.DateTimeField(_("close le"), null=True, blank=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user; why, for a step back.
    _history_user: User
    _change_reason: str

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ("-date_jury", "nom")

    def __str__(self) -> str:
        return self.nom

    def get_absolute_url(self) -> str:
        return reverse("evaluations:session_detail", kwargs={"pk": self.pk})

    # The session's stages, asked everywhere through these predicates. A query
    # filters with the tuples below (``session__statut__in=…``).
    STATUTS_INSCRIPTION = (Statut.BROUILLON, Statut.OUVERTE)
    STATUTS_TERMINES = (Statut.DELIBEREE, Statut.CLOSE)

    @property
    def inscriptions_ouvertes(self) -> bool:
        """Candidates may be enrolled (one by one or by CSV)."""
        return self.statut in self.STATUTS_INSCRIPTION

    def depots_ouverts(self, *, now: datetime | None = None) -> bool:
        """Candidates may upload and withdraw files: the session is open and its
        deadline has not passed."""
        return (
            self.statut == self.Statut.OUVERTE
            and (now or timezone.now()) < self.date_limite_depot
        )

    @property
    def notation_ouverte(self) -> bool:
        """Evaluators may score: the session is in evaluation."""
        return self.statut == self.Statut.EN_EVALUATION

    @property
    def consolidation_ouverte(self) -> bool:
        """The president may consolidate (in evaluation, and after the session is
        marked deliberated, for an enrolment whose deliberation was re-opened)."""
        return self.statut in (self.Statut.EN_EVALUATION, self.Statut.DELIBEREE)

    @property
    def est_terminee(self) -> bool:
        """Deliberated or closed: the session, its jury and its accommodation
        requests no longer change."""
        return self.statut in self.STATUTS_TERMINES

    @property
    def est_close(self) -> bool:
        return self.statut == self.Statut.CLOSE

    @property
    def statut_candidat(self) -> str:
        """The stage as a candidate reads it (« Mon dossier »): a deliberated or
        closed session says only that the evaluation is over; the result is told
        by the publication of the results, not by this label."""
        if self.est_terminee:
            return str(_("Évaluation terminée"))
        return str(self.get_statut_display())

    def jury_reuni(self, *, today: date | None = None) -> bool:
        """The jury may sit (vote, decide exemptions): its date has come, Paris
        time. A jury that really met earlier has its date changed first."""
        return (today or timezone.localdate()) >= self.date_jury


class Candidat(models.Model):
    """The person, with exactly the identity that certificates and the state's
    reporting of certified holders need."""

    class Sexe(models.TextChoices):
        M = "M", _("Masculin")
        F = "F", _("Féminin")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="candidat",
        verbose_name=_("compte"),
    )
    nom_naissance = models.CharField(
        _("nom de naissance"), max_length=100, validators=[validate_xml_text]
    )
    nom_usage = models.CharField(
        _("nom d'usage"), max_length=100, blank=True, validators=[validate_xml_text]
    )
    prenom1 = models.CharField(
        _("premier prénom"), max_length=100, validators=[validate_xml_text]
    )
    prenom2 = models.CharField(
        _("deuxième prénom"), max_length=100, blank=True, validators=[validate_xml_text]
    )
    prenom3 = models.CharField(
        _("troisième prénom"),
        max_length=100,
        blank=True,
        validators=[validate_xml_text],
    )
    date_naissance = models.DateField(_("date de naissance"))
    sexe = models.CharField(_("sexe à l'état civil"), max_length=1, choices=Sexe)
    # Birth in France: the commune and its INSEE code. Birth abroad: the country's
    # INSEE code (99xxx, see ``pays.py``) and the foreign town, free text, in
    # ``commune_naissance``.
    commune_naissance = models.CharField(
        _("commune ou ville de naissance"),
        max_length=100,
        blank=True,
        validators=[validate_xml_text],
    )
    code_insee_naissance = models.CharField(
        _("code INSEE de la commune de naissance"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\d{5}|2[AB]\d{3})$",
                _("Le code INSEE compte 5 caractères, par exemple 75056 ou 2A004."),
            )
        ],
    )
    # The code, never the name; the column keeps its width of free text so that a
    # name written before the INSEE list stays readable until it is corrected.
    pays_naissance = models.CharField(
        _("pays de naissance (code INSEE, naissance à l'étranger)"),
        max_length=100,
        blank=True,
        validators=[validate_code_pays],
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)
    invite_le = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True)
    history = HistoricalRecords()
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ("nom_naissance", "prenom1")
        indexes = [
            # The session desk and the jury page list a session's enrolments by
            # name, a page at a time: read in this order, the first pages stop
            # early instead of sorting every enrolment of the session.
            models.Index(
                fields=["nom_naissance", "prenom1", "id"], name="candidat_nom"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="candidat_lieu_naissance",
                condition=(
                    Q(pays_naissance="")
                    & ~Q(commune_naissance="")
                    & ~Q(code_insee_naissance="")
                )
                | (~Q(pays_naissance="") & Q(code_insee_naissance="")),
                violation_error_message=_(
                    "Indiquez soit la commune de naissance et son code INSEE, soit le "
                    "pays de naissance (et la ville) pour une naissance à l'étranger."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.nom_complet

    @property
    def prenoms(self) -> str:
        return self.prenoms_of(self.prenom1, self.prenom2, self.prenom3)

    @staticmethod
    def prenoms_of(*prenoms: str) -> str:
        """The first names as written everywhere: those given, in order, spaced
        (also for rows read without a model instance, as the exports do)."""
        return " ".join(p for p in prenoms if p)

    @staticmethod
    def nom_complet_of(*, prenom1: str, nom_usage: str, nom_naissance: str) -> str:
        """The full name as written everywhere (also for rows read without a
        model instance, as the jury page does)."""
        return f"{prenom1} {nom_usage or nom_naissance}"

    @property
    def nom_complet(self) -> str:
        return self.nom_complet_of(
            prenom1=self.prenom1,
            nom_usage=self.nom_usage,
            nom_naissance=self.nom_naissance,
        )

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def ne_a_l_etranger(self) -> bool:
        return bool(self.pays_naissance)

    @property
    def pays_naissance_libelle(self) -> str:
        """The country's name from the INSEE list (the stored value itself for a
        name written before the list, until it is corrected)."""
        return pays_libelle(self.pays_naissance) or self.pays_naissance

    @property
    def lieu_naissance(self) -> str:
        """« Lyon (69123) » in France, « Casablanca (Maroc) » abroad."""
        if self.pays_naissance:
            if self.commune_naissance:
                return f"{self.commune_naissance} ({self.pays_naissance_libelle})"
            return self.pays_naissance_libelle
        return f"{self.commune_naissance} ({self.code_insee_naissance})"

    @property
    def lieu_naissance_document(self) -> str:
        """The place of birth as an issued document prints it: « Lyon (69) »,
        « Fort-de-France (972) » in France (the commune's département),
        « Casablanca (Maroc) » abroad."""
        if self.pays_naissance:
            return self.lieu_naissance
        code = self.code_insee_naissance
        departement = code[:3] if code.startswith("97") else code[:2]
        return f"{self.commune_naissance} ({departement})"


class VoieAcces(models.TextChoices):
    """The access routes exactly as the state's reporting lists them."""

    FORMATION_INITIALE = (
        "formation_initiale",
        _("Formation initiale hors apprentissage"),
    )
    APPRENTISSAGE = "apprentissage", _("Formation initiale en apprentissage")
    FORMATION_CONTINUE = (
        "formation_continue",
        _("Formation continue hors contrat de professionnalisation"),
    )
    CONTRAT_PRO = (
        "contrat_professionnalisation",
        _("Formation continue en contrat de professionnalisation"),
    )
    VAE = "vae", _("VAE")
    EQUIVALENCE = "equivalence", _("Équivalence de diplôme étranger")
    CANDIDAT_LIBRE = "candidat_libre", _("Candidat libre")


class Inscription(models.Model):
    """A candidate in a session. ``blocs`` are the blocs evaluated in this session:
    the whole certification minus blocs already acquired, or the selected blocs."""

    class Parcours(models.TextChoices):
        COMPLET = "complet", _("Certification complète")
        BLOCS = "blocs", _("Blocs de compétences (capitalisation)")

    candidat = models.ForeignKey(
        Candidat,
        on_delete=models.PROTECT,
        related_name="inscriptions",
        verbose_name=_("candidat"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="inscriptions",
        verbose_name=_("session"),
    )
    voie_acces = models.CharField(_("voie d'accès"), max_length=40, choices=VoieAcces)
    parcours = models.CharField(
        _("parcours"), max_length=10, choices=Parcours, default=Parcours.COMPLET
    )
    blocs = models.ManyToManyField(
        Bloc, related_name="inscriptions", verbose_name=_("blocs évalués")
    )
    cree_le = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    desiste_le = models.DateField(_("désistement le"), null=True, blank=True)
    desistement_motif = models.TextField(
        _("motif du désistement"), blank=True, default=""
    )
    reportee_vers = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reportee_depuis",
        verbose_name=_("reportée vers"),
    )
    report_motif = models.TextField(_("motif du report"), blank=True, default="")
    # Copies of the candidate's birth name and first first name, the order of a
    # session's lists (desk, jury page): with them the index ``inscription_tri``
    # serves that order for one session, so a page's keys come from an
    # index-only scan whatever the page. Set at creation from the candidate
    # (``Inscription.tri_of``) and rewritten by ``candidat_identite_update``, the
    # one service that changes a candidate's names; not in the history (the
    # candidate's own history has the names).
    tri_nom_naissance = models.CharField(max_length=100, default="", editable=False)
    tri_prenom1 = models.CharField(max_length=100, default="", editable=False)
    history = HistoricalRecords(
        m2m_fields=[blocs], excluded_fields=["tri_nom_naissance", "tri_prenom1"]
    )
    # Who makes the change: set by the services before save(), recorded by
    # simple_history as the history row's user.
    _history_user: User

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ("session", "candidat__nom_naissance", "candidat__prenom1")
        constraints = [
            models.UniqueConstraint(
                fields=["candidat", "session"], name="inscription_unique"
            ),
            # A creation that forgot ``tri_of`` fails at once instead of sorting
            # its enrolment first (a candidate's names are never empty).
            models.CheckConstraint(
                condition=~models.Q(tri_nom_naissance="") & ~models.Q(tri_prenom1=""),
                name="inscription_tri_renseigne",
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "tri_nom_naissance", "tri_prenom1", "id"],
                name="inscription_tri",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidat} — {self.session}"

    @staticmethod
    def tri_of(candidat: Candidat) -> dict[str, str]:
        """The sort columns of an enrolment of ``candidat``, for its creation:
        ``Inscription(candidat=c, session=s, **Inscription.tri_of(c), …)``."""
        return {
            "tri_nom_naissance": candidat.nom_naissance,
            "tri_prenom1": candidat.prenom1,
        }

    @property
    def est_desistee(self) -> bool:
        """The candidate withdrew before the jury: nothing more is evaluated."""
        return self.desiste_le is not None

    @property
    def est_reportee(self) -> bool:
        """Deferred to a later session: evaluated there, no longer here."""
        return self.reportee_vers_id is not None


class AcceptationReglement(models.Model):
    """The candidate read and accepted a version of the règlement d'examen for
    this enrolment: when, and which version."""

    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.CASCADE,
        related_name="acceptations_reglement",
        verbose_name=_("inscription"),
    )
    reglement = models.ForeignKey(
        ReglementExamen,
        on_delete=models.PROTECT,
        related_name="acceptations",
        verbose_name=_("règlement d'examen"),
    )
    accepte_le = models.DateTimeField(_("accepté le"), default=timezone.now)

    class Meta:
        verbose_name = _("acceptation du règlement d'examen")
        verbose_name_plural = _("acceptations du règlement d'examen")
        constraints = [
            models.UniqueConstraint(
                fields=["inscription", "reglement"],
                name="acceptation_reglement_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inscription_id} — {self.reglement}"


class BlocAcquis(models.Model):
    """A bloc validated for a person, kept across sessions (capitalisation)."""

    candidat = models.ForeignKey(
        Candidat, on_delete=models.PROTECT, related_name="blocs_acquis"
    )
    bloc = models.ForeignKey(Bloc, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    inscription = models.ForeignKey(
        Inscription, on_delete=models.PROTECT, related_name="blocs_acquis"
    )
    acquis_le = models.DateField(_("acquis le"))

    class Meta:
        verbose_name = _("bloc acquis")
        verbose_name_plural = _("blocs acquis")
        constraints = [
            models.UniqueConstraint(
                fields=["candidat", "bloc"], name="bloc_acquis_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidat} : {self.bloc.code}"


class EcritureRefusee(models.Model):
    """A write refused because the enrolment's deliberation was voted and locked
    (answered HTTP 409): who tried what, and when. Kept for the audit history."""

    class Action(models.TextChoices):
        GRILLE = "grille", _("Enregistrement de la grille")
        GRILLE_CRITERE = "grille_critere", _("Enregistrement d'un critère de la grille")
        GRILLE_VALIDER = "grille_valider", _("Validation d'une évaluation")
        CONSOLIDATION = "consolidation", _("Consolidation")
        DELIBERATION = "deliberation", _("Vote de la délibération")
        DISPENSE = "dispense_decider", _("Décision sur une dispense")
        JURY = "jury", _("Changement des évaluateurs")
        AUTRE = "autre", _("Autre écriture")

    inscription = models.ForeignKey(
        Inscription,
        on_delete=models.CASCADE,
        related_name="ecritures_refusees",
        verbose_name=_("inscription"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action)
    par = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    le = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("écriture refusée")
        verbose_name_plural = _("écritures refusées")
        ordering = ("le", "pk")

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.inscription_id}"


class ImportCandidats(models.Model):
    """A CSV file of candidates uploaded for a session, checked then imported by
    background tasks (``evaluations/sessions/tasks.py``). The row carries the
    progress the page shows, the first errors found, and the state that makes a
    second confirmation harmless: only a checked file (``VERIFIE``) can be
    confirmed, once, and the import that commits its candidates records
    ``IMPORTE`` in the same transaction."""

    class Statut(models.TextChoices):
        VERIFICATION = "verification", _("Vérification en cours")
        VERIFIE = "verifie", _("Vérifié")
        IMPORT_DEMANDE = "import_demande", _("Import demandé")
        IMPORT = "import", _("Import en cours")
        IMPORTE = "importe", _("Importé")
        ECHOUE = "echoue", _("Import refusé")

    # The page lists this many lines in error; the counts cover them all.
    ERREURS_AFFICHEES = 200

    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="imports_candidats",
        verbose_name=_("session"),
    )
    lance_par = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("déposé par")
    )
    nom_fichier = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    encodage = models.CharField(_("encodage"), max_length=20, default="utf-8")
    separateur = models.CharField(_("séparateur"), max_length=1, default=";")
    texte = models.TextField(_("contenu du fichier"))
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.VERIFICATION
    )
    seulement_valides = models.BooleanField(
        _("seulement les lignes valides"), default=False
    )
    total = models.PositiveIntegerField(_("lignes"), default=0)
    verifiees = models.PositiveIntegerField(_("lignes vérifiées"), default=0)
    invalides = models.PositiveIntegerField(_("lignes invalides"), default=0)
    importees = models.PositiveIntegerField(_("candidats importés"), default=0)
    erreurs_fichier = models.JSONField(
        _("erreurs du fichier"), default=list, blank=True
    )
    # [[line number, candidate, column, message], …] for the first lines in error.
    erreurs = models.JSONField(_("premières erreurs"), default=list, blank=True)
    message = models.TextField(_("motif du refus"), blank=True)
    cree_le = models.DateTimeField(_("déposé le"), default=timezone.now)
    modifie_le = models.DateTimeField(_("dernière progression"), auto_now=True)
    termine_le = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de candidats")
        verbose_name_plural = _("imports de candidats")
        ordering = ("-cree_le", "-pk")

    def __str__(self) -> str:
        return f"{self.session} — {self.nom_fichier}"

    def get_absolute_url(self) -> str:
        return reverse(
            "evaluations:session_import_preview",
            kwargs={"pk": self.session_id, "import_pk": self.pk},
        )

    @property
    def en_cours(self) -> bool:
        """Background work is pending or running: the page keeps polling."""
        return self.statut in {
            self.Statut.VERIFICATION,
            self.Statut.IMPORT_DEMANDE,
            self.Statut.IMPORT,
        }

    @property
    def valides(self) -> int:
        return self.verifiees - self.invalides

    @property
    def pourcentage(self) -> int:
        return 100 if not self.total else round(100 * self.verifiees / self.total)

    @property
    def importable(self) -> bool:
        """Checked, with no error in the file itself and at least one valid line."""
        return (
            self.statut == self.Statut.VERIFIE
            and not self.erreurs_fichier
            and self.valides > 0
        )
