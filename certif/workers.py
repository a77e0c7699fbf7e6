"""Background workers' liveness: a heartbeat per worker process and a lease on
the tasks it runs.

A ``manage.py db_worker`` process (``certif/management/commands/db_worker.py``)
records itself (``worker_beat``) before it takes any task, then beats from a
thread every ``WORKER_HEARTBEAT_SECONDS`` while it lives, a long task included.
A worker not seen for ``WORKER_LEASE_SECONDS`` is dead (killed, machine lost):
``tasks_requeue_orphans``, run by every live worker on each beat, puts the tasks
it was running back in the queue, so that another worker runs them. Every task
of the platform is safe to run again. ``/sante/`` answers 503 while tasks wait
and no worker is alive (``tasks_stalled``)."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from certif.models import Worker

logger = logging.getLogger(__name__)


def _lease() -> timedelta:
    return timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def worker_beat(*, worker_id: str) -> Worker:
    """Record that this worker process is alive now."""
    worker, _created = Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "vu_le": timezone.now(),
            "pid": os.getpid(),
            "hote": socket.gethostname()[:255],
        },
    )
    return worker


def workers_alive() -> QuerySet[Worker]:
    """The workers seen within the lease."""
    return Worker.objects.filter(vu_le__gte=timezone.now() - _lease())


def tasks_waiting() -> QuerySet[DBTaskResult]:
    """Tasks ready to run (not scheduled for later) that no worker took yet."""
    return DBTaskResult.objects.ready()


def tasks_stalled() -> bool:
    """Tasks wait and no worker is alive to run them."""
    return tasks_waiting().exists() and not workers_alive().exists()


def tasks_requeue_orphans() -> int:
    """Put back in the queue the running tasks whose worker is dead (not seen for
    the lease, or never recorded). Locked rows are skipped: a live worker is
    saving them. Returns the number of tasks queued again."""
    alive = set(workers_alive().values_list("worker_id", flat=True))
    requeued = 0
    with transaction.atomic():
        for result in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING
        ):
            last = result.worker_ids[-1] if result.worker_ids else None
            if last in alive:
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning(
                "Task %s (%s) of dead worker %s queued again",
                result.pk,
                result.task_path,
                last,
            )
    # Forget workers gone for a day.
    Worker.objects.filter(vu_le__lt=timezone.now() - timedelta(days=1)).delete()
    return requeued


class Heartbeat(threading.Thread):
    """The worker's heartbeat, in a thread of the worker process: it beats (and
    re-queues the tasks of dead workers) every ``WORKER_HEARTBEAT_SECONDS`` until
    the process ends; a process killed stops beating with it."""

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.wait(settings.WORKER_HEARTBEAT_SECONDS):
                self.beat()
                close_old_connections()
        finally:
            connection.close()

    def beat(self) -> None:
        """One beat: alive now, and the dead workers' tasks queued again. A
        failure (the database away for a moment) is logged; the next beat tries
        again."""
        try:
            worker_beat(worker_id=self.worker_id)
            tasks_requeue_orphans()
        except Exception:
            logger.exception("Heartbeat of worker %s", self.worker_id)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=settings.WORKER_HEARTBEAT_SECONDS + 5)
        Worker.objects.filter(worker_id=self.worker_id).delete()
