"""Reads of the sessions area: session list, session desk (enrolments with their
upload progress, in a fixed number of queries whatever the number of
candidates), and the candidate's space."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from certif.models import User
from evaluations.models import (
    BlocAcquis,
    Candidat,
    Inscription,
    Livrable,
    Session,
    VoieAcces,
)
from referentiel.models import Activite, Bloc, Competence, Modalite, Referentiel


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


def _count(queryset: QuerySet, expression: str) -> Subquery:  # type: ignore[type-arg]
    """A correlated ``COUNT(DISTINCT …)`` subquery (no GROUP BY)."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .annotate(
                n=Func(
                    F(expression),
                    function="COUNT",
                    template="%(function)s(DISTINCT %(expressions)s)",
                    output_field=IntegerField(),
                )
            )
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_progress(queryset: QuerySet[Inscription]) -> QuerySet[Inscription]:
    """Annotate ``nb_attendus`` (modalities of the path) and ``nb_recus``
    (modalities of the path with at least one current, non-withdrawn file)."""
    attendus = Modalite.objects.filter(
        competence__activite__bloc__inscriptions=OuterRef("pk")
    )
    recus = Livrable.objects.filter(
        inscription=OuterRef("pk"),
        retire_le__isnull=True,
        remplace_par__isnull=True,
        modalite__competence__activite__bloc__inscriptions=OuterRef("pk"),
    )
    return queryset.annotate(
        nb_attendus=_count(attendus, "pk"), nb_recus=_count(recus, "modalite_id")
    )


@dataclass(frozen=True)
class DeskFilters:
    q: str = ""
    parcours: str = ""
    voie_acces: str = ""
    progression: str = ""


def session_desk(*, session: Session, filters: DeskFilters) -> QuerySet[Inscription]:
    """The enrolments of a session, filtered, with their progress. Two queries
    per page (count and rows) plus one for the blocs, whatever their number."""
    queryset = with_progress(
        Inscription.objects.filter(session=session)
        .select_related("candidat__user")
        .prefetch_related(
            Prefetch("blocs", queryset=Bloc.objects.order_by("ordre", "code"))
        )
    )
    if filters.q:
        q = filters.q.strip()
        queryset = queryset.filter(
            Q(candidat__nom_naissance__icontains=q)
            | Q(candidat__nom_usage__icontains=q)
            | Q(candidat__prenom1__icontains=q)
            | Q(candidat__user__email__icontains=q)
        )
    if filters.parcours in Inscription.Parcours.values:
        queryset = queryset.filter(parcours=filters.parcours)
    if filters.voie_acces in VoieAcces.values:
        queryset = queryset.filter(voie_acces=filters.voie_acces)
    if filters.progression == Progression.COMPLET:
        queryset = queryset.filter(nb_recus__gte=F("nb_attendus"), nb_attendus__gt=0)
    elif filters.progression == Progression.AUCUN:
        queryset = queryset.filter(nb_recus=0)
    elif filters.progression == Progression.INCOMPLET:
        queryset = queryset.filter(nb_recus__gt=0, nb_recus__lt=F("nb_attendus"))
    return queryset.order_by("candidat__nom_naissance", "candidat__prenom1", "pk")


def capitalises_for(
    *, session: Session, candidat_ids: list[int]
) -> dict[int, list[str]]:
    """Codes of the blocs each candidate acquired in an earlier session of the
    same certification, in one query."""
    result: dict[int, list[str]] = defaultdict(list)
    rows = (
        BlocAcquis.objects.filter(
            candidat_id__in=candidat_ids,
            bloc__referentiel__certification_id=session.referentiel.certification_id,
        )
        .exclude(session=session)
        .order_by("bloc__code")
        .values_list("candidat_id", "bloc__code")
    )
    for candidat_id, code in rows:
        if code not in result[candidat_id]:
            result[candidat_id].append(code)
    return result


def inscriptions_of(*, user: User) -> QuerySet[Inscription]:
    """The candidate's own enrolments, with their progress."""
    return with_progress(
        Inscription.objects.filter(candidat__user=user).select_related(
            "session__referentiel__certification"
        )
    ).order_by("-session__date_jury", "-pk")


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


# --- The candidate's space ----------------------------------------------------------


@dataclass
class ModaliteDossier:
    competence: Competence
    modalite: Modalite
    consigne: str
    livrables: list[Livrable] = field(default_factory=list)

    @property
    def courants(self) -> list[Livrable]:
        return [
            livrable
            for livrable in self.livrables
            if livrable.est_courant and livrable.retire_le is None
        ]


@dataclass
class BlocDossier:
    bloc: Bloc
    modalites: list[ModaliteDossier]


@dataclass
class Dossier:
    inscription: Inscription
    blocs: list[BlocDossier]
    capitalises: list[Bloc]

    @property
    def nb_attendus(self) -> int:
        return sum(len(bloc.modalites) for bloc in self.blocs)

    @property
    def nb_recus(self) -> int:
        return sum(
            1 for bloc in self.blocs for modalite in bloc.modalites if modalite.courants
        )


def dossier_of(*, inscription: Inscription) -> Dossier:
    """Per bloc and competency of the path: what is expected (the modality, or its
    dossier-professionnel variant on a blocs-only path) and every file with its
    history. Five queries whatever the size of the path and the number of files."""
    blocs = list(
        inscription.blocs.order_by("ordre", "code").prefetch_related(
            Prefetch(
                "activites",
                queryset=Activite.objects.order_by("ordre", "code").prefetch_related(
                    Prefetch(
                        "competences",
                        queryset=Competence.objects.order_by(
                            "ordre", "code"
                        ).select_related("modalite"),
                    )
                ),
            )
        )
    )
    livrables = list(
        Livrable.objects.filter(inscription=inscription).order_by(
            "modalite_id", "depose_le", "pk"
        )
    )
    replaced = {livrable.remplace_id for livrable in livrables if livrable.remplace_id}
    par_modalite: dict[int, list[Livrable]] = defaultdict(list)
    for livrable in livrables:
        livrable.est_courant = livrable.pk not in replaced  # type: ignore[attr-defined]
        par_modalite[livrable.modalite_id].append(livrable)
    blocs_only = inscription.parcours == Inscription.Parcours.BLOCS
    result = []
    for bloc in blocs:
        modalites = []
        for activite in bloc.activites.all():
            for competence in activite.competences.all():
                modalite = getattr(competence, "modalite", None)
                if modalite is None:
                    continue
                consigne = (
                    modalite.description_capitalisation
                    if blocs_only and modalite.description_capitalisation
                    else modalite.description
                )
                modalites.append(
                    ModaliteDossier(
                        competence=competence,
                        modalite=modalite,
                        consigne=consigne,
                        livrables=par_modalite.get(modalite.pk, []),
                    )
                )
        result.append(BlocDossier(bloc=bloc, modalites=modalites))
    session = inscription.session
    acquis = (
        BlocAcquis.objects.filter(
            candidat_id=inscription.candidat_id,
            bloc__referentiel__certification_id=session.referentiel.certification_id,
        )
        .exclude(session_id=session.pk)
        .values("bloc__code")
    )
    capitalises = list(
        Bloc.objects.filter(referentiel_id=session.referentiel_id, code__in=acquis)
        .exclude(pk__in=[bloc.pk for bloc in blocs])
        .order_by("ordre", "code")
    )
    return Dossier(inscription=inscription, blocs=result, capitalises=capitalises)
