"""make run prints into documents the address it serves on."""

import shutil
import subprocess
import unittest

from django.conf import settings
from django.test import SimpleTestCase


def dry_run(*variables: str) -> str:
    make = shutil.which("make")
    if make is None:  # pragma: no cover - make is installed wherever tests run
        raise unittest.SkipTest("make is not installed")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [make, "-n", "run", *variables],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    (line,) = [ln for ln in result.stdout.splitlines() if "runserver" in ln]
    return line


def sceau() -> str:
    return (
        f"SCEAU_PKCS12={settings.BASE_DIR}/var/demo/sceau-specimen.p12 "
        "SCEAU_PKCS12_PASSWORD=certif-demo"
    )


class MakeRunSiteUrlTests(SimpleTestCase):
    def test_site_url_follows_host_and_port(self) -> None:
        self.assertEqual(
            dry_run("HOST=192.0.2.10", "PORT=8123"),
            f"DEBUG=true SITE_URL=http://192.0.2.10:8123 {sceau()} .venv/bin/python "
            "manage.py runserver 192.0.2.10:8123",
        )

    def test_explicit_site_url_wins(self) -> None:
        self.assertEqual(
            dry_run("PORT=8123", "SITE_URL=https://demo.example.fr"),
            f"DEBUG=true SITE_URL=https://demo.example.fr {sceau()} .venv/bin/python "
            "manage.py runserver 127.0.0.1:8123",
        )
