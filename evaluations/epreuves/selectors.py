"""Reads of the live épreuves: what a candidate has to sit, how long (the
accommodations applied), the timetable pages, and who sees which sitting."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.models import User
from certif.roles import is_admin
from evaluations.epreuves.models import (
    Convocation,
    Disponibilite,
    Passage,
    Planning,
    Salle,
    Site,
)
from evaluations.jury.models import Affectation, ConflitInterets, MembreJury
from evaluations.sessions.models import Inscription, Session
from handicap.models import MAJORATION_DEFAUT, Amenagement, DemandeAmenagement
from handicap.selectors import demande_tardive
from referentiel.models import Modalite
from referentiel.reglement.selectors import reglement_en_vigueur, reglement_public_url


@dataclass(frozen=True)
class AmenagementsPassage:
    """The accommodations that change a sitting, as the jury may see them: never
    the medical detail. ``majoration`` is a percentage (0: none)."""

    majoration: float = 0.0
    tiers: tuple[str, ...] = ()
    accessible: bool = False
    formats: dict[int, str] = field(default_factory=dict)  # modality id -> format

    @property
    def libelles(self) -> list[str]:
        return amenagement_libelles(self)


def amenagement_libelles(a: AmenagementsPassage) -> list[str]:
    out = []
    if a.majoration:
        out.append(
            _("Temps majoré : + %(p)s %%") % {"p": _pourcent_lisible(a.majoration)}
        )
    out.extend(_("Assistance d'un tiers : %(role)s") % {"role": r} for r in a.tiers)
    if a.accessible:
        out.append(_("Salle accessible aux personnes à mobilité réduite"))
    return out


def _pourcent_lisible(p: float) -> str:
    if abs(p - MAJORATION_DEFAUT) < 0.01:
        return "33"
    return f"{p:g}"


def majoration_of(amenagement: Amenagement) -> float:
    """The extra time of a « temps majoré », in percent: the amount the référent
    decided (``Amenagement.majoration_pourcent``; decisions written before the
    field got theirs from the precision by a data migration), one third
    otherwise."""
    return amenagement.majoration


def amenagements_passage_by_inscription(
    *, inscription_ids: list[int]
) -> dict[int, AmenagementsPassage]:
    """The accommodations decided for each enrolment that change its sittings. One
    query whatever the number of enrolments."""
    rows: dict[int, list[Amenagement]] = defaultdict(list)
    for a in Amenagement.objects.filter(
        demande__inscription_id__in=inscription_ids,
        demande__statut=DemandeAmenagement.Statut.DECIDEE,
    ).select_related("demande"):
        rows[a.demande.inscription_id].append(a)
    result = {}
    for inscription_id, amenagements in rows.items():
        majoration = 0.0
        tiers = []
        accessible = False
        formats = {}
        for a in amenagements:
            if a.type == Amenagement.Type.TEMPS_MAJORE:
                majoration = max(majoration, majoration_of(a))
            elif a.type == Amenagement.Type.ASSISTANCE_TIERS:
                tiers.append(a.precision)
            elif a.type == Amenagement.Type.SALLE_ACCESSIBLE:
                accessible = True
            elif (
                a.type == Amenagement.Type.FORMAT_ADAPTE
                and a.modalite_id
                and a.confirme_le is not None
            ):
                formats[a.modalite_id] = a.precision
        result[inscription_id] = AmenagementsPassage(
            majoration, tuple(tiers), accessible, formats
        )
    return result


def duree_passage(*, modalites: list[Modalite], majoration: float) -> int:
    """A sitting's length: the modalities' usual durations, lengthened by the
    « temps majoré » (rounded up to 5 minutes)."""
    base = sum(m.duree_minutes for m in modalites)
    total = base * (1 + majoration / 100)
    return int(ceil(round(total, 6) / 5) * 5)


# The référentiel's order: bloc, activity, competency.
MODALITES_ORDRE = (
    "competence__activite__bloc__ordre",
    "competence__activite__ordre",
    "competence__ordre",
)


def modalites_en_presence(*, session: Session) -> QuerySet[Modalite]:
    return (
        Modalite.objects.filter(
            competence__activite__bloc__referentiel_id=session.referentiel_id,
            en_presence=True,
        )
        .select_related("competence__activite__bloc")
        .order_by(*MODALITES_ORDRE)
    )


@dataclass(frozen=True)
class PassageAFaire:
    """A sitting the generator has to place: an enrolment's live modalities of
    one bloc not yet in a sitting."""

    inscription_id: int
    candidat: str
    bloc: str
    modalites: tuple[Modalite, ...]
    membres: tuple[int, ...]
    amenagements: AmenagementsPassage


def passages_a_faire(*, session: Session) -> list[PassageAFaire]:
    """What the timetable still lacks: for every enrolment still evaluated here,
    one sitting per bloc with the live modalities not yet in a sitting (a sitting
    whose absence was justified does not count). Members: the candidate's
    evaluators, minus any in conflict. A fixed number of queries."""
    modalites = list(modalites_en_presence(session=session))
    par_bloc: dict[int, list[Modalite]] = defaultdict(list)
    for m in modalites:
        par_bloc[m.competence.activite.bloc_id].append(m)
    inscriptions = list(
        Inscription.objects.filter(
            session=session, desiste_le__isnull=True, reportee_vers__isnull=True
        )
        .exclude(deliberation__verrouillee=True)
        .select_related("candidat")
        .prefetch_related("blocs")
        .order_by("candidat__nom_naissance", "candidat__prenom1", "pk")
    )
    ids = [i.pk for i in inscriptions]
    deja: dict[int, set[int]] = defaultdict(set)
    for inscription_id, modalite_id in (
        Passage.modalites.through.objects.filter(passage__inscription_id__in=ids)
        .exclude(passage__presence=Passage.Presence.JUSTIFIEE)
        .values_list("passage__inscription_id", "modalite_id")
    ):
        deja[inscription_id].add(modalite_id)
    en_conflit = set(
        ConflitInterets.objects.filter(inscription_id__in=ids).values_list(
            "inscription_id", "membre_id"
        )
    )
    evaluateurs: dict[int, list[int]] = defaultdict(list)
    for inscription_id, membre_id in (
        Affectation.objects.filter(inscription_id__in=ids)
        .values_list("inscription_id", "membre_id")
        .order_by("membre_id")
    ):
        if (inscription_id, membre_id) not in en_conflit:
            evaluateurs[inscription_id].append(membre_id)
    amenagements = amenagements_passage_by_inscription(inscription_ids=ids)
    result = []
    for inscription in inscriptions:
        for bloc in sorted(inscription.blocs.all(), key=lambda b: (b.ordre, b.code)):
            todo = tuple(
                m for m in par_bloc.get(bloc.pk, []) if m.pk not in deja[inscription.pk]
            )
            if todo:
                result.append(
                    PassageAFaire(
                        inscription.pk,
                        inscription.candidat.nom_complet,
                        bloc.code,
                        todo,
                        tuple(evaluateurs[inscription.pk]),
                        amenagements.get(inscription.pk, AmenagementsPassage()),
                    )
                )
    return result


def demandes_tardives(*, session: Session) -> QuerySet[DemandeAmenagement]:
    """The accommodation requests of the session filed after its deadline: the
    administrator sees who and when, never the content."""
    return (
        DemandeAmenagement.objects.filter(inscription__session=session)
        .annotate(tardive=demande_tardive())
        .filter(tardive=True)
        .only(
            "pk",
            "deposee_le",
            "statut",
            "inscription__candidat__nom_naissance",
            "inscription__candidat__prenom1",
            "inscription__candidat__nom_usage",
        )
        .select_related("inscription__candidat")
        .order_by("deposee_le", "pk")
    )


def planning_of(*, session: Session) -> Planning | None:
    return Planning.objects.filter(session=session).first()


def passages_of(*, session: Session) -> QuerySet[Passage]:
    """The session's sittings with everything the timetable shows, in a fixed
    number of queries (a page of them)."""
    return (
        Passage.objects.filter(session=session)
        .select_related("inscription__candidat", "salle__site")
        .prefetch_related(
            Prefetch(
                "modalites",
                queryset=Modalite.objects.select_related("competence").order_by(
                    *MODALITES_ORDRE
                ),
            ),
            Prefetch("membres", queryset=MembreJury.objects.select_related("user")),
        )
        .order_by("debut", "salle__site__nom", "salle__nom", "pk")
    )


def jours_of(*, session: Session) -> list[date]:
    """The days that have sittings, in order."""
    return sorted(
        {
            timezone.localtime(d).date()
            for d in Passage.objects.filter(session=session).values_list(
                "debut", flat=True
            )
        }
    )


def passages_du_jour(*, session: Session, jour: date) -> QuerySet[Passage]:
    debut = timezone.make_aware(datetime.combine(jour, datetime.min.time()))
    fin = timezone.make_aware(datetime.combine(jour, datetime.max.time()))
    return passages_of(session=session).filter(debut__range=(debut, fin))


def salles_actives() -> QuerySet[Salle]:
    return Salle.objects.select_related("site").order_by("site__nom", "nom")


def sites_of() -> QuerySet[Site]:
    """The sites for their administration page, each with its rooms and every
    room's number of sittings: a page of them in two queries (plus the count of
    the paginator), whatever the number of rooms."""
    return Site.objects.prefetch_related(
        Prefetch(
            "salles",
            queryset=Salle.objects.annotate(nb_passages=Count("passages")).order_by(
                "nom"
            ),
        )
    ).order_by("nom")


def get_site_for(user: User, pk: int) -> Site:
    """A site, to edit or delete: administrators only (403); unknown: 404."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(Site, pk=pk)


