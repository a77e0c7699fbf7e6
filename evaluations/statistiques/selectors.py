"""The figures a certifier reports to France compétences and reviews its
référentiel with, aggregated in the database.

Each section of the statistics page is one selector returning a ``Tableau`` (a
titled table with its definition); the page, the charts, the CSV and XLSX exports
and the yearly report all read those tables. Every selector runs a fixed number of
queries, whatever the number of enrolments: counting is done by ``COUNT … FILTER``
and ``GROUP BY`` in the database, never by iterating rows in Python. Figures that
touch disability go through ``secret`` (« < 5 »).

To add a section: write one selector ``<chose>_tableau(inscriptions) -> Tableau`` and list it in
``SECTIONS``."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.declarations.models import DeclarationCDC
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.jury.models import MembreJury
from evaluations.notation.models import Consolidation, Evaluation
from evaluations.recours.models import Recours
from evaluations.sessions.models import Inscription, Session, VoieAcces
from evaluations.statistiques.documents import Rapport, TableauRapport
from evaluations.statistiques.models import Export, StatistiqueLigne
from evaluations.statistiques.secret import Compte, secret
from handicap.models import Amenagement, DemandeAmenagement, Dispense
from referentiel.models import Certification, Referentiel

# A cell: a count, a rate (percent, one decimal), a label, a masked count, or
# nothing (a rate over zero people).
Valeur = int | float | str | None

Decision = Deliberation.Decision


# A chart's geometry, in the SVG's user units: labels on the left, bars from
# ``BARRE_X`` up to ``BARRE_MAX`` long, one line every ``BARRE_PAS``.
BARRE_X = 250
BARRE_MAX = 280
BARRE_PAS = 20


@dataclass(frozen=True)
class Barre:
    """One bar of a chart: its label, the value shown, and its geometry as SVG
    attributes (strings with a dot, never localised)."""

    libelle: str
    valeur: Valeur
    y: str
    largeur: str
    texte_x: str


@dataclass(frozen=True)
class Tableau:
    """One table of the page: ``cle`` names it in export URLs; ``colonnes`` head
    ``lignes`` (the first cell of a line is its label); ``taux`` are the indexes
    of the columns that hold percentages; ``graphique`` the column drawn as bars;
    ``secret`` says that the table touches disability (its counts are masked)."""

    cle: str
    titre: str
    definition: str
    colonnes: tuple[str, ...]
    lignes: tuple[tuple[Valeur, ...], ...]
    graphique: int = 1
    taux: frozenset[int] = field(default_factory=frozenset)
    textes: frozenset[int] = field(default_factory=frozenset)
    secret: bool = False
    # The last line is a total (« Ensemble »): left out of the chart.
    total: bool = False
    # The chart draws at most this many lines (the first ones); the table has all.
    graphique_max: int | None = None

    @property
    def lignes_graphique(self) -> tuple[tuple[Valeur, ...], ...]:
        lignes = self.lignes[:-1] if self.total else self.lignes
        return lignes[: self.graphique_max] if self.graphique_max else lignes

    @property
    def barres(self) -> list[Barre]:
        """The chart of column ``graphique``: one bar per line, the longest value
        full length; a masked or empty cell has no bar."""
        lignes = self.lignes_graphique
        valeurs = [ligne[self.graphique] for ligne in lignes]
        nombres = [v for v in valeurs if isinstance(v, int | float)]
        plus_grand = max(nombres, default=0) or 1
        barres = []
        for rang, (ligne, valeur) in enumerate(zip(lignes, valeurs, strict=True)):
            largeur = (
                BARRE_MAX * valeur / plus_grand
                if isinstance(valeur, int | float)
                else 0.0
            )
            barres.append(
                Barre(
                    libelle=str(ligne[0]),
                    valeur=valeur,
                    y=f"{rang * BARRE_PAS}",
                    largeur=f"{largeur:.1f}",
                    texte_x=f"{BARRE_X + largeur + 6:.1f}",
                )
            )
        return barres

    @property
    def hauteur(self) -> str:
        """The chart's height in SVG units."""
        return f"{len(self.lignes_graphique) * BARRE_PAS + 4}"

    @property
    def graphique_titre(self) -> str:
        return self.colonnes[self.graphique]


def taux(part: int, total: int) -> float | None:
    """``part`` out of ``total`` in percent, one decimal; ``None`` over nobody."""
    return round(100 * part / total, 1) if total else None


