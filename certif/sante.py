"""What ``/sante/`` reports to load balancers and monitoring: the database, the
private storage and the task queue. The page answers 503 when the platform
cannot do its work: the database or the storage does not answer, or tasks have
waited longer than ``SANTE_ATTENTE_MAX_SECONDS`` with no worker alive."""

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.utils import timezone

from certif.workers import queue_state

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health: database")
        return False
    return True


def _storage_ok() -> bool:
    """Write, read back and delete a small file: a full disk, a read-only mount
    or an unreachable bucket all fail here."""
    try:
        name = default_storage.save(f"sante/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        try:
            with default_storage.open(name, "rb") as handle:
                ok = handle.read() == b"ok"
        finally:
            default_storage.delete(name)
    except Exception:
        logger.exception("Health: storage")
        return False
    return ok


def sante_base_report() -> tuple[int, dict[str, Any]]:
    """``/sante/base/``: the database alone (one ``SELECT 1``), a fast probe for
    a load balancer checking often, and the bare view the benchmarks compare
    every page to."""
    if not _database_ok():
        return 503, {"status": "error", "database": "error"}
    return 200, {"status": "ok", "database": "ok"}


def sante_report() -> tuple[int, dict[str, Any]]:
    """The HTTP status and the JSON body of ``/sante/``."""
    if not _database_ok():
        return 503, {"status": "error", "database": "error"}
    storage = _storage_ok()
    state = queue_state()
    stalled = state.stalled(after_seconds=settings.SANTE_ATTENTE_MAX_SECONDS)
    body: dict[str, Any] = {
        "status": "ok" if storage and not stalled else "error",
        "database": "ok",
        "storage": "ok" if storage else "error",
        "workers": "none alive" if stalled else "ok",
        "queue": {
            "queued": state.queued,
            "oldest_wait_seconds": (
                None
                if state.oldest_wait_seconds is None
                else round(state.oldest_wait_seconds, 1)
            ),
            "last_finished_at": (
                None
                if state.last_finished_at is None
                else timezone.localtime(state.last_finished_at).isoformat()
            ),
            "workers_alive": state.workers_alive,
        },
    }
    return (200 if body["status"] == "ok" else 503), body
