"""Background work of the documents area (django-tasks; ``manage.py db_worker``).

Issuing a session's documents is split into one task per deliberated enrolment
plus one for the PV, so that any number of workers share the work. Each task
records its outcome on the ``EmissionSession``; the task that completes the run
enqueues the ZIP archive. A unit's failure is recorded with its reason and never
stops the others; running the emission again issues only what is missing or
changed. Every task is safe to run again (a worker that died mid-task has its
task queued again, ``certif.workers``): a document is issued only if missing or
changed, a unit is counted once (``emission_progress``), the archive is built
once."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from certif.models import User
from evaluations.documents.models import EmissionSession
from evaluations.documents.services import (
    emission_archive_build,
    emission_progress,
    emission_start,
    emission_unit_failure,
    inscription_documents_issue,
    pv_issue,
)
from evaluations.documents.snapshots import DocumentsIndisponiblesError
from evaluations.sessions.models import Session

logger = logging.getLogger(__name__)


def _motif(exc: Exception) -> str:
    if isinstance(exc, DocumentsIndisponiblesError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Erreur lors de la production du document : %(erreur)s") % {
        "erreur": str(exc) or exc.__class__.__name__
    }


def _finish_unit(emission_id: int, unite: str, echec: dict[str, object] | None) -> None:
    if emission_progress(emission_id=emission_id, unite=unite, echec=echec):
        emettre_archive.enqueue(emission_id)


@task()
def emettre_inscription(emission_id: int, inscription_id: int) -> None:
    emission = EmissionSession.objects.select_related("lancee_par").get(pk=emission_id)
    try:
        inscription_documents_issue(
            inscription_id=inscription_id, by=emission.lancee_par, emission=emission
        )
    except Exception as exc:
        logger.exception("Émission %s : inscription %s", emission_id, inscription_id)
        _finish_unit(
            emission_id,
            f"inscription:{inscription_id}",
            emission_unit_failure(inscription_id=inscription_id, motif=_motif(exc)),
        )
        return
    _finish_unit(emission_id, f"inscription:{inscription_id}", None)


@task()
def emettre_pv(emission_id: int) -> None:
    emission = EmissionSession.objects.select_related("lancee_par").get(pk=emission_id)
    try:
        pv_issue(
            session_id=emission.session_id, by=emission.lancee_par, emission=emission
        )
    except Exception as exc:
        logger.exception("Émission %s : procès-verbal", emission_id)
        _finish_unit(
            emission_id,
            "pv",
            emission_unit_failure(inscription_id=None, motif=_motif(exc)),
        )
        return
    _finish_unit(emission_id, "pv", None)


@task()
def emettre_archive(emission_id: int) -> None:
    emission_archive_build(emission_id=emission_id)


@task()
def emettre_session(emission_id: int, inscription_ids: list[int]) -> None:
    """Fan out: one task per enrolment, then the PV. Enqueued by the request as a
    single task, so that the request does not insert hundreds of task rows."""
    for inscription_id in inscription_ids:
        emettre_inscription.enqueue(emission_id, inscription_id)
    emettre_pv.enqueue(emission_id)


def emission_launch(*, session: Session, by: User) -> EmissionSession:
    """Open an emission run and enqueue its work. With the immediate backend
    (tests) every task runs here, inline."""
    emission, inscription_ids = emission_start(session=session, by=by)
    emettre_session.enqueue(emission.pk, inscription_ids)
    emission.refresh_from_db()
    return emission
