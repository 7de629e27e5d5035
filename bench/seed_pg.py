"""Writing the product's own tables with COPY, for the PostgreSQL benchmarks.

Every benchmark that needs a large database writes it here, so the column lists of the ticket
tables are in one place: a new nullable column needs no change; a new NOT NULL column without a
default needs one line in ``DEFAULTS`` (and every benchmark keeps working).

    table = TABLES["tickets_ticket"]
    copy_rows(conn, table, (table.row(id=1, number="S1", ...) for ...))

``Table.row`` takes the values by column name, fills the rest from the defaults and refuses an
unknown name (a typo would otherwise COPY into the wrong column). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_REQUIRED = object()  # no default: the caller must give the value

# The NOT NULL columns without a database default, with the value a row gets when the caller
# gives none. ``_REQUIRED`` marks a column the caller must always give.
DEFAULTS: dict[str, dict[str, object]] = {
    "tickets_ticket": {
        "id": _REQUIRED,
        "number": _REQUIRED,
        "status": _REQUIRED,
        "kind": "complaint",
        "channel": "phone",
        "urgency": "normal",
        "title": "",
        "content": "",
        "address": "",
        "lat": None,
        "lon": None,
        "citizen_name": "",
        "citizen_phone": "",
        "citizen_anonymous": False,
        "citizen_confidential": False,
        "registered_at": _REQUIRED,
        "idempotency_key": None,
        "send_back_reason": "",
        "send_back_count": 0,
        "extension_status": "",
        "extension_days": None,
        "reply_text": "",
        "reply_outcome": "",
        "replied_at": None,
        "satisfaction": "",
        "followed_up_at": None,
        "review_verdict": "",
        "redo_count": 0,
        "closed_at": None,
        "last_seq": 0,
        "last_hash": "",
        "updated_at": _REQUIRED,
        "category_id": None,
        "merged_into_id": None,
        "region_id": None,
        "registered_by_id": None,
        "send_back_unit_id": None,
        "unit_id": None,
        "centre_id": None,
        "dispatched_by_centre_id": None,
        "registered_centre_id": None,
        "search_text": "",  # hotline.core.textsearch.index_text(title, content, address)
    },
    "tickets_ticketevent": {
        "ticket_id": _REQUIRED,
        "seq": _REQUIRED,
        "action": _REQUIRED,
        "actor_id": None,
        "actor_name": "",
        "at": _REQUIRED,
        "from_status": "",
        "to_status": _REQUIRED,
        "data": "{}",
        "prev_hash": "",
        "hash": "",
    },
    "tickets_ticketassignment": {
        "ticket_id": _REQUIRED,
        "unit_id": _REQUIRED,
        "role": "lead",
        "via": "dispatch",
        "assigned_at": _REQUIRED,
        "active": True,
        "event_seq": _REQUIRED,
    },
    "tickets_clock": {
        "id": _REQUIRED,
        "ticket_id": _REQUIRED,
        "kind": _REQUIRED,
        "unit_id": None,
        "started_at": _REQUIRED,
        "limit_amount": _REQUIRED,
        "limit_unit": _REQUIRED,
        "yellow_at": None,
        "due_at": None,
        "pending_calendar": False,
        "stopped_at": None,
        "stop_reason": "",
        "met": None,
        "yellow_warned_at": None,
        "red_warned_at": None,
    },
    "insight_repeatcheck": {
        "id": _REQUIRED,
        "ticket_id": _REQUIRED,
        "repeat_of_id": None,
        "score": None,
        "reasons": "[]",
        "checked_at": _REQUIRED,
    },
    "notifications_outbox": {
        "ticket_id": None,
        "kind": _REQUIRED,
        "channel": "sms",
        "recipient": "",
        "template": _REQUIRED,
        "params": "{}",
        "status": "pending",
        "attempts": 0,
        "idempotency_key": _REQUIRED,
        "created_at": _REQUIRED,
        "sent_at": None,
        "last_error": "",
        "receipt": "",
    },
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    defaults: dict[str, object] = field(repr=False)

    def row(self, **values: object) -> tuple:
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.name} has no column {', '.join(sorted(unknown))}")
        out = []
        for column in self.columns:
            value = values.get(column, self.defaults[column])
            if value is _REQUIRED:
                raise KeyError(f"{self.name}.{column} must be given")
            out.append(value)
        return tuple(out)


TABLES = {name: Table(name, tuple(cols), cols) for name, cols in DEFAULTS.items()}


# --- the fast path: rows as COPY text lines ---------------------------------------------------
# For tens of millions of rows ``Table.row`` + ``write_row`` cost more than the database: a
# generator builds each line with one ``str.format`` instead, the constant columns baked in.

NULL = "\\N"


def text_value(value: object) -> str:
    """``value`` in COPY's text format (a str must hold no tab, newline or backslash)."""
    if value is None:
        return NULL
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def clean_text(text: str) -> str:
    """``text`` safe to put in a COPY text line as is."""
    return text.replace("\\", "/").replace("\t", " ").replace("\r", " ").replace("\n", " ")


