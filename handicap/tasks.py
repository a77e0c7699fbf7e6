"""Background work of the handicap app (django-tasks; ``manage.py db_worker``).

Scheduling: the retention purge must run once a day. django-tasks has no
scheduler, so run the command from cron on one machine, for example::

    15 3 * * *  cd /srv/certif && .venv/bin/python manage.py purger_pieces_handicap

or enqueue this task daily (``purger_pieces_handicap_task.enqueue()``) for the
``db_worker``. Both call the same service, ``handicap.services.pieces_purger``.
"""

import logging

from django_tasks import task

from certif.formats import accord
from handicap.services import pieces_purger

logger = logging.getLogger(__name__)


@task()
def purger_pieces_handicap_task() -> int:
    """Delete the supporting documents whose retention has expired; return how
    many were deleted."""
    purgees = pieces_purger()
    logger.info(
        "Purge des pièces justificatives : %s",
        accord(len(purgees), "supprimée", "supprimées"),
    )
    return len(purgees)