def get_salle_for(user: User, pk: int) -> Salle:
    """A room, to edit or delete: administrators only (403); unknown: 404."""
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(Salle.objects.select_related("site"), pk=pk)


def disponibilites_of(*, membre: MembreJury) -> QuerySet[Disponibilite]:
    return Disponibilite.objects.filter(membre=membre).order_by("date", "debut")


def disponibilites_by_membre(*, session: Session) -> dict[int, list[Disponibilite]]:
    out: dict[int, list[Disponibilite]] = defaultdict(list)
    for d in Disponibilite.objects.filter(membre__session=session):
        out[d.membre_id].append(d)
    return out


def passages_for_user(*, user: User) -> QuerySet[Passage]:
    """The sittings a jury member sits on (any session)."""
    return passages_of_any().filter(membres__user=user).distinct()


def passages_of_any() -> QuerySet[Passage]:
    return (
        Passage.objects.select_related(
            "inscription__candidat", "salle__site", "session"
        )
        .prefetch_related(
            Prefetch(
                "modalites",
                queryset=Modalite.objects.select_related("competence").order_by(
                    *MODALITES_ORDRE
                ),
            ),
            Prefetch("membres", queryset=MembreJury.objects.select_related("user")),
        )
        .order_by("debut", "pk")
    )


