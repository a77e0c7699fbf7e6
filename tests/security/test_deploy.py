"""Production settings: ``check --deploy`` is clean and the transport protections
are on. Runs ``manage.py`` in a subprocess with the environment documented in the
README ("Production"), so that nothing of the test settings leaks in."""

import json
import secrets
import subprocess
import sys
import tempfile

from django.conf import settings
from django.test import SimpleTestCase


def production_env(var_dir: str) -> dict[str, str]:
    """The environment of README § Production (values of the example host)."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": var_dir,
        "DJANGO_SETTINGS_MODULE": "certif.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "certif.example.fr",
        "CSRF_TRUSTED_ORIGINS": "https://certif.example.fr",
        "SITE_URL": "https://certif.example.fr",
        "SECURE_HSTS_PRELOAD": "true",
        "BEHIND_PROXY": "true",
        "DATABASE_URL": "postgres://certif@db.example.fr:5432/certif",
        "CERTIF_VAR_DIR": var_dir,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.fr",
        "DEFAULT_FROM_EMAIL": "certif <noreply@certif.example.fr>",
    }


# Prints what a browser would get from the production settings, without a database:
# the login page over plain HTTP (redirected) and over HTTPS (through the proxy).
PROBE = r"""
import json
import re
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client

# Production serves hashed static names from the manifest collectstatic writes.
call_command("collectstatic", interactive=False, verbosity=0)

client = Client()
plain = client.get("/connexion/", HTTP_HOST="certif.example.fr")
secure = client.get(
    "/connexion/", HTTP_HOST="certif.example.fr", HTTP_X_FORWARDED_PROTO="https"
)
csrf = secure.cookies["csrftoken"]
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain["Location"],
    "secure_status": secure.status_code,
    "hsts": secure["Strict-Transport-Security"],
    "csrf_cookie_secure": bool(csrf["secure"]),
    "csrf_cookie_samesite": csrf["samesite"],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "debug": settings.DEBUG,
    "nosniff": secure["X-Content-Type-Options"],
    "referrer": secure["Referrer-Policy"],
    "hashed_css": bool(
        re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', secure.content.decode())
    ),
}))
"""


class ProductionSettingsTests(SimpleTestCase):
    def run_python(self, *args: str) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="certif-prod-") as var_dir:
            return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
                [sys.executable, *args],
                cwd=settings.BASE_DIR,
                env=production_env(var_dir),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

    def test_check_deploy_is_clean(self) -> None:
        result = self.run_python(
            "manage.py", "check", "--deploy", "--fail-level", "DEBUG"
        )
        self.assertEqual(result.stderr, "")
        self.assertEqual(
            result.stdout, "System check identified no issues (0 silenced).\n"
        )
        self.assertEqual(result.returncode, 0)

    def test_transport_protections(self) -> None:
        result = self.run_python("-c", PROBE)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            json.loads(result.stdout),
            {
                "plain_status": 301,
                "plain_location": "https://certif.example.fr/connexion/",
                "secure_status": 200,
                "hsts": "max-age=31536000; includeSubDomains; preload",
                "csrf_cookie_secure": True,
                "csrf_cookie_samesite": "Lax",
                "session_cookie_secure": True,
                "session_cookie_httponly": True,
                "debug": False,
                "nosniff": "nosniff",
                "referrer": "same-origin",
                "hashed_css": True,
            },
        )

    def test_missing_secret_key_refuses_to_start(self) -> None:
        with tempfile.TemporaryDirectory(prefix="certif-prod-") as var_dir:
            env = production_env(var_dir)
            del env["SECRET_KEY"]
            result = subprocess.run(
                [sys.executable, "manage.py", "check"],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        self.assertEqual(result.returncode, 1)
        self.assertIn(
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set "
            "when DEBUG is off (make run sets DEBUG=true).",
            result.stderr,
        )
