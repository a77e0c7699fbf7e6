"""Writes of the sessions area: creating a session and moving it through its
statuses (each transition checks its preconditions here; the session's history
records who did what), a candidate's account and identity, the invitation e-mail,
and enrolments.

Duplicates (same e-mail, or same birth name + first name + birth date) are
reported and never merged: the administrator decides."""

import logging
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.messages import absolute_url, message_send
from certif.models import MessageEnvoye, User
from certif.roles import Role
from certif.services import password_link, user_ensure
from evaluations.deliberation.models import Deliberation
from evaluations.notation.models import Consolidation, Evaluation
from evaluations.sessions.models import (
    AcceptationReglement,
    Candidat,
    Inscription,
    Session,
)
from evaluations.sessions.pays import pays_code_for
from evaluations.sessions.selectors import blocs_acquis_for, rappels_depot_dus
from evaluations.sessions.verrou import est_verrouillee, inscription_lock
from referentiel.models import Bloc, Referentiel, ReglementExamen
from referentiel.reglement.selectors import reglement_en_vigueur

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionData:
    referentiel: Referentiel
    nom: str
    date_ouverture: date
    date_limite_depot: datetime
    date_jury: date
    lieu_jury: str = ""


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
    session._history_user = by
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
        lieu_jury=data.lieu_jury.strip(),
    )
    return _save(session, by)


@transaction.atomic
def session_update(*, session: Session, data: SessionData, by: User) -> Session:
    """Change a session's name and dates (and its référentiel while nobody is
    enrolled). A closed or deliberated session is no longer edited."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.est_terminee:
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
    session.lieu_jury = data.lieu_jury.strip()
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
    if session.referentiel.statut not in (
        Referentiel.Statut.PUBLIE,
        Referentiel.Statut.REMPLACE,  # still valid for the sessions made on it
    ):
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
def session_start_evaluation(
    *, session: Session, by: User, avant_limite: bool = False
) -> Session:
    """Ouverte → en évaluation: uploads close, the jury starts scoring. Before the
    deposit deadline only when confirmed (``avant_limite``): candidates lose the
    time left."""
    session = _locked(session, Session.Statut.OUVERTE)
    if not session.inscriptions.exists():
        raise ValidationError(
            _("Aucun candidat n'est inscrit : il n'y a rien à évaluer.")
        )
    if session.depots_ouverts() and not avant_limite:
        raise ValidationError(
            _(
                "La date limite de dépôt n'est pas passée : confirmez le passage en "
                "évaluation, qui ferme les dépôts avant la limite."
            )
        )
    session.statut = Session.Statut.EN_EVALUATION
    return _save(session, by)


@transaction.atomic
def session_back_to_open(*, session: Session, motif: str, by: User) -> Session:
    """One step back, « en évaluation » → « ouverte », while no score has been
    saved (by an evaluator or the jury); the reason is kept in the session's
    history."""
    session = _locked(session, Session.Statut.EN_EVALUATION)
    motif = motif.strip()
    if not motif:
        raise ValidationError(_("Indiquez le motif du retour à « Ouverte »."))
    if (
        Evaluation.objects.filter(affectation__inscription__session=session).exists()
        or Consolidation.objects.filter(inscription__session=session).exists()
    ):
        raise ValidationError(
            _(
                "Des notes sont déjà enregistrées : la session ne revient plus à "
                "« Ouverte »."
            )
        )
    session.statut = Session.Statut.OUVERTE
    session._change_reason = motif[:100]
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
        # A withdrawal or a deferral needs no decision here.
        .filter(desiste_le__isnull=True, reportee_vers__isnull=True)
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


@dataclass(frozen=True)
class IdentiteData:
    email: str
    nom_naissance: str
    prenom1: str
    date_naissance: date
    sexe: str
    nom_usage: str = ""
    prenom2: str = ""
    prenom3: str = ""
    commune_naissance: str = ""
    code_insee_naissance: str = ""
    pays_naissance: str = ""


def normalise_nom(value: str) -> str:
    """The comparison key of a name: no accents, case or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").split())


def identite_key(
    *, nom_naissance: str, prenom1: str, date_naissance: date
) -> tuple[str, str, date]:
    return (normalise_nom(nom_naissance), normalise_nom(prenom1), date_naissance)


