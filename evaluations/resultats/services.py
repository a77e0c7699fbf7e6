"""Writes of the results area: scheduling, cancelling and running the
publication of a session's results, and what it does for each candidate (their
documents and result letter issued, the result e-mail sent once).

A publication is run by background tasks (``tasks.py``): ``publication_claim``
starts it under the row lock (the results become visible then), each enrolment
is one unit (``resultat_publish``), ``publication_progress`` counts each unit
once. Every step is safe to run again: documents are issued only when missing or
changed, the e-mail leaves once per enrolment and publication."""

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certif.messages import PieceJointe, absolute_url, message_send
from certif.models import MessageEnvoye, User
from evaluations.documents.models import Document
from evaluations.documents.selectors import locked_inscription_ids
from evaluations.documents.services import document_issue, inscription_documents_issue
from evaluations.resultats.models import PublicationResultats, ResultatPublie
from evaluations.resultats.selectors import (
    date_limite_recours,
    phrase_decision,
    publication_blocker,
)
from evaluations.resultats.snapshots import lettre_snapshot
from evaluations.sessions.models import Inscription, Session

logger = logging.getLogger(__name__)


def unite_of(inscription_id: int) -> str:
    return f"inscription:{inscription_id}"


@transaction.atomic
def publication_schedule(
    *, session: Session, prevue_le: datetime | None, by: User
) -> PublicationResultats:
    """Schedule the publication of the session's results at ``prevue_le`` (a
    future moment), or now when None. Refused while a deliberation is open or
    the session is not deliberated, for a moment in the past, and once the
    results are published. A scheduled publication may be moved or cancelled
    until it starts; the history keeps who did what, when."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    blocker = publication_blocker(session=session)
    if blocker:
        raise ValidationError(blocker)
    now = timezone.now()
    if prevue_le is None:
        prevue_le = now
    elif prevue_le <= now:
        raise ValidationError(
            {
                "prevue_le": _(
                    "Choisissez une date et une heure à venir (heure de Paris), ou "
                    "publiez maintenant."
                )
            }
        )
    publication = (
        PublicationResultats.objects.select_for_update().filter(session=session).first()
    )
    if publication is None:
        publication = PublicationResultats(session=session)
    elif not publication.modifiable:
        raise ValidationError(_("Les résultats de cette session sont déjà publiés."))
    publication.statut = PublicationResultats.Statut.PROGRAMMEE
    publication.prevue_le = prevue_le
    publication.programmee_par = by
    publication.programmee_le = now
    publication.blocage = ""
    publication._history_user = by
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def publication_cancel(
    *, publication: PublicationResultats, by: User
) -> PublicationResultats:
    """Cancel a scheduled publication that has not started."""
    publication = PublicationResultats.objects.select_for_update().get(
        pk=publication.pk
    )
    if publication.statut != PublicationResultats.Statut.PROGRAMMEE:
        raise ValidationError(
            _("Seule une publication programmée, pas encore lancée, s'annule.")
        )
    publication.statut = PublicationResultats.Statut.ANNULEE
    publication._history_user = by
    publication.full_clean()
    publication.save()
    return publication


@transaction.atomic
def publication_claim(
    *, publication_id: int, now: datetime | None = None
) -> list[int] | None:
    """Start a due publication, or resume one in progress: the enrolments still
    to publish, or None when there is nothing to do (not due, cancelled, done,
    or blocked: a deliberation was re-opened since, recorded in ``blocage``).
    Starting sets ``publiee_le``: from then on the candidates see their
    result."""
    now = now or timezone.now()
    publication = (
        PublicationResultats.objects.select_for_update()
        .select_related("session__referentiel")
        .get(pk=publication_id)
    )
    session = publication.session
    if publication.statut == PublicationResultats.Statut.EN_COURS:
        return [
            pk
            for pk in locked_inscription_ids(session=session)
            if unite_of(pk) not in publication.unites
        ]
    if (
        publication.statut != PublicationResultats.Statut.PROGRAMMEE
        or publication.prevue_le > now
    ):
        return None
    blocker = publication_blocker(session=session)
    if blocker:
        if publication.blocage != blocker:
            publication.blocage = blocker
            publication._history_user = None
            publication.save(update_fields=["blocage", "modifiee_le"])
        return None
    inscription_ids = locked_inscription_ids(session=session)
    publication.statut = PublicationResultats.Statut.EN_COURS
    publication.publiee_le = now
    publication.blocage = ""
    publication.total = len(inscription_ids)
    publication.faits = 0
    publication.echecs = []
    publication.unites = []
    if not inscription_ids:
        publication.statut = PublicationResultats.Statut.PUBLIEE
        publication.terminee_le = now
    publication._history_user = None  # the platform, at the chosen time
    publication.full_clean()
    publication.save()
    return inscription_ids


def resultat_publish(*, publication_id: int, inscription_id: int) -> ResultatPublie:
    """Publish one enrolment's result: issue its documents (relevé, parchemin or
    attestation) and its result letter when missing or changed, then send the
    result e-mail with the letter, once."""
    publication = PublicationResultats.objects.select_related("programmee_par").get(
        pk=publication_id
    )
    by = publication.programmee_par
    inscription_documents_issue(inscription_id=inscription_id, by=by, notify=False)
    inscription = Inscription.objects.only("session_id").get(pk=inscription_id)
    document_issue(
        nature=Document.Nature.LETTRE,
        session_id=inscription.session_id,
        inscription_id=inscription_id,
        snapshot=lettre_snapshot(inscription_id=inscription_id),
        by=by,
    )
    lettre = (
        Document.objects.filter(
            nature=Document.Nature.LETTRE,
            inscription_id=inscription_id,
            statut=Document.Statut.VALIDE,
        )
        .order_by("-version")
        .first()
    )
    return _resultat_notify(
        publication=publication, inscription_id=inscription_id, lettre=lettre
    )


@transaction.atomic
def _resultat_notify(
    *,
    publication: PublicationResultats,
    inscription_id: int,
    lettre: Document | None,
) -> ResultatPublie:
    ResultatPublie.objects.bulk_create(
        [ResultatPublie(publication=publication, inscription_id=inscription_id)],
        ignore_conflicts=True,
    )
    resultat = ResultatPublie.objects.select_for_update().get(
        publication=publication, inscription_id=inscription_id
    )
    resultat.lettre = lettre
    if resultat.courriel_le is None:
        courriel_resultat_send(
            publication=publication, inscription_id=inscription_id, lettre=lettre
        )
        resultat.courriel_le = timezone.now()
    resultat.full_clean()
    resultat.save()
    return resultat


def courriel_resultat_contexte(*, inscription: Inscription) -> dict[str, Any]:
    """What the result e-mail says (templates ``emails/resultat/``)."""
    lettre = lettre_snapshot(inscription_id=inscription.pk)
    return {
        "prenom": inscription.candidat.prenom1,
        "session": inscription.session.nom,
        "certification": inscription.session.referentiel.certification.intitule,
        "phrase": phrase_decision(lettre.releve),
        "date_limite_recours": date_limite_recours(inscription),
        "recours": lettre.certificateur.recours,
        "url": absolute_url(
            reverse("evaluations:resultat", kwargs={"pk": inscription.pk})
        ),
    }


def courriel_resultat_send(
    *,
    publication: PublicationResultats,
    inscription_id: int,
    lettre: Document | None,
) -> MessageEnvoye | None:
    """The result e-mail of one enrolment, with its letter, through the shared
    sender: recorded on the candidate's messages, sent after commit, never twice
    for the same enrolment and publication (its key)."""
    inscription = Inscription.objects.select_related(
        "candidat__user",
        "session__referentiel__certification",
        "session__publication_resultats",
    ).get(pk=inscription_id)
    pieces: list[PieceJointe] = []
    if lettre is not None:
        with lettre.fichier.open("rb") as handle:
            pieces.append((lettre.nom_fichier, handle.read(), "application/pdf"))
    return message_send(
        gabarit="resultat",
        destinataire=inscription.candidat.user.email,
        contexte=courriel_resultat_contexte(inscription=inscription),
        utilisateur=inscription.candidat.user,
        cle=f"resultat:{inscription.pk}:{publication.pk}",
        pieces_jointes=pieces,
    )


@transaction.atomic
def publication_progress(
    *, publication_id: int, unite: str, echec: dict[str, Any] | None
) -> PublicationResultats:
    """Count one unit (published, or failed with its reason), once; the unit
    that completes the run closes it. Only the closing is kept in the history
    (a row per candidate would drown who scheduled and when)."""
    publication = PublicationResultats.objects.select_for_update().get(
        pk=publication_id
    )
    if unite in publication.unites or not publication.en_cours:
        return publication
    publication.unites = [*publication.unites, unite]
    if echec is None:
        publication.faits += 1
    else:
        publication.echecs = [*publication.echecs, echec]
    if publication.traites < publication.total:
        PublicationResultats.objects.filter(pk=publication.pk).update(
            unites=publication.unites,
            faits=publication.faits,
            echecs=publication.echecs,
            modifiee_le=timezone.now(),
        )
        return publication
    publication.statut = (
        PublicationResultats.Statut.PUBLIEE_AVEC_ECHECS
        if publication.echecs
        else PublicationResultats.Statut.PUBLIEE
    )
    publication.terminee_le = timezone.now()
    publication._history_user = None
    publication.save()
    return publication


def publication_unit_failure(*, inscription_id: int, motif: str) -> dict[str, Any]:
    inscription = (
        Inscription.objects.select_related("candidat").filter(pk=inscription_id).first()
    )
    return {
        "inscription_id": inscription_id,
        "candidat": inscription.candidat.nom_complet if inscription else "?",
        "motif": motif,
    }


@transaction.atomic
def publication_resume(*, publication: PublicationResultats, by: User) -> list[int]:
    """Run again the units that failed (their cause corrected): returns their
    enrolments. What succeeded is not redone; no e-mail leaves twice."""
    publication = PublicationResultats.objects.select_for_update().get(
        pk=publication.pk
    )
    if publication.statut != PublicationResultats.Statut.PUBLIEE_AVEC_ECHECS:
        raise ValidationError(_("Aucun échec à reprendre pour cette publication."))
    ids = [int(echec["inscription_id"]) for echec in publication.echecs]
    reprises = {unite_of(pk) for pk in ids}
    publication.unites = [u for u in publication.unites if u not in reprises]
    publication.echecs = []
    publication.statut = PublicationResultats.Statut.EN_COURS
    publication.terminee_le = None
    publication._history_user = by
    publication.full_clean()
    publication.save()
    return ids
