"""Writes of the live épreuves. Every change to a session's timetable takes the
row lock of its ``Planning`` first and checks the clashes after acquiring it, so
that two administrators (or the generator and an administrator) never place two
sittings on the same member, candidate or room."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from certif.models import User
from evaluations.deliberation.models import Deliberation
from evaluations.deliberation.services import (
    absence_epreuve_record,
    deliberation_reopen,
)
from evaluations.epreuves.models import (
    DUREE_MAX_MINUTES,
    Disponibilite,
    FluxCalendrier,
    Passage,
    Planning,
    Salle,
)
from evaluations.epreuves.selectors import (
    amenagements_passage_by_inscription,
)
from evaluations.jury.models import ConflitInterets, MembreJury
from evaluations.sessions.models import Inscription, Session
from referentiel.models import Modalite

logger = logging.getLogger(__name__)


def paris_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _creneau(debut: datetime, duree: int) -> str:
    local = timezone.localtime(debut)
    return _("%(date)s à %(heure)s (%(duree)d min)") % {
        "date": date_format(local, "l j F Y"),
        "heure": local.strftime("%H:%M"),
        "duree": duree,
    }


# -- the planning row and its lock ---------------------------------------------


def planning_lock(*, session_id: int) -> Planning:
    """The session's timetable row, created if missing, locked for this
    transaction and read after the lock."""
    Planning.objects.get_or_create(session_id=session_id)
    return Planning.objects.select_for_update().get(session_id=session_id)


@transaction.atomic
def planning_settings_update(
    *, session: Session, date_limite_amenagements: date | None, by: User
) -> Planning:
    planning = planning_lock(session_id=session.pk)
    planning.date_limite_amenagements = date_limite_amenagements
    planning._history_user = by
    planning.full_clean()
    planning.save()
    return planning


# -- availability ---------------------------------------------------------------


@transaction.atomic
def disponibilite_add(
    *, membre: MembreJury, jour: date, debut: time, fin: time, by: User
) -> Disponibilite:
    errors = []
    if jour < timezone.localdate():
        errors.append(_("La date est passée."))
    if fin <= debut:
        errors.append(_("La disponibilité doit finir après son début."))
    if membre.session.est_terminee:
        errors.append(_("La session est terminée."))
    if errors:
        raise ValidationError(errors)
    if Disponibilite.objects.filter(
        membre=membre, date=jour, debut__lt=fin, fin__gt=debut
    ).exists():
        raise ValidationError(
            _("Cette disponibilité recouvre une disponibilité déjà déclarée.")
        )
    dispo = Disponibilite(membre=membre, date=jour, debut=debut, fin=fin)
    dispo.full_clean()
    dispo.save()
    return dispo


@transaction.atomic
def disponibilite_remove(*, disponibilite: Disponibilite, by: User) -> None:
    disponibilite.delete()


# -- the checks of a sitting ----------------------------------------------------


@dataclass(frozen=True)
class PassageSaisi:
    inscription: Inscription
    modalites: Sequence[Modalite]
    debut: datetime
    duree_minutes: int
    salle: Salle | None
    lien_visio: str
    membres: Sequence[MembreJury]


def passage_errors(*, saisi: PassageSaisi, passage_id: int | None = None) -> list[str]:
    """Why this sitting cannot be placed, each message naming the clash. Empty
    when it can. Call it under the planning's lock."""
    errors: list[str] = []
    inscription = saisi.inscription
    session = inscription.session
    debut = saisi.debut
    if timezone.is_naive(debut):
        debut = timezone.make_aware(debut)
    duree = saisi.duree_minutes
    if not 1 <= duree <= DUREE_MAX_MINUTES:
        errors.append(_("Un passage dure de 1 minute à 8 heures."))
        return errors
    fin = debut + timedelta(minutes=duree)
    if debut < timezone.now():
        errors.append(_("La date du passage est passée."))
    if not saisi.modalites:
        errors.append(
            _("Choisissez au moins une modalité évaluée en présence du jury.")
        )
    for m in saisi.modalites:
        if not m.en_presence:
            errors.append(
                _("La modalité %(code)s n'est pas une épreuve en présence du jury.")
                % {"code": m.competence.code}
            )
    if saisi.salle is None and not saisi.lien_visio:
        errors.append(_("Choisissez une salle ou un lien de visioconférence."))
    if saisi.salle is not None and saisi.lien_visio:
        errors.append(
            _("Un passage a lieu soit dans une salle, soit par un lien, pas les deux.")
        )
    if saisi.lien_visio and not saisi.lien_visio.startswith("https://"):
        errors.append(_("Le lien de visioconférence doit commencer par https://."))
    if timezone.localtime(debut).date() > session.date_jury:
        errors.append(
            _("Le passage est après la date du jury (%(date)s).")
            % {"date": date_format(session.date_jury, "j F Y")}
        )
    if (
        any(m.apres_depot for m in saisi.modalites)
        and debut < session.date_limite_depot
    ):
        errors.append(
            _(
                "Le passage présente un travail déposé : il a lieu après la date "
                "limite de dépôt (%(date)s)."
            )
            % {
                "date": date_format(
                    timezone.localtime(session.date_limite_depot), "j F Y H:i"
                )
            }
        )
    if not saisi.membres:
        errors.append(_("Choisissez au moins un membre du jury."))
    if any(m.session_id != session.pk for m in saisi.membres):
        errors.append(_("Seuls les membres du jury de la session évaluent."))
    en_conflit = ConflitInterets.objects.filter(
        inscription=inscription, membre__in=[m.pk for m in saisi.membres]
    ).select_related("membre__user")
    for conflit in en_conflit:
        errors.append(
            _("%(membre)s est en conflit d'intérêts avec %(candidat)s.")
            % {
                "membre": conflit.membre.user.get_full_name(),
                "candidat": inscription.candidat.nom_complet,
            }
        )
    amenagements = amenagements_passage_by_inscription(
        inscription_ids=[inscription.pk]
    ).get(inscription.pk)
    if (
        amenagements is not None
        and amenagements.accessible
        and saisi.salle is not None
        and not saisi.salle.accessible_pmr
    ):
        errors.append(
            _(
                "%(candidat)s doit passer dans une salle accessible aux personnes à "
                "mobilité réduite : %(salle)s ne l'est pas."
            )
            % {"candidat": inscription.candidat.nom_complet, "salle": saisi.salle}
        )
    # Availability: a member who declared some sits only inside them.
    local_debut = timezone.localtime(debut)
    local_fin = timezone.localtime(fin)
    dispos: dict[int, list[Disponibilite]] = {}
    for d in Disponibilite.objects.filter(membre__in=[m.pk for m in saisi.membres]):
        dispos.setdefault(d.membre_id, []).append(d)
    for membre in saisi.membres:
        spans = dispos.get(membre.pk)
        if spans is None:
            continue
        if not any(
            d.date == local_debut.date()
            and d.debut <= local_debut.time()
            and local_fin.date() == d.date
            and local_fin.time() <= d.fin
            for d in spans
        ):
            errors.append(
                _("%(membre)s n'est pas disponible le %(creneau)s.")
                % {
                    "membre": membre.user.get_full_name(),
                    "creneau": _creneau(debut, duree),
                }
            )
    autres = Passage.objects.filter(
        session=session, debut__lt=fin, fin__gt=debut
    ).select_related("inscription__candidat", "salle__site")
    if passage_id is not None:
        autres = autres.exclude(pk=passage_id)
    autres = autres.exclude(presence=Passage.Presence.JUSTIFIEE)
    membre_ids = {m.pk for m in saisi.membres}
    for autre in autres.prefetch_related("membres__user"):
        quand = _creneau(autre.debut, autre.duree_minutes)
        if autre.inscription_id == inscription.pk:
            errors.append(
                _("%(candidat)s passe déjà une épreuve le %(creneau)s.")
                % {"candidat": inscription.candidat.nom_complet, "creneau": quand}
            )
        if saisi.salle is not None and autre.salle_id == saisi.salle.pk:
            errors.append(
                _("La salle %(salle)s est prise par %(candidat)s le %(creneau)s.")
                % {
                    "salle": saisi.salle,
                    "candidat": autre.inscription.candidat.nom_complet,
                    "creneau": quand,
                }
            )
        for membre in autre.membres.all():
            if membre.pk in membre_ids:
                errors.append(
                    _("%(membre)s évalue déjà %(candidat)s le %(creneau)s.")
                    % {
                        "membre": membre.user.get_full_name(),
                        "candidat": autre.inscription.candidat.nom_complet,
                        "creneau": quand,
                    }
                )
    return errors