def candidat_from_identite(identite: IdentiteData) -> Candidat:
    """The (unsaved) candidate an identity describes, its text fields trimmed."""
    return Candidat(
        nom_naissance=identite.nom_naissance.strip(),
        nom_usage=identite.nom_usage.strip(),
        prenom1=identite.prenom1.strip(),
        prenom2=identite.prenom2.strip(),
        prenom3=identite.prenom3.strip(),
        date_naissance=identite.date_naissance,
        sexe=identite.sexe,
        commune_naissance=identite.commune_naissance.strip(),
        code_insee_naissance=identite.code_insee_naissance.strip().upper(),
        pays_naissance=_pays_code(identite.pays_naissance),
    )


def _pays_code(value: str) -> str:
    """A country is stored by its INSEE code; its name as the list writes it is
    accepted too (CSV files, older habits), and France (99100) means a birth in
    France. Anything else stays as typed, for the validator to refuse with the
    value in its message."""
    value = value.strip()
    if value == "99100" or value.casefold() == "france":
        return ""
    return pays_code_for(value) or value


def identite_errors(identite: IdentiteData) -> dict[str, list[str]]:
    """Field errors of an identity, without touching the database."""
    errors: dict[str, list[str]] = {}
    try:
        validate_email(identite.email)
    except ValidationError:
        errors["email"] = [_("Adresse e-mail invalide.")]
    candidat = candidat_from_identite(identite)
    try:
        candidat.full_clean(
            exclude=["user"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if "sexe" in errors:
        errors["sexe"] = [_("Le sexe à l'état civil s'écrit M ou F.")]
    if identite.date_naissance >= timezone.localdate():
        errors.setdefault("date_naissance", []).append(
            _("La date de naissance doit être dans le passé.")
        )
    commune, insee, pays = (
        candidat.commune_naissance,
        candidat.code_insee_naissance,
        candidat.pays_naissance,
    )
    if pays and insee:
        errors.setdefault("pays_naissance", []).append(
            _(
                "Indiquez soit la commune de naissance et son code INSEE, soit le "
                "pays de naissance, pas les deux."
            )
        )
    elif pays:
        if not commune:
            errors.setdefault("commune_naissance", []).append(
                _("Indiquez la ville de naissance à l'étranger.")
            )
    else:
        if not commune:
            errors.setdefault("commune_naissance", []).append(
                _(
                    "Indiquez la commune de naissance (ou le pays pour une naissance "
                    "à l'étranger)."
                )
            )
        if not insee:
            errors.setdefault("code_insee_naissance", []).append(
                _("Indiquez le code INSEE de la commune de naissance.")
            )
    return errors


def duplicates_of(identite: IdentiteData) -> dict[str, list[str]]:
    """Existing accounts or candidates this identity would duplicate."""
    errors: dict[str, list[str]] = {}
    email = identite.email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Un compte existe déjà avec cette adresse e-mail.")]
    key = identite_key(
        nom_naissance=identite.nom_naissance,
        prenom1=identite.prenom1,
        date_naissance=identite.date_naissance,
    )
    for existing in Candidat.objects.filter(
        date_naissance=identite.date_naissance
    ).select_related("user"):
        if (
            identite_key(
                nom_naissance=existing.nom_naissance,
                prenom1=existing.prenom1,
                date_naissance=existing.date_naissance,
            )
            == key
        ):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _(
                    "Un candidat de même nom de naissance, prénom et date de "
                    "naissance existe déjà (%(email)s) : inscrivez-le comme candidat "
                    "existant s'il s'agit de la même personne."
                )
                % {"email": existing.user.email}
            )
            break
    return errors


@transaction.atomic
def candidat_create(
    *,
    identite: IdentiteData,
    by: User,
    invite: bool = True,
    compte_existant: bool = False,
) -> Candidat:
    """A candidate with a new account (role Candidat, no usable password) and, when
    ``invite``, an invitation e-mail sent once the transaction commits.
    ``compte_existant`` lets the demo data attach the identity to an account that
    exists already; the platform's pages never do."""
    errors = identite_errors(identite)
    duplicates = duplicates_of(identite)
    if compte_existant:
        duplicates.pop("email", None)
    for name, messages in duplicates.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    email = identite.email.strip().lower()
    user, _created = user_ensure(
        email=email,
        first_name=identite.prenom1.strip(),
        last_name=(identite.nom_usage or identite.nom_naissance).strip(),
        roles=[Role.CANDIDAT],
    )
    if hasattr(user, "candidat"):
        raise ValidationError({"email": _("Ce compte a déjà une fiche candidat.")})
    candidat = candidat_from_identite(identite)
    candidat.user = user
    candidat._history_user = by
    candidat.full_clean()
    candidat.save()
    if invite:
        candidat_invite(candidat=candidat)
    return candidat


# The civil identity a correction may change (the e-mail is the account's).
IDENTITE_CHAMPS = (
    "nom_naissance",
    "nom_usage",
    "prenom1",
    "prenom2",
    "prenom3",
    "date_naissance",
    "sexe",
    "commune_naissance",
    "code_insee_naissance",
    "pays_naissance",
)


@transaction.atomic
def candidat_identite_update(
    *, candidat: Candidat, identite: IdentiteData, by: User
) -> Candidat:
    """Correct a candidate's civil identity (the e-mail stays): the same checks as
    at creation, the duplicates aside (the person is already known). The history
    keeps the identity before and after; a holder already declared to the Caisse
    des Dépôts becomes « to declare again » (``evaluations/declarations``)."""
    errors = identite_errors(identite)
    errors.pop("email", None)
    if errors:
        raise ValidationError(errors)
    candidat = Candidat.objects.select_for_update().get(pk=candidat.pk)
    corrige = candidat_from_identite(identite)
    for name in IDENTITE_CHAMPS:
        setattr(candidat, name, getattr(corrige, name))
    candidat._history_user = by
    candidat.full_clean(exclude=["user"])
    candidat.save()
    # the enrolments' copies of the names, which order the session's lists
    Inscription.objects.filter(candidat=candidat).update(**Inscription.tri_of(candidat))
    return candidat


def _invitation_send(
    candidat: Candidat, *, connexion: BaseEmailBackend | None = None
) -> None:
    """Record and send the invitation (template ``emails/invitation/``). Its body
    holds a link that sets the password: it is never stored (the record keeps the
    subject)."""
    message_send(
        gabarit="invitation",
        destinataire=candidat.user.email,
        utilisateur=candidat.user,
        contexte={
            "prenom": candidat.prenom1,
            "nom": candidat.nom_usage or candidat.nom_naissance,
            "jours": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "lien": password_link(candidat.user),
            "email": candidat.user.email,
        },
        archiver_corps=False,
        connexion=connexion,
    )


def _send_invitation(candidat_pk: int) -> None:
    _invitation_send(Candidat.objects.select_related("user").get(pk=candidat_pk))


@transaction.atomic
def candidat_invite(*, candidat: Candidat) -> Candidat:
    """Send (after commit) the invitation e-mail with a link to choose a password,
    and record when."""
    candidat.invite_le = timezone.now()
    candidat.full_clean()
    candidat.save(update_fields=["invite_le"])
    pk = candidat.pk
    # robust: a failure is logged, never undoes or breaks the enrolment (the desk
    # offers to send the invitation again).
    transaction.on_commit(lambda: _send_invitation(pk), robust=True)
    return candidat


def invitations_send(*, candidat_ids: Iterable[int]) -> int:
    """Send the invitation e-mail of each candidate not invited yet (``invite_le``
    empty), once: the candidates are claimed (row locks, then ``invite_le`` set and
    committed) before any e-mail leaves, so that running this again, or two
    workers at once, never sends twice. A failure (rendering, recording, the mail
    server) is logged and skips that candidate (the desk offers to send the
    invitation again). One connection to the mail server for all. Returns the
    number of invitations handed to the sender."""
    with transaction.atomic():
        candidats = list(
            Candidat.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk__in=list(candidat_ids), invite_le__isnull=True)
            .order_by("pk")
        )
        Candidat.objects.filter(pk__in=[c.pk for c in candidats]).update(
            invite_le=timezone.now()
        )
    envoyes = 0
    with get_connection() as connexion:
        for candidat in candidats:
            try:
                # Each message is recorded and, once committed, sent at once.
                with transaction.atomic():
                    _invitation_send(candidat, connexion=connexion)
            except Exception:
                logger.exception("Invitation du candidat %s", candidat.pk)
                continue
            envoyes += 1
    return envoyes


