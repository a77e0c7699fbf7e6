"""Every write of the handicap app."""

import calendar
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.messages import message_send
from certif.models import User
from certif.roles import is_admin
from certif.sceau import seal_pdf
from evaluations.sessions.models import Inscription, Session
from handicap.documents import courrier_decision_pdf
from handicap.files import fichier_verifier
from handicap.models import (
    CONSENTEMENT_TEXTE,
    AccesConfidentiel,
    Amenagement,
    AvisMotive,
    DemandeAmenagement,
    PieceJustificative,
    PropositionDispense,
)
from handicap.selectors import courrier_snapshot
from referentiel.models import Critere, Modalite

logger = logging.getLogger(__name__)

COURRIER_NOM = "decision-amenagement.pdf"


@dataclass(frozen=True)
class AmenagementSaisi:
    type: str
    description: str
    modalite: Modalite | None = None
    precision: str = ""


@dataclass(frozen=True)
class PropositionSaisie:
    critere: Critere
    motif: str


@dataclass(frozen=True)
class PiecePurgee:
    piece_id: int
    demande_id: int
    session: str
    close_le: datetime
    taille: int


def _blocs_ids(inscription: Inscription) -> set[int]:
    return set(inscription.blocs.values_list("pk", flat=True))


def _assert_inscription_ouverte(inscription: Inscription) -> None:
    if inscription.session.est_terminee or (
        Inscription.objects.filter(
            pk=inscription.pk, deliberation__verrouillee=True
        ).exists()
    ):
        raise ValidationError(
            _(
                "La session est délibérée ou close pour cette inscription : une "
                "demande d'aménagement n'est plus possible."
            )
        )


def _piece_create(
    *, demande: DemandeAmenagement, upload: UploadedFile[bytes]
) -> PieceJustificative:
    verifie = fichier_verifier(upload)
    piece = PieceJustificative(
        demande=demande,
        nom_original=verifie.nom_original,
        taille=verifie.taille,
        sha256=verifie.sha256,
        type_mime=verifie.type_mime,
        deposee_le=timezone.now(),
    )
    piece.fichier.save(verifie.nom_original, upload, save=False)
    piece.full_clean()
    piece.save()
    return piece


@transaction.atomic
def demande_deposer(
    *,
    inscription: Inscription,
    besoins: str,
    modalites: Sequence[Modalite],
    consentement: bool,
    pieces: Sequence[UploadedFile[bytes]],
    by: User,
) -> DemandeAmenagement:
    """File the candidate's request. Refused (ValidationError keyed by field, nothing
    stored) without consent, with empty needs, with a modality outside the
    candidate's path, a bad file, or once the session is deliberated or closed."""
    inscription = (
        Inscription.objects.select_for_update()
        .select_related("session", "candidat")
        .get(pk=inscription.pk)
    )
    if inscription.candidat.user_id != by.pk:
        raise PermissionDenied
    _assert_inscription_ouverte(inscription)
    if DemandeAmenagement.objects.filter(inscription=inscription).exists():
        raise ValidationError(
            _("Une demande d'aménagement existe déjà pour cette inscription.")
        )
    errors: dict[str, list[str]] = {}
    if not consentement:
        errors["consentement"] = [
            _(
                "Votre consentement au traitement de ces données de santé est "
                "nécessaire pour instruire la demande."
            )
        ]
    if not besoins.strip():
        errors["besoins"] = [_("Décrivez vos besoins.")]
    blocs = _blocs_ids(inscription)
    hors_parcours = [
        m.intitule
        for m in Modalite.objects.filter(pk__in=[m.pk for m in modalites]).exclude(
            competence__activite__bloc__in=blocs
        )
    ]
    if hors_parcours:
        errors["modalites"] = [
            _("Modalité hors de votre parcours : %(modalites)s.")
            % {"modalites": ", ".join(hors_parcours)}
        ]
    piece_errors = []
    for upload in pieces:
        try:
            fichier_verifier(upload)
        except ValidationError as exc:
            piece_errors.extend(exc.messages)
    if piece_errors:
        errors["pieces"] = piece_errors
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    demande = DemandeAmenagement(
        inscription=inscription,
        besoins=besoins.strip(),
        consentement_texte=str(CONSENTEMENT_TEXTE),
        consentement_le=now,
        deposee_le=now,
    )
    demande.full_clean()
    demande.save()
    demande.modalites.set(modalites)
    for upload in pieces:
        _piece_create(demande=demande, upload=upload)
    return demande


