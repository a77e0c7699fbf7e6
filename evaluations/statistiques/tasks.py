"""Background work of the statistics area (django-tasks; ``manage.py db_worker``):
the exports that may take longer than a request (results, the jury's scores, the
yearly report). ``export_run`` is safe to run twice."""

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from certif.models import User
from evaluations.statistiques.models import Export
from evaluations.statistiques.selectors import Filtre
from evaluations.statistiques.services import export_create, export_fail, export_run

logger = logging.getLogger(__name__)


@task()
def exporter(export_id: int) -> None:
    try:
        export_run(export_id=export_id)
    except Exception as exc:
        logger.exception("Export %s", export_id)
        export_fail(
            export_id=export_id,
            message=_("L'export a échoué : %(erreur)s")
            % {"erreur": str(exc) or exc.__class__.__name__},
        )


def export_launch(*, nature: str, filtre: Filtre, by: User) -> Export:
    """Record the export and enqueue its task (inline with the immediate backend
    of the tests)."""
    export = export_create(nature=nature, filtre=filtre, by=by)
    exporter.enqueue(export.pk)
    export.refresh_from_db()
    return export
