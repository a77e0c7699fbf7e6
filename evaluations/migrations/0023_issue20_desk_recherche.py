"""Trigram indexes on the upper-cased names of the candidates, on PostgreSQL: the
candidate searches (``search_inscriptions``: session desk, jury page) match
``icontains`` on the birth name, the usage name and the first first name, which
PostgreSQL writes ``UPPER(col::text) LIKE UPPER('%…%')``; each index serves its
expression (a bitmap scan of the matching candidates instead of the names of
every one; the e-mail's index is in ``certif``). Nothing on another database
(SQLite scans, as before)."""

from typing import Any

from django.db import migrations

COLONNES = ("nom_naissance", "nom_usage", "prenom1")
CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS candidat_{colonne}_trgm ON evaluations_candidat "
        f"USING gin (upper({colonne}::text) gin_trgm_ops)"
        for colonne in COLONNES
    ),
)
DROP = tuple(f"DROP INDEX IF EXISTS candidat_{colonne}_trgm" for colonne in COLONNES)


def _run(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0022_issue18_export_expire"),
        ("certif", "0006_issue20_desk_email_trgm"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
