"""Logs for machines: one JSON object per line, each carrying the id of the
request it belongs to, and one line per request (``certif.requests``: user id,
view, method, status, duration). Messages never hold personal data: objects are
named by their id, the URL path is not logged (it may hold a search or a
verification code), the view's name is."""

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
request_logger = logging.getLogger("certif.requests")

# nginx's $request_id is 32 hex digits; anything else a client sent is replaced.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The attributes of every LogRecord: the rest are the ``extra`` of the call.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request
    id, the call's ``extra`` fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _user_id(request: HttpRequest) -> int | None:
    """The id of the logged-in user, if the request looked at it: reading the
    lazy user here would cost a query on pages that never asked."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", empty)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """Give each request an id (nginx's ``X-Request-ID`` when it sent one, so
    that the proxy's log and ours meet), send it back in ``X-Request-ID``, and
    log one line when the response leaves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = request.resolver_match
            request_logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
