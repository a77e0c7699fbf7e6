"""Reads of the sessions area: the session list, the session desk (enrolments
with their deposit progress, in a fixed number of queries whatever the number of
candidates), the candidate's enrolments and the blocs a person already acquired."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import is_password_usable
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from certif.liens import url_par_pk
from certif.lignes import LigneDeListe
from certif.models import User
from evaluations.livrables.models import Livrable
from evaluations.sessions.models import (
    AcceptationReglement,
    BlocAcquis,
    Candidat,
    Inscription,
    Session,
    VoieAcces,
)
from referentiel.models import Modalite, Referentiel, ReglementExamen
from referentiel.reglement.selectors import reglement_en_vigueur


class Progression:
    COMPLET = "complet"
    INCOMPLET = "incomplet"
    AUCUN = "aucun"
    CHOICES = (
        (COMPLET, "complet"),
        (INCOMPLET, "incomplet"),
        (AUCUN, "aucun"),
    )


def sessions_listed() -> QuerySet[Session]:
    """Every session, newest jury first, with its number of enrolments."""
    return (
        Session.objects.select_related("referentiel__certification")
        .annotate(nb_inscrits=Count("inscriptions"))
        .order_by("-date_jury", "nom", "-pk")
    )


def referentiels_publies() -> QuerySet[Referentiel]:
    return (
        Referentiel.objects.filter(statut=Referentiel.Statut.PUBLIE)
        .select_related("certification")
        .order_by("certification__code", "-cree_le")
    )


@dataclass(frozen=True)
class DeskFilters:
    q: str = ""
    parcours: str = ""
    voie_acces: str = ""
    progression: str = ""


@dataclass(frozen=True)
class ModaliteAttendue:
    """A modality the path of an enrolment expects a file for."""

    pk: int
    code: str  # the competence's code
    intitule: str

    def __str__(self) -> str:
        return f"{self.code} — {self.intitule}"


@dataclass(frozen=True)
class Depots:
    """What an enrolment's path expects (its blocs' modalities, in the
    référentiel's order) and which of them received a current file."""

    attendues: tuple[ModaliteAttendue, ...]
    recues: frozenset[int]

    @property
    def manquantes(self) -> list[ModaliteAttendue]:
        return [m for m in self.attendues if m.pk not in self.recues]


def depots_of(
    *,
    inscription_ids: list[int],
    blocs: Mapping[int, Iterable[int]] | None = None,
) -> dict[int, Depots]:
    """The expected and received modalities of each enrolment that has blocs.
    Expected: the modalities of the path; received: those of them with at least
    one current, non-withdrawn file. Three flat queries (the path's blocs, the
    modalities' blocs, the current files) combined here: for a page of rows this
    takes 4 ms, where the grouped queries of ``session_progress`` take 20
    (PostgreSQL hashes the whole path table for them); PostgreSQL also plans the
    six-table join of the same count badly (nested loops, ~10x slower).
    ``blocs`` ({enrolment: its path's blocs}), when the caller already read them,
    saves the first query."""
    livrables = Livrable.objects.filter(
        inscription_id__in=inscription_ids,
        retire_le__isnull=True,
        remplace_par__isnull=True,
    )
    blocs_of: dict[int, set[int]] = defaultdict(set)
    if blocs is None:
        for inscription_id, bloc_id in Inscription.blocs.through.objects.filter(
            inscription_id__in=inscription_ids
        ).values_list("inscription_id", "bloc_id"):
            blocs_of[inscription_id].add(bloc_id)
    else:
        for inscription_id, parcours in blocs.items():
            if parcours:
                blocs_of[inscription_id].update(parcours)
    bloc_ids = {bloc_id for blocs in blocs_of.values() for bloc_id in blocs}
    bloc_of_modalite: dict[int, int] = {}
    ordre: list[ModaliteAttendue] = []
    for pk, bloc_id, code, intitule in (
        Modalite.objects.filter(competence__activite__bloc_id__in=bloc_ids)
        .order_by(
            "competence__activite__bloc__ordre",
            "competence__activite__bloc__code",
            "competence__activite__ordre",
            "competence__ordre",
            "competence__code",
        )
        .values_list(
            "pk", "competence__activite__bloc_id", "competence__code", "intitule"
        )
    ):
        bloc_of_modalite[pk] = bloc_id
        ordre.append(ModaliteAttendue(pk, code, intitule))
    recues: dict[int, set[int]] = defaultdict(set)
    for inscription_id, modalite_id in livrables.order_by().values_list(
        "inscription_id", "modalite_id"
    ):
        if bloc_of_modalite.get(modalite_id) in blocs_of.get(inscription_id, ()):
            recues[inscription_id].add(modalite_id)
    return {
        pk: Depots(
            attendues=tuple(m for m in ordre if bloc_of_modalite[m.pk] in blocs),
            recues=frozenset(recues.get(pk, ())),
        )
        for pk, blocs in blocs_of.items()
    }


