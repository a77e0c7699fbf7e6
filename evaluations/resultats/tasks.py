"""Background work of the results area (django-tasks; ``manage.py db_worker``).

``publier`` starts a due publication (or resumes one) and fans out one
``publier_inscription`` per enrolment, so that any number of workers share the
work; each unit records its outcome (``publication_progress``). A publication
scheduled for later is enqueued to run at that moment when the task backend
defers tasks (``run_after``); in any case the command ``publier_resultats``,
run by a timer, enqueues every publication that is due. Every task is safe to
run twice: a publication starts once (row lock), a document is issued only when
missing or changed, the result e-mail leaves once."""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from certif.models import User
from evaluations.documents.snapshots import DocumentsIndisponiblesError
from evaluations.resultats.models import PublicationResultats
from evaluations.resultats.services import (
    publication_claim,
    publication_progress,
    publication_resume,
    publication_schedule,
    publication_unit_failure,
    resultat_publish,
    unite_of,
)
from evaluations.sessions.models import Session

logger = logging.getLogger(__name__)


def _motif(exc: Exception) -> str:
    if isinstance(exc, DocumentsIndisponiblesError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Erreur lors de la publication : %(erreur)s") % {
        "erreur": str(exc) or exc.__class__.__name__
    }


@task()
def publier_inscription(publication_id: int, inscription_id: int) -> None:
    try:
        resultat_publish(publication_id=publication_id, inscription_id=inscription_id)
    except Exception as exc:
        logger.exception(
            "Publication %s : inscription %s", publication_id, inscription_id
        )
        publication_progress(
            publication_id=publication_id,
            unite=unite_of(inscription_id),
            echec=publication_unit_failure(
                inscription_id=inscription_id, motif=_motif(exc)
            ),
        )
        return
    publication_progress(
        publication_id=publication_id, unite=unite_of(inscription_id), echec=None
    )


@task()
def publier(publication_id: int) -> None:
    """Start the publication if it is due (nothing otherwise: moved, cancelled,
    already done), then one task per enrolment still to publish."""
    inscription_ids = publication_claim(publication_id=publication_id)
    for inscription_id in inscription_ids or ():
        publier_inscription.enqueue(publication_id, inscription_id)


def _enqueue(publication: PublicationResultats) -> None:
    if publication.prevue_le <= timezone.now():
        publier.enqueue(publication.pk)
    elif publier.get_backend().supports_defer:
        publier.using(run_after=publication.prevue_le).enqueue(publication.pk)
    # Otherwise the command publier_resultats starts it when it is due.


def publication_launch(
    *, session: Session, prevue_le: datetime | None, by: User
) -> PublicationResultats:
    """Schedule the publication (now when ``prevue_le`` is None) and enqueue its
    task for that moment. With the immediate backend (tests) a publication « now »
    runs here, inline."""
    publication = publication_schedule(session=session, prevue_le=prevue_le, by=by)
    _enqueue(publication)
    publication.refresh_from_db()
    return publication


def publication_resume_launch(
    *, publication: PublicationResultats, by: User
) -> PublicationResultats:
    """Run again the failed units of a publication."""
    for inscription_id in publication_resume(publication=publication, by=by):
        publier_inscription.enqueue(publication.pk, inscription_id)
    publication.refresh_from_db()
    return publication


# A publication in progress whose count has not moved for this long lost a unit
# (its task was never run): the command enqueues what remains. A livelier one is
# left to its workers (enqueuing its units again would only duplicate work).
PUBLICATION_STALE_AFTER = timedelta(minutes=10)


def publications_dues(*, now: datetime | None = None) -> list[int]:
    """The publications to start or resume now: scheduled and due, or in progress
    without progress for ``PUBLICATION_STALE_AFTER``."""
    now = now or timezone.now()
    return list(
        PublicationResultats.objects.filter(
            Q(statut=PublicationResultats.Statut.PROGRAMMEE, prevue_le__lte=now)
            | Q(
                statut=PublicationResultats.Statut.EN_COURS,
                modifiee_le__lt=now - PUBLICATION_STALE_AFTER,
            )
        )
        .order_by("prevue_le", "pk")
        .values_list("pk", flat=True)
    )


def publications_enqueue_dues() -> list[int]:
    """Enqueue every publication due (the command ``publier_resultats``)."""
    dues = publications_dues()
    for publication_id in dues:
        publier.enqueue(publication_id)
    return dues
