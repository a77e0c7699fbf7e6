"""Writes of the declarations area: starting and building a batch, recording its
deposit on the CDC's portal and the CDC's answer holder by holder, and the daily
reminder.

A batch is built in two steps. ``lot_start`` (in the request) checks the
identifiers and that no other batch of the certification is being built, under
the certification's row lock, and opens the batch. ``lot_build`` (in a
background task, safe to run twice) picks the holders, builds the XML file,
validates it against the schema and only then stores it with its declarations,
in one short transaction that re-reads the batch under its lock."""

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certif.messages import message_send
from certif.models import User
from certif.roles import Role
from evaluations.declarations.documents import Flux, flux_xml, schema_errors
from evaluations.declarations.models import DeclarationCDC, LotCDC, RappelDeclarations
from evaluations.declarations.selectors import (
    Echeances,
    TitulaireCDC,
    echeances_for,
    identifiants_cdc,
    titulaires_for,
)
from referentiel.models import Certification


def titulaire_message(titulaire: TitulaireCDC) -> str:
    """« Léa FONTAINE : code INSEE de la commune de naissance manquant »."""
    return _("%(nom)s : %(manquants)s") % {
        "nom": titulaire.nom,
        "manquants": ", ".join(titulaire.manquants),
    }


@transaction.atomic
def lot_start(
    *,
    certification: Certification,
    by: User,
    mode: str = LotCDC.Mode.EXCLURE,
    inscription_ids: list[int] | None = None,
) -> LotCDC:
    """Open a batch for ``certification`` (every holder to declare, or only the
    enrolments in ``inscription_ids``); ``lot_build`` fills it."""
    Certification.objects.select_for_update().get(pk=certification.pk)
    refus = identifiants_cdc(certification).refus
    if refus:
        raise ValidationError(refus)
    if LotCDC.objects.filter(
        certification=certification, statut=LotCDC.Statut.EN_COURS
    ).exists():
        raise ValidationError(
            _(
                "Un lot de cette certification est en construction : attendez qu'il "
                "soit prêt."
            )
        )
    if inscription_ids is not None and not inscription_ids:
        raise ValidationError(_("Choisissez au moins un titulaire."))
    lot = LotCDC(
        certification=certification,
        mode=mode,
        selection=sorted(set(inscription_ids)) if inscription_ids else None,
        id_flux=str(uuid.uuid4()),
        cree_par=by,
    )
    lot.full_clean()
    lot.save()
    return lot


def _finish(lot_id: int, **values: object) -> LotCDC:
    with transaction.atomic():
        lot = LotCDC.objects.select_for_update().get(pk=lot_id)
        if lot.termine:
            return lot
        for name, value in values.items():
            setattr(lot, name, value)
        lot.save()
        return lot


def lot_build(*, lot_id: int) -> LotCDC:
    """Build the batch: the holders to declare (rejected ones and corrected ones
    again), those with an incomplete identity left out and listed (or the whole
    batch refused, as the administrator chose), the file validated against the
    schema before it is stored. Progress is written as it goes. Running it again
    on a finished batch changes nothing."""
    lot = LotCDC.objects.select_related("certification").get(pk=lot_id)
    if lot.termine:
        return lot
    titulaires = [
        t
        for t in titulaires_for(
            certification=lot.certification, inscription_ids=lot.selection
        )
        if t.declarable
    ]
    exclus = [
        {
            "inscription": t.inscription_id,
            "candidat": t.candidat_id,
            "nom": t.nom,
            "manquants": t.manquants,
        }
        for t in titulaires
        if t.manquants
    ]
    retenus = [t for t in titulaires if not t.manquants]
    if exclus and lot.mode == LotCDC.Mode.REFUSER:
        return _finish(
            lot_id,
            statut=LotCDC.Statut.REFUSE,
            exclus=exclus,
            erreur=ngettext(
                "Lot refusé : %(n)d titulaire a une identité incomplète.",
                "Lot refusé : %(n)d titulaires ont une identité incomplète.",
                len(exclus),
            )
            % {"n": len(exclus)},
        )
    if not retenus:
        return _finish(
            lot_id,
            statut=LotCDC.Statut.ECHEC,
            exclus=exclus,
            erreur=_("Aucun titulaire à déclarer dans ce lot."),
        )
    LotCDC.objects.filter(pk=lot_id).update(total=len(retenus), faits=0)
    ids = identifiants_cdc(lot.certification)
    horodatage = timezone.localtime()
    flux = Flux(
        id_flux=lot.id_flux,
        horodatage=horodatage.replace(microsecond=0),
        id_client_emetteur=ids.id_client_emetteur,
        id_client_certificateur=ids.id_client_certificateur,
        id_contrat=ids.id_contrat,
        nature_deposant=ids.nature_deposant,
        code_certification=lot.certification.code,
        passages=[t.passage for t in retenus],
    )

    def progress(n: int) -> None:
        LotCDC.objects.filter(pk=lot_id).update(faits=n)

    content = flux_xml(flux, progress=progress)
    erreurs = schema_errors(content)
    if erreurs:
        return _finish(
            lot_id,
            statut=LotCDC.Statut.ECHEC,
            exclus=exclus,
            erreur=_("Le fichier ne respecte pas le schéma de la CDC :\n%(e)s")
            % {"e": "\n".join(erreurs[:20])},
        )
    with transaction.atomic():
        lot = LotCDC.objects.select_for_update().get(pk=lot_id)
        if lot.termine:
            return lot
        lot.fichier.save(lot.nom_fichier, ContentFile(content), save=False)
        lot.sha256 = hashlib.sha256(content).hexdigest()
        lot.horodatage = flux.horodatage
        lot.construit_le = timezone.now()
        lot.statut = LotCDC.Statut.CONSTRUIT
        lot.exclus = exclus
        lot.faits = lot.total = len(retenus)
        lot.full_clean()
        lot.save()
        DeclarationCDC.objects.bulk_create(
            DeclarationCDC(
                lot=lot,
                inscription_id=t.inscription_id,
                id_technique=t.passage.id_technique,
                donnees=t.passage.as_json(),
                empreinte=t.passage.empreinte,
            )
            for t in retenus
        )
    return lot


