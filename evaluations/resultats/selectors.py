"""Reads of the results area: whether a session's results may be published and
are, the appeal deadline, what a candidate's result page shows, and who may
read it."""

import calendar
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.models import User
from certif.roles import Role, has_role, is_admin
from evaluations.deliberation.models import Deliberation
from evaluations.documents.models import Document
from evaluations.documents.selectors import documents_visible_to, emission_blocker
from evaluations.documents.snapshots import (
    BlocReleve,
    DocumentsIndisponiblesError,
    ReleveSnapshot,
    inscription_snapshots,
)
from evaluations.resultats.models import PublicationResultats
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Certification, ReglementExamen
from referentiel.reglement.selectors import reglement_en_vigueur, reglement_public_url

# The appeal delay when the certification has no règlement d'examen in force:
# two months from the publication of the results.
DELAI_RECOURS_MOIS_DEFAUT = 2


def plus_mois(depart: date, mois: int) -> date:
    """``depart`` plus ``mois`` calendar months; the day is kept, or the last day
    of the month when that month is shorter (31 January + 1 month = 28 or 29
    February)."""
    index = depart.month - 1 + mois
    annee, mois_final = depart.year + index // 12, index % 12 + 1
    jour = min(depart.day, calendar.monthrange(annee, mois_final)[1])
    return date(annee, mois_final, jour)


def _reglement_of(certification: Certification) -> ReglementExamen | None:
    """The règlement in force, read once per certification object (the page,
    the letter and the e-mail ask for its delay and its address)."""
    cache = certification.__dict__
    if "_reglement_en_vigueur" not in cache:
        cache["_reglement_en_vigueur"] = reglement_en_vigueur(certification.pk)
    reglement: ReglementExamen | None = cache["_reglement_en_vigueur"]
    return reglement


def delai_recours_mois(*, certification: Certification) -> int:
    """The appeal delay, in months, of a certification's results: its règlement
    d'examen in force says it; without one, ``DELAI_RECOURS_MOIS_DEFAUT``."""
    reglement = _reglement_of(certification)
    if reglement is None:
        return DELAI_RECOURS_MOIS_DEFAUT
    return reglement.delai_recours_mois


def reglement_url(*, certification: Certification) -> str:
    """The public page of the certification's règlement d'examen in force (an
    absolute address: the letter prints it), or empty without one."""
    if _reglement_of(certification) is None:
        return ""
    return reglement_public_url(certification.pk)


def date_limite_recours(inscription: Inscription) -> date | None:
    """The last day to appeal the jury's decision: the publication of the
    results (Paris date) plus the appeal delay. None before the publication. The
    one home of the deadline: the page, the letter and the e-mail ask it. Reads
    the session's publication and certification through the enrolment (no query
    when they came with it)."""
    session = inscription.session
    try:
        publication = session.publication_resultats
    except PublicationResultats.DoesNotExist:
        return None
    if publication.publiee_le is None:
        return None
    return plus_mois(
        timezone.localdate(publication.publiee_le),
        delai_recours_mois(certification=session.referentiel.certification),
    )


def publication_of(*, session: Session) -> PublicationResultats | None:
    return (
        PublicationResultats.objects.filter(session=session)
        .select_related("programmee_par")
        .first()
    )


def publication_blocker(*, session: Session) -> str | None:
    """Why the session's results cannot be published now, or None: the session
    is deliberated (or closed) and every deliberation is locked, as for issuing
    its documents."""
    if not session.est_terminee:
        return _(
            "Les résultats se publient une fois la session délibérée : chaque "
            "candidat présent a une délibération verrouillée."
        )
    return emission_blocker(session=session)


def get_session_for_publication(user: User, pk: int) -> Session:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(
        Session.objects.select_related("referentiel__certification"), pk=pk
    )


def inscriptions_with_result_for(*, user: User) -> QuerySet[Inscription]:
    """The enrolments whose result page the user may open: every one for an
    administrator, their own for a candidate."""
    queryset = Inscription.objects.select_related(
        "candidat__user",
        "session__referentiel__certification__certificateur",
        "session__publication_resultats",
    )
    if is_admin(user):
        return queryset
    if has_role(user, Role.CANDIDAT):
        return queryset.filter(candidat__user=user)
    return queryset.none()


def get_inscription_for_resultat(user: User, pk: int) -> Inscription:
    """A result page: its candidate and the administrators; another candidate
    gets 404, a role that reads no result (jury, référent) 403."""
    if not (is_admin(user) or has_role(user, Role.CANDIDAT)):
        raise PermissionDenied
    return get_object_or_404(inscriptions_with_result_for(user=user), pk=pk)


def mes_resultats_for(*, user: User) -> QuerySet[Inscription]:
    """The candidate's enrolments, newest session first, for « Mes résultats »."""
    return (
        Inscription.objects.filter(candidat__user=user)
        .select_related(
            "session__referentiel__certification", "session__publication_resultats"
        )
        .order_by("-session__date_jury", "-pk")
    )


