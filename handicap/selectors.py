"""Reads of the handicap app. The two first functions are the hooks other apps use
(the jury grid, the roll-up, the PV); none of them ever returns the confidential
content (needs description, documents)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from certif.expressions import ListSubquery
from certif.models import User
from evaluations.sessions.models import Inscription
from handicap.models import (
    AccesConfidentiel,
    Amenagement,
    DemandeAmenagement,
    Dispense,
    PieceJustificative,
    PropositionDispense,
)
from referentiel.models import Critere, Modalite


def _dispenses_accordees() -> QuerySet[Dispense]:
    return Dispense.objects.filter(accordee=True)


def criteres_dispenses_for(*, inscription_ids: Iterable[int]) -> dict[int, set[int]]:
    """Granted exemptions: {inscription id: {critere id, …}} in one query."""
    result: dict[int, set[int]] = {}
    rows = (
        _dispenses_accordees()
        .filter(inscription_id__in=list(inscription_ids))
        .values_list("inscription_id", "critere_id")
    )
    for inscription_id, critere_id in rows:
        result.setdefault(inscription_id, set()).add(critere_id)
    return result


def criteres_dispenses_subquery(inscription_ref: str) -> ListSubquery:
    """The ids of the criteria exempted for the enrolment at ``inscription_ref``
    (a field of the outer query), as ``criteres_dispenses_for`` reads them: to
    read them with another row."""
    return ListSubquery(
        _dispenses_accordees().filter(inscription_id=OuterRef(inscription_ref)),
        "critere_id",
    )


@dataclass(frozen=True)
class DispenseAccordee:
    """A granted exemption as the PV or a transcript may print it."""

    critere_id: int
    critere_code: str
    condition_capacite_globale: bool
    condition_pratique_future: bool
    raisonnement: str
    decide_le: datetime


def dispenses_accordees_for(
    *, inscription_ids: Iterable[int]
) -> dict[int, list[DispenseAccordee]]:
    """Granted exemptions with both conditions and the jury's reasoning, by
    enrolment, in one query (for the PV)."""
    result: dict[int, list[DispenseAccordee]] = {}
    rows = (
        Dispense.objects.filter(inscription_id__in=list(inscription_ids), accordee=True)
        .select_related("critere")
        .order_by("inscription_id", "critere_id")
    )
    for dispense in rows:
        result.setdefault(dispense.inscription_id, []).append(
            DispenseAccordee(
                dispense.critere_id,
                dispense.critere.code,
                dispense.condition_capacite_globale,
                dispense.condition_pratique_future,
                dispense.raisonnement,
                dispense.decide_le,
            )
        )
    return result


@dataclass(frozen=True)
class AmenagementVue:
    type: str
    type_label: str
    modalite: str  # "C1.5 — Mise en situation professionnelle", or ""
    precision: str
    description: str
    # A format adaptation: advised by the référent, confirmed (or not yet) by the
    # certifier's administrator, with who and when.
    confirmation: str = ""
    # False for a format adaptation not yet confirmed: it does not apply yet.
    applique: bool = True
    # A « temps majoré »: the extra time, « + 50 % du temps prévu ».
    majoration: str = ""


@dataclass(frozen=True)
class PropositionVue:
    pk: int
    critere_id: int
    critere_code: str
    critere_intitule: str
    motif: str
    decision: str  # "" (à décider), "accordee" or "refusee"
    raisonnement: str


@dataclass(frozen=True)
class AmenagementsJury:
    """What the jury may know of a candidate's disability file: the accommodations
    granted and the avis motivé with its proposals and their decisions. Iterating
    gives the accommodations; false when there is nothing to show."""

    amenagements: tuple[AmenagementVue, ...] = ()
    avis: str = ""
    avis_le: datetime | None = None
    propositions: tuple[PropositionVue, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.amenagements or self.avis)

    def __iter__(self) -> Iterator[AmenagementVue]:
        return iter(self.amenagements)

    @property
    def dispenses_accordees(self) -> tuple[PropositionVue, ...]:
        return tuple(p for p in self.propositions if p.decision == "accordee")


def _amenagement_vue(amenagement: Amenagement) -> AmenagementVue:
    modalite = ""
    if amenagement.modalite is not None:
        modalite = (
            f"{amenagement.modalite.competence.code} — {amenagement.modalite.intitule}"
        )
    confirmation = ""
    if amenagement.type == Amenagement.Type.FORMAT_ADAPTE:
        if amenagement.confirme_le is None or amenagement.confirme_par is None:
            confirmation = gettext(
                "Conseillé par le référent handicap ; en attente de confirmation "
                "par le certificateur."
            )
        else:
            confirmation = gettext(
                "Conseillé par le référent handicap ; confirmé pour le certificateur "
                "par %(nom)s le %(date)s."
            ) % {
                "nom": amenagement.confirme_par.get_full_name()
                or amenagement.confirme_par.email,
                "date": date_format(
                    timezone.localtime(amenagement.confirme_le), "j F Y"
                ),
            }
    return AmenagementVue(
        amenagement.type,
        amenagement.get_type_display(),
        modalite,
        amenagement.precision,
        amenagement.description,
        confirmation,
        not amenagement.a_confirmer,
        majoration_libelle(amenagement),
    )


def majoration_libelle(amenagement: Amenagement) -> str:
    """The extra time of a « temps majoré » as the letter and the pages say it;
    "" for any other accommodation."""
    if amenagement.type != Amenagement.Type.TEMPS_MAJORE:
        return ""
    if amenagement.majoration_pourcent is None:
        return gettext("+ un tiers du temps prévu (tiers-temps)")
    return gettext("+ %(p)d %% du temps prévu") % {"p": amenagement.majoration_pourcent}


def _proposition_vue(proposition: PropositionDispense) -> PropositionVue:
    try:
        dispense: Dispense | None = proposition.dispense
    except Dispense.DoesNotExist:
        dispense = None
    decision = ""
    if dispense is not None:
        decision = "accordee" if dispense.accordee else "refusee"
    return PropositionVue(
        proposition.pk,
        proposition.critere_id,
        proposition.critere.code,
        proposition.critere.intitule,
        proposition.motif,
        decision,
        dispense.raisonnement if dispense is not None else "",
    )


def _demandes_decidees() -> QuerySet[DemandeAmenagement]:
    return DemandeAmenagement.objects.filter(statut=DemandeAmenagement.Statut.DECIDEE)


def amenagements_exist(inscription_ref: str) -> Exists:
    """Whether ``amenagements_for_jury`` has anything to show for the enrolment at
    ``inscription_ref`` (a field of the outer query): a caller that reads it with
    another row asks for the accommodations only then."""
    return Exists(_demandes_decidees().filter(inscription_id=OuterRef(inscription_ref)))


def amenagements_for_jury(*, inscription_id: int) -> AmenagementsJury:
    """The accommodations granted to an enrolment and the avis motivé, as the jury
    may see them (never the needs description or the documents). Three queries
    at most, whatever the number of rows."""
    demande = (
        _demandes_decidees()
        .filter(inscription_id=inscription_id)
        .defer("besoins", "consentement_texte")
        .select_related("avis")
        .first()
    )
    if demande is None:
        return AmenagementsJury()
    amenagements = Amenagement.objects.filter(demande=demande).select_related(
        "modalite__competence", "confirme_par"
    )
    propositions: list[PropositionDispense] = []
    avis = getattr(demande, "avis", None)
    if avis is not None:
        propositions = list(
            PropositionDispense.objects.filter(avis=avis).select_related(
                "critere", "dispense"
            )
        )
    return AmenagementsJury(
        tuple(_amenagement_vue(a) for a in amenagements),
        avis.texte if avis is not None else "",
        avis.redige_le if avis is not None else None,
        tuple(_proposition_vue(p) for p in propositions),
    )


@dataclass(frozen=True)
class CourrierSnapshot:
    """What the decision letter shows. Never the needs description or documents."""

    candidat: str
    email: str
    session: str
    certification: str
    deposee_le: datetime
    decidee_le: datetime
    referent: str
    amenagements: tuple[AmenagementVue, ...]
    avis: str
    propositions: tuple[PropositionVue, ...]
    certificateur: str = ""
    certificateur_adresse: str = ""
    recours: str = ""


def courrier_snapshot(*, demande_pk: int) -> CourrierSnapshot:
    demande = DemandeAmenagement.objects.select_related(
        "inscription__candidat__user",
        "inscription__session__referentiel__certification__certificateur",
        "decidee_par",
        "avis",
    ).get(pk=demande_pk)
    assert demande.decidee_le is not None  # noqa: S101 - only decided requests
    assert demande.decidee_par is not None  # noqa: S101
    jury = amenagements_for_jury(inscription_id=demande.inscription_id)
    certification = demande.inscription.session.referentiel.certification
    certificateur = certification.certificateur
    return CourrierSnapshot(
        candidat=demande.inscription.candidat.nom_complet,
        email=demande.inscription.candidat.user.email,
        session=demande.inscription.session.nom,
        certification=f"{certification.code} — {certification.intitule}",
        deposee_le=demande.deposee_le,
        decidee_le=demande.decidee_le,
        referent=demande.decidee_par.get_full_name() or demande.decidee_par.email,
        amenagements=jury.amenagements,
        avis=jury.avis,
        propositions=jury.propositions,
        certificateur=certificateur.raison_sociale if certificateur else "",
        certificateur_adresse=certificateur.adresse if certificateur else "",
        recours=certificateur.recours if certificateur else "",
    )


def demande_tardive() -> ExpressionWrapper[Q]:
    """A request filed after its session's accommodation deadline (set by the
    administrator on the session's timetable): flagged to the référent and to
    the administrator. The one home of that rule, as an annotation."""
    return ExpressionWrapper(
        Q(
            deposee_le__date__gt=F(
                "inscription__session__planning__date_limite_amenagements"
            )
        ),
        output_field=BooleanField(),
    )


def demandes_desk(*, statut: str = "") -> QuerySet[DemandeAmenagement]:
    """The desk (référent handicap, administrator): existence and status only,
    and whether the request came after the accommodation deadline."""
    queryset = (
        DemandeAmenagement.objects.defer("besoins", "consentement_texte")
        .select_related("inscription__candidat", "inscription__session")
        .annotate(nb_pieces=Count("pieces"), tardive=demande_tardive())
        .order_by("-deposee_le", "-pk")
    )
    if statut:
        queryset = queryset.filter(statut=statut)
    return queryset


def demandes_par_statut() -> dict[str, int]:
    rows = DemandeAmenagement.objects.values_list("statut").annotate(n=Count("pk"))
    counts = dict.fromkeys(DemandeAmenagement.Statut.values, 0)
    counts.update(dict(rows))
    return counts


def inscriptions_du_candidat(*, user: User) -> QuerySet[Inscription]:
    """The candidate's enrolments, each with its request (if any)."""
    return (
        Inscription.objects.filter(candidat__user=user)
        .select_related("session", "demande_amenagement")
        .defer(
            "demande_amenagement__besoins", "demande_amenagement__consentement_texte"
        )
        .order_by("-session__date_jury", "pk")
    )


