"""A worker killed in the middle of a session's emission (``kill -9``, real
``manage.py db_worker`` processes on PostgreSQL): its task stays « running » until
its lease expires, then a live worker queues it again and the batch completes,
each document issued exactly once."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from evaluations.documents.models import Document, EmissionSession
from evaluations.documents.tasks import emission_launch
from tests.evaluations.factories_documents import make_scenario

DB_TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
        "SECRET_KEY": "test-only-secret-key",
        "DATABASE_URL": url,
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_LEASE_SECONDS": "3",
        # What the test settings say about issuing (an https address, the
        # specimen certifier allowed), for the workers' own settings.
        "SITE_URL": settings.SITE_URL,
        "CERTIFICATEUR_SPECIMEN_AUTORISE": "true",
    }


@skipUnless(connection.vendor == "postgresql", "needs real worker processes")
@override_settings(TASKS=DB_TASKS, WORKER_LEASE_SECONDS=3)
class WorkerKilledTests(TransactionTestCase):
    def start_worker(self, log: Path) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own manage.py
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "db_worker",
                    "--interval",
                    "0.1",
                    "--no-startup-delay",
                    "--no-reload",
                ],
                cwd=settings.BASE_DIR,
                env=_worker_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.addCleanup(self.stop, process)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)

    def wait_for(self, condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
            time.sleep(0.1)

    def test_batch_completes_with_each_document_once(self) -> None:
        sc = make_scenario()
        log = Path(tempfile.mkdtemp(prefix="certif-worker-")) / "worker.log"
        first = self.start_worker(log)
        emission = emission_launch(session=sc.session, by=sc.admin)
        self.assertEqual(emission.total, 5)

        def unit_running_after_one_done() -> bool:
            emission.refresh_from_db()
            return (
                emission.traites >= 1
                and DBTaskResult.objects.filter(
                    status="RUNNING",
                    task_path="evaluations.documents.tasks.emettre_inscription",
                ).exists()
            )

        self.wait_for(unit_running_after_one_done, 120, "a unit in progress")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        (killed,) = DBTaskResult.objects.filter(status="RUNNING")
        emission.refresh_from_db()
        self.assertLess(emission.traites, emission.total)
        self.assertEqual(emission.statut, "en_cours")

        self.start_worker(log)

        def finished() -> bool:
            emission.refresh_from_db()
            return emission.statut in {"terminee", "echecs"}

        self.wait_for(finished, 180, "the emission to finish: " + log.read_text())
        self.assertEqual(
            (emission.statut, emission.faits, emission.echecs),
            ("terminee", 5, []),
        )
        self.assertTrue(emission.archive.name)
        self.assertEqual(
            sorted(emission.unites),
            sorted([f"inscription:{i.pk}" for i in sc.inscriptions] + ["pv"]),
        )
        # Each document exactly once: version 1 of each nature per enrolment,
        # one PV.
        self.assertEqual(
            list(
                Document.objects.values("inscription_id", "nature")
                .annotate(n=Count("pk"))
                .filter(n__gt=1)
            ),
            [],
        )
        self.assertEqual(set(Document.objects.values_list("version", flat=True)), {1})
        self.assertEqual(Document.objects.filter(nature="pv").count(), 1)
        self.assertEqual(
            Document.objects.count(),
            EmissionSession.objects.get(pk=emission.pk).documents.count(),
        )
        # The killed task was queued again and run by the second worker.
        killed.refresh_from_db()
        self.assertEqual(killed.status, "SUCCESSFUL")
        self.assertEqual(len(killed.worker_ids), 2)
        self.assertEqual(DBTaskResult.objects.exclude(status="SUCCESSFUL").count(), 0)
