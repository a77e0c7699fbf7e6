"""Background work of the declarations area (django-tasks; ``manage.py
db_worker``): building a batch's XML file. Safe to run twice: a finished batch
is left as it is."""

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from certif.models import User
from evaluations.declarations.models import LotCDC
from evaluations.declarations.services import lot_build, lot_fail, lot_start
from referentiel.models import Certification

logger = logging.getLogger(__name__)


@task()
def construire_lot(lot_id: int) -> None:
    try:
        lot_build(lot_id=lot_id)
    except Exception as exc:
        logger.exception("Lot CDC %s", lot_id)
        lot_fail(
            lot_id=lot_id,
            erreur=_("Erreur pendant la construction du lot : %(e)s")
            % {"e": str(exc) or exc.__class__.__name__},
        )


def lot_launch(
    *,
    certification: Certification,
    by: User,
    mode: str,
    inscription_ids: list[int] | None = None,
) -> LotCDC:
    """Open the batch and enqueue its building. With the immediate backend
    (tests) the task runs here, inline."""
    lot = lot_start(
        certification=certification, by=by, mode=mode, inscription_ids=inscription_ids
    )
    construire_lot.enqueue(lot.pk)
    lot.refresh_from_db()
    return lot