def line_maker(table: Table, varying: tuple[str, ...]) -> str:
    """A ``str.format`` template of one COPY line of ``table`` (all its columns): the columns
    of ``varying`` are ``{0}``, ``{1}``... in that order (already COPY text), every other one its
    default. ``template.format(*values)`` is the line."""
    unknown = set(varying) - set(table.columns)
    if unknown:
        raise KeyError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    parts = []
    for column in table.columns:
        if column in varying:
            parts.append("{" + str(varying.index(column)) + "}")
            continue
        value = table.defaults[column]
        if value is _REQUIRED:
            raise KeyError(f"{table.name}.{column} must be given")
        parts.append(text_value(value).replace("{", "{{").replace("}", "}}"))
    return "\t".join(parts) + "\n"


def with_id(table: Table) -> Table:
    """``table`` with its ``id`` column first, given by the caller (a generator that knows its
    ids spares the sequence)."""
    if "id" in table.columns:
        return table
    return Table(table.name, ("id", *table.columns), {"id": _REQUIRED, **table.defaults})


def copy_text(conn, table: Table, text: str) -> None:
    """COPY lines from ``line_maker`` templates (all the table's columns, in order)."""
    with conn.cursor().copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as cp:
        cp.write(text.encode())


def secondary_indexes(conn, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes of ``tables`` that back no constraint
    (primary keys and unique constraints stay): a bulk load drops them and builds them after."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i"
        " WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        " ORDER BY i.tablename, i.indexname",
        (list(tables),),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def drop_indexes(conn, indexes: list[tuple[str, str]]) -> None:
    for name, _definition in indexes:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(conn, indexes: list[tuple[str, str]], log=None) -> None:
    for name, definition in indexes:
        if log:
            log(f"  index {name}")
        conn.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))


def check_columns(conn) -> None:
    """Refuse to start when the database has a NOT NULL column without a default that this
    module does not know (a migration added one): the COPY would fail after minutes of work."""
    for table in TABLES.values():
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            (table.name,),
        ).fetchall()
        missing = {r[0] for r in rows} - set(table.columns)
        if missing:
            raise SystemExit(
                f"bench/seed_pg.py: {table.name} has new NOT NULL columns {sorted(missing)}:"
                " add them to DEFAULTS"
            )


def copy_rows(conn, table: Table, rows: Iterable[tuple], *, columns: tuple[str, ...] = ()) -> int:
    """COPY ``rows`` (tuples from ``table.row``) into the table; the number written."""
    cols = columns or table.columns
    n = 0
    with conn.cursor().copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


def reset_sequences(conn, *tables: str) -> None:
    """Move each table's id sequence past the ids written by COPY."""
    for name in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
            f" GREATEST(1, (SELECT max(id) FROM {name})))"
        )


def chunks(rows: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