@transaction.atomic
def passage_save(
    *, saisi: PassageSaisi, by: User, passage: Passage | None = None
) -> Passage:
    """Create or move a sitting. Refused with every clash named; nothing is
    stored then. A sitting already convoked gets a new version: the next sending
    sends a « convocation modifiée » with the previous slot."""
    planning_lock(session_id=saisi.inscription.session_id)
    if passage is not None:
        passage = Passage.objects.select_for_update().get(pk=passage.pk)
        if passage.presence != Passage.Presence.A_CONSTATER:
            raise ValidationError(
                _("La présence est déjà constatée : le passage ne se déplace plus.")
            )
    errors = passage_errors(
        saisi=saisi, passage_id=passage.pk if passage is not None else None
    )
    if errors:
        raise ValidationError(errors)
    debut = saisi.debut
    if timezone.is_naive(debut):
        debut = timezone.make_aware(debut)
    if passage is None:
        passage = Passage(session_id=saisi.inscription.session_id)
    elif passage.convoque_version >= passage.version:
        passage.version += 1
    passage.inscription = saisi.inscription
    passage.debut = debut
    passage.duree_minutes = saisi.duree_minutes
    passage.fin = debut + timedelta(minutes=saisi.duree_minutes)
    passage.salle = saisi.salle
    passage.lien_visio = saisi.lien_visio
    passage._history_user = by
    passage.full_clean()
    passage.save()
    passage.modalites.set(saisi.modalites)
    passage.membres.set(saisi.membres)
    return passage


