"""Chinese full-text search in the database, for PostgreSQL and SQLite alike.

A searchable table keeps a text column of words separated by spaces
(``hotline.core.textsearch.index_text``), written in the same statement as the row.

- PostgreSQL: a GIN index on ``to_tsvector('simple', column)``; a query is
  ``to_tsvector('simple', column) @@ plainto_tsquery('simple', 'w1 w2')`` (the words ANDed),
  the same expression as the index so the planner uses it.
- SQLite: an FTS5 table over the column (external content: it stores only the index), kept by
  triggers; a query is ``id IN (SELECT rowid FROM <fts> WHERE <fts> MATCH '"w1" "w2"')``.

``fulltext_install`` creates either, from a migration (``RunPython``), and fills it from the
rows already there; ``text_match`` is the filter.

A big table on PostgreSQL keeps the vector itself (``fulltext_vector_install``: a stored
generated column ``<column>_vector`` with the GIN index on it, under the same index name): a
query that reads rows in another index's order (the newest first) and checks the words row by
row then reads the stored vector instead of running ``to_tsvector`` over every row it passes
(issue 15: 0.15 s for a common word at 1,000,000 tickets). ``TextMatch(..., vector=True)``
matches on that column.
"""

from __future__ import annotations

from django.db.models import BooleanField, F, Func

from .textsearch import fts5_match


def index_name(table: str) -> str:
    return f"{table}_fts"


def _sqlite_statements(table: str, column: str) -> list[str]:
    fts = index_name(table)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='unicode61')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _install_statements(vendor: str, table: str, column: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"CREATE INDEX IF NOT EXISTS {index_name(table)} ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, {column}))"
        ]
    if vendor == "sqlite":
        return _sqlite_statements(table, column)
    return []


def vector_column(column: str) -> str:
    return f"{column}_vector"


def _vector_statements(table: str, column: str) -> list[str]:
    vector = vector_column(column)
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {vector} tsvector GENERATED ALWAYS AS "
        f"(to_tsvector('simple'::regconfig, {column})) STORED",
        f"DROP INDEX IF EXISTS {index_name(table)}",
        f"CREATE INDEX {index_name(table)} ON {table} USING gin ({vector})",
    ]


def fulltext_vector_install(schema_editor, table: str, column: str = "search_text") -> None:
    """PostgreSQL: the stored vector column of ``table.column`` and the GIN index on it in
    place of the index on the expression (rewrites the table: minutes at millions of rows).
    Nothing on SQLite (FTS5 stores its own index)."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in _vector_statements(table, column):
            schema_editor.execute(statement)


def fulltext_vector_uninstall(schema_editor, table: str, column: str = "search_text") -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(table)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {vector_column(column)}")
        fulltext_install(schema_editor, table, column)


def fulltext_install(schema_editor, table: str, column: str = "search_text") -> None:
    """Create the full-text index of ``table.column`` for the database in use (idempotent);
    from a migration's ``RunPython``."""
    for statement in _install_statements(schema_editor.connection.vendor, table, column):
        schema_editor.execute(statement)


def fulltext_repair(connection, table: str, column: str = "search_text") -> None:
    """The same outside a migration (``search_reindex``): recreates what is missing and, on
    SQLite, rebuilds the FTS5 table from the rows."""
    with connection.cursor() as cursor:
        statements = _install_statements(connection.vendor, table, column)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [index_name(table)])
            if cursor.fetchone():
                return
            cursor.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = %s"
                " AND column_name = %s",
                [table, vector_column(column)],
            )
            if cursor.fetchone():
                statements = _vector_statements(table, column)
        for statement in statements:
            cursor.execute(statement)


def fulltext_uninstall(schema_editor, table: str, column: str = "search_text") -> None:
    fts = index_name(table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {fts}")
    elif schema_editor.connection.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")


def fulltext_triggers_missing(connection, table: str) -> list[str]:
    """SQLite only: the triggers of ``table``'s FTS5 index that are gone (a migration that
    rebuilds the table on SQLite drops them; ``search_reindex`` puts them back)."""
    if connection.vendor != "sqlite":
        return []
    fts = index_name(table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in (f"{fts}_ai", f"{fts}_ad", f"{fts}_au") if name not in present]


class TextMatch(Func):
    """True for the rows whose ``column`` holds every word of ``terms`` (see the module)."""

    output_field = BooleanField()

    def __init__(
        self, terms: list[str], *, table: str, column: str = "search_text", vector: bool = False
    ):
        super().__init__(F(column), F("pk"))
        self.terms = list(terms)
        self.table = table
        self.column = column
        self.vector = vector

    def as_postgresql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.source_expressions[0])
        if self.vector:
            # The stored vector beside the column (not a model field): the same table alias.
            quoted = connection.ops.quote_name(self.column)
            assert column_sql.endswith(quoted), column_sql
            vector_sql = column_sql[: -len(quoted)] + connection.ops.quote_name(
                vector_column(self.column)
            )
        else:
            vector_sql = f"to_tsvector('simple'::regconfig, {column_sql})"
        sql = f"{vector_sql} @@ plainto_tsquery('simple'::regconfig, %s)"
        return sql, (*params, " ".join(self.terms))

    def as_sqlite(self, compiler, connection, **extra):
        pk_sql, params = compiler.compile(self.source_expressions[1])
        fts = index_name(self.table)
        sql = f"{pk_sql} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"
        return sql, (*params, fts5_match(self.terms))

    def as_sql(self, compiler, connection, *args, **extra):  # type: ignore[override]
        raise NotImplementedError(f"full-text search is not built for {connection.vendor}")


def text_match(
    terms: list[str], *, table: str, column: str = "search_text", vector: bool = False
) -> TextMatch:
    return TextMatch(terms, table=table, column=column, vector=vector)
