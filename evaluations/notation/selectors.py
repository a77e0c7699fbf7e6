"""Reads of the scoring area: the evaluator's grid, the president's
consolidation table and the roll-up input of one enrolment, each in a fixed
number of queries whatever the référentiel's size; the evaluator's access to a
grid and the progress of their assignments."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from certif.expressions import ListSubquery
from certif.models import User
from certif.roles import Role, has_role, is_admin, roles_remember, roles_subquery
from evaluations.epreuves.models import Passage
from evaluations.jury.models import Affectation, MembreJury
from evaluations.jury.selectors import _sans_conflit
from evaluations.livrables.models import Livrable
from evaluations.notation.models import (
    Consolidation,
    DerogationValidation,
    Evaluation,
)
from evaluations.notation.rollup import (
    BlocResult,
    BlocSpec,
    CompetenceResult,
    CompetenceSpec,
    Rollup,
    RollupInput,
    rollup,
)
from evaluations.sessions.models import Inscription, Session
from evaluations.sessions.selectors import (
    capitalises_exist,
    capitalises_of,
    rappel_echeance,
)
from handicap.selectors import (
    AmenagementsJury,
    amenagements_exist,
    amenagements_for_jury,
    criteres_dispenses_for,
    criteres_dispenses_subquery,
)
from referentiel.models import Bloc, Competence, Critere, Referentiel
from referentiel.structure import StructureVersion, structure_version

if TYPE_CHECKING:
    pass


def _nb_criteres_parcours() -> Coalesce:
    """Criteria of the blocs of the enrolment (OuterRef "inscription")."""
    return Coalesce(
        Subquery(
            Critere.objects.filter(
                competence__activite__bloc__inscriptions=OuterRef("inscription")
            )
            .order_by()
            .values("competence__activite__bloc__inscriptions")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _affectations() -> QuerySet[Affectation]:
    """The assignments without a conflict, with what the grid and its saves read
    of them (member, enrolment, candidate, session, version, deliberation)."""
    return _sans_conflit(Affectation.objects.all()).select_related(
        "membre",
        "inscription__candidat",
        "inscription__session__referentiel",
        "inscription__deliberation",
    )


def _refuse(user: User) -> NoReturn:
    if is_admin(user) or has_role(user, Role.REFERENT_HANDICAP):
        raise PermissionDenied
    raise Http404


def get_affectation_for(user: User, inscription_pk: int) -> Affectation:
    """The user's own assignment to an enrolment, for the grid and its saves, in
    one query (member, enrolment, candidate, session, deliberation). The grid is
    its evaluator's own workspace: a member not assigned or in conflict, and a
    candidate, get 404; the référent handicap and the administrator 403 (the
    administrator reads every evaluator's results on the consolidation and history
    pages)."""
    affectation = (
        _affectations().filter(inscription_id=inscription_pk, membre__user=user).first()
    )
    if affectation is None:
        _refuse(user)
    return affectation


@dataclass(frozen=True)
class FaitsGrille:
    """What the grid reads of an enrolment with its evaluator's assignment: the
    blocs of the path, the exempted criteria, and whether there is anything to
    read of acquired blocs, current deliverables, sittings and accommodations
    (each read only then)."""

    parcours: frozenset[int]
    dispenses: frozenset[int]
    capitalises: bool
    livrables: bool
    passages: bool
    amenagements: bool


@cache
def _affectations_grille() -> QuerySet[Affectation]:
    """``_affectations`` with the grid's facts, built once per process and only
    ever filtered (a clone), as Django's generic views keep a class-level
    queryset: building its subqueries costs a request more CPU than the round
    trips they save."""
    return _affectations().annotate(
        parcours_ids=ListSubquery(
            Inscription.blocs.through.objects.filter(
                inscription_id=OuterRef("inscription_id")
            ),
            "bloc_id",
        ),
        dispenses_ids=criteres_dispenses_subquery("inscription_id"),
        a_capitalises=capitalises_exist("inscription"),
        a_livrables=Exists(
            _livrables_courants().filter(inscription_id=OuterRef("inscription_id"))
        ),
        a_passages=Exists(
            _passages_grille().filter(
                passage__inscription_id=OuterRef("inscription_id")
            )
        ),
        a_amenagements=amenagements_exist("inscription_id"),
        roles_user=roles_subquery("membre__user_id"),
    )


def get_affectation_for_grille(
    user: User, inscription_pk: int
) -> tuple[Affectation, FaitsGrille]:
    """``get_affectation_for`` and the grid's ``FaitsGrille`` in the same query;
    the user's roles (the navigation's) read with it as well."""
    affectation = (
        _affectations_grille()
        .filter(inscription_id=inscription_pk, membre__user_id=user.pk)
        .first()
    )
    if affectation is None:
        _refuse(user)
    roles_remember(user, getattr(affectation, "roles_user"))  # noqa: B009
    return affectation, FaitsGrille(
        parcours=frozenset(getattr(affectation, "parcours_ids")),  # noqa: B009
        dispenses=frozenset(getattr(affectation, "dispenses_ids")),  # noqa: B009
        capitalises=getattr(affectation, "a_capitalises"),  # noqa: B009
        livrables=getattr(affectation, "a_livrables"),  # noqa: B009
        passages=getattr(affectation, "a_passages"),  # noqa: B009
        amenagements=getattr(affectation, "a_amenagements"),  # noqa: B009
    )


def affectations_for_member(*, user: User) -> QuerySet[Affectation]:
    """The member's assignments (minus conflicts), for a paginated list; the
    progress of a page comes from ``progressions_for``. No aggregate here: sorting
    thousands of assignments by an aggregate over all their scores would be read
    before the page is cut."""
    return (
        _sans_conflit(Affectation.objects.filter(membre__user=user))
        .select_related(
            "inscription__candidat", "inscription__session", "inscription__deliberation"
        )
        .order_by(
            "-inscription__session__date_jury",
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "pk",
        )
    )


@dataclass(frozen=True)
class ProgressionAffectation:
    """An assignment of the member's page with ``total`` (non-exempted criteria of
    the path) and ``faits`` (those scored)."""

    affectation: Affectation
    total: int
    faits: int


def progressions_for(
    *, affectations: list[Affectation]
) -> list[ProgressionAffectation]:
    """The assignments of a page with their progress: three queries whatever the
    page size (four when something is exempted)."""
    inscription_ids = {a.inscription_id for a in affectations}
    criteres = dict(
        Critere.objects.filter(
            competence__activite__bloc__inscriptions__in=inscription_ids
        )
        .order_by()
        .values_list("competence__activite__bloc__inscriptions")
        .annotate(n=Count("pk"))
    )
    evalues = dict(
        Evaluation.objects.filter(affectation__in=affectations)
        .order_by()
        .values_list("affectation_id")
        .annotate(n=Count("pk"))
    )
    dispenses = criteres_dispenses_for(inscription_ids=inscription_ids)
    notes_dispenses = evaluations_dispensees_count(
        affectations=affectations, dispenses=dispenses
    )
    return [
        ProgressionAffectation(
            affectation,
            total=criteres.get(affectation.inscription_id, 0)
            - len(dispenses.get(affectation.inscription_id, set())),
            faits=evalues.get(affectation.pk, 0)
            - notes_dispenses.get(affectation.pk, 0),
        )
        for affectation in affectations
    ]


def evaluations_dispensees_count(
    *, affectations: list[Affectation], dispenses: dict[int, set[int]]
) -> dict[int, int]:
    """{affectation id: number of its scores on exempted criteria} in one query,
    none when nothing is exempted."""
    ids = set().union(*dispenses.values()) if dispenses else set()
    if not ids:
        return {}
    rows = (
        Evaluation.objects.filter(affectation__in=affectations, critere_id__in=ids)
        .values_list("affectation_id", "affectation__inscription_id", "critere_id")
        .order_by()
    )
    counts: dict[int, int] = {}
    for affectation_id, inscription_id, critere_id in rows:
        if critere_id in dispenses.get(inscription_id, set()):
            counts[affectation_id] = counts.get(affectation_id, 0) + 1
    return counts


@dataclass
class Structure:
    """The blocs of the version and, for the blocs of the path, their competencies
    and criteria. The version's part comes from ``structure_version`` (read once per
    process for a published version); only the path is read per enrolment."""

    blocs: tuple[Bloc, ...]
    parcours: frozenset[int]  # ids of the blocs of the path
    competences: dict[
        int, tuple[Competence, ...]
    ]  # bloc id -> competencies in the path
    criteres: dict[int, tuple[Critere, ...]]  # competence id -> criteria
    version: StructureVersion

    def dans_parcours(self, bloc: Bloc) -> bool:
        return bloc.pk in self.parcours

    @property
    def critere_ids(self) -> set[int]:
        return {c.pk for criteres in self.criteres.values() for c in criteres}

    def specs(self) -> tuple[BlocSpec, ...]:
        return tuple(
            BlocSpec(
                code=bloc.code,
                competences=tuple(
                    CompetenceSpec(
                        code=competence.code,
                        criteres=tuple(c.pk for c in self.criteres[competence.pk]),
                    )
                    for competence in self.competences.get(bloc.pk, ())
                ),
            )
            for bloc in self.blocs
        )


def _statut_version(inscription: Inscription) -> str:
    """The status of the enrolment's référentiel version, without a query when the
    caller loaded the session and its version with the enrolment."""
    if Inscription.session.is_cached(inscription):
        session = inscription.session
        if Session.referentiel.is_cached(session):
            return session.referentiel.statut
        referentiel_id = session.referentiel_id
    else:
        referentiel_id = Session.objects.values_list("referentiel_id", flat=True).get(
            pk=inscription.session_id
        )
    return Referentiel.objects.values_list("statut", flat=True).get(pk=referentiel_id)


def structure_for(
    *, inscription: Inscription, parcours: frozenset[int] | None = None
) -> Structure:
    """One query for the path unless the caller read it (``parcours``: the ids of
    its blocs); the version's structure is cached once published; one more query
    when the caller did not load the version with the enrolment."""
    version = structure_version(
        referentiel_id=inscription.session.referentiel_id,
        statut=_statut_version(inscription),
    )
    if parcours is None:
        parcours = frozenset(
            Inscription.blocs.through.objects.filter(
                inscription_id=inscription.pk
            ).values_list("bloc_id", flat=True)
        )
    competences = {
        pk: version.competences[pk] for pk in parcours if pk in version.competences
    }
    criteres = {
        competence.pk: version.criteres[competence.pk]
        for liste in competences.values()
        for competence in liste
    }
    return Structure(version.blocs, parcours, competences, criteres, version)


def capitalises_for(*, inscription: Inscription) -> dict[str, str]:
    """{bloc code: session name} of the blocs the person acquired for this
    certification in another session (the roll-up's input)."""
    return {
        code: acquis.session.nom
        for code, acquis in capitalises_of(inscription=inscription).items()
    }


def rollup_for(
    *,
    inscription: Inscription,
    structure: Structure,
    resultats: dict[int, str | None],
    dispenses: set[int],
    capitalises: dict[str, str],
) -> Rollup:
    return rollup(
        RollupInput(
            blocs=structure.specs(),
            resultats=resultats,
            parcours=frozenset(
                b.code for b in structure.blocs if structure.dans_parcours(b)
            ),
            dispenses=frozenset(dispenses),
            capitalises=capitalises,
        )
    )


def _livrables_courants() -> QuerySet[Livrable]:
    return Livrable.objects.filter(retire_le__isnull=True, remplace_par__isnull=True)


def _livrables(inscription: Inscription) -> dict[int, list[Livrable]]:
    """Current versions of the deliverables, by modality."""
    by_modalite: dict[int, list[Livrable]] = defaultdict(list)
    for livrable in (
        _livrables_courants()
        .filter(inscription=inscription)
        .order_by("depose_le", "pk")
    ):
        by_modalite[livrable.modalite_id].append(livrable)
    return by_modalite


@dataclass
class LigneCritere:
    critere: Critere
    numero: int
    dispense: bool
    evaluation: Evaluation | None = None  # the evaluator's own (grid)
    evaluations: list[Evaluation | None] = field(
        default_factory=list
    )  # all (consolidation)
    consolidation: Consolidation | None = None
    divergent: bool = False
    propose: str = ""  # pre-filled jury result when all evaluators agree
    # What the consolidation's inputs show (the page fills them in).
    saisie_resultat: str = ""
    saisie_commentaire: str = ""
    version_vue: int = 0
    html: str = ""  # the grid's fieldset (evaluations/notation/fragments.py)

    @property
    def id(self) -> str:
        """The criterion's id as safe text: templates print it a dozen times per
        row; as text it skips number localisation, as digits marked safe it skips
        escaping."""
        return mark_safe(str(int(self.critere.pk)))  # noqa: S308 - digits only

    @property
    def numero_str(self) -> str:
        return mark_safe(str(int(self.numero)))  # noqa: S308 - digits only

    @property
    def resultat(self) -> str:
        return self.evaluation.resultat if self.evaluation else ""

    @property
    def commentaire(self) -> str:
        return self.evaluation.commentaire if self.evaluation else ""


@dataclass
class LigneCompetence:
    competence: Competence
    description: str  # the modality's description: the elements evaluated
    criteres: list[LigneCritere]
    livrables: list[Livrable]
    resultat: CompetenceResult | None
    # On a blocs-only path: the dossier professionnel instruction, shown beside
    # the description it refers to.
    dossier_professionnel: str = ""
    # The grid's heading and modality (evaluations/notation/fragments.py).
    html_entete: str = ""
    html_modalite: str = ""
    # For a live modality: its sitting (date, room, jury), set by the grid; and
    # the adapted format decided for it, shown beside it.
    passage: "PassageGrille | None" = None
    format_adapte: str = ""
    # The grid's neighbours, for the phone's « précédente / suivante » links.
    precedente: "LigneCompetence | None" = None
    suivante: "LigneCompetence | None" = None

    @property
    def nb_a_noter(self) -> int:
        """The competency's criteria to score (exempted ones left out)."""
        return sum(1 for ligne in self.criteres if not ligne.dispense)

    @property
    def nb_notes(self) -> int:
        """Those the evaluator has scored: the jump list's « 3/4 notés »."""
        return sum(
            1 for ligne in self.criteres if not ligne.dispense and ligne.resultat
        )


@dataclass
class LigneBloc:
    bloc: Bloc
    competences: list[LigneCompetence]
    resultat: BlocResult


@dataclass
class Grille:
    inscription: Inscription
    blocs: list[LigneBloc]
    rollup: Rollup
    nb_criteres: int  # non-exempted criteria of the path
    nb_evalues: int
    version: StructureVersion | None = None
    # The jump list's items and the blocs (evaluations/notation/fragments.py).
    html_sauts: str = ""
    html_blocs: str = ""

    @property
    def pourcentage(self) -> int:
        return (
            round(100 * self.nb_evalues / self.nb_criteres) if self.nb_criteres else 100
        )

    @property
    def complete(self) -> bool:
        return self.nb_evalues >= self.nb_criteres


def _lignes(
    *,
    inscription: Inscription,
    structure: Structure,
    dispenses: set[int],
    resultat_rollup: Rollup,
    livrables: dict[int, list[Livrable]],
    remplir: Callable[[LigneCritere], None],
) -> list[LigneBloc]:
    blocs_par_code = {b.code: b for b in resultat_rollup.blocs}
    capitalisation = inscription.parcours == Inscription.Parcours.BLOCS
    lignes: list[LigneBloc] = []
    for bloc in structure.blocs:
        if not structure.dans_parcours(bloc):
            continue
        bloc_result = blocs_par_code[bloc.code]
        competences_result = {c.code: c for c in bloc_result.competences}
        ligne_bloc = LigneBloc(bloc=bloc, competences=[], resultat=bloc_result)
        for competence in structure.competences.get(bloc.pk, []):
            modalite = competence.modalite
            criteres = []
            for numero, critere in enumerate(structure.criteres[competence.pk], 1):
                ligne = LigneCritere(
                    critere=critere, numero=numero, dispense=critere.pk in dispenses
                )
                remplir(ligne)
                criteres.append(ligne)
            ligne_bloc.competences.append(
                LigneCompetence(
                    competence=competence,
                    description=modalite.description,
                    dossier_professionnel=modalite.description_capitalisation
                    if capitalisation
                    else "",
                    criteres=criteres,
                    livrables=livrables.get(modalite.pk, []),
                    resultat=competences_result.get(competence.code),
                )
            )
        lignes.append(ligne_bloc)
    return lignes


def grille_for(*, affectation: Affectation, faits: FaitsGrille | None = None) -> Grille:
    """One evaluator's grid: blocs of the path → competencies (modality, current
    deliverables) → criteria with the evaluator's own results, and the roll-up of
    those results. With ``faits`` (``get_affectation_for_grille``), the path and
    the exemptions are not read again, nor what ``faits`` says is absent."""
    inscription = affectation.inscription
    structure = structure_for(
        inscription=inscription, parcours=faits.parcours if faits else None
    )
    dispenses = (
        set(faits.dispenses)
        if faits
        else criteres_dispenses_for(inscription_ids=[inscription.pk]).get(
            inscription.pk, set()
        )
    )
    evaluations = {
        e.critere_id: e for e in Evaluation.objects.filter(affectation=affectation)
    }
    capitalises = (
        capitalises_for(inscription=inscription)
        if faits is None or faits.capitalises
        else {}
    )
    resultat_rollup = rollup_for(
        inscription=inscription,
        structure=structure,
        resultats={pk: e.resultat for pk, e in evaluations.items()},
        dispenses=dispenses,
        capitalises=capitalises,
    )

    def remplir(ligne: LigneCritere) -> None:
        if not ligne.dispense:
            ligne.evaluation = evaluations.get(ligne.critere.pk)

    lignes = _lignes(
        inscription=inscription,
        structure=structure,
        dispenses=dispenses,
        resultat_rollup=resultat_rollup,
        livrables=_livrables(inscription) if faits is None or faits.livrables else {},
        remplir=remplir,
    )
    competences = [c for ligne_bloc in lignes for c in ligne_bloc.competences]
    for avant, apres in pairwise(competences):
        avant.suivante, apres.precedente = apres, avant
    a_evaluer = structure.critere_ids - dispenses
    return Grille(
        inscription=inscription,
        blocs=lignes,
        rollup=resultat_rollup,
        nb_criteres=len(a_evaluer),
        nb_evalues=len(a_evaluer & evaluations.keys()),
        version=structure.version,
    )


@dataclass
class Evaluateur:
    affectation: Affectation

    @property
    def nom(self) -> str:
        user = self.affectation.membre.user
        return user.get_full_name() or user.email

    @property
    def derogation(self) -> DerogationValidation | None:
        # A missing reverse one-to-one raises RelatedObjectDoesNotExist.
        return getattr(self.affectation, "derogation", None)

    @property
    def en_attente(self) -> bool:
        """Not validated, and no reason recorded to do without it."""
        return self.affectation.validee_le is None and self.derogation is None


def _a_valider(queryset: QuerySet[Affectation]) -> QuerySet[Affectation]:
    """The assignments (without a conflict) whose evaluation is not validated and
    for which the president recorded no reason to do without it."""
    return _sans_conflit(
        queryset.filter(validee_le__isnull=True, derogation__isnull=True)
    )


def validations_manquantes(*, inscription_id: int) -> list[str]:
    """The names of the evaluators assigned to an enrolment (without a conflict)
    who have not validated their grid and for whom the president recorded no
    reason to do without it: the consolidation and the vote wait for them. One
    query."""
    return [
        a.membre.user.get_full_name() or a.membre.user.email
        for a in _a_valider(Affectation.objects.filter(inscription_id=inscription_id))
        .select_related("membre__user")
        .order_by("membre__user__last_name", "membre__user__first_name", "pk")
    ]


def validations_manquantes_message(noms: list[str]) -> str:
    """The French refusal of a consolidation or vote that waits for evaluators."""
    return ngettext(
        "%(noms)s n'a pas validé son évaluation : attendez sa validation, ou "
        "indiquez sur la page de consolidation pourquoi le jury s'en passe "
        "(évaluateur absent, remplacé).",
        "%(noms)s n'ont pas validé leur évaluation : attendez leur validation, ou "
        "indiquez sur la page de consolidation pourquoi le jury s'en passe "
        "(évaluateur absent, remplacé).",
        len(noms),
    ) % {"noms": ", ".join(noms)}


@dataclass
class ConsolidationTable(Grille):
    evaluateurs: list[Evaluateur] = field(default_factory=list)


def rollup_consolide_for(*, inscription: Inscription) -> Rollup:
    """The roll-up of the jury's consolidated results: the decision a vote
    proposes. The vote calls it inside its transaction, after the enrolment's
    lock, so that it proposes what is stored at that moment."""
    structure = structure_for(inscription=inscription)
    return rollup_for(
        inscription=inscription,
        structure=structure,
        resultats=dict(
            Consolidation.objects.filter(inscription=inscription).values_list(
                "critere_id", "resultat"
            )
        ),
        dispenses=criteres_dispenses_for(inscription_ids=[inscription.pk]).get(
            inscription.pk, set()
        ),
        capitalises=capitalises_for(inscription=inscription),
    )


def consolidation_for(*, inscription: Inscription) -> ConsolidationTable:
    """The president's table: per criterion each evaluator's result side by side,
    divergences flagged, the jury's current result (with its version) and the
    proposal when every evaluator scored the same; the roll-up of the jury's
    results."""
    structure = structure_for(inscription=inscription)
    dispenses = criteres_dispenses_for(inscription_ids=[inscription.pk]).get(
        inscription.pk, set()
    )
    affectations = list(
        _sans_conflit(Affectation.objects.filter(inscription=inscription))
        .select_related("membre__user", "derogation__par")
        .order_by("membre__user__last_name", "membre__user__first_name", "pk")
    )
    par_affectation: dict[int, dict[int, Evaluation]] = defaultdict(dict)
    for evaluation in Evaluation.objects.filter(affectation__in=affectations):
        par_affectation[evaluation.affectation_id][evaluation.critere_id] = evaluation
    consolidations = {
        c.critere_id: c
        for c in Consolidation.objects.filter(inscription=inscription).select_related(
            "modifie_par"
        )
    }
    resultat_rollup = rollup_for(
        inscription=inscription,
        structure=structure,
        resultats={pk: c.resultat for pk, c in consolidations.items()},
        dispenses=dispenses,
        capitalises=capitalises_for(inscription=inscription),
    )

    def remplir(ligne: LigneCritere) -> None:
        pk = ligne.critere.pk
        ligne.evaluations = [par_affectation[a.pk].get(pk) for a in affectations]
        ligne.consolidation = consolidations.get(pk)
        if ligne.dispense:  # scores made before the exemption do not count
            return
        valeurs = {e.resultat for e in ligne.evaluations if e is not None}
        ligne.divergent = len(valeurs) > 1
        complet = bool(ligne.evaluations) and all(ligne.evaluations)
        if complet and len(valeurs) == 1:
            ligne.propose = valeurs.pop()

    lignes = _lignes(
        inscription=inscription,
        structure=structure,
        dispenses=dispenses,
        resultat_rollup=resultat_rollup,
        livrables={},
        remplir=remplir,
    )
    a_evaluer = structure.critere_ids - dispenses
    return ConsolidationTable(
        inscription=inscription,
        blocs=lignes,
        rollup=resultat_rollup,
        nb_criteres=len(a_evaluer),
        nb_evalues=len(a_evaluer & consolidations.keys()),
        evaluateurs=[Evaluateur(a) for a in affectations],
    )


def affectation_for_save(
    user_id: int, inscription_pk: int, critere_id: int
) -> Affectation | None:
    """The user's assignment for saving one criterion, in one query: the enrolment,
    session and deliberation joined; annotated with ``critere_dans_parcours``,
    ``deja_note`` (this criterion already scored), ``nb_evalues`` and
    ``nb_criteres`` (for the progress returned after the save)."""
    return (
        _sans_conflit(
            Affectation.objects.filter(
                inscription_id=inscription_pk, membre__user_id=user_id
            )
        )
        .select_related("membre", "inscription__session", "inscription__deliberation")
        .annotate(
            critere_dans_parcours=Exists(
                Critere.objects.filter(
                    pk=critere_id,
                    competence__activite__bloc__inscriptions=OuterRef("inscription"),
                )
            ),
            deja_note=Exists(
                Evaluation.objects.filter(
                    affectation=OuterRef("pk"), critere_id=critere_id
                )
            ),
            nb_evalues=Count("evaluations"),
            nb_criteres=_nb_criteres_parcours(),
        )
        .first()
    )


@dataclass(frozen=True)
class PassageGrille:
    """The live sitting of a modality, as the grid shows it."""

    debut: datetime
    fin: datetime
    lieu: str
    lien_visio: str
    membres: tuple[str, ...]


def grille_passages_attach(
    *, grille: "Grille", inscription_id: int, faits: FaitsGrille | None = None
) -> None:
    """Put on each competency of the grid the sitting of its live modality (none
    when ``faits`` says there is none)."""
    if faits is not None and not faits.passages:
        return
    passages = passages_for_grille(inscription_id=inscription_id)
    for bloc in grille.blocs:
        for ligne in bloc.competences:
            ligne.passage = passages.get(ligne.competence.modalite.pk)


def amenagements_for_grille(
    *, inscription_id: int, faits: FaitsGrille
) -> AmenagementsJury:
    """``amenagements_for_jury``, without a query when ``faits`` says there is
    nothing to show."""
    if not faits.amenagements:
        return AmenagementsJury()
    return amenagements_for_jury(inscription_id=inscription_id)


def grille_formats_attach(*, grille: "Grille", amenagements: AmenagementsJury) -> None:
    """Put on each competency the adapted format decided for its modality (the
    jury sees it where it evaluates, not only at the top of the grid)."""
    formats = {
        a.modalite.split(" ", 1)[0]: a.precision
        for a in amenagements.amenagements
        if a.type == "format_adapte" and a.modalite and a.applique
    }
    for bloc in grille.blocs:
        for ligne in bloc.competences:
            ligne.format_adapte = formats.get(ligne.competence.code, "")


def _passages_grille() -> QuerySet[Any]:
    """The (passage, modality) rows the grid shows: a justified absence left out."""
    return Passage.modalites.through.objects.exclude(
        passage__presence=Passage.Presence.JUSTIFIEE
    )


def passages_for_grille(*, inscription_id: int) -> dict[int, PassageGrille]:
    """The sitting of each live modality of an enrolment (modality id → sitting),
    a justified absence left out. One query whatever the number of sittings: the
    members' names read with each row."""
    result = {}
    for row in (
        _passages_grille()
        .filter(passage__inscription_id=inscription_id)
        .select_related("passage__salle__site")
        .annotate(
            membres=ListSubquery(
                Passage.membres.through.objects.filter(
                    passage_id=OuterRef("passage_id")
                ),
                # as User.get_full_name
                Concat(
                    "membrejury__user__first_name",
                    Value(" "),
                    "membrejury__user__last_name",
                ),
            )
        )
        .order_by("passage__debut")
    ):
        passage = row.passage
        membres = getattr(row, "membres")  # noqa: B009
        result[row.modalite_id] = PassageGrille(
            passage.debut,
            passage.fin,
            str(passage.salle) if passage.salle else "",
            passage.lien_visio,
            tuple(sorted(nom.strip() for nom in membres)),
        )
    return result


@dataclass(frozen=True)
class GrilleAValider:
    inscription_id: int
    candidat: str


@dataclass(frozen=True)
class RappelGrilles:
    """A reminder due to an evaluator whose evaluations are not all validated."""

    membre: MembreJury
    session: Session
    echeance: str
    grilles: tuple[GrilleAValider, ...]

    @property
    def cle(self) -> str:
        """Once per member, reminder and jury date: a jury moved later gets its
        own reminders."""
        return (
            f"rappel-grilles:{self.membre.pk}:{self.echeance}:"
            f"{self.session.date_jury.isoformat()}"
        )


def rappels_grilles_dus(*, today: date) -> list[RappelGrilles]:
    """The reminders due ``today`` to evaluators: in each session open for
    scoring (``Session.notation_ouverte``) whose jury date falls within the
    reminder's days (``rappel_echeance``), every member with evaluations still to
    validate (``_a_valider``, as the consolidation and the vote ask), of
    enrolments neither withdrawn, deferred nor voted, with those candidates. Two
    queries, whatever the number of sessions, members and candidates."""
    sessions = {
        session.pk: (session, echeance)
        for session in Session.objects.filter(
            statut=Session.Statut.EN_EVALUATION,
            date_jury__gte=today,
            date_jury__lte=today + timedelta(days=7),
        )
        if session.notation_ouverte
        and (echeance := rappel_echeance(jours=(session.date_jury - today).days))
    }
    affectations = (
        _a_valider(
            Affectation.objects.filter(
                inscription__session_id__in=list(sessions),
                inscription__desiste_le__isnull=True,
                inscription__reportee_vers__isnull=True,
                membre__user__is_active=True,
            )
        )
        .exclude(inscription__deliberation__verrouillee=True)
        .select_related("membre__user", "inscription__candidat")
        .order_by(
            "membre_id",
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "inscription_id",
        )
    )
    par_membre: dict[int, list[Affectation]] = defaultdict(list)
    for affectation in affectations:
        par_membre[affectation.membre_id].append(affectation)
    rappels = []
    for lignes in par_membre.values():
        membre = lignes[0].membre
        session, echeance = sessions[membre.session_id]
        rappels.append(
            RappelGrilles(
                membre=membre,
                session=session,
                echeance=echeance,
                grilles=tuple(
                    GrilleAValider(a.inscription_id, a.inscription.candidat.nom_complet)
                    for a in lignes
                ),
            )
        )
    return rappels
