"""``manage.py db_worker``: django-tasks-db's worker, with a heartbeat.

Same options as django-tasks-db's command. The worker records itself before it
takes any task and beats from a thread while it lives; each beat also re-queues
the tasks of workers that died (``certif.workers``). Stopped cleanly (SIGTERM,
Ctrl-C), it removes its record."""

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from certif.workers import Heartbeat, tasks_requeue_orphans, worker_beat


class Command(DbWorkerCommand):
    help = "Run the database task worker, with a heartbeat (dead workers' tasks re-queued)."

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload, the parent process only watches files: the child runs
        # the worker and beats.
        if options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        worker_id = options["worker_id"]
        worker_beat(worker_id=worker_id)
        tasks_requeue_orphans()
        heartbeat = Heartbeat(worker_id=worker_id)
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