def progress_of(*, inscription_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(expected, received) per enrolment of a page, as ``depots_of`` reads
    them."""
    return {
        pk: (len(depots.attendues), len(depots.recues))
        for pk, depots in depots_of(inscription_ids=inscription_ids).items()
    }


def session_progress(*, session: Session) -> dict[int, tuple[int, int]]:
    """(expected, received) per enrolment of the session that has blocs, as
    ``progress_of`` counts them, for the desk's progress filter.

    Three queries; the two big ones are grouped by enrolment in the database, so a
    10,000-candidate session sends 10,000 pairs rather than its 50,000 path rows
    and 90,000 files. The référentiel's structure (which bloc a modality belongs
    to: a few dozen rows) is read first and written into the queries as CASE
    expressions, so no query joins the référentiel's four tables to the files:
    PostgreSQL misestimates that join and runs it as nested loops, three times
    slower (556 ms against 168 ms at 10,000 candidates). "Current" is a NOT EXISTS on the next version, which PostgreSQL plans
    as an anti-join (a LEFT JOIN … IS NULL was estimated at one row)."""
    through = Inscription.blocs.through.objects.order_by().filter(
        inscription__session=session
    )
    livrables = Livrable.objects.filter(
        inscription__session=session, retire_le__isnull=True
    ).exclude(Exists(Livrable.objects.filter(remplace_id=OuterRef("pk"))))
    bloc_of_modalite = dict(
        Modalite.objects.filter(competence__referentiel_id=session.referentiel_id)
        .order_by()
        .values_list("pk", "competence__activite__bloc_id")
    )
    if not bloc_of_modalite:
        return dict.fromkeys(
            through.values_list("inscription_id", flat=True).distinct(), (0, 0)
        )
    par_bloc = Counter(bloc_of_modalite.values())  # modalities per bloc
    # The plugin loses an annotation made after values(): it rejects "n".
    attendus = (
        through.values("inscription_id")  # type: ignore[misc]
        .annotate(
            n=Sum(
                Case(
                    *(
                        When(bloc_id=bloc, then=Value(n))
                        for bloc, n in par_bloc.items()
                    ),
                    default=Value(0),
                )
            )
        )
        .values_list("inscription_id", "n")
    )
    recus = dict(
        livrables.annotate(
            bloc_id=Case(
                *(
                    When(modalite_id=modalite, then=Value(bloc))
                    for modalite, bloc in bloc_of_modalite.items()
                ),
                default=None,
            )
        )
        .filter(
            Exists(
                Inscription.blocs.through.objects.filter(
                    inscription_id=OuterRef("inscription_id"),
                    bloc_id=OuterRef("bloc_id"),
                )
            )
        )
        .order_by()
        .values("inscription_id")
        .annotate(n=Count("modalite_id", distinct=True))
        .values_list("inscription_id", "n")
    )
    return {pk: (n, recus.get(pk, 0)) for pk, n in attendus}


def _matches(progression: str, attendus: int, recus: int) -> bool:
    if progression == Progression.COMPLET:
        return attendus > 0 and recus >= attendus
    if progression == Progression.AUCUN:
        return recus == 0
    return 0 < recus < attendus


def search_inscriptions(
    queryset: QuerySet[Inscription], q: str
) -> QuerySet[Inscription]:
    """Enrolments whose candidate's names or e-mail contain ``q`` (all of them
    when ``q`` is blank).

    The candidates are matched in a subquery, the union of those whose names
    contain ``q`` and those whose e-mail does: each half reads its own trigram
    indexes on PostgreSQL (migrations ``0023_issue20_desk_recherche`` and
    ``certif`` ``0006_issue20_desk_email_trgm``) instead of the names and e-mail of
    every candidate of the session (at 10,000 candidates, 0.5 ms instead of
    8 ms for a name). The same matches as ``icontains`` on each field."""
    q = q.strip()
    if not q:
        return queryset
    par_nom = (
        Candidat.objects.filter(
            Q(nom_naissance__icontains=q)
            | Q(nom_usage__icontains=q)
            | Q(prenom1__icontains=q)
        )
        .order_by()
        .values("pk")
    )
    par_email = (
        Candidat.objects.filter(user__email__icontains=q).order_by().values("pk")
    )
    return queryset.filter(candidat__in=par_nom.union(par_email))


# The candidate's birth name and first first name, as copied on the enrolment:
# the index ``inscription_tri`` (session, names, id) serves this order for one
# session, so the paginator skips to any page of keys by an index-only scan.
DESK_ORDER = ("tri_nom_naissance", "tri_prenom1", "pk")


def session_desk(
    *, session: Session, filters: DeskFilters
) -> QuerySet[Inscription, int]:
    """The keys of a session's enrolments, filtered and ordered: the paginator
    counts and slices this narrow query, and ``lignes_bureau`` reads the rows of
    the page it keeps (a late row lookup). In ``DESK_ORDER``, the keys of one
    session are read from the index ``inscription_tri`` without a sort nor a
    join, whatever the page (at 10,000 candidates, the middle page's keys took
    5 ms when sorted by the candidates' names). The progress filter costs two
    grouped queries over the session."""
    queryset = search_inscriptions(
        Inscription.objects.filter(session=session), filters.q
    )
    if filters.parcours in Inscription.Parcours.values:
        queryset = queryset.filter(parcours=filters.parcours)
    if filters.voie_acces in VoieAcces.values:
        queryset = queryset.filter(voie_acces=filters.voie_acces)
    if filters.progression in dict(Progression.CHOICES):
        progress = session_progress(session=session)
        queryset = queryset.filter(
            pk__in=[
                pk
                for pk, (attendus, recus) in progress.items()
                if _matches(filters.progression, attendus, recus)
            ]
        )
    return queryset.order_by(*DESK_ORDER).values_list("pk", flat=True)


@dataclass(frozen=True)
class InscriptionAvancement:
    """An enrolment of a page with its deposit progress."""

    inscription: Inscription
    nb_attendus: int
    nb_recus: int


def annotate_progress(rows: list[Inscription]) -> list[InscriptionAvancement]:
    """The rows with their ``nb_attendus`` and ``nb_recus`` (two queries)."""
    progress = progress_of(inscription_ids=[row.pk for row in rows])
    return [InscriptionAvancement(row, *progress.get(row.pk, (0, 0))) for row in rows]


@dataclass(frozen=True)
class LigneBureau(LigneDeListe):
    """A row of the session desk, with everything its template prints already
    computed: fifty rows render without walking relations or reversing URLs."""

    pk: int
    nom: str  # nom de naissance et premier prénom
    nom_usage: str
    email: str
    compte_actif: bool
    invite_le: Any
    desiste_le: Any
    est_reportee: bool
    voie: str
    par_blocs: bool
    blocs: str
    capitalises: tuple[str, ...]
    nb_attendus: int
    nb_recus: int
    url_dossier: str
    url_reinviter: str
    url_desistement: str
    url_report: str
    depots: str  # the badge's colour: nothing, everything, or part of it received


def _badge_depots(nb_attendus: int, nb_recus: int) -> str:
    if nb_recus == 0:
        return "text-bg-danger"
    if nb_recus >= nb_attendus:
        return "text-bg-success"
    return "text-bg-warning"


def lignes_bureau(
    *, session: Session, page: QuerySet[Inscription, int]
) -> list[LigneBureau]:
    """The desk's rows of one page of ``session_desk`` (its sliced keys), in its
    order. Five queries whatever the page: the rows as plain values (the page's
    keys as a subquery), the path's blocs, the modalities and files of
    ``depots_of``, the blocs acquired elsewhere; no model instance is built."""
    rows = list(
        Inscription.objects.filter(pk__in=page)
        .order_by(*DESK_ORDER)
        .values_list(
            "pk",
            "candidat_id",
            "candidat__nom_naissance",
            "candidat__prenom1",
            "candidat__nom_usage",
            "candidat__user__email",
            "candidat__user__password",
            "candidat__invite_le",
            "desiste_le",
            "reportee_vers_id",
            "voie_acces",
            "parcours",
        )
    )
    ids = [row[0] for row in rows]
    blocs: dict[int, list[int]] = defaultdict(list)
    codes: dict[int, list[str]] = defaultdict(list)
    for inscription_id, bloc_id, code in (
        Inscription.blocs.through.objects.filter(inscription_id__in=ids)
        .order_by("bloc__ordre", "bloc__code")
        .values_list("inscription_id", "bloc_id", "bloc__code")
    ):
        blocs[inscription_id].append(bloc_id)
        codes[inscription_id].append(code)
    depots = depots_of(inscription_ids=ids, blocs=blocs)
    capitalises = blocs_acquis_for(
        candidat_ids=[row[1] for row in rows],
        referentiel_id=session.referentiel_id,
        sauf_session_id=session.pk,
    )
    dossier = url_par_pk("evaluations:dossier")
    reinviter = url_par_pk("evaluations:session_reinviter", session.pk)
    desistement = url_par_pk("evaluations:session_desistement", session.pk)
    report = url_par_pk("evaluations:session_report", session.pk)
    voies = dict(VoieAcces.choices)
    vide = Depots(attendues=(), recues=frozenset())
    lignes = []
    for (
        pk,
        candidat_id,
        nom_naissance,
        prenom1,
        nom_usage,
        email,
        password,
        invite_le,
        desiste_le,
        reportee_vers_id,
        voie_acces,
        parcours,
    ) in rows:
        depot = depots.get(pk, vide)
        nb_attendus, nb_recus = len(depot.attendues), len(depot.recues)
        lignes.append(
            LigneBureau(
                pk=pk,
                nom=f"{nom_naissance} {prenom1}",
                nom_usage=nom_usage,
                email=email,
                compte_actif=is_password_usable(password),
                invite_le=invite_le,
                desiste_le=desiste_le,
                est_reportee=reportee_vers_id is not None,
                voie=str(voies.get(voie_acces, voie_acces)),
                par_blocs=parcours == Inscription.Parcours.BLOCS,
                blocs=", ".join(codes.get(pk, ())),
                capitalises=tuple(sorted(capitalises.get(candidat_id, {}))),
                nb_attendus=nb_attendus,
                nb_recus=nb_recus,
                url_dossier=dossier(pk),
                url_reinviter=reinviter(pk),
                url_desistement=desistement(pk),
                url_report=report(pk),
                depots=_badge_depots(nb_attendus, nb_recus),
            )
        )
    return lignes


def blocs_acquis_for(
    *,
    candidat_ids: Iterable[int],
    referentiel_id: int,
    sauf_session_id: int | None = None,
) -> dict[int, dict[str, BlocAcquis]]:
    """The blocs each person acquired for the certification of the référentiel
    version ``referentiel_id`` (any version of it): {candidat id: {bloc code: its
    first record}}, blocs matched by code so that a later version of the
    référentiel keeps them; those acquired in ``sauf_session_id`` left out (a
    session's own results are not "capitalised" in it). One query, the bloc and
    the session joined. The only reader of acquired blocs: enrolment, desk,
    dossier, grid, consolidation, vote and documents all ask it."""
    rows = _blocs_acquis(
        candidats=Q(candidat_id__in=list(candidat_ids)),
        referentiel_id=referentiel_id,
        sauf_session_id=sauf_session_id,
    )
    result: dict[int, dict[str, BlocAcquis]] = defaultdict(dict)
    for acquis in rows.select_related("bloc", "session").order_by("acquis_le", "pk"):
        result[acquis.candidat_id].setdefault(acquis.bloc.code, acquis)
    return result


def _blocs_acquis(
    *, candidats: Q, referentiel_id: Any, sauf_session_id: Any
) -> QuerySet[BlocAcquis]:
    """The rows ``blocs_acquis_for`` reads; ids as values or as ``OuterRef``
    (``capitalises_exist``)."""
    rows = BlocAcquis.objects.filter(
        candidats,
        bloc__referentiel__certification__referentiels=referentiel_id,
    )
    if sauf_session_id is not None:
        rows = rows.exclude(session_id=sauf_session_id)
    return rows


def capitalises_exist(inscription_ref: str) -> Exists:
    """Whether ``capitalises_of`` finds anything for the enrolment at
    ``inscription_ref`` (a relation of the outer query, e.g. "inscription"): a
    caller that reads it with another row asks for the blocs only then."""
    return Exists(
        _blocs_acquis(
            candidats=Q(candidat_id=OuterRef(f"{inscription_ref}__candidat_id")),
            referentiel_id=OuterRef(f"{inscription_ref}__session__referentiel_id"),
            sauf_session_id=OuterRef(f"{inscription_ref}__session_id"),
        )
    )


def capitalises_of(*, inscription: Inscription) -> dict[str, BlocAcquis]:
    """{bloc code: first record} of the blocs the enrolment's person acquired for
    its certification in another session."""
    session = inscription.session
    return blocs_acquis_for(
        candidat_ids=[inscription.candidat_id],
        referentiel_id=session.referentiel_id,
        sauf_session_id=session.pk,
    ).get(inscription.candidat_id, {})


def inscriptions_of(*, user: User) -> QuerySet[Inscription]:
    """The candidate's own enrolments (``annotate_progress`` adds the progress to
    a page of them)."""
    return (
        Inscription.objects.filter(candidat__user=user)
        .select_related("session__referentiel__certification")
        .order_by("-session__date_jury", "-pk")
    )


def inscriptions_visible_to(*, user: User, admin: bool) -> QuerySet[Inscription]:
    queryset = Inscription.objects.select_related(
        "candidat__user", "session__referentiel__certification"
    )
    return queryset if admin else queryset.filter(candidat__user=user)


def candidat_by_email(email: str) -> Candidat | None:
    return (
        Candidat.objects.select_related("user")
        .filter(user__email__iexact=email.strip())
        .first()
    )


def sessions_de_report(*, inscription: Inscription) -> QuerySet[Session]:
    """The sessions an enrolment may be deferred to: the same certification (any
    version), open to enrolments, with a later jury, where the person is not
    enrolled yet."""
    return (
        Session.objects.filter(
            referentiel__certification_id=inscription.session.referentiel.certification_id,
            statut__in=Session.STATUTS_INSCRIPTION,
            date_jury__gt=inscription.session.date_jury,
        )
        .exclude(inscriptions__candidat_id=inscription.candidat_id)
        .select_related("referentiel")
        .order_by("date_jury", "nom")
    )


# Reminders before a date: J-7 from the seventh day before it down to the second
# (a daily run that was missed still sends it, once), J-1 on the eve and on the
# day itself. Once J-1 is due, J-7 is no longer sent.
RAPPEL_J7 = "J-7"
RAPPEL_J1 = "J-1"


def rappel_echeance(*, jours: int) -> str | None:
    """The reminder due ``jours`` days before a date (``None``: none is)."""
    if 0 <= jours <= 1:
        return RAPPEL_J1
    if 2 <= jours <= 7:
        return RAPPEL_J7
    return None


@dataclass(frozen=True)
class RappelDepot:
    """A reminder due to a candidate whose dossier is incomplete."""

    inscription: Inscription
    echeance: str
    manquantes: tuple[ModaliteAttendue, ...]

    @property
    def cle(self) -> str:
        """Once per enrolment, reminder and deadline: a deadline moved later
        gets its own reminders."""
        limite = timezone.localdate(self.inscription.session.date_limite_depot)
        return (
            f"rappel-depot:{self.inscription.pk}:{self.echeance}:{limite.isoformat()}"
        )


def rappels_depot_dus(*, now: datetime) -> list[RappelDepot]:
    """The deposit reminders due at ``now``: in each session whose deposits are
    open (``Session.depots_ouverts``) and whose deadline falls within the
    reminder's days (``rappel_echeance``, Paris dates), every enrolment neither
    withdrawn nor deferred whose path still misses a file (``depots_of``, as on
    the desk), with what is missing. Five queries, whatever the number of
    sessions and candidates."""
    today = timezone.localdate(now)
    sessions = {
        session.pk: (session, echeance)
        for session in Session.objects.filter(
            statut=Session.Statut.OUVERTE,
            date_limite_depot__gt=now,
            date_limite_depot__lt=now + timedelta(days=9),
        )
        if session.depots_ouverts(now=now)
        and (
            echeance := rappel_echeance(
                jours=(timezone.localdate(session.date_limite_depot) - today).days
            )
        )
    }
    inscriptions = list(
        Inscription.objects.filter(
            session_id__in=list(sessions),
            desiste_le__isnull=True,
            reportee_vers__isnull=True,
            candidat__user__is_active=True,
        )
        .select_related("candidat__user")
        .order_by("session_id", "candidat__nom_naissance", "candidat__prenom1", "pk")
    )
    depots = depots_of(inscription_ids=[i.pk for i in inscriptions])
    rappels = []
    for inscription in inscriptions:
        session, echeance = sessions[inscription.session_id]
        inscription.session = session
        manquantes = (
            depots[inscription.pk].manquantes if inscription.pk in depots else []
        )
        if manquantes:
            rappels.append(RappelDepot(inscription, echeance, tuple(manquantes)))
    return rappels


def reglement_a_accepter(*, inscription: Inscription) -> ReglementExamen | None:
    """The règlement d'examen in force for the enrolment's certification when the
    candidate has not accepted that version yet; None when there is nothing to
    accept (no règlement published, or this version already accepted)."""
    return reglement_etat_of(inscription=inscription).a_accepter


def inscription_reglement_a_accepter(*, user: User) -> int | None:
    """The first of the user's current enrolments (not withdrawn nor deferred)
    whose certification has a règlement d'examen in force that this enrolment has
    not accepted yet; None when there is none. One query."""
    en_vigueur = (
        ReglementExamen.objects.filter(
            certification=OuterRef("session__referentiel__certification"),
            statut=ReglementExamen.Statut.PUBLIE,
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    return (
        Inscription.objects.filter(
            candidat__user=user, desiste_le__isnull=True, reportee_vers__isnull=True
        )
        .annotate(reglement_pk=Subquery(en_vigueur))
        .filter(reglement_pk__isnull=False)
        .exclude(
            Exists(
                AcceptationReglement.objects.filter(
                    inscription=OuterRef("pk"), reglement_id=OuterRef("reglement_pk")
                )
            )
        )
        .order_by("-session__date_limite_depot", "pk")
        .values_list("pk", flat=True)
        .first()
    )


@dataclass(frozen=True)
class EtatReglement:
    """Where an enrolment stands with the règlement d'examen: the version in force
    still to accept (``a_accepter``), or the latest acceptance (``acceptation``)."""

    a_accepter: ReglementExamen | None
    acceptation: AcceptationReglement | None


def reglement_etat_of(*, inscription: Inscription) -> EtatReglement:
    """One or two queries: the version in force, then the latest acceptance (a
    version accepted later is always a newer one)."""
    reglement = reglement_en_vigueur(inscription.session.referentiel.certification_id)
    if reglement is None:
        return EtatReglement(a_accepter=None, acceptation=None)
    acceptation = (
        AcceptationReglement.objects.filter(inscription=inscription)
        .select_related("reglement")
        .order_by("-reglement__version")
        .first()
    )
    if acceptation is None or acceptation.reglement_id != reglement.pk:
        return EtatReglement(a_accepter=reglement, acceptation=acceptation)
    return EtatReglement(a_accepter=None, acceptation=acceptation)