def pieces_de(*, demande: DemandeAmenagement) -> QuerySet[PieceJustificative]:
    return PieceJustificative.objects.filter(demande=demande).order_by(
        "deposee_le", "pk"
    )


def modalites_du_parcours(*, inscription: Inscription) -> QuerySet[Modalite]:
    return (
        Modalite.objects.filter(competence__activite__bloc__inscriptions=inscription)
        .select_related("competence")
        .order_by(
            "competence__activite__bloc__ordre",
            "competence__activite__ordre",
            "competence__ordre",
        )
    )


def criteres_du_parcours(*, inscription: Inscription) -> QuerySet[Critere]:
    return (
        Critere.objects.filter(competence__activite__bloc__inscriptions=inscription)
        .select_related("competence")
        .order_by(
            "competence__activite__bloc__ordre",
            "competence__activite__ordre",
            "competence__ordre",
            "ordre",
            "code",
        )
    )


def journal_acces() -> QuerySet[AccesConfidentiel]:
    """The access log: who read what and when (never the content itself)."""
    return AccesConfidentiel.objects.select_related(
        "utilisateur", "demande__inscription__candidat"
    ).order_by("-le", "-pk")


def formats_a_confirmer() -> QuerySet[Amenagement]:
    """Format adaptations advised by the référent that the administrator has not
    confirmed yet, in sessions that are not over: only the accommodation, the
    candidate and the session (never the needs or the documents)."""
    return (
        Amenagement.objects.filter(
            type=Amenagement.Type.FORMAT_ADAPTE,
            confirme_le__isnull=True,
            demande__statut=DemandeAmenagement.Statut.DECIDEE,
        )
        .exclude(demande__inscription__session__statut__in=("deliberee", "close"))
        .select_related(
            "modalite__competence",
            "demande__inscription__candidat",
            "demande__inscription__session",
            "demande__decidee_par",
        )
        .order_by("demande__inscription__session__date_jury", "pk")
    )