def lot_fail(*, lot_id: int, erreur: str) -> LotCDC:
    """Record why a build stopped (an unexpected error in the task)."""
    return _finish(lot_id, statut=LotCDC.Statut.ECHEC, erreur=erreur)


@transaction.atomic
def lot_deposit(*, lot: LotCDC, by: User) -> LotCDC:
    """Record that the file was deposited on the CDC's portal: its holders become
    « déposé »."""
    lot = LotCDC.objects.select_for_update().get(pk=lot.pk)
    if lot.statut != LotCDC.Statut.CONSTRUIT:
        raise ValidationError(
            _("Seul un lot prêt à déposer peut être marqué déposé (statut : %(s)s).")
            % {"s": lot.get_statut_display()}
        )
    lot.statut = LotCDC.Statut.DEPOSE
    lot.depose_le = timezone.now()
    lot.depose_par = by
    lot.full_clean()
    lot.save()
    lot.declarations.filter(statut=DeclarationCDC.Statut.INCLUS).update(
        statut=DeclarationCDC.Statut.DEPOSE
    )
    return lot


@transaction.atomic
def declaration_answer(
    *, declaration: DeclarationCDC, accepte: bool, motif: str = "", by: User
) -> DeclarationCDC:
    """Record the CDC's answer for one holder of a deposited batch: accepted, or
    rejected with the CDC's motive (the holder then goes into a new batch once
    corrected)."""
    declaration = DeclarationCDC.objects.select_for_update().get(pk=declaration.pk)
    if declaration.statut != DeclarationCDC.Statut.DEPOSE:
        raise ValidationError(
            _(
                "La réponse de la CDC s'enregistre une fois, pour un titulaire d'un "
                "lot déposé (statut : %(s)s)."
            )
            % {"s": declaration.get_statut_display()}
        )
    motif = motif.strip()
    if not accepte and not motif:
        raise ValidationError(
            {"motif": _("Recopiez le motif du rejet donné par la CDC.")}
        )
    declaration.statut = (
        DeclarationCDC.Statut.ACCEPTE if accepte else DeclarationCDC.Statut.REJETE
    )
    declaration.motif_rejet = "" if accepte else motif
    declaration.repondu_le = timezone.now()
    declaration.repondu_par = by
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def lot_accept_all(*, lot: LotCDC, by: User) -> int:
    """Every holder of the deposited batch still without an answer: accepted.
    Returns how many."""
    lot = LotCDC.objects.select_for_update().get(pk=lot.pk)
    if lot.statut != LotCDC.Statut.DEPOSE:
        raise ValidationError(_("Le lot n'est pas déposé."))
    return lot.declarations.filter(statut=DeclarationCDC.Statut.DEPOSE).update(
        statut=DeclarationCDC.Statut.ACCEPTE, repondu_le=timezone.now(), repondu_par=by
    )


@dataclass(frozen=True)
class Rappel:
    envoye: bool
    destinataires: int
    echeances: Echeances


def rappel_send() -> Rappel:
    """E-mail the administrators (template ``emails/rappel_declarations/``, one
    message each) when holders are due within 15 days or overdue; at most once a
    day (a second run the same day sends nothing)."""
    jour = timezone.localdate()
    echeances = echeances_for(today=jour)
    if not (echeances.dues or echeances.en_retard):
        return Rappel(envoye=False, destinataires=0, echeances=echeances)
    destinataires = list(
        User.objects.filter(groups__name=Role.ADMINISTRATEUR, is_active=True)
        .distinct()
        .order_by("email")
    )
    with transaction.atomic():
        _rappel, cree = RappelDeclarations.objects.get_or_create(
            jour=jour,
            defaults={
                "destinataires": len(destinataires),
                "dues": len(echeances.dues),
                "en_retard": len(echeances.en_retard),
            },
        )
        if not cree or not destinataires:
            return Rappel(envoye=False, destinataires=0, echeances=echeances)
        contexte = {
            "nb_en_retard": len(echeances.en_retard),
            "nb_dues": len(echeances.dues),
            "titulaires": [*echeances.en_retard, *echeances.dues],
        }
        for admin in destinataires:
            message_send(
                gabarit="rappel_declarations",
                destinataire=admin.email,
                utilisateur=admin,
                contexte=contexte,
                cle=f"rappel-declarations:{jour.isoformat()}:{admin.pk}",
            )
    return Rappel(envoye=True, destinataires=len(destinataires), echeances=echeances)
