"""Writes of the sessions area: creating and editing a session and moving it
through its statuses. Each transition checks its preconditions here, not in the
view; the session's history (django-simple-history) records who did what."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.models import User
from evaluations.models import Deliberation, Session
from referentiel.models import Referentiel


@dataclass(frozen=True)
class SessionData:
    referentiel: Referentiel
    nom: str
    date_ouverture: date
    date_limite_depot: datetime
    date_jury: date


def _check_dates(data: SessionData) -> None:
    limite = timezone.localtime(data.date_limite_depot).date()
    errors: dict[str, str] = {}
    if limite < data.date_ouverture:
        errors["date_limite_depot"] = _(
            "La date limite de dépôt doit suivre la date d'ouverture."
        )
    if data.date_jury < limite:
        errors["date_jury"] = _("La date du jury doit suivre la date limite de dépôt.")
    if errors:
        raise ValidationError(errors)


def _check_referentiel(referentiel: Referentiel) -> None:
    if referentiel.statut != Referentiel.Statut.PUBLIE:
        raise ValidationError(
            {
                "referentiel": _(
                    "Une session ne s'ouvre que sur une version publiée du référentiel."
                )
            }
        )


def _save(session: Session, by: User) -> Session:
    session._history_user = by  # type: ignore[attr-defined]
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_create(*, data: SessionData, by: User) -> Session:
    """A new session, in draft, on a published référentiel version."""
    _check_referentiel(data.referentiel)
    _check_dates(data)
    session = Session(
        referentiel=data.referentiel,
        nom=data.nom.strip(),
        date_ouverture=data.date_ouverture,
        date_limite_depot=data.date_limite_depot,
        date_jury=data.date_jury,
    )
    return _save(session, by)


@transaction.atomic
def session_update(*, session: Session, data: SessionData, by: User) -> Session:
    """Change a session's name and dates (and its référentiel while nobody is
    enrolled). A closed or deliberated session is no longer edited."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.statut in (Session.Statut.DELIBEREE, Session.Statut.CLOSE):
        raise ValidationError(
            _("Une session délibérée ou close ne peut plus être modifiée.")
        )
    if data.referentiel.pk != session.referentiel_id:
        if session.inscriptions.exists():
            raise ValidationError(
                {
                    "referentiel": _(
                        "Des candidats sont inscrits : le référentiel de la session "
                        "ne peut plus changer."
                    )
                }
            )
        _check_referentiel(data.referentiel)
    _check_dates(data)
    session.referentiel = data.referentiel
    session.nom = data.nom.strip()
    session.date_ouverture = data.date_ouverture
    session.date_limite_depot = data.date_limite_depot
    session.date_jury = data.date_jury
    return _save(session, by)


def _locked(session: Session, expected: Session.Statut) -> Session:
    locked = Session.objects.select_related("referentiel").select_for_update(
        of=("self",)
    )
    session = locked.get(pk=session.pk)
    if session.statut != expected:
        raise ValidationError(
            _(
                "Cette action n'est possible que pour une session au statut "
                "« %(attendu)s » (statut actuel : « %(actuel)s »)."
            )
            % {
                "attendu": Session.Statut(expected).label,
                "actuel": session.get_statut_display(),
            }
        )
    return session


@transaction.atomic
def session_open(*, session: Session, by: User) -> Session:
    """Brouillon → ouverte: candidates may upload until the deadline."""
    session = _locked(session, Session.Statut.BROUILLON)
    if session.referentiel.statut != Referentiel.Statut.PUBLIE:
        raise ValidationError(
            _("Le référentiel de la session n'est pas (ou plus) publié.")
        )
    if session.date_limite_depot <= timezone.now():
        raise ValidationError(
            _("La date limite de dépôt est passée : reportez-la avant d'ouvrir.")
        )
    session.statut = Session.Statut.OUVERTE
    return _save(session, by)


@transaction.atomic
def session_start_evaluation(*, session: Session, by: User) -> Session:
    """Ouverte → en évaluation: uploads close, the jury starts scoring."""
    session = _locked(session, Session.Statut.OUVERTE)
    if not session.inscriptions.exists():
        raise ValidationError(
            _("Aucun candidat n'est inscrit : il n'y a rien à évaluer.")
        )
    session.statut = Session.Statut.EN_EVALUATION
    return _save(session, by)


@transaction.atomic
def session_mark_deliberated(*, session: Session, by: User) -> Session:
    """En évaluation → délibérée, once every enrolment has a locked decision."""
    session = _locked(session, Session.Statut.EN_EVALUATION)
    manquantes = (
        session.inscriptions.exclude(
            pk__in=Deliberation.objects.filter(
                inscription__session=session, verrouillee=True
            ).values("inscription_id")
        )
        .order_by()
        .count()
    )
    if manquantes:
        raise ValidationError(
            ngettext(
                "%(n)d inscription sans délibération verrouillée : le jury doit "
                "délibérer sur chaque candidat.",
                "%(n)d inscriptions sans délibération verrouillée : le jury doit "
                "délibérer sur chaque candidat.",
                manquantes,
            )
            % {"n": manquantes}
        )
    session.statut = Session.Statut.DELIBEREE
    return _save(session, by)


@transaction.atomic
def session_close(*, session: Session, by: User) -> Session:
    """Délibérée → close: the session is archived."""
    session = _locked(session, Session.Statut.DELIBEREE)
    session.statut = Session.Statut.CLOSE
    session.close_le = timezone.now()
    return _save(session, by)


TRANSITIONS = {
    "ouvrir": session_open,
    "evaluer": session_start_evaluation,
    "deliberee": session_mark_deliberated,
    "clore": session_close,
}