# --- The scope: which enrolments a user's statistics count ----------------------


@dataclass(frozen=True)
class Filtre:
    """The page's filters (all optional): certification, référentiel version,
    year of the jury, session."""

    certification: int | None = None
    referentiel: int | None = None
    annee: int | None = None
    session: int | None = None

    def as_params(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Filtre":
        return cls(
            **{
                k: params.get(k)
                for k in ("certification", "referentiel", "annee", "session")
            }
        )


def sessions_statistiques_for(*, user: User) -> QuerySet[Session]:
    """The sessions whose figures ``user`` reads: every session for an
    administrator, the sessions they preside for a jury president, none else."""
    if is_admin(user):
        return Session.objects.all()
    if has_role(user, Role.PRESIDENT):
        return Session.objects.filter(
            pk__in=MembreJury.objects.filter(
                user=user, role=MembreJury.Role.PRESIDENT
            ).values("session_id")
        )
    return Session.objects.none()


def filtre_choices_for(*, user: User) -> dict[str, Any]:
    """What the filter form offers: the certifications, versions, years and
    sessions of the user's scope (four queries when the form renders)."""
    sessions = sessions_statistiques_for(user=user)
    return {
        "certifications": Certification.objects.filter(
            referentiels__sessions__in=sessions
        )
        .distinct()
        .order_by("code"),
        "referentiels": Referentiel.objects.filter(sessions__in=sessions)
        .select_related("certification")
        .distinct()
        .order_by("certification__code", "version"),
        "sessions": sessions.order_by("-date_jury", "nom"),
        "annees": sessions.dates("date_jury", "year", order="DESC"),
    }


class Perimetre:
    """What the statistics count: the sessions of a user's scope under a filter,
    their enrolments, and the counts that several tables share (read once)."""

    def __init__(self, sessions: QuerySet[Session]) -> None:
        self.sessions = sessions
        self.inscriptions = Inscription.objects.filter(
            session__in=sessions.values("pk")
        )

    @cached_property
    def groupes(self) -> list[dict[str, Any]]:
        """The counts per (session, route, path), one query shared by the outcomes,
        routes, paths and delays tables and by the stored figures' freshness
        (every enrolment has one session, one route, one path: the groups add
        up). Besides the outcomes: the deliberations, the last decision's time and
        the delays from the deposit deadline to the decision (sum, min, max)."""
        delai = ExpressionWrapper(
            F("deliberation__decidee_le") - F("session__date_limite_depot"),
            output_field=DurationField(),
        )
        return [
            dict(groupe)
            for groupe in self.inscriptions.order_by()
            .values("session_id", "voie_acces", "parcours")
            .annotate(
                **_compteurs(),
                decisions=Count("deliberation"),
                derniere=Max("deliberation__decidee_le"),
                delai_somme=Sum(delai),
                delai_min=Min(delai),
                delai_max=Max(delai),
            )
        ]

    def somme(self, champ: str | None = None) -> dict[str, dict[str, int]]:
        """The outcome counts added up by ``champ`` (``None``: all, key "")."""
        sommes: dict[str, dict[str, int]] = {}
        for groupe in self.groupes:
            cle = groupe[champ] if champ else ""
            somme = sommes.setdefault(cle, dict.fromkeys(_compteurs(), 0))
            for k in somme:
                somme[k] += groupe[k]
        return sommes

    @cached_property
    def empreintes(self) -> dict[int, str]:
        """The fingerprint of each session's deliberations (see
        ``empreinte_of``); a session without deliberation has none."""
        par_session: dict[int, tuple[int, datetime]] = {}
        for groupe in self.groupes:
            if not groupe["decisions"]:
                continue
            n, derniere = par_session.get(groupe["session_id"], (0, groupe["derniere"]))
            par_session[groupe["session_id"]] = (
                n + groupe["decisions"],
                max(derniere, groupe["derniere"]),
            )
        return {pk: empreinte_of(n, d) for pk, (n, d) in par_session.items()}


def empreinte_of(decisions: int, derniere: datetime) -> str:
    """A session's deliberations as the stored figures know them: how many, and
    the last decision's time (a vote, a new vote after a re-opening, an absence
    all set ``decidee_le``)."""
    return f"{decisions}:{derniere.isoformat()}"


def perimetre_statistiques(*, user: User, filtre: Filtre) -> Perimetre:
    """The sessions and enrolments counted for ``user`` under ``filtre``."""
    sessions = sessions_statistiques_for(user=user)
    if filtre.certification is not None:
        sessions = sessions.filter(referentiel__certification_id=filtre.certification)
    if filtre.referentiel is not None:
        sessions = sessions.filter(referentiel_id=filtre.referentiel)
    if filtre.annee is not None:
        sessions = sessions.filter(date_jury__year=filtre.annee)
    if filtre.session is not None:
        sessions = sessions.filter(pk=filtre.session)
    return Perimetre(sessions)


def inscriptions_statistiques(*, user: User, filtre: Filtre) -> QuerySet[Inscription]:
    """The enrolments counted for ``user`` under ``filtre``."""
    return perimetre_statistiques(user=user, filtre=filtre).inscriptions


def get_export_for(user: User, pk: int) -> Export:
    """An export, for the person who asked it only (anyone else: 404, the file
    holds personal data)."""
    export = Export.objects.filter(pk=pk, demande_par=user).first()
    if export is None:
        raise Http404
    return export


def exports_of(*, user: User) -> QuerySet[Export]:
    return Export.objects.filter(demande_par=user).defer("parametres")


# --- Outcomes: counts by decision -------------------------------------------------

PRESENT = Q(deliberation__isnull=False) & ~Q(deliberation__decision=Decision.ABSENT)


def _compteurs() -> dict[str, Count]:
    """One conditional count per outcome, for ``aggregate`` or ``annotate``."""
    return {
        "inscrits": Count("pk"),
        "presents": Count("pk", filter=PRESENT),
        "certifies": Count("pk", filter=Q(deliberation__decision=Decision.CERTIFIE)),
        "partielles": Count(
            "pk", filter=Q(deliberation__decision=Decision.VALIDATION_PARTIELLE)
        ),
        "non_valides": Count(
            "pk", filter=Q(deliberation__decision=Decision.NON_VALIDE)
        ),
        "absents": Count("pk", filter=Q(deliberation__decision=Decision.ABSENT)),
        "desistes": Count("pk", filter=Q(desiste_le__isnull=False)),
        "reportes": Count("pk", filter=Q(reportee_vers__isnull=False)),
        "en_attente": Count(
            "pk",
            filter=Q(
                deliberation__isnull=True,
                desiste_le__isnull=True,
                reportee_vers__isnull=True,
            ),
        ),
    }


def presents_of(inscriptions: QuerySet[Inscription]) -> QuerySet[Inscription]:
    """The enrolments the jury decided on, absences aside: those who sat."""
    return inscriptions.filter(PRESENT)


def effectifs_tableau(perimetre: Perimetre) -> Tableau:
    c = perimetre.somme().get("", dict.fromkeys(_compteurs(), 0))
    lignes = (
        (_("Inscrits"), c["inscrits"]),
        (_("Présents (décision du jury, absents exceptés)"), c["presents"]),
        (_("Certifiés"), c["certifies"]),
        (_("Validations partielles (blocs)"), c["partielles"]),
        (_("Non validés"), c["non_valides"]),
        (_("Absents"), c["absents"]),
        (_("Désistés"), c["desistes"]),
        (_("Reportés à une autre session"), c["reportes"]),
        (_("En attente de décision"), c["en_attente"]),
    )
    return Tableau(
        cle="effectifs",
        titre=_("Effectifs et décisions"),
        definition=_(
            "Une inscription compte une fois. Présents : inscriptions sur lesquelles "
            "le jury a délibéré, hors « Absent ». Certifiés, validations partielles, "
            "non validés, absents : décision du jury (une délibération rouverte garde "
            "sa dernière décision). Désistés, reportés : constatés par "
            "l'administrateur avant le jury. En attente : ni décision, ni "
            "désistement, ni report."
        ),
        colonnes=(_("Indicateur"), _("Inscriptions"), _("Part des inscrits (%)")),
        lignes=tuple((nom, n, taux(n, c["inscrits"])) for nom, n in lignes),
        taux=frozenset({2}),
    )


def _par(
    perimetre: Perimetre,
    *,
    champ: str,
    choix: Iterable[tuple[str, Any]],
) -> tuple[tuple[Valeur, ...], ...]:
    rows = perimetre.somme(champ)
    vide = dict.fromkeys(_compteurs(), 0)
    total = perimetre.somme().get("", vide)
    lignes = [(libelle, rows.get(valeur, vide)) for valeur, libelle in choix]
    lignes.append((_("Ensemble"), total))
    return tuple(
        (
            str(libelle),
            c["inscrits"],
            c["presents"],
            c["certifies"],
            c["partielles"],
            c["non_valides"],
            c["absents"],
            c["desistes"],
            taux(c["certifies"], c["presents"]),
        )
        for libelle, c in lignes
    )


def _colonnes_par(premiere: str) -> tuple[str, ...]:
    return (
        premiere,
        _("Inscrits"),
        _("Présents"),
        _("Certifiés"),
        _("Validations partielles"),
        _("Non validés"),
        _("Absents"),
        _("Désistés"),
        _("Taux de certification (%)"),
    )


DEFINITION_TAUX = _(
    "Taux de certification : certifiés parmi les présents (inscriptions décidées "
    "par le jury, absents exceptés)."
)


def voies_tableau(perimetre: Perimetre) -> Tableau:
    return Tableau(
        cle="voies",
        titre=_("Par voie d'accès"),
        definition=_(
            "Les sept voies d'accès de l'inscription, telles que France compétences "
            "les demande. %(taux)s"
        )
        % {"taux": DEFINITION_TAUX},
        colonnes=_colonnes_par(_("Voie d'accès")),
        lignes=_par(perimetre, champ="voie_acces", choix=VoieAcces.choices),
        graphique=1,
        taux=frozenset({8}),
        total=True,
    )


def parcours_tableau(perimetre: Perimetre) -> Tableau:
    return Tableau(
        cle="parcours",
        titre=_("Par parcours"),
        definition=_(
            "Certification complète, ou blocs de compétences seulement "
            "(capitalisation). %(taux)s"
        )
        % {"taux": DEFINITION_TAUX},
        colonnes=_colonnes_par(_("Parcours")),
        lignes=_par(perimetre, champ="parcours", choix=Inscription.Parcours.choices),
        graphique=1,
        taux=frozenset({8}),
        total=True,
    )


# --- The référentiel's review: blocs, competencies, criteria ---------------------


def _stockees(perimetre: Perimetre, niveau: str) -> list[dict[str, Any]]:
    """The stored figures of the sessions of ``inscriptions`` at ``niveau``, summed
    by code over the sessions (``statistiques_refresh`` keeps them up to date)."""
    return [
        dict(row)
        for row in StatistiqueLigne.objects.filter(
            session__in=perimetre.sessions.values("pk"), niveau=niveau
        )
        .values("code")
        .annotate(
            effectif=Sum("effectif"), nombre=Sum("nombre"), intitule=Min("intitule")
        )
        .order_by("code")
    ]


def blocs_tableau(perimetre: Perimetre) -> Tableau:
    lignes = tuple(
        (
            row["code"],
            row["intitule"],
            row["effectif"],
            row["nombre"],
            taux(row["nombre"], row["effectif"]),
        )
        for row in _stockees(perimetre, StatistiqueLigne.Niveau.BLOC)
    )
    return Tableau(
        cle="blocs",
        titre=_("Par bloc de compétences"),
        definition=_(
            "Présentés : blocs évalués dans la session pour les présents (un bloc "
            "déjà acquis, capitalisé, n'est pas présenté de nouveau). Validés : "
            "blocs que le jury a validés. Taux de validation : validés parmi les "
            "présentés. Les blocs de même code de plusieurs versions du référentiel "
            "sont comptés ensemble."
        ),
        colonnes=(
            _("Bloc"),
            _("Intitulé"),
            _("Présentés"),
            _("Validés"),
            _("Taux de validation (%)"),
        ),
        lignes=lignes,
        graphique=4,
        taux=frozenset({4}),
        textes=frozenset({1}),
    )


def competences_tableau(perimetre: Perimetre) -> Tableau:
    rows = _stockees(perimetre, StatistiqueLigne.Niveau.COMPETENCE)
    return Tableau(
        cle="competences",
        titre=_("Par compétence : part « non acquise »"),
        definition=_(
            "Évalués : présents dont le jury a consolidé au moins un critère de la "
            "compétence. Non acquise : au moins un de ses critères consolidé « non "
            "acquis » (un critère dispensé ne compte pas). Part : non acquise parmi "
            "les évalués."
        ),
        colonnes=(
            _("Compétence"),
            _("Intitulé"),
            _("Évalués"),
            _("Non acquise"),
            _("Part non acquise (%)"),
        ),
        lignes=tuple(
            (
                r["code"],
                r["intitule"],
                r["effectif"],
                r["nombre"],
                taux(r["nombre"], r["effectif"]),
            )
            for r in rows
        ),
        graphique=4,
        taux=frozenset({4}),
        textes=frozenset({1}),
    )


# The criteria chart shows the ones that fail most; the table lists them all.
CRITERES_GRAPHIQUE = 20


def criteres_tableau(perimetre: Perimetre) -> Tableau:
    rows = _stockees(perimetre, StatistiqueLigne.Niveau.CRITERE)
    lignes = sorted(
        (
            (
                r["code"],
                r["intitule"],
                r["effectif"],
                r["nombre"],
                taux(r["nombre"], r["effectif"]),
            )
            for r in rows
        ),
        # The criteria that fail most first, then by code.
        key=lambda ligne: (-(ligne[4] or 0), ligne[0]),
    )
    return Tableau(
        cle="criteres",
        titre=_("Par critère : les critères le plus souvent « non acquis »"),
        definition=_(
            "Évalués : présents dont le jury a consolidé le critère (un critère "
            "dispensé n'est pas évalué). Part : « non acquis » parmi les évalués. "
            "Classés du plus souvent non acquis au moins souvent, pour la revue du "
            "référentiel ; le graphique montre les vingt premiers."
        ),
        colonnes=(
            _("Critère"),
            _("Intitulé"),
            _("Évalués"),
            _("Non acquis"),
            _("Part non acquis (%)"),
        ),
        lignes=tuple(lignes),
        graphique=4,
        taux=frozenset({4}),
        textes=frozenset({1}),
        graphique_max=CRITERES_GRAPHIQUE,
    )


# --- Disability: counts only, masked below five people ---------------------------


def handicap_tableau(perimetre: Perimetre) -> Tableau:
    scope = perimetre.inscriptions.values("pk")
    # A format adaptation applies once an administrator confirmed it.
    appliques = Amenagement.objects.filter(demande__inscription__in=scope).exclude(
        type=Amenagement.Type.FORMAT_ADAPTE, confirme_le__isnull=True
    )
    personnes = Count("demande__inscription", distinct=True)
    c: dict[str, int] = appliques.aggregate(
        amenages=personnes,
        amenages_certifies=Count(
            "demande__inscription",
            distinct=True,
            filter=Q(demande__inscription__deliberation__decision=Decision.CERTIFIE),
        ),
    )
    par_type = {
        row["type"]: row["n"]
        for row in appliques.values("type").annotate(n=personnes).order_by()
    }
    for valeur, _libelle in Amenagement.Type.choices:
        c[f"type_{valeur}"] = par_type.get(valeur, 0)
    c["demandes"] = DemandeAmenagement.objects.filter(
        inscription__in=scope, statut=DemandeAmenagement.Statut.DECIDEE
    ).count()
    c["dispenses"] = (
        Dispense.objects.filter(inscription__in=scope, accordee=True)
        .values("inscription")
        .distinct()
        .count()
    )
    amenages = c["amenages"]
    lignes: list[tuple[str, Compte]] = [
        (_("Demandes d'aménagement décidées"), secret(c["demandes"])),
        # The requests decided without any accommodation are the difference.
        (
            _("Candidats avec au moins un aménagement"),
            secret(amenages, parmi=c["demandes"]),
        ),
    ]
    lignes += [
        (str(libelle), secret(c[f"type_{valeur}"], parmi=amenages))
        for valeur, libelle in Amenagement.Type.choices
    ]
    lignes += [
        (_("Candidats avec au moins une dispense accordée"), secret(c["dispenses"])),
        (
            _("Candidats avec aménagement, certifiés"),
            secret(c["amenages_certifies"], parmi=amenages),
        ),
    ]
    return Tableau(
        cle="handicap",
        titre=_("Aménagements et dispenses"),
        definition=_(
            "Nombre de candidats (inscriptions), jamais leur identité. Par type : "
            "candidats ayant au moins un aménagement de ce type ; un format adapté "
            "compte une fois confirmé pour le certificateur. Dispense : décidée par "
            "le jury sur l'avis motivé du référent handicap. Secret statistique : "
            "toute case de moins de cinq personnes est remplacée par « < 5 », de même "
            "qu'une case dont le complément dans son groupe (les candidats avec "
            "aménagement) compte de une à quatre personnes."
        ),
        colonnes=(_("Indicateur"), _("Candidats")),
        lignes=tuple(lignes),
        secret=True,
    )


# --- Delays ------------------------------------------------------------------------


def _jours(duree: timedelta | None) -> float | None:
    return None if duree is None else round(duree.total_seconds() / 86400, 1)


def _delai(queryset: QuerySet[Any], debut: str, fin: str) -> dict[str, Any]:
    duree = ExpressionWrapper(F(fin) - F(debut), output_field=DurationField())
    result: dict[str, Any] = queryset.annotate(duree=duree).aggregate(
        n=Count("pk"), moyenne=Avg("duree"), mini=Min("duree"), maxi=Max("duree")
    )
    return result


def delais_tableau(perimetre: Perimetre) -> Tableau:
    inscriptions = perimetre.inscriptions
    avec = [g for g in perimetre.groupes if g["decisions"]]
    n = sum(g["decisions"] for g in avec)
    decision: dict[str, Any] = {
        "n": n,
        "moyenne": sum((g["delai_somme"] for g in avec), timedelta()) / n
        if n
        else None,
        "mini": min((g["delai_min"] for g in avec), default=None),
        "maxi": max((g["delai_max"] for g in avec), default=None),
    }
    documents = _delai(
        Document.objects.filter(
            inscription__in=inscriptions.values("pk"),
            nature=Document.Nature.RELEVE,
            version=1,
        ),
        "inscription__deliberation__decidee_le",
        "emis_le",
    )
    # A holder's first declaration deposited with the Caisse des Dépôts (a
    # rejected one declared again later does not count twice).
    premier_depot = (
        DeclarationCDC.objects.filter(
            inscription=OuterRef("pk"), lot__depose_le__isnull=False
        )
        .order_by("lot__depose_le")
        .values("lot__depose_le")[:1]
    )
    declarations = _delai(
        inscriptions.filter(deliberation__isnull=False)
        .annotate(premier_depot=Subquery(premier_depot))
        .filter(premier_depot__isnull=False),
        "deliberation__decidee_le",
        "premier_depot",
    )
    lignes = tuple(
        (
            libelle,
            d["n"],
            _jours(d["moyenne"]),
            _jours(d["mini"]),
            _jours(d["maxi"]),
        )
        for libelle, d in (
            (_("De la date limite de dépôt à la décision du jury"), decision),
            (_("De la décision du jury aux documents"), documents),
            (
                _("De la décision du jury à la déclaration à la Caisse des Dépôts"),
                declarations,
            ),
        )
    )
    return Tableau(
        cle="delais",
        titre=_("Délais"),
        definition=_(
            "En jours. Décision : dernière décision du jury sur l'inscription "
            "(absences comprises). Documents : première émission du relevé "
            "individuel de résultats, que toute décision donne. Déclaration : "
            "premier dépôt auprès de la Caisse des Dépôts du lot qui déclare le "
            "titulaire (certifiés seulement)."
        ),
        colonnes=(
            _("Intervalle"),
            _("Inscriptions"),
            _("Moyenne (jours)"),
            _("Minimum (jours)"),
            _("Maximum (jours)"),
        ),
        lignes=lignes,
        graphique=2,
    )


# --- Appeals: filed, and their outcomes -------------------------------------------


def recours_tableau(perimetre: Perimetre) -> Tableau:
    """The appeals against the jury's decisions of the sessions counted: filed,
    still to decide, decided with the decision maintained or revised, and the
    enrolments that filed at least one; one aggregate query."""
    c = Recours.objects.filter(
        inscription__in=perimetre.inscriptions.values("pk")
    ).aggregate(
        formes=Count("pk"),
        en_cours=Count("pk", filter=~Q(statut=Recours.Statut.DECIDE)),
        maintenus=Count("pk", filter=Q(issue=Recours.Issue.MAINTENUE)),
        revises=Count("pk", filter=Q(issue=Recours.Issue.REVISEE)),
        inscriptions=Count("inscription", distinct=True),
    )
    lignes = (
        (_("Recours formés"), c["formes"]),
        (_("Décisions maintenues"), c["maintenus"]),
        (_("Décisions révisées"), c["revises"]),
        (_("Recours en cours (déposés ou en instruction)"), c["en_cours"]),
        (_("Inscriptions ayant formé au moins un recours"), c["inscriptions"]),
    )
    return Tableau(
        cle="recours",
        titre=_("Recours"),
        definition=_(
            "Recours formés : recours d'un candidat contre la décision du jury, "
            "après la publication des résultats et dans le délai de recours ; il "
            "compte dans la session de l'inscription, chaque recours une fois (un "
            "nouveau recours peut suivre la décision du précédent). Décisions "
            "maintenues, révisées : recours décidés, selon leur issue (une décision "
            "révisée rouvre la délibération et le jury vote de nouveau). En cours : "
            "déposés ou en instruction. Part : parmi les recours formés."
        ),
        colonnes=(_("Indicateur"), _("Recours"), _("Part des recours formés (%)")),
        lignes=tuple((nom, n, taux(n, c["formes"])) for nom, n in lignes),
        taux=frozenset({2}),
    )


# --- The page -----------------------------------------------------------------------

SECTIONS: tuple[Callable[[Perimetre], Tableau], ...] = (
    effectifs_tableau,
    voies_tableau,
    parcours_tableau,
    blocs_tableau,
    competences_tableau,
    criteres_tableau,
    handicap_tableau,
    delais_tableau,
    recours_tableau,
)
CLES = (
    "effectifs",
    "voies",
    "parcours",
    "blocs",
    "competences",
    "criteres",
    "handicap",
    "delais",
    "recours",
)


def statistiques_of(perimetre: Perimetre) -> list[Tableau]:
    """Every table of the page, in order (a fixed number of queries)."""
    return [section(perimetre) for section in SECTIONS]


def tableau_of(perimetre: Perimetre, *, cle: str) -> Tableau:
    """One table by its key, for its export; 404 for an unknown key."""
    if cle not in CLES:
        raise Http404
    return SECTIONS[CLES.index(cle)](perimetre)


# --- Rows of the background exports ---------------------------------------------------


T = TypeVar("T")


def lots_of(rows: Iterable[T], taille: int) -> Iterator[list[T]]:
    """``rows`` in lists of ``taille`` (the last one shorter)."""
    iterator = iter(rows)
    while lot := list(islice(iterator, taille)):
        yield lot


class LigneResultat(NamedTuple):
    """One enrolment of the results export, read as plain values (no model
    instance: building some 13 objects per row was most of the export's time)."""

    pk: int
    session: str
    date_jury: date
    nom_naissance: str
    nom_usage: str
    prenom1: str
    prenom2: str
    prenom3: str
    date_naissance: date
    email: str
    voie_acces: str
    parcours: str
    decision: str | None  # None: no deliberation
    decidee_le: datetime | None
    date_limite_depot: datetime
    desiste_le: date | None
    reportee_vers: str | None  # the session it was carried over to
    blocs_evalues: tuple[str, ...] = ()
    blocs_valides: tuple[str, ...] = ()


# The columns read for each ``LigneResultat``, in its order (the blocs aside).
_RESULTAT_CHAMPS = (
    "pk",
    "session__nom",
    "session__date_jury",
    "candidat__nom_naissance",
    "candidat__nom_usage",
    "candidat__prenom1",
    "candidat__prenom2",
    "candidat__prenom3",
    "candidat__date_naissance",
    "candidat__user__email",
    "voie_acces",
    "parcours",
    "deliberation__decision",
    "deliberation__decidee_le",
    "session__date_limite_depot",
    "desiste_le",
    "reportee_vers__session__nom",
)


def resultats_rows(inscriptions: QuerySet[Inscription]) -> QuerySet[Inscription]:
    """The enrolments of the results export, in its order."""
    return inscriptions.order_by(
        "session__date_jury", "session_id", "candidat__nom_naissance", "pk"
    )


def resultats_lots(
    inscriptions: QuerySet[Inscription], taille: int
) -> Iterator[list[LigneResultat]]:
    """The rows of the results export by lots of ``taille``: one query streams the
    enrolments (a server-side cursor on PostgreSQL), then two queries per lot read
    the codes of the blocs evaluated and validated, sorted."""
    rows = resultats_rows(inscriptions).values_list(*_RESULTAT_CHAMPS)
    for lot in lots_of(rows.iterator(chunk_size=taille), taille):
        ids = [row[0] for row in lot]
        evalues: dict[int, list[str]] = {}
        for inscription_id, code in Inscription.blocs.through.objects.filter(
            inscription_id__in=ids
        ).values_list("inscription_id", "bloc__code"):
            evalues.setdefault(inscription_id, []).append(code)
        valides: dict[int, list[str]] = {}
        for inscription_id, code in Deliberation.blocs_valides.through.objects.filter(
            deliberation__inscription_id__in=ids
        ).values_list("deliberation__inscription_id", "bloc__code"):
            valides.setdefault(inscription_id, []).append(code)
        yield [
            LigneResultat._make(
                (
                    *row,
                    tuple(sorted(evalues.get(row[0], ()))),
                    tuple(sorted(valides.get(row[0], ()))),
                )
            )
            for row in lot
        ]


def notes_rows(inscriptions: QuerySet[Inscription]) -> QuerySet[Evaluation]:
    """One row per criterion and evaluator for the jury's scores export."""
    return (
        Evaluation.objects.filter(
            affectation__inscription__in=inscriptions.values("pk")
        )
        .select_related(
            "affectation__inscription__candidat",
            "affectation__inscription__session",
            "affectation__membre__user",
            "critere__competence__activite__bloc",
        )
        .order_by(
            "affectation__inscription__session_id",
            "affectation__inscription_id",
            "critere__competence__activite__bloc__ordre",
            "critere__competence__ordre",
            "critere__ordre",
            "affectation__membre_id",
        )
    )


def consolidations_of(inscription_ids: Iterable[int]) -> dict[tuple[int, int], str]:
    """The jury's consolidated result per (enrolment, criterion), one query."""
    return {
        (i, c): r
        for i, c, r in Consolidation.objects.filter(
            inscription_id__in=list(inscription_ids)
        ).values_list("inscription_id", "critere_id", "resultat")
    }


def annees_rapport(*, fin: int) -> list[int]:
    """The five years a yearly report covers, oldest first."""
    return list(range(fin - 4, fin + 1))


def annee_courante() -> int:
    return timezone.localdate().year


# --- The yearly report ------------------------------------------------------------

# (section, column drawn per year, the line's title in the report)
RAPPORT_SECTIONS: tuple[tuple[Callable[[Perimetre], Tableau], int], ...] = (
    (effectifs_tableau, 1),
    (voies_tableau, 1),
    (voies_tableau, 8),
    (parcours_tableau, 8),
    (blocs_tableau, 4),
    (handicap_tableau, 1),
    (delais_tableau, 2),
    (recours_tableau, 1),
)


def rapport_of(*, user: User, certification: Certification, fin: int) -> Rapport:
    """The yearly report of ``certification``: the figures of the five years up to
    ``fin``, one column per year (a fixed number of queries per year)."""
    annees = annees_rapport(fin=fin)
    tableaux = []
    for section, colonne in RAPPORT_SECTIONS:
        par_annee = [
            section(
                perimetre_statistiques(
                    user=user,
                    filtre=Filtre(certification=certification.pk, annee=annee),
                )
            )
            for annee in annees
        ]
        premier = par_annee[-1]
        libelles: dict[str, None] = {}
        for tableau in par_annee:
            libelles.update(dict.fromkeys(str(ligne[0]) for ligne in tableau.lignes))
        valeurs = [
            {str(ligne[0]): ligne[colonne] for ligne in tableau.lignes}
            for tableau in par_annee
        ]
        tableaux.append(
            TableauRapport(
                titre=f"{premier.titre} — {premier.colonnes[colonne]}",
                definition=premier.definition,
                colonnes=(premier.colonnes[0], *(str(a) for a in annees)),
                lignes=tuple(
                    (libelle, *(v.get(libelle) for v in valeurs))
                    for libelle in libelles
                ),
            )
        )
    certificateur = certification.certificateur
    return Rapport(
        certification=certification.code,
        intitule=certification.intitule,
        certificateur=certificateur.raison_sociale if certificateur else "",
        annees=tuple(annees),
        perimetre=(
            _("toutes les sessions de la certification")
            if is_admin(user)
            else _("les sessions que vous présidez")
        ),
        produit_le=timezone.now(),
        tableaux=tuple(tableaux),
    )