@transaction.atomic
def passages_clear(*, session: Session, by: User) -> int:
    """Empty a draft timetable (sittings never convoked and not yet attended)."""
    planning = planning_lock(session_id=session.pk)
    if planning.est_publie:
        raise ValidationError(
            _("Le planning est publié : déplacez les passages un par un.")
        )
    qs = Passage.objects.filter(
        session=session, convoque_version=0, presence=Passage.Presence.A_CONSTATER
    )
    ids = list(qs.values_list("pk", flat=True))
    Passage.modalites.through.objects.filter(passage_id__in=ids).delete()
    Passage.membres.through.objects.filter(passage_id__in=ids).delete()
    count, _unused = Passage.objects.filter(pk__in=ids).delete()
    return count


# -- attendance -----------------------------------------------------------------


@transaction.atomic
def presence_record(*, passage: Passage, presence: str, by: User) -> Passage:
    """A jury member of the sitting marks the candidate present or absent, on the
    day. Absent closes the enrolment as « absent » (``absence_epreuve_record``),
    unless the president then records a justified absence and a new sitting."""
    passage = Passage.objects.select_for_update().get(pk=passage.pk)
    membres = list(passage.membres.select_related("user"))
    if not any(m.user_id == by.pk for m in membres):
        raise ValidationError(
            _("Seul un membre du jury du passage constate la présence.")
        )
    if presence not in (Passage.Presence.PRESENT, Passage.Presence.ABSENT):
        raise ValidationError(_("Indiquez présent ou absent."))
    if passage.presence != Passage.Presence.A_CONSTATER:
        raise ValidationError(_("La présence est déjà constatée."))
    if timezone.localtime(passage.debut).date() != timezone.localdate():
        raise ValidationError(
            _("La présence se constate le jour du passage (%(date)s).")
            % {"date": date_format(timezone.localtime(passage.debut), "j F Y")}
        )
    passage.presence = presence
    passage.presence_par = by
    passage.presence_le = timezone.now()
    passage._history_user = by
    passage.full_clean()
    passage.save()
    if presence == Passage.Presence.ABSENT:
        codes = ", ".join(
            m.competence.code for m in passage.modalites.select_related("competence")
        )
        absence_epreuve_record(
            inscription=passage.inscription,
            motif=_("Absent à l'épreuve du %(creneau)s (%(codes)s).")
            % {
                "creneau": _creneau(passage.debut, passage.duree_minutes),
                "codes": codes,
            },
            presents=[m for m in membres if m.user_id == by.pk],
            by=by,
        )
    return passage


@transaction.atomic
def absence_justifier(*, passage: Passage, motif: str, by: User) -> Passage:
    """The president records a justified absence: the « absent » outcome is
    lifted (the deliberation is re-opened with the motive) and the sitting's
    modalities wait for a new sitting."""
    passage = Passage.objects.select_for_update().get(pk=passage.pk)
    if not MembreJury.objects.filter(
        session_id=passage.session_id, user=by, role=MembreJury.Role.PRESIDENT
    ).exists():
        raise ValidationError(_("Seul le président du jury justifie une absence."))
    if passage.presence != Passage.Presence.ABSENT:
        raise ValidationError(_("Le candidat n'est pas noté absent à ce passage."))
    if not motif.strip():
        raise ValidationError(_("Indiquez le motif de l'absence justifiée."))
    deliberation = Deliberation.objects.filter(
        inscription_id=passage.inscription_id
    ).first()
    if (
        deliberation is not None
        and deliberation.verrouillee
        and deliberation.decision == Deliberation.Decision.ABSENT
    ):
        deliberation_reopen(
            deliberation=deliberation,
            motif=_("Absence justifiée : %(motif)s") % {"motif": motif.strip()},
            by=by,
        )
    passage.presence = Passage.Presence.JUSTIFIEE
    passage.justification = motif.strip()
    passage._history_user = by
    passage.full_clean()
    passage.save()
    return passage


# -- calendar feed --------------------------------------------------------------


@transaction.atomic
def flux_get_or_create(*, user: User) -> FluxCalendrier:
    flux, _created = FluxCalendrier.objects.get_or_create(user=user)
    return flux


@transaction.atomic
def flux_revoke(*, user: User) -> FluxCalendrier:
    """A new secret: the old feed URL stops working at once."""
    FluxCalendrier.objects.filter(user=user).delete()
    return FluxCalendrier.objects.create(user=user)