@transaction.atomic
def candidat_reinvite(*, candidat: Candidat, by: User) -> Candidat:
    """Send the invitation again (the link lasts a week), while the candidate has
    not chosen a password yet; the record's history keeps who did it."""
    candidat = Candidat.objects.select_related("user").get(pk=candidat.pk)
    if candidat.user.has_usable_password():
        raise ValidationError(
            _(
                "%(nom)s a déjà choisi son mot de passe : en cas d'oubli, il utilise "
                "« Mot de passe oublié » sur la page de connexion."
            )
            % {"nom": candidat.nom_complet}
        )
    candidat._history_user = by
    return candidat_invite(candidat=candidat)


def blocs_evalues(
    *,
    parcours: str,
    choisis: Iterable[Bloc],
    referentiel_blocs: list[Bloc],
    acquis: Mapping[str, object],
) -> list[Bloc]:
    """The blocs an enrolment evaluates (capitalisation): the whole référentiel or
    the chosen blocs, less the blocs the person already acquired (``acquis``, by
    code). Refuses an empty choice, a bloc of another référentiel, and nothing
    left to evaluate."""
    if parcours == Inscription.Parcours.BLOCS:
        chosen = {bloc.pk for bloc in choisis}
        if not chosen:
            raise ValidationError(
                {"blocs": _("Choisissez au moins un bloc de compétences.")}
            )
        if chosen - {bloc.pk for bloc in referentiel_blocs}:
            raise ValidationError(
                {"blocs": _("Un bloc choisi n'appartient pas au référentiel.")}
            )
        evalues = [bloc for bloc in referentiel_blocs if bloc.pk in chosen]
    else:
        evalues = list(referentiel_blocs)
    evalues = [bloc for bloc in evalues if bloc.code not in acquis]
    if not evalues:
        raise ValidationError(
            {"blocs": _("Tous ces blocs sont déjà acquis : il n'y a rien à évaluer.")}
        )
    return evalues