def phrase_decision(releve: ReleveSnapshot) -> str:
    """The jury's decision in one sentence, as the page, the letter and the
    e-mail say it."""
    certification = releve.certification.intitule
    if releve.decision == Deliberation.Decision.CERTIFIE:
        return _("Le jury vous a délivré la certification « %(certification)s ».") % {
            "certification": certification
        }
    if releve.decision == Deliberation.Decision.VALIDATION_PARTIELLE:
        blocs = [b.code for b in releve.blocs if b.statut == "valide"]
        return ngettext(
            "Le jury a validé %(n)d bloc de compétences de la certification "
            "« %(certification)s » : %(blocs)s.",
            "Le jury a validé %(n)d blocs de compétences de la certification "
            "« %(certification)s » : %(blocs)s.",
            len(blocs),
        ) % {"n": len(blocs), "certification": certification, "blocs": ", ".join(blocs)}
    if releve.decision == Deliberation.Decision.ABSENT:
        return _(
            "Le jury a constaté votre absence aux épreuves : la certification "
            "« %(certification)s » n'a pas pu vous être délivrée lors de cette "
            "session."
        ) % {"certification": certification}
    return _(
        "Le jury n'a validé ni la certification « %(certification)s » ni aucun de "
        "ses blocs lors de cette session."
    ) % {"certification": certification}


@dataclass(frozen=True)
class Validite:
    """How long the acquired blocs count towards the whole certification."""

    mois: int | None  # None: with no time limit
    jusqu_au: date | None


@dataclass(frozen=True)
class ResultatVue:
    """What the result page shows. ``publie`` False: nothing but the
    announcement (``prevue_le`` when the publication is scheduled)."""

    inscription: Inscription
    publie: bool
    prevue_le: object = None  # datetime of a scheduled publication
    situation: str = ""  # deliberee / desistee / reportee / reexamen
    releve: ReleveSnapshot | None = None
    validite: Validite | None = None
    documents: tuple[Document, ...] = ()
    recours: str = ""
    date_limite_recours: date | None = None
    delai_recours_mois: int = DELAI_RECOURS_MOIS_DEFAUT
    reglement_url: str = ""
    publiee_le: object = None

    @property
    def blocs_acquis(self) -> tuple[BlocReleve, ...]:
        if self.releve is None:
            return ()
        return tuple(
            b for b in self.releve.blocs if b.statut in {"valide", "capitalise"}
        )

    @property
    def blocs_manquants(self) -> tuple[BlocReleve, ...]:
        if self.releve is None:
            return ()
        return tuple(
            b for b in self.releve.blocs if b.statut not in {"valide", "capitalise"}
        )

    @property
    def codes_manquants(self) -> str:
        return ", ".join(b.code for b in self.blocs_manquants)

    @property
    def phrase(self) -> str:
        return phrase_decision(self.releve) if self.releve is not None else ""

    @property
    def certifie(self) -> bool:
        return (
            self.releve is not None
            and self.releve.decision == Deliberation.Decision.CERTIFIE
        )


def validite_of(*, certification: Certification, depuis: date | None) -> Validite:
    mois = certification.duree_validite_blocs_mois
    if mois is None or depuis is None:
        return Validite(mois=mois, jusqu_au=None)
    return Validite(mois=mois, jusqu_au=plus_mois(depuis, mois))


def resultat_of(*, inscription: Inscription, user: User) -> ResultatVue:
    """The result page of an enrolment (``inscription`` from
    ``get_inscription_for_resultat``): nothing before the publication; then the
    decision, motive, blocs with their competencies, validity, documents and
    appeal route, in a fixed number of queries whatever the number of blocs and
    documents."""
    session = inscription.session
    publication = getattr(session, "publication_resultats", None)
    if publication is None or not publication.est_publiee:
        prevue = (
            publication.prevue_le
            if publication is not None
            and publication.statut == PublicationResultats.Statut.PROGRAMMEE
            else None
        )
        return ResultatVue(inscription=inscription, publie=False, prevue_le=prevue)
    certification = session.referentiel.certification
    certificateur = certification.certificateur
    delai = delai_recours_mois(certification=certification)
    commun = {
        "inscription": inscription,
        "publie": True,
        "publiee_le": publication.publiee_le,
        "recours": certificateur.recours if certificateur else "",
        "date_limite_recours": date_limite_recours(inscription),
        "delai_recours_mois": delai,
        "reglement_url": reglement_url(certification=certification),
    }
    if inscription.est_reportee:
        return ResultatVue(situation="reportee", **commun)
    if inscription.est_desistee:
        return ResultatVue(situation="desistee", **commun)
    try:
        releve = inscription_snapshots(inscription_id=inscription.pk).releve
    except DocumentsIndisponiblesError:
        return ResultatVue(situation="reexamen", **commun)
    documents = tuple(
        documents_visible_to(user=user)
        .filter(inscription=inscription, statut=Document.Statut.VALIDE)
        .defer("snapshot")
        .order_by("nature", "-version")
    )
    return ResultatVue(
        situation="deliberee",
        releve=releve,
        validite=validite_of(
            certification=certification, depuis=releve.date_decision_date
        ),
        documents=documents,
        **commun,
    )
