"""Query expressions that PostgreSQL and SQLite (the two databases the platform
runs on) both understand."""

from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, F, JSONField, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler


class ListSubquery(Subquery):
    """The values of one column of a subquery's rows, as a list read with the
    outer row (``ArraySubquery`` is PostgreSQL only): a JSON array built by the
    database, decoded by the JSON field. ``field`` names the column, or is an
    expression of the subquery's row."""

    output_field = JSONField()

    def __init__(self, queryset: QuerySet[Any], field: str | Expression) -> None:
        value = F(field) if isinstance(field, str) else field
        super().__init__(queryset.order_by().values(v=value))

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        template: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        if template is None:
            raise NotSupportedError(f"ListSubquery on {connection.vendor}")
        return super().as_sql(compiler, connection, template, **extra_context)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(
            compiler,
            connection,
            "(SELECT COALESCE(json_agg(_l.v), '[]')::text FROM (%(subquery)s) _l)",
            **extra,
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(
            compiler,
            connection,
            "(SELECT json_group_array(_l.v) FROM (%(subquery)s) _l)",
            **extra,
        )
