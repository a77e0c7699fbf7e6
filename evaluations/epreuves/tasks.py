"""Background work of the live épreuves (django-tasks; ``manage.py db_worker``):
the timetable generator, the sending of convocations and of the jury members'
schedules. All are safe to run twice: the generator places only what is
missing, a convocation is issued once per version of its sitting
(``convocation_issue`` checks under the row lock), a member's schedule is sent
once per version of it (``plannings_jury``: the message's unique key)."""

import logging

from django.db import transaction
from django_tasks import task

from certif.models import User
from evaluations.epreuves.convocations import (
    convocation_issue,
    convocations_a_envoyer,
    convocations_progress,
    planning_publish,
)
from evaluations.epreuves.generation import (
    ParametresGeneration,
    generation_failed,
    generation_request,
    generation_run,
)
from evaluations.epreuves.models import Planning
from evaluations.epreuves.plannings_jury import plannings_jury_envoyer
from evaluations.sessions.models import Session

logger = logging.getLogger(__name__)


@task()
def generer(planning_id: int, user_id: int) -> None:
    try:
        planning = generation_run(
            planning_id=planning_id, by=User.objects.get(pk=user_id)
        )
    except Exception:
        logger.exception("Génération du planning %s", planning_id)
        generation_failed(planning_id=planning_id)
        raise
    # Sittings added to a published timetable (a new enrolment, a new sitting
    # after a justified absence) are convoked at once.
    if planning.est_publie:
        envoyer_convocations.enqueue(planning.pk)
        envoyer_plannings_jury.enqueue(planning.pk)


@task()
def envoyer_plannings_jury(planning_id: int) -> None:
    """Each jury member of a published timetable gets the version of their
    schedule they have not received yet (PDF, ``.ics``, private feed)."""
    plannings_jury_envoyer(
        planning=Planning.objects.select_related("session").get(pk=planning_id)
    )


@task()
def envoyer_convocations(planning_id: int) -> None:
    planning = Planning.objects.get(pk=planning_id)
    if not planning.est_publie:
        return
    ids = convocations_a_envoyer(planning=planning)
    convocations_progress(planning_id=planning_id, total=len(ids), faits=0)
    for done, passage_id in enumerate(ids, start=1):
        try:
            convocation_issue(passage_id=passage_id)
        except Exception:
            logger.exception("Convocation du passage %s", passage_id)
        convocations_progress(planning_id=planning_id, total=len(ids), faits=done)


def generation_launch(
    *, session: Session, parametres: ParametresGeneration, by: User
) -> Planning:
    """Record the request and queue the generator once the request is committed
    (with the immediate backend of the tests it runs here)."""
    planning = generation_request(session=session, parametres=parametres, by=by)
    transaction.on_commit(lambda: generer.enqueue(planning.pk, by.pk))
    return planning


def _envois_enqueue(planning_id: int) -> None:
    envoyer_convocations.enqueue(planning_id)
    envoyer_plannings_jury.enqueue(planning_id)


def publish_launch(*, session: Session, by: User) -> Planning:
    """Publish, then send the convocations and the jury members' schedules."""
    planning = planning_publish(session=session, by=by)
    transaction.on_commit(lambda: _envois_enqueue(planning.pk))
    return planning


def convocations_launch(*, planning: Planning) -> None:
    """Send what a change left pending: a moved sitting's « convocation
    modifiée », and their new schedule to the members whose sittings changed."""
    if planning.est_publie:
        transaction.on_commit(lambda: _envois_enqueue(planning.pk))
