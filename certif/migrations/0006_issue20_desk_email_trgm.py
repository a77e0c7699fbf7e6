"""A trigram index on the upper-cased e-mail of the accounts, on PostgreSQL: the
candidate searches (``search_inscriptions``: session desk, jury page) match
``email__icontains``, which PostgreSQL writes ``UPPER(email::text) LIKE
UPPER('%…%')``; the index serves that expression instead of a scan of every
account. Nothing on another database (SQLite scans, as before)."""

from typing import Any

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_email_trgm ON certif_user "
    "USING gin (upper(email::text) gin_trgm_ops)",
)
DROP = ("DROP INDEX IF EXISTS user_email_trgm",)


def _run(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("certif", "0005_issue17_message_envoye")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
