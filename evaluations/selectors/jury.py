"""Reads of the jury area and its access helpers.

Access rules (DESIGN §2, outsiders 404, insiders without the right 403):

- the scoring grid and its save endpoints belong to the assigned evaluator only. A
  jury member who is not assigned, or who declared a conflict, gets 404; so does a
  candidate. The référent handicap and the administrator get 403: the grid is an
  evaluator's own workspace; the administrator reads every evaluator's results on
  the consolidation page (read-only) and the history page.
- consolidation, deliberation and history belong to the president of the session's
  jury (not in conflict with the candidate). The administrator may read them (403
  on writes); a member of the session who is not its president, the candidate of
  the enrolment and the référent handicap get 403; anyone else (another candidate,
  a member of another session, a member in conflict) 404.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext

from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.models import (
    Affectation,
    ConflitInterets,
    Consolidation,
    Deliberation,
    Evaluation,
    Inscription,
    MembreJury,
    ReouvertureDeliberation,
    Resultat,
    Session,
)
from evaluations.selectors.sessions import search_inscriptions
from handicap.selectors import criteres_dispenses_for
from referentiel.models import Critere


def _sans_conflit(queryset: QuerySet[Affectation]) -> QuerySet[Affectation]:
    return queryset.exclude(
        Exists(
            ConflitInterets.objects.filter(
                membre=OuterRef("membre"), inscription=OuterRef("inscription")
            )
        )
    )


def _nb_criteres_parcours() -> Subquery:
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


def _count(model: type[Model], fk: str) -> Coalesce:
    """Number of ``model`` rows whose ``fk`` is the outer row."""
    return Coalesce(
        Subquery(
            model._default_manager.filter(**{fk: OuterRef("pk")})
            .order_by()
            .values(fk)
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def get_affectation_for(user: User, inscription_pk: int) -> Affectation:
    """The user's own assignment to an enrolment, for the grid and its saves, in
    one query (member, enrolment, candidate, session, deliberation)."""
    affectation = (
        _sans_conflit(
            Affectation.objects.filter(inscription_id=inscription_pk, membre__user=user)
        )
        .select_related(
            "membre",
            "inscription__candidat",
            "inscription__session",
            "inscription__deliberation",
        )
        .first()
    )
    if affectation is None:
        if is_admin(user) or has_role(user, Role.REFERENT_HANDICAP):
            raise PermissionDenied
        raise Http404
    return affectation


@dataclass(frozen=True)
class PresidentAccess:
    inscription: Inscription
    membre: MembreJury | None  # the president; None for an administrator reading

    @property
    def peut_modifier(self) -> bool:
        return self.membre is not None


def get_inscription_for_president(
    user: User, inscription_pk: int, *, write: bool = False
) -> PresidentAccess:
    """An enrolment for its session's president (consolidation, deliberation,
    history); read-only for an administrator."""
    membre = (
        MembreJury.objects.filter(
            user=user,
            role=MembreJury.Role.PRESIDENT,
            session__inscriptions=inscription_pk,
        )
        .exclude(conflits__inscription=inscription_pk)
        .first()
    )
    queryset = Inscription.objects.select_related(
        "candidat", "session__referentiel", "deliberation"
    )
    if membre is not None:
        return PresidentAccess(queryset.get(pk=inscription_pk), membre)
    if is_admin(user):
        if write:
            raise PermissionDenied
        try:
            return PresidentAccess(queryset.get(pk=inscription_pk), None)
        except Inscription.DoesNotExist:
            raise Http404 from None
    if has_role(user, Role.REFERENT_HANDICAP):
        raise PermissionDenied
    # The candidate of this enrolment is an insider to it (403).
    if Inscription.objects.filter(pk=inscription_pk, candidat__user=user).exists():
        raise PermissionDenied
    # A member of the session is an insider (403), unless in conflict with this
    # candidate: then the candidate does not exist for them (404).
    if (
        MembreJury.objects.filter(user=user, session__inscriptions=inscription_pk)
        .exclude(conflits__inscription=inscription_pk)
        .exists()
    ):
        raise PermissionDenied
    raise Http404


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


def progressions_for(*, affectations: list[Affectation]) -> None:
    """Set ``total`` (non-exempted criteria of the path) and ``faits`` (those
    scored) on each assignment of a page: three queries whatever the page size
    (four when something is exempted)."""
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
    for affectation in affectations:
        exemptes = dispenses.get(affectation.inscription_id, set())
        affectation.total = criteres.get(affectation.inscription_id, 0) - len(  # type: ignore[attr-defined]
            exemptes
        )
        affectation.faits = evalues.get(affectation.pk, 0) - notes_dispenses.get(  # type: ignore[attr-defined]
            affectation.pk, 0
        )


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


def sessions_presidees_by(*, user: User) -> QuerySet[Session]:
    return Session.objects.filter(
        membres__user=user, membres__role=MembreJury.Role.PRESIDENT
    ).order_by("-date_jury", "nom")


def sessions_for_jury_admin() -> QuerySet[Session]:
    return Session.objects.select_related("referentiel__certification").annotate(
        nb_membres=Count("membres", distinct=True),
        nb_inscriptions=Count("inscriptions", distinct=True),
    )


def get_session_for_jury(user: User, pk: int) -> tuple[Session, bool]:
    """A session's jury page: (session, may edit). The administrator edits; the
    session's president reads; another member of the session gets 403; others 404."""
    session = Session.objects.select_related("referentiel__certification").filter(pk=pk)
    if is_admin(user):
        found = session.first()
        if found is None:
            raise Http404
        return found, True
    found = session.filter(
        membres__user=user, membres__role=MembreJury.Role.PRESIDENT
    ).first()
    if found is not None:
        return found, False
    if (
        has_role(user, Role.REFERENT_HANDICAP)
        or MembreJury.objects.filter(user=user, session_id=pk).exists()
    ):
        raise PermissionDenied
    raise Http404


