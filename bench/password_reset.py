"""Password reset: the answer for a known address against an unknown one, beside
a bare view, and beside Django's stock reset view that sends the e-mail in the
request (what the platform did before; never run by the test suite).

    .venv/bin/python bench/password_reset.py [--requests 40] [--smtp-ms 100]

On a throw-away SQLite database (a temporary directory, migrated), in-process
with Django's test client and the real middleware, with an e-mail backend that
waits ``--smtp-ms`` per message like a slow SMTP relay. The platform's view
queues the e-mail (django-tasks, database backend; no worker runs here, so no
e-mail leaves); the stock view sends it during the request. Prints p50/p95/max in
milliseconds of R requests per line (interleaved, after 5 warm-up rounds) for: a bare view
(``HttpResponse("ok")``), the platform's reset for a known and an unknown
address, the stock reset for a known and an unknown address.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# In memory (tmpfs) when the machine has one: the disk's flushes, shared with
# whatever else runs, would be what gets measured.
VAR = tempfile.mkdtemp(
    prefix="certif-bench-reset-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None
)
os.environ.update(
    {
        "CERTIF_VAR_DIR": VAR,
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "bench.password_reset.SlowSmtpBackend",
        # The limits are tested elsewhere: here every request must do the work.
        "PASSWORD_RESET_PAR_ADRESSE": "1000000",
        "PASSWORD_RESET_PAR_CLIENT": "1000000",
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
    }
)
os.environ.pop("DATABASE_URL", None)

SMTP_SECONDS = 0.1
KNOWN = "connue@bench.localhost"
UNKNOWN = "inconnue@bench.localhost"

# This module is the URLconf of the measure (filled once Django is set up).
urlpatterns: list["URLPattern | URLResolver"] = []


class SlowSmtpBackend:
    """Keeps nothing, waits like a relay that takes SMTP_SECONDS per message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        for _message in messages:
            time.sleep(SMTP_SECONDS)
        return len(messages)


def bare_view(request: "HttpRequest") -> "HttpResponse":
    from django.http import HttpResponse

    return HttpResponse("ok")


def once(client: Any, path: str, data: dict[str, str] | None) -> float:
    start = time.perf_counter()
    response = client.post(path, data) if data is not None else client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in {200, 302}, (path, response.status_code)
    return elapsed


def main() -> None:
    global SMTP_SECONDS
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--smtp-ms", type=float, default=100)
    args = parser.parse_args()
    SMTP_SECONDS = args.smtp_ms / 1000

    import django

    django.setup()
    from django.contrib.auth import views as auth_views
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    from certif.services import user_ensure

    call_command("migrate", verbosity=0)
    user_ensure(
        email=KNOWN, first_name="Bench", last_name="Connue", roles=[], password="x" * 12
    )
    urlpatterns[:] = [
        path("bare/", bare_view),
        path(
            "stock/",
            auth_views.PasswordResetView.as_view(success_url="/bare/"),
        ),
        path("", include("certif.urls")),
    ]
    client = Client()
    rows = [
        ("vue nue", "/bare/", None),
        ("plateforme, adresse inconnue", "/mot-de-passe/oubli/", {"email": UNKNOWN}),
        ("plateforme, adresse connue", "/mot-de-passe/oubli/", {"email": KNOWN}),
        ("Django d'origine, adresse connue", "/stock/", {"email": KNOWN}),
        ("Django d'origine, adresse inconnue", "/stock/", {"email": UNKNOWN}),
    ]
    print(f"{args.requests} requêtes par ligne, relais SMTP simulé {args.smtp_ms:g} ms")
    print(f"{'':38} {'p50':>8} {'p95':>8} {'max':>8}  (ms)")
    times: dict[str, list[float]] = {label: [] for label, _url, _data in rows}
    with override_settings(ROOT_URLCONF=__name__):
        # Interleaved (one request of each line per round), so that every line
        # meets the same conditions of the machine; 5 rounds of warm-up.
        for round_ in range(5 + args.requests):
            for label, url, data in rows:
                elapsed = once(client, url, data)
                if round_ >= 5:
                    times[label].append(elapsed)
        for label, _url, _data in rows:
            measured = sorted(times[label])
            p95 = measured[max(0, int(len(measured) * 0.95) - 1)]
            print(
                f"{label:38} {statistics.median(measured):8.1f} {p95:8.1f} "
                f"{measured[-1]:8.1f}"
            )


if __name__ == "__main__":
    sys.modules.setdefault("bench.password_reset", sys.modules[__name__])
    try:
        main()
    finally:
        shutil.rmtree(VAR, ignore_errors=True)