@transaction.atomic
def pieces_ajouter(
    *, demande: DemandeAmenagement, pieces: Sequence[UploadedFile[bytes]], by: User
) -> list[PieceJustificative]:
    """The candidate adds supporting documents to their request until it is
    decided. Every file is checked before any is stored."""
    demande = (
        DemandeAmenagement.objects.select_for_update()
        .select_related("inscription__candidat", "inscription__session")
        .get(pk=demande.pk)
    )
    if demande.inscription.candidat.user_id != by.pk:
        raise PermissionDenied
    if demande.statut == DemandeAmenagement.Statut.DECIDEE:
        raise ValidationError(
            _("La demande est décidée : vous ne pouvez plus y ajouter de pièce.")
        )
    _assert_inscription_ouverte(demande.inscription)
    if not pieces:
        raise ValidationError(_("Choisissez au moins un fichier."))
    errors: list[str] = []
    for upload in pieces:
        try:
            fichier_verifier(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return [_piece_create(demande=demande, upload=upload) for upload in pieces]


@transaction.atomic
def demande_instruire(*, demande: DemandeAmenagement, by: User) -> DemandeAmenagement:
    demande = DemandeAmenagement.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != DemandeAmenagement.Statut.DEPOSEE:
        raise ValidationError(_("Cette demande est déjà en instruction ou décidée."))
    demande.statut = DemandeAmenagement.Statut.EN_INSTRUCTION
    demande.instruction_le = timezone.now()
    demande.instruite_par = by
    demande.full_clean()
    demande.save()
    return demande


@transaction.atomic
def demande_decider(
    *,
    demande: DemandeAmenagement,
    amenagements: Sequence[AmenagementSaisi],
    avis: str,
    propositions: Sequence[PropositionSaisie],
    by: User,
) -> DemandeAmenagement:
    """Record the référent's decision: accommodations, avis motivé and proposed
    exemptions (criteria of the candidate's path, a motive each); store the
    decision letter and e-mail it to the candidate once committed."""
    demande = (
        DemandeAmenagement.objects.select_for_update()
        .select_related("inscription__session")
        .get(pk=demande.pk)
    )
    if demande.statut == DemandeAmenagement.Statut.DECIDEE:
        raise ValidationError(_("Cette demande est déjà décidée."))
    errors: list[str] = []
    if not avis.strip():
        errors.append(_("Rédigez l'avis motivé."))
    blocs = _blocs_ids(demande.inscription)
    for amenagement in amenagements:
        if not amenagement.description.strip():
            errors.append(_("Décrivez chaque aménagement."))
        if amenagement.type == Amenagement.Type.FORMAT_ADAPTE and (
            amenagement.modalite is None or not amenagement.precision.strip()
        ):
            errors.append(
                _("Un format adapté précise la modalité concernée et le format retenu.")
            )
        if (
            amenagement.type == Amenagement.Type.ASSISTANCE_TIERS
            and not amenagement.precision.strip()
        ):
            errors.append(_("Précisez le rôle du tiers qui assiste le candidat."))
        if (
            amenagement.modalite is not None
            and amenagement.modalite.competence.activite.bloc_id not in blocs
        ):
            errors.append(
                _(
                    "La modalité « %(modalite)s » n'est pas dans le parcours du candidat."
                )
                % {"modalite": amenagement.modalite.intitule}
            )
    vus: set[int] = set()
    for proposition in propositions:
        critere = proposition.critere
        if critere.competence.activite.bloc_id not in blocs:
            errors.append(
                _("Le critère %(code)s n'est pas dans le parcours du candidat.")
                % {"code": critere.code}
            )
        if critere.pk in vus:
            errors.append(
                _("Le critère %(code)s est proposé deux fois.") % {"code": critere.code}
            )
        vus.add(critere.pk)
        if not proposition.motif.strip():
            errors.append(
                _("Indiquez le motif de la dispense proposée du critère %(code)s.")
                % {"code": critere.code}
            )
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    now = timezone.now()
    for ordre, saisi in enumerate(amenagements):
        nouvel_amenagement = Amenagement(
            demande=demande,
            type=saisi.type,
            modalite=saisi.modalite,
            precision=saisi.precision.strip(),
            description=saisi.description.strip(),
            ordre=ordre,
        )
        nouvel_amenagement.full_clean()
        nouvel_amenagement.save()
    avis_motive = AvisMotive(
        demande=demande, texte=avis.strip(), redige_par=by, redige_le=now
    )
    avis_motive.full_clean()
    avis_motive.save()
    for saisie in propositions:
        nouvelle_proposition = PropositionDispense(
            avis=avis_motive, critere=saisie.critere, motif=saisie.motif.strip()
        )
        nouvelle_proposition.full_clean()
        nouvelle_proposition.save()
    demande.statut = DemandeAmenagement.Statut.DECIDEE
    if demande.instruction_le is None:
        demande.instruction_le = now
        demande.instruite_par = by
    demande.decidee_le = now
    demande.decidee_par = by
    demande.full_clean()
    demande.save()
    courrier = courrier_snapshot(demande_pk=demande.pk)
    rendered = courrier_decision_pdf(courrier)
    content = seal_pdf(
        rendered.content,
        reason=_("Décision du référent handicap — %(nom)s")
        % {"nom": courrier.certificateur or courrier.referent},
    )
    demande.courrier.save(rendered.filename, ContentFile(content), save=False)
    demande.save(update_fields=["courrier"])
    transaction.on_commit(lambda: courrier_envoyer(demande=demande))
    return demande


def courrier_envoyer(*, demande: DemandeAmenagement) -> bool:
    """E-mail the stored decision letter to the candidate (template
    ``emails/decision_amenagement/``). The letter is health data: « Mes
    messages » keeps the subject, never the body nor the letter (the candidate
    downloads it from their requests). A failure is logged, never undoes the
    decision."""
    inscription = Inscription.objects.select_related("candidat__user", "session").get(
        pk=demande.inscription_id
    )
    try:
        with demande.courrier.open("rb") as handle:
            courrier = handle.read()
        message_send(
            gabarit="decision_amenagement",
            destinataire=inscription.candidat.user.email,
            utilisateur=inscription.candidat.user,
            contexte={
                "prenom": inscription.candidat.prenom1,
                "session": inscription.session.nom,
            },
            pieces_jointes=[(COURRIER_NOM, courrier, "application/pdf")],
            archiver_corps=False,
        )
    except Exception:
        logger.exception("Courrier de décision non envoyé (demande %s)", demande.pk)
        return False
    return True


def acces_enregistrer(
    *,
    user: User,
    demande: DemandeAmenagement,
    objet: str,
    action: str,
    piece: PieceJustificative | None = None,
) -> AccesConfidentiel:
    """Append one read of confidential content to the access log."""
    acces = AccesConfidentiel(
        utilisateur=user,
        le=timezone.now(),
        demande=demande,
        objet=objet,
        action=action,
        piece_id=piece.pk if piece is not None else None,
    )
    acces.full_clean()
    acces.save()
    return acces


def mois_avant(moment: datetime, mois: int) -> datetime:
    """``moment`` minus ``mois`` calendar months (the day clamped to the month)."""
    annees, index = divmod(moment.month - 1 - mois, 12)
    annee, mois_cible = moment.year + annees, index + 1
    jour = min(moment.day, calendar.monthrange(annee, mois_cible)[1])
    return moment.replace(year=annee, month=mois_cible, day=jour)


def pieces_purger(
    *, dry_run: bool = False, now: datetime | None = None
) -> list[PiecePurgee]:
    """Delete the supporting documents (file and row) of requests whose session
    closed more than ``HANDICAP_RETENTION_MOIS`` months ago. Requests, decisions
    and the access log remain; each deletion is logged there and in the logs. The
    only code that ever deletes a supporting document."""
    limite = mois_avant(now or timezone.now(), settings.HANDICAP_RETENTION_MOIS)
    pieces = PieceJustificative.objects.filter(
        demande__inscription__session__statut=Session.Statut.CLOSE,
        demande__inscription__session__close_le__lt=limite,
    ).select_related("demande__inscription__session")
    purgees: list[PiecePurgee] = []
    for piece in pieces.order_by("pk").iterator(chunk_size=200):
        session = piece.demande.inscription.session
        assert session.close_le is not None  # noqa: S101 - filtered on close_le above
        purgee = PiecePurgee(
            piece.pk, piece.demande_id, session.nom, session.close_le, piece.taille
        )
        if not dry_run:
            _piece_supprimer(piece=piece)
            logger.info(
                "Pièce justificative %s (demande %s, session « %s » close le %s) "
                "supprimée",
                purgee.piece_id,
                purgee.demande_id,
                purgee.session,
                f"{purgee.close_le:%Y-%m-%d}",
            )
        purgees.append(purgee)
    return purgees


@transaction.atomic
def _piece_supprimer(*, piece: PieceJustificative) -> None:
    acces = AccesConfidentiel(
        utilisateur=None,
        le=timezone.now(),
        demande_id=piece.demande_id,
        objet=AccesConfidentiel.Objet.PIECE,
        action=AccesConfidentiel.Action.SUPPRESSION,
        piece_id=piece.pk,
    )
    acces.full_clean()
    acces.save()
    storage, name = piece.fichier.storage, piece.fichier.name
    piece.delete()
    if name:
        storage.delete(name)


@transaction.atomic
def format_adapte_confirmer(*, amenagement: Amenagement, by: User) -> Amenagement:
    """The administrator confirms, for the certifier, a format adaptation the
    référent advised. Refused for another kind of accommodation, twice, or once the
    session is over; the confirmation is kept with who and when, and the decision
    letter is issued again to say so, and sent to the candidate."""
    if not is_admin(by):
        raise PermissionDenied
    amenagement = (
        Amenagement.objects.select_for_update(of=("self",))
        .select_related("demande__inscription__session")
        .get(pk=amenagement.pk)
    )
    if amenagement.type != Amenagement.Type.FORMAT_ADAPTE:
        raise ValidationError(
            _("Seule l'adaptation du format d'une modalité se confirme.")
        )
    if amenagement.confirme_le is not None:
        raise ValidationError(_("Cette adaptation du format est déjà confirmée."))
    if amenagement.demande.inscription.session.est_terminee:
        raise ValidationError(_("La session est délibérée ou close."))
    amenagement.confirme_par = by
    amenagement.confirme_le = timezone.now()
    amenagement.full_clean()
    amenagement.save(update_fields=["confirme_par", "confirme_le"])
    # The letter says who decided what: a new letter, sent to the candidate.
    demande = DemandeAmenagement.objects.get(pk=amenagement.demande_id)
    rendered = courrier_decision_pdf(courrier_snapshot(demande_pk=demande.pk))
    demande.courrier.save(rendered.filename, ContentFile(rendered.content), save=False)
    demande.save(update_fields=["courrier"])
    transaction.on_commit(lambda: courrier_envoyer(demande=demande))
    return amenagement