def convocations_for_candidat(*, user: User) -> QuerySet[Convocation]:
    """A candidate's convocations of published timetables, newest version first."""
    return (
        Convocation.objects.filter(passage__inscription__candidat__user=user)
        .select_related("passage__session", "passage__salle__site")
        .prefetch_related("passage__modalites__competence")
        .order_by("passage__debut", "passage_id", "-version")
    )


def get_passage_for_admin(user: User, pk: int) -> Passage:
    if not is_admin(user):
        raise PermissionDenied
    return get_object_or_404(passages_of_any(), pk=pk)


def get_passage_for_jury(user: User, pk: int) -> Passage:
    """A sitting for its attendance: a member of that sitting (or the session's
    president); another member of the session or an administrator 403; anyone
    else 404."""
    passage = passages_of_any().filter(pk=pk).first()
    if passage is None:
        raise Http404
    if is_admin(user):
        # The administrator sees every sitting but does not sit on it.
        raise PermissionDenied
    if (
        passage.membres.filter(user=user).exists()
        or MembreJury.objects.filter(
            session_id=passage.session_id, user=user, role=MembreJury.Role.PRESIDENT
        ).exists()
    ):
        return passage
    if MembreJury.objects.filter(session_id=passage.session_id, user=user).exists():
        raise PermissionDenied
    raise Http404


def get_convocation_for(user: User, pk: int) -> Convocation:
    """A convocation: its candidate or an administrator; others 404."""
    qs = Convocation.objects.select_related(
        "passage__inscription__candidat__user", "passage__session"
    )
    if not is_admin(user):
        qs = qs.filter(passage__inscription__candidat__user=user)
    return get_object_or_404(qs, pk=pk)


def sessions_of_membre(*, user: User) -> QuerySet[Session]:
    """The sessions whose jury the user sits on, with their number of sittings
    for this user (one query)."""
    return (
        Session.objects.filter(membres__user=user)
        .annotate(
            nb_passages=Count(
                "membres__passages", filter=Q(membres__user=user), distinct=True
            )
        )
        .order_by("-date_jury", "nom")
    )


