"""Workers' heartbeat and lease: the running tasks of a dead worker are queued
again; a live worker's are left alone."""

from datetime import timedelta
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from certif.models import Worker
from certif.workers import (
    Heartbeat,
    tasks_requeue_orphans,
    tasks_stalled,
    worker_beat,
)


def running(worker_id: str | None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        started_at=timezone.now(),
        worker_ids=[worker_id] if worker_id else [],
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="evaluations.documents.tasks.emettre_pv",
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),
    )


@override_settings(WORKER_LEASE_SECONDS=30)
class RequeueTests(TestCase):
    def test_dead_workers_tasks_are_queued_again(self) -> None:
        worker_beat(worker_id="vivant")
        Worker.objects.create(
            worker_id="mort",
            hote="h",
            pid=2,
            vu_le=timezone.now() - timedelta(seconds=31),
        )
        du_vivant = running("vivant")
        du_mort = running("mort")
        inconnu = running("jamais-vu")
        self.assertEqual(tasks_requeue_orphans(), 2)
        self.assertEqual(
            {
                r.pk: (r.status, r.started_at)
                for r in DBTaskResult.objects.order_by("pk")
            },
            {
                du_vivant.pk: ("RUNNING", du_vivant.started_at),
                du_mort.pk: ("READY", None),
                inconnu.pk: ("READY", None),
            },
        )
        # Ready again: a worker takes them; the history of workers is kept.
        self.assertEqual(
            sorted(DBTaskResult.objects.ready().values_list("worker_ids", flat=True)),
            [["jamais-vu"], ["mort"]],
        )
        # Run again: nothing more to do.
        self.assertEqual(tasks_requeue_orphans(), 0)

    def test_workers_gone_for_a_day_are_forgotten(self) -> None:
        Worker.objects.create(
            worker_id="ancien",
            hote="h",
            pid=3,
            vu_le=timezone.now() - timedelta(days=2),
        )
        worker_beat(worker_id="vivant")
        tasks_requeue_orphans()
        self.assertEqual(
            list(Worker.objects.values_list("worker_id", flat=True)), ["vivant"]
        )

    def test_stalled_only_when_tasks_wait_and_no_worker_lives(self) -> None:
        self.assertIs(tasks_stalled(), False)
        running("mort")
        self.assertIs(tasks_stalled(), False)  # running, not waiting
        tasks_requeue_orphans()
        self.assertIs(tasks_stalled(), True)
        worker_beat(worker_id="vivant")
        self.assertIs(tasks_stalled(), False)


class HeartbeatTests(TestCase):
    def test_a_beat_records_the_worker_and_requeues_the_dead(self) -> None:
        orphan = running("mort")
        Heartbeat(worker_id="vivant").beat()
        self.assertEqual(
            list(Worker.objects.values_list("worker_id", flat=True)), ["vivant"]
        )
        orphan.refresh_from_db()
        self.assertEqual(orphan.status, "READY")

    def test_a_failed_beat_is_logged_not_raised(self) -> None:
        with (
            mock.patch(
                "certif.workers.worker_beat", side_effect=DatabaseError("absente")
            ),
            self.assertLogs("certif.workers", "ERROR") as logs,
        ):
            Heartbeat(worker_id="w").beat()
        self.assertEqual(len(logs.records), 1)


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    WORKER_HEARTBEAT_SECONDS=1,
)
class CommandTests(TransactionTestCase):
    def test_db_worker_beats_runs_and_leaves(self) -> None:
        """The project's ``db_worker`` (batch mode: it stops when the queue is
        empty): recorded while it runs, the dead worker's task re-queued and run,
        its record removed at the end."""
        orphan = running("mort")
        orphan.task_path = "evaluations.sessions.tasks.invitations_envoyer"
        orphan.args_kwargs = {"args": [[]], "kwargs": {}}
        orphan.save()
        seen: list[list[str]] = []
        original = worker_beat

        def spy(*, worker_id: str) -> Worker:
            seen.append([worker_id])
            return original(worker_id=worker_id)

        with mock.patch("certif.management.commands.db_worker.worker_beat", spy):
            call_command(
                "db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0
            )
        self.assertEqual(len(seen), 1)
        orphan.refresh_from_db()
        self.assertEqual(orphan.status, "SUCCESSFUL")
        self.assertEqual(orphan.worker_ids, ["mort", seen[0][0]])
        self.assertEqual(Worker.objects.count(), 0)