@transaction.atomic
def inscription_create(
    *,
    candidat: Candidat,
    session: Session,
    voie_acces: str,
    parcours: str,
    blocs: Iterable[Bloc] = (),
    by: User,
) -> Inscription:
    """Enrol a candidate: the whole certification, or the chosen blocs. Blocs the
    person already acquired are left out automatically (capitalisation)."""
    session = Session.objects.select_related("referentiel").get(pk=session.pk)
    if not session.inscriptions_ouvertes:
        raise ValidationError(
            _(
                "Les inscriptions sont fermées : la session est au statut "
                "« %(statut)s »."
            )
            % {"statut": session.get_statut_display()}
        )
    if Inscription.objects.filter(candidat=candidat, session=session).exists():
        raise ValidationError(_("Ce candidat est déjà inscrit à cette session."))
    evalues = blocs_evalues(
        parcours=parcours,
        choisis=blocs,
        referentiel_blocs=list(session.referentiel.blocs.order_by("ordre", "code")),
        acquis=blocs_acquis_for(
            candidat_ids=[candidat.pk],
            referentiel_id=session.referentiel_id,
        ).get(candidat.pk, {}),
    )
    inscription = Inscription(
        candidat=candidat,
        session=session,
        voie_acces=voie_acces,
        parcours=parcours,
        **Inscription.tri_of(candidat),
    )
    inscription._history_user = by
    inscription.full_clean()
    inscription.save()
    inscription.blocs.set(evalues)
    return inscription


@transaction.atomic
def inscription_desister(
    *, inscription: Inscription, le: date, motif: str, by: User
) -> Inscription:
    """The candidate withdraws before the jury, on ``le``, for ``motif``: nothing
    more is deposited, scored, exempted or decided for the enrolment, and the
    session is deliberated without a decision for it. Refused once the jury voted,
    after the jury date, in the future, or in a session that is over."""
    inscription = inscription_lock(inscription_id=inscription.pk)
    session = inscription.session
    errors: dict[str, list[str]] = {}
    if session.est_terminee:
        errors.setdefault("__all__", []).append(
            _("La session est délibérée ou close : il n'y a plus de désistement.")
        )
    if le > timezone.localdate():
        errors.setdefault("le", []).append(
            _("La date du désistement ne peut pas être dans le futur.")
        )
    if le > session.date_jury:
        errors.setdefault("le", []).append(
            _("Le désistement a lieu avant le jury (%(date)s).")
            % {"date": f"{session.date_jury:%d/%m/%Y}"}
        )
    if not motif.strip():
        errors.setdefault("motif", []).append(_("Indiquez le motif du désistement."))
    if errors:
        raise ValidationError(errors)
    inscription.desiste_le = le
    inscription.desistement_motif = motif.strip()
    inscription._history_user = by
    inscription.full_clean(exclude=["candidat", "session"], validate_unique=False)
    inscription.save(update_fields=["desiste_le", "desistement_motif"])
    return inscription