def membre_jury_of(*, user: User, session_pk: int) -> MembreJury:
    membre = (
        MembreJury.objects.filter(user=user, session_id=session_pk)
        .select_related("session")
        .first()
    )
    if membre is None:
        raise Http404
    return membre


def passages_clash_q(*, debut: datetime, fin: datetime) -> Q:
    return Q(debut__lt=fin, fin__gt=debut)


# -- what the convocation and the schedules print ------------------------------


@dataclass(frozen=True)
class ConvocationSnapshot:
    """Everything a convocation prints, frozen when it is issued. Never a medical
    detail: only the accommodations applied to the sitting."""

    uid: str
    candidat: str
    prenom: str
    email: str
    session: str
    certification: str
    certificateur: str
    certificateur_adresse: str
    specimen: bool
    debut: datetime
    fin: datetime
    duree_minutes: int
    lieu: str
    adresse: str
    acces: str
    lien_visio: str
    modalites: tuple[tuple[str, str], ...]
    a_apporter: tuple[str, ...]
    amenagements: tuple[str, ...]
    precedent: str = ""
    # The public page of the règlement d'examen in force, absolute; empty without.
    reglement_url: str = ""

    @property
    def creneau(self) -> str:
        local = timezone.localtime(self.debut)
        return _("%(date)s à %(heure)s (%(duree)d min)") % {
            "date": local.strftime("%d/%m/%Y"),
            "heure": local.strftime("%H:%M"),
            "duree": self.duree_minutes,
        }

    @property
    def lieu_court(self) -> str:
        if self.lien_visio:
            return _("à distance (%(lien)s)") % {"lien": self.lien_visio}
        return self.lieu

    @property
    def creneau_lieu(self) -> str:
        return f"{self.creneau}, {self.lieu_court}"

    @property
    def modalites_court(self) -> str:
        return ", ".join(code for code, _intitule in self.modalites)


def convocation_snapshot(
    *, passage_id: int, precedent: str = ""
) -> ConvocationSnapshot:
    passage = (
        Passage.objects.select_related(
            "inscription__candidat__user",
            "session__referentiel__certification__certificateur",
            "salle__site",
        )
        .prefetch_related("modalites__competence")
        .get(pk=passage_id)
    )
    certification = passage.session.referentiel.certification
    certificateur = certification.certificateur
    amenagements = amenagements_passage_by_inscription(
        inscription_ids=[passage.inscription_id]
    ).get(passage.inscription_id, AmenagementsPassage())
    modalites = sorted(passage.modalites.all(), key=lambda m: m.competence.code)
    a_apporter = [
        _("Une pièce d'identité avec photographie, en cours de validité."),
        _("Cette convocation."),
    ]
    if any(m.apres_depot for m in modalites):
        a_apporter.append(
            _("Les supports de présentation du travail déposé (le jury a le dépôt).")
        )
    libelles = list(amenagements.libelles)
    libelles.extend(
        _("Format adapté (%(code)s) : %(format)s")
        % {"code": m.competence.code, "format": amenagements.formats[m.pk]}
        for m in modalites
        if m.pk in amenagements.formats
    )
    candidat = passage.inscription.candidat
    reglement = reglement_en_vigueur(certification.pk)
    return ConvocationSnapshot(
        uid=f"passage-{passage.pk}@certif",
        candidat=candidat.nom_complet,
        prenom=candidat.prenom1,
        email=candidat.user.email,
        session=passage.session.nom,
        certification=f"{certification.code} — {certification.intitule}",
        certificateur=certificateur.raison_sociale if certificateur else "",
        certificateur_adresse=certificateur.adresse if certificateur else "",
        specimen=bool(certificateur and certificateur.specimen),
        debut=passage.debut,
        fin=passage.fin,
        duree_minutes=passage.duree_minutes,
        lieu=str(passage.salle) if passage.salle else "",
        adresse=passage.salle.site.adresse if passage.salle else "",
        acces=passage.salle.site.acces if passage.salle else "",
        lien_visio=passage.lien_visio,
        modalites=tuple((m.competence.code, m.intitule) for m in modalites),
        a_apporter=tuple(a_apporter),
        amenagements=tuple(libelles),
        precedent=precedent,
        reglement_url=reglement_public_url(certification.pk) if reglement else "",
    )
