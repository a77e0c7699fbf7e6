"""Background work of the deliverables area (django-tasks; ``manage.py
db_worker``): the receipt e-mail of each accepted deposit, with its PDF.

The deposit view enqueues one task per stored file once its transaction has
committed, so that neither the PDF nor the mail server stands between the
candidate and the answer to the upload. A task run twice (a worker that died
mid-task has its task queued again, ``certif.workers``) sends nothing more: the
message is keyed by the deposit (``recu_send``)."""

from collections.abc import Sequence

from django.db import transaction
from django_tasks import task

from evaluations.livrables.models import Livrable
from evaluations.livrables.services import recu_send


@task()
def envoyer_recu(livrable_id: int) -> None:
    recu_send(livrable_id=livrable_id)


def recus_launch(*, livrables: Sequence[Livrable]) -> None:
    """Enqueue the receipt e-mail of each deposit, after the commit (inline with
    the immediate backend of the tests)."""
    ids = [livrable.pk for livrable in livrables]

    def enqueue() -> None:
        for pk in ids:
            envoyer_recu.enqueue(pk)

    transaction.on_commit(enqueue)