def inscriptions_capitalisation_sync(
    *, candidat_id: int, referentiel_id: int, sauf_inscription_id: int, by: User
) -> list[Inscription]:
    """The person's other open enrolments on the same certification (any version)
    follow the blocs they acquired: a bloc acquired since is left out of the blocs
    evaluated there (shown « capitalisé », no deposit asked, out of the grids); a
    bloc no longer acquired (a re-opened vote) comes back to an enrolment on the
    whole certification. An enrolment whose session is over, whose deliberation is
    locked, or that would be left with nothing to evaluate is not changed. Called
    inside the vote's transaction; each enrolment changed is locked first and its
    change kept in its history. Returns the enrolments changed."""
    autres = list(
        Inscription.objects.filter(
            candidat_id=candidat_id,
            session__referentiel__certification__referentiels=referentiel_id,
        )
        .exclude(pk=sauf_inscription_id)
        .exclude(session__statut__in=Session.STATUTS_TERMINES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Locked in one statement, in a fixed order; the state is read after the lock.
    list(
        Inscription.objects.select_for_update()
        .filter(pk__in=autres)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changees = []
    for pk in autres:
        inscription = (
            Inscription.objects.select_related("session", "deliberation")
            .prefetch_related("blocs")
            .get(pk=pk)
        )
        if (
            est_verrouillee(inscription)
            or inscription.session.est_terminee
            or inscription.est_desistee
            or inscription.est_reportee
        ):
            continue
        acquis = blocs_acquis_for(
            candidat_ids=[candidat_id],
            referentiel_id=inscription.session.referentiel_id,
            sauf_session_id=inscription.session_id,
        ).get(candidat_id, {})
        actuels = list(inscription.blocs.all())
        if inscription.parcours == Inscription.Parcours.COMPLET:
            base = list(inscription.session.referentiel.blocs.all())
        else:
            base = actuels
        voulus = [bloc for bloc in base if bloc.code not in acquis]
        if not voulus or {b.pk for b in voulus} == {b.pk for b in actuels}:
            continue
        inscription._history_user = by
        inscription.blocs.set(voulus)
        changees.append(inscription)
    return changees


@transaction.atomic
def candidat_enrol(
    *,
    identite: IdentiteData,
    session: Session,
    voie_acces: str,
    parcours: str,
    blocs: Iterable[Bloc] = (),
    by: User,
) -> Inscription:
    """A new candidate (account, identity, invitation) enrolled in the session, all
    or nothing: the invitation leaves only if the enrolment is saved."""
    candidat = candidat_create(identite=identite, by=by)
    return inscription_create(
        candidat=candidat,
        session=session,
        voie_acces=voie_acces,
        parcours=parcours,
        blocs=blocs,
        by=by,
    )


def rappels_depot_send(*, now: datetime) -> int:
    """Send the deposit reminders due at ``now`` (``rappels_depot_dus``), each
    once: its key (enrolment, reminder, deadline) is recorded with the message,
    so a second run the same day, or the next day, sends nothing again. A
    failure is logged and skips that candidate. Returns how many were sent."""
    rappels = rappels_depot_dus(now=now)
    deja = set(
        MessageEnvoye.objects.filter(cle__in=[r.cle for r in rappels]).values_list(
            "cle", flat=True
        )
    )
    envoyes = 0
    for rappel in rappels:
        if rappel.cle in deja:
            continue
        inscription = rappel.inscription
        candidat = inscription.candidat
        try:
            with transaction.atomic():
                message = message_send(
                    gabarit="rappel_depot",
                    destinataire=candidat.user.email,
                    utilisateur=candidat.user,
                    contexte={
                        "prenom": candidat.prenom1,
                        "session": inscription.session.nom,
                        "date_limite": timezone.localtime(
                            inscription.session.date_limite_depot
                        ),
                        "manquants": [str(m) for m in rappel.manquantes],
                        "lien": absolute_url(
                            reverse("evaluations:dossier", args=[inscription.pk])
                        ),
                    },
                    cle=rappel.cle,
                )
        except Exception:
            logger.exception("Rappel de dépôt de l'inscription %s", inscription.pk)
            continue
        envoyes += message is not None
    return envoyes


@transaction.atomic
def reglement_accepter(
    *, inscription: Inscription, reglement: ReglementExamen
) -> AcceptationReglement:
    """Record that the candidate accepted ``reglement`` for this enrolment: only
    the version in force (read again inside the transaction), once."""
    en_vigueur = reglement_en_vigueur(inscription.session.referentiel.certification_id)
    if en_vigueur is None or en_vigueur.pk != reglement.pk:
        raise ValidationError(
            _(
                "Cette version du règlement d'examen n'est plus en vigueur : lisez "
                "la version actuelle."
            )
        )
    acceptation, _created = AcceptationReglement.objects.get_or_create(
        inscription=inscription, reglement=reglement
    )
    return acceptation
