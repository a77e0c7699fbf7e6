"""Reads of the jury area and its access helpers (the scoring grid's own helper,
``get_affectation_for``, is in ``evaluations.notation.selectors``).

Access rules (outsiders 404, insiders without the right 403):

- a session's jury page: the administrator edits it, the session's president
  reads it; another member of the session gets 403, anyone else 404.
- consolidation, deliberation and history belong to the president of the session's
  jury (not in conflict with the candidate). The administrator may read them (403
  on writes); a member of the session who is not its president, the candidate of
  the enrolment and the référent handicap get 403; anyone else (another candidate,
  a member of another session, a member in conflict) 404."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from certif.liens import url_par_pk
from certif.lignes import LigneDeListe
from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.deliberation.models import Deliberation
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.notation.models import Consolidation
from evaluations.sessions.models import Candidat, Inscription, Session
from evaluations.sessions.selectors import DESK_ORDER, search_inscriptions


def _sans_conflit(queryset: QuerySet[Affectation]) -> QuerySet[Affectation]:
    return queryset.exclude(
        Exists(
            ConflitInterets.objects.filter(
                membre=OuterRef("membre"), inscription=OuterRef("inscription")
            )
        )
    )


def _count(model: type[Model], fk: str) -> Coalesce:
    """Number of ``model`` rows whose ``fk`` is the outer row. ``COUNT(*)``, not
    of the key: PostgreSQL counts the entries of the ``fk`` index without reading
    the rows (an index-only scan; the members' counts of assignments, 3,000 each
    at 10,000 candidates, 3.4 → 2.1 ms)."""
    return Coalesce(
        Subquery(
            model._default_manager.filter(**{fk: OuterRef("pk")})
            .order_by()
            .values(fk)
            .annotate(n=Count("*"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


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


@cache
def _membres_comptes() -> QuerySet[MembreJury]:
    """The members with their number of assignments, built once per process and
    only ever filtered (a clone), as the grid's ``_affectations_grille``:
    building the count's subquery costs more CPU than its round trip."""
    return (
        MembreJury.objects.select_related("user")
        .annotate(nb_affectations=_count(Affectation, "membre"))
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def membres_of(*, session: Session) -> QuerySet[MembreJury]:
    return _membres_comptes().filter(session=session)


@cache
def _personnes_jury() -> QuerySet[User]:
    """The active accounts with a jury role (member or president), in the order
    of the member form's select: built once per process and only ever filtered
    (as ``_membres_comptes``)."""
    return (
        User.objects.filter(
            Q(groups__name=Role.MEMBRE_JURY) | Q(groups__name=Role.PRESIDENT),
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


@cache
def _personnes_jury_noms() -> QuerySet[User]:
    """``_personnes_jury`` with only what a label of the select reads."""
    return _personnes_jury().only("pk", "first_name", "last_name", "email")


def personnes_ajoutables(*, session: Session) -> QuerySet[User]:
    """The active accounts that may join the session's jury: members of the jury
    or presidents by role, not already in it."""
    return _personnes_jury().exclude(jurys__session=session)


def choix_personnes(*, membres: list[MembreJury]) -> list[tuple[int, str]]:
    """(pk, label) of ``personnes_ajoutables`` for the session whose members are
    ``membres`` (all of them, as ``membres_of`` reads them: their accounts are
    left out by key, without a subquery), as the select of the member form
    shows them: read once, without the form's choice iterator (a server-side
    cursor) nor its template pack."""
    return [
        (user.pk, str(user))
        for user in _personnes_jury_noms().exclude(
            pk__in=[membre.user_id for membre in membres]
        )
    ]


JURY_ORDER = DESK_ORDER  # served by the index ``inscription_tri``


def inscriptions_for_jury(
    *, session: Session, q: str = ""
) -> QuerySet[Inscription, int]:
    """The keys of the session's enrolments whose candidate matches ``q``, in the
    page's order: the paginator counts and slices this narrow query, and
    ``lignes_jury`` reads the rows of the page it keeps (a late row lookup, as
    the session desk)."""
    return (
        search_inscriptions(Inscription.objects.filter(session=session), q)
        .order_by(*JURY_ORDER)
        .values_list("pk", flat=True)
    )


def membres_affectables(
    membres: list[MembreJury], *, exclus: set[int]
) -> list[MembreJury]:
    """The members who could still be assigned to an enrolment by hand: not
    already its evaluators, not in conflict with it (``exclus``: their keys)."""
    return [membre for membre in membres if membre.pk not in exclus]


@dataclass(frozen=True)
class EvaluateurLigne(LigneDeListe):
    nom: str
    notes: str  # « 3 critères notés »
    validee: bool
    etat: str  # what the row prints in brackets: ``notes``, « , validée » if so
    url_retirer: str  # empty: cannot be removed (already scored, or read only)


@dataclass(frozen=True)
class LigneJury(LigneDeListe):
    """A candidate of the jury page with everything its row prints already
    computed (names, evaluators, the members who could still be assigned as
    ready ``<option>`` elements, links): a page of rows renders without walking
    relations or reversing URLs."""

    pk: int
    nom: str
    parcours: str
    evaluateurs: list[EvaluateurLigne]
    options: str  # escaped HTML of the assignable members' <option>s
    libelle_affecter: str  # the label of the row's select, « Évaluateur à … »
    nb_consolides: int
    decision: str
    rouverte: bool
    libelle_deliberation: str  # the decision (« rouverte » if so), or « Délibération »
    url_consolidation: str
    url_deliberation: str
    url_historique: str


@cache
def _lignes_valeurs() -> QuerySet[Inscription, tuple[Any, ...]]:
    """The values of the jury page's rows with their count of consolidations,
    built once per process and only ever filtered (as ``_membres_comptes``)."""
    return (
        Inscription.objects.order_by(*JURY_ORDER)
        .annotate(nb_consolides=_count(Consolidation, "inscription"))
        .values_list(
            "pk",
            "candidat__prenom1",
            "candidat__nom_usage",
            "candidat__nom_naissance",
            "parcours",
            "deliberation__decision",
            "deliberation__verrouillee",
            "nb_consolides",
        )
    )


@cache
def _affectations_notes() -> QuerySet[Affectation, tuple[Any, ...]]:
    """The assignments with their number of scored criteria, in the order of a
    row's evaluators, built once per process and only ever filtered."""
    return (
        Affectation.objects.annotate(nb_evalues=Count("evaluations"))
        .order_by("membre__user__last_name", "pk")
        .values_list("pk", "inscription_id", "membre_id", "validee_le", "nb_evalues")
    )


def lignes_jury(
    *,
    session: Session,
    page: QuerySet[Inscription, int],
    membres: list[MembreJury],
    editable: bool,
) -> list[LigneJury]:
    """The rows of one page of ``inscriptions_for_jury`` (its sliced keys), in its
    order. Three queries whatever the page: the rows as plain values with their
    decision and a correlated count of consolidations (the page's keys as a
    subquery), the assignments with their number of scored criteria, the
    conflicts; the evaluators' names come from ``membres``."""
    rows = list(_lignes_valeurs().filter(pk__in=page))
    ids = [row[0] for row in rows]
    retirer = url_par_pk("evaluations:jury_affectation_retirer")
    consolidation = url_par_pk("evaluations:consolidation")
    deliberation = url_par_pk("evaluations:deliberation")
    historique = url_par_pk("evaluations:jury_historique")
    noms = {m.pk: m.user.get_full_name() or m.user.email for m in membres}
    # each member's <option>, escaped once for the page's rows
    option = {
        pk: format_html('<option value="{}">{}</option>', pk, nom)
        for pk, nom in noms.items()
    }
    exclus: dict[int, set[int]] = defaultdict(set)
    evaluateurs: dict[int, list[EvaluateurLigne]] = defaultdict(list)
    notes_texte: dict[int, str] = {}
    validee_texte = gettext("validée")
    for (
        pk,
        inscription_id,
        membre_id,
        validee_le,
        notes,
    ) in _affectations_notes().filter(inscription_id__in=ids):
        exclus[inscription_id].add(membre_id)
        if notes not in notes_texte:
            notes_texte[notes] = ngettext(
                "%(n)d critère noté", "%(n)d critères notés", notes
            ) % {"n": notes}
        evaluateurs[inscription_id].append(
            EvaluateurLigne(
                nom=noms[membre_id],
                notes=notes_texte[notes],
                validee=validee_le is not None,
                etat=(
                    f"{notes_texte[notes]}, {validee_texte}"
                    if validee_le is not None
                    else notes_texte[notes]
                ),
                url_retirer=retirer(pk) if editable and not notes else "",
            )
        )
    for inscription_id, membre_id in ConflitInterets.objects.filter(
        inscription_id__in=ids
    ).values_list("inscription_id", "membre_id"):
        exclus[inscription_id].add(membre_id)
    affecter = gettext("Évaluateur à affecter à %(candidat)s")
    rouverte_texte = gettext("rouverte")
    deliberation_texte = gettext("Délibération")
    parcours_noms = dict(Inscription.Parcours.choices)
    decisions = dict(Deliberation.Decision.choices)
    lignes = []
    for (
        pk,
        prenom1,
        nom_usage,
        nom_naissance,
        parcours,
        decision,
        verrouillee,
        nb_consolides,
    ) in rows:
        nom = Candidat.nom_complet_of(
            prenom1=prenom1, nom_usage=nom_usage, nom_naissance=nom_naissance
        )
        options = (
            mark_safe(  # noqa: S308 - joins the options escaped by format_html
                "".join(
                    option[membre.pk]
                    for membre in membres_affectables(
                        membres, exclus=exclus.get(pk, set())
                    )
                )
            )
            if editable
            else ""
        )
        libelle_decision = str(decisions.get(decision, decision)) if decision else ""
        rouverte = verrouillee is not None and not verrouillee
        lignes.append(
            LigneJury(
                pk=pk,
                nom=nom,
                parcours=str(parcours_noms.get(parcours, parcours)),
                evaluateurs=evaluateurs.get(pk, []),
                options=options,
                libelle_affecter=affecter % {"candidat": nom},
                nb_consolides=nb_consolides,
                decision=libelle_decision,
                rouverte=rouverte,
                libelle_deliberation=(
                    (
                        f"{libelle_decision} ({rouverte_texte})"
                        if rouverte
                        else libelle_decision
                    )
                    if libelle_decision
                    else deliberation_texte
                ),
                url_consolidation=consolidation(pk),
                url_deliberation=deliberation(pk),
                url_historique=historique(pk),
            )
        )
    return lignes


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
