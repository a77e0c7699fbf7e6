from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationsTests(TestCase):
    def test_no_missing_migration(self) -> None:
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out)
        except SystemExit:  # pragma: no cover - the failure path
            self.fail(f"Models have changes without a migration:\n{out.getvalue()}")
        self.assertEqual(out.getvalue(), "No changes detected\n")