def membres_of(*, session: Session) -> QuerySet[MembreJury]:
    return (
        MembreJury.objects.filter(session=session)
        .select_related("user")
        .annotate(nb_affectations=_count(Affectation, "membre"))
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def inscriptions_for_jury(*, session: Session, q: str = "") -> QuerySet[Inscription]:
    """The session's enrolments whose candidate matches ``q``, with their
    evaluators and the members in conflict with them, for the jury page (one query
    for the page plus one for the assignments and one for the conflicts)."""
    return (
        search_inscriptions(Inscription.objects.filter(session=session), q)
        .select_related("candidat", "deliberation")
        .prefetch_related(
            Prefetch(
                "affectations",
                queryset=Affectation.objects.select_related("membre__user")
                .annotate(nb_evalues=Count("evaluations"))
                .order_by("membre__user__last_name", "pk"),
            ),
            Prefetch(
                "conflits",
                queryset=ConflitInterets.objects.only("inscription_id", "membre_id"),
            ),
        )
        # A correlated count rather than a GROUP BY: the database sorts the
        # session's enrolments and counts for the page's rows only, and the
        # paginator's COUNT does not join the consolidations.
        .annotate(nb_consolides=_count(Consolidation, "inscription"))
        .order_by("candidat__nom_naissance", "candidat__prenom1", "pk")
    )


def membres_affectables(
    inscription: Inscription, membres: list[MembreJury]
) -> list[MembreJury]:
    """The members who could still be assigned to the enrolment by hand: not
    already its evaluators, not in conflict with it. Reads only what
    ``inscriptions_for_jury`` prefetched."""
    exclus = {a.membre_id for a in inscription.affectations.all()} | {
        c.membre_id for c in inscription.conflits.all()
    }
    return [membre for membre in membres if membre.pk not in exclus]


def inscriptions_for_conflit(*, user: User) -> QuerySet[Inscription]:
    """The candidates of the user's open sessions with whom they have not declared
    a conflict yet."""
    return (
        Inscription.objects.filter(session__membres__user=user)
        .exclude(session__statut=Session.Statut.CLOSE)
        .exclude(conflits__membre__user=user)
        .select_related("candidat", "session")
        .order_by("session__nom", "candidat__nom_naissance", "candidat__prenom1", "pk")
    )


def conflits_of(*, user: User) -> QuerySet[ConflitInterets]:
    return (
        ConflitInterets.objects.filter(membre__user=user)
        .select_related("inscription__candidat", "inscription__session")
        .order_by("-declare_le", "pk")
    )


def conflits_for_pv(session: Session) -> QuerySet[ConflitInterets]:
    """Declared conflicts of interest of a session, for the PV (recusals)."""
    return (
        ConflitInterets.objects.filter(membre__session=session)
        .select_related("membre__user", "inscription__candidat")
        .order_by(
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "membre__user__last_name",
            "pk",
        )
    )


def presents_possibles(*, inscription: Inscription) -> QuerySet[MembreJury]:
    """Members who may sit in the deliberation of an enrolment: the session's jury
    minus those in conflict with the candidate."""
    return (
        MembreJury.objects.filter(session_id=inscription.session_id)
        .exclude(conflits__inscription=inscription)
        .select_related("user")
        .order_by("role", "user__last_name", "pk")
    )


@dataclass(frozen=True)
class EntreeHistorique:
    le: datetime
    par: str
    objet: str
    avant: str
    apres: str


def _nom(user: User | None) -> str:
    if user is None:
        return gettext("(inconnu)")
    return user.get_full_name() or user.email


def _resultat_label(value: str | None) -> str:
    return str(Resultat(value).label) if value in Resultat.values else "—"


def _avec_commentaire(resultat: str | None, commentaire: str) -> str:
    label = _resultat_label(resultat)
    return f"{label} — « {commentaire} »" if commentaire else label


def historique_for(*, inscription: Inscription) -> list[EntreeHistorique]:
    """Who changed what and when on an enrolment — scores, consolidation, decisions
    and re-openings — newest first, each with the value before and after; five
    queries whatever the length of the history."""
    entrees: list[EntreeHistorique] = []
    evaluateurs = {
        a.pk: _nom(a.membre.user)
        for a in Affectation.objects.filter(inscription=inscription).select_related(
            "membre__user"
        )
    }
    precedent: dict[int, str] = {}
    for record in (
        Evaluation.history.filter(affectation_id__in=list(evaluateurs))  # type: ignore[attr-defined]
        .select_related("critere", "history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = (
            gettext("supprimée")
            if record.history_type == "-"
            else _avec_commentaire(record.resultat, record.commentaire)
        )
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Évaluation de %(evaluateur)s — %(critere)s")
                % {
                    "evaluateur": evaluateurs.get(record.affectation_id, "?"),
                    "critere": record.critere.code,
                },
                avant=precedent.get(record.id, "—"),
                apres=valeur,
            )
        )
        precedent[record.id] = valeur
    precedent = {}
    for record in (
        Consolidation.history.filter(inscription_id=inscription.pk)  # type: ignore[attr-defined]
        .select_related("critere", "history_user")
        .order_by("history_date", "history_id")
    ):
        valeur = _avec_commentaire(record.resultat, record.commentaire)
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Résultat du jury — %(critere)s (version %(v)d)")
                % {"critere": record.critere.code, "v": record.version},
                avant=precedent.get(record.id, "—"),
                apres=valeur,
            )
        )
        precedent[record.id] = valeur
    avant = "—"
    for record in (
        Deliberation.history.filter(inscription_id=inscription.pk)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        etat = gettext("verrouillée") if record.verrouillee else gettext("rouverte")
        valeur = f"{Deliberation.Decision(record.decision).label} ({etat}) — « {record.motif} »"
        if valeur == avant:
            # The members present and the blocs are many-to-many: setting them
            # adds history rows with the same decision; one line is enough.
            continue
        entrees.append(
            EntreeHistorique(
                le=record.history_date,
                par=_nom(record.history_user),
                objet=gettext("Délibération"),
                avant=avant,
                apres=valeur,
            )
        )
        avant = valeur
    for reouverture in ReouvertureDeliberation.objects.filter(
        deliberation__inscription=inscription
    ).select_related("par"):
        entrees.append(
            EntreeHistorique(
                le=reouverture.le,
                par=_nom(reouverture.par),
                objet=gettext("Réouverture de la délibération"),
                avant="",
                apres=gettext("Motif : %(motif)s") % {"motif": reouverture.motif},
            )
        )
    entrees.sort(key=lambda e: e.le, reverse=True)
    return entrees
