"""Settings read from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from certif.env import env_bool, env_int, env_list, env_str


class EnvHelperTests(SimpleTestCase):
    def env(self, **values: str) -> mock._patch_dict:
        return mock.patch.dict(os.environ, values)

    def test_bool(self) -> None:
        for raw, expected in (
            ("true", True),
            ("False", False),
            ("1", True),
            ("0", False),
        ):
            with self.subTest(raw=raw), self.env(X_BOOL=raw):
                self.assertIs(env_bool("X_BOOL", not expected), expected)
        self.assertIs(env_bool("X_ABSENT_BOOL", True), True)
        with (
            self.env(X_BOOL="yes"),
            self.assertRaisesMessage(
                ImproperlyConfigured, "X_BOOL must be 'true' or 'false', got 'yes'"
            ),
        ):
            env_bool("X_BOOL", False)

    def test_int(self) -> None:
        with self.env(X_INT=" 42 "):
            self.assertEqual(env_int("X_INT", 1), 42)
        self.assertEqual(env_int("X_ABSENT_INT", 7), 7)
        with (
            self.env(X_INT="abc"),
            self.assertRaisesMessage(
                ImproperlyConfigured, "X_INT must be an integer, got 'abc'"
            ),
        ):
            env_int("X_INT", 1)

    def test_list(self) -> None:
        with self.env(X_LIST="a.example, b.example"):
            self.assertEqual(env_list("X_LIST", []), ["a.example", "b.example"])
        with self.env(X_LIST=""):
            self.assertEqual(env_list("X_LIST", ["défaut"]), [])
        self.assertEqual(env_list("X_ABSENT_LIST", ["d"]), ["d"])
        with (
            self.env(X_LIST="a,,b"),
            self.assertRaisesMessage(
                ImproperlyConfigured,
                "X_LIST must be a comma-separated list without empty items, got 'a,,b'",
            ),
        ):
            env_list("X_LIST", [])

    def test_str(self) -> None:
        with self.env(X_STR="valeur"):
            self.assertEqual(env_str("X_STR", "d"), "valeur")
        self.assertEqual(env_str("X_ABSENT_STR", "d"), "d")


class SettingsProcessTests(SimpleTestCase):
    """Import the settings in a fresh interpreter with a controlled environment."""

    def import_settings(self, **env: str) -> subprocess.CompletedProcess[str]:
        clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        return subprocess.run(
            [sys.executable, "-c", "import certif.settings.base"],
            cwd=settings.BASE_DIR,
            env=clean,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def test_debug_off_without_secret_key(self) -> None:
        result = self.import_settings()
        self.assertEqual(result.returncode, 1)
        self.assertEqual(
            result.stderr.strip().splitlines()[-1],
            "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set when "
            "DEBUG is off (make run sets DEBUG=true).",
        )

    def test_malformed_database_url(self) -> None:
        result = self.import_settings(
            DEBUG="true", DATABASE_URL="postgres://u@h:port/db"
        )
        self.assertEqual(result.returncode, 1)
        self.assertTrue(
            result.stderr.strip()
            .splitlines()[-1]
            .startswith(
                "django.core.exceptions.ImproperlyConfigured: DATABASE_URL is malformed:"
            ),
            result.stderr,
        )

    def test_malformed_bool(self) -> None:
        result = self.import_settings(DEBUG="oui")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(
            result.stderr.strip().splitlines()[-1],
            "django.core.exceptions.ImproperlyConfigured: DEBUG must be 'true' or "
            "'false', got 'oui'",
        )

    def test_production_settings(self) -> None:
        code = (
            "import certif.settings.base as s; "
            "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, "
            "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.DATABASES['default']['ENGINE'])"
        )
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "SECRET_KEY": "x" * 50,
                "ALLOWED_HOSTS": "certif.example.org",
                "DATABASE_URL": "postgres://certif@db.example.org:5432/certif",
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            result.stdout,
            "False ['certif.example.org'] True True 31536000 "
            "django.db.backends.postgresql\n",
        )


class ProductionStackSettingsTests(SimpleTestCase):
    """Storage, nginx hand-off and log format: a typo stops the start."""

    def last_line(self, **env: str) -> str:
        clean = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DEBUG": "true",
            **env,
        }
        code = (
            "import certif.settings.base as s; "
            "print(s.STORAGES['default']['BACKEND'], s.FILE_UPLOAD_PERMISSIONS, "
            "s.FILE_UPLOAD_DIRECTORY_PERMISSIONS, s.STORAGES['staticfiles']['BACKEND'], "
            "s.LOG_FORMAT)"
        )
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env=clean,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return (result.stdout or result.stderr).strip().splitlines()[-1]

    def test_defaults_of_make_run(self) -> None:
        self.assertEqual(
            self.last_line(),
            "django.core.files.storage.FileSystemStorage 384 448 "
            "django.contrib.staticfiles.storage.StaticFilesStorage text",
        )

    def test_behind_nginx(self) -> None:
        self.assertEqual(
            self.last_line(X_ACCEL_REDIRECT_PREFIX="/_prive/", STATIC_MANIFEST="true"),
            "django.core.files.storage.FileSystemStorage 416 1512 "
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage text",
        )

    def test_s3(self) -> None:
        self.assertEqual(
            self.last_line(STORAGE_BACKEND="s3", S3_BUCKET="certif", LOG_FORMAT="json"),
            "storages.backends.s3.S3Storage 384 448 "
            "django.contrib.staticfiles.storage.StaticFilesStorage json",
        )

    def test_refusals(self) -> None:
        prefix = "django.core.exceptions.ImproperlyConfigured: "
        for env, message in (
            ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs S3_BUCKET."),
            (
                {"STORAGE_BACKEND": "nfs"},
                "STORAGE_BACKEND must be 'filesystem' or 's3', got 'nfs'",
            ),
            (
                {"X_ACCEL_REDIRECT_PREFIX": "_prive/"},
                "X_ACCEL_REDIRECT_PREFIX must be an absolute path such as /_prive/.",
            ),
            ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be 'json' or 'text', got 'xml'"),
        ):
            with self.subTest(env=env):
                self.assertEqual(self.last_line(**env), prefix + message)
