"""Writing a new row and the rows that hang on it in one database round trip.

A registration writes a ticket and, pointing at it, its first event, its clock, its fingerprints
and its acknowledgement. Through the ORM that is five INSERTs, each compiled and sent on its own.
On PostgreSQL ``insert_together`` sends them as one statement of data-modifying CTEs, each row
travelling as one JSON document that PostgreSQL turns into a typed row of the table::

    WITH p AS (INSERT INTO parent (a, b) SELECT r.a, r.b
               FROM jsonb_populate_record(NULL::parent, %s::jsonb) r RETURNING id),
         c0 AS (INSERT INTO child (parent_id, x) SELECT p.id, r.x
                FROM p, jsonb_populate_recordset(NULL::child, %s::jsonb) r RETURNING id),
         c1 AS (INSERT INTO other (parent_id, key) SELECT p.id, u.key
                FROM p, unnest(%s::bigint[]) AS u(key) RETURNING id)
    SELECT (SELECT id FROM p), ARRAY(SELECT id FROM c0), ARRAY(SELECT id FROM c1)

The SQL text depends only on the models, so it is built once and the driver and the server
see the same short statement every time. Values are each field's ``pre_save`` and
``get_prep_value``, as ``save()`` would use; the columns' own types check them on the way in
(a too-long string is refused, not cut). Elsewhere (SQLite) it falls back to ``save()`` and
``bulk_create``. Either way the caller's transaction holds it all.

Only for rows being created: no signals, no ``save()`` overrides, so keep it to plain models on
a hot path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from uuid import UUID

from django.db import connection, models


@dataclass(frozen=True)
class Many:
    """Rows of ``model`` given column by column (``{"key": [1, 2, 3]}``), sent as one array per
    column and unnested in the database: cheaper than one model object per row. Every column
    of the model but its primary key and its foreign key to the parent must be given."""

    model: type[models.Model]
    columns: dict[str, list]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))


@cache
def _fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@cache
def _fk_to(model: type[models.Model], parent: type[models.Model]) -> models.Field:
    fks = [
        f for f in _fields(model) if f.is_relation and f.related_model is parent and f.many_to_one
    ]
    if len(fks) != 1:
        raise ValueError(f"{model.__name__} needs exactly one foreign key to {parent.__name__}")
    return fks[0]


@cache
def _sql(parent: type[models.Model], shape: tuple[tuple, ...]) -> str:
    """``shape``: per child group ``(model, None)`` for objects or ``(model, column names)``
    for a ``Many``."""
    qn = connection.ops.quote_name
    pk = qn(parent._meta.pk.column)
    table = qn(parent._meta.db_table)
    columns = [qn(f.column) for f in _fields(parent)]
    parts = [
        f"p AS (INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(f'r.{c}' for c in columns)} "
        f"FROM jsonb_populate_record(NULL::{table}, %s::jsonb) r RETURNING {pk})"
    ]
    selects = [f"(SELECT {pk} FROM p)"]
    for index, (model, names) in enumerate(shape):
        fk = _fk_to(model, parent)
        child = qn(model._meta.db_table)
        if names is not None:
            others = [model._meta.get_field(name) for name in names]
            cols = [qn(f.column) for f in others]
            arrays = ", ".join(
                f"%s::{re.sub(r'\(.*\)', '', f.db_type(connection))}[]" for f in others
            )
            source = f"FROM p, unnest({arrays}) AS u({', '.join(cols)})"
            picked = ", ".join(f"u.{c}" for c in cols)
        else:
            cols = [qn(f.column) for f in _fields(model) if f is not fk]
            source = f"FROM p, jsonb_populate_recordset(NULL::{child}, %s::jsonb) r"
            picked = ", ".join(f"r.{c}" for c in cols)
        child_pk = qn(model._meta.pk.column)
        parts.append(
            f"c{index} AS (INSERT INTO {child} ({qn(fk.column)}, {', '.join(cols)}) "
            f"SELECT p.{pk}, {picked} {source} RETURNING {child_pk})"
        )
        selects.append(f"ARRAY(SELECT {child_pk} FROM c{index})")
    return f"WITH {', '.join(parts)} SELECT {', '.join(selects)}"


def _plain(value: object) -> object:
    """JSON for what ``json`` does not know. Moments keep their microseconds."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _document(obj: models.Model, fields: Sequence[models.Field]) -> dict:
    return {f.column: f.get_prep_value(f.pre_save(obj, True)) for f in fields}


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _insert_one_by_one(parent: models.Model, groups: list[Sequence[models.Model] | Many]) -> None:
    """Not PostgreSQL: save the parent, then bulk-create each group."""
    model = type(parent)
    parent.save(force_insert=True)
    for group in groups:
        child = group.model if isinstance(group, Many) else type(group[0])
        fk = _fk_to(child, model)
        if isinstance(group, Many):
            names = list(group.columns)
            objs = [
                child(**{fk.name: parent}, **dict(zip(names, values, strict=True)))
                for values in zip(*group.columns.values(), strict=True)
            ]
        else:
            objs = list(group)
            for obj in objs:
                setattr(obj, fk.name, parent)
        child.objects.bulk_create(objs)


def _shape_and_params(
    parent: models.Model, groups: list[Sequence[models.Model] | Many]
) -> tuple[tuple, list]:
    """The statement's shape (see ``_sql``) and its parameters: the parent as one JSON
    document, each group of objects as a JSON array, each ``Many`` as one array per column."""
    model = type(parent)
    shape: list[tuple] = []
    params: list = [_json(_document(parent, _fields(model)))]
    for group in groups:
        if isinstance(group, Many):
            shape.append((group.model, tuple(group.columns)))
            for name, values in group.columns.items():
                field = group.model._meta.get_field(name)
                params.append([field.get_db_prep_save(v, connection) for v in values])
            continue
        child = type(group[0])
        fk = _fk_to(child, model)
        others = [f for f in _fields(child) if f is not fk]
        shape.append((child, None))
        params.append(_json([_document(obj, others) for obj in group]))
    return tuple(shape), params


def _saved(obj: models.Model, pk: object) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_together(
    parent: models.Model, children: Sequence[Sequence[models.Model] | Many]
) -> None:
    """Insert ``parent`` and every group of ``children`` (each object's foreign key to the
    parent's model is filled in) and set the primary keys of the parent and of the objects.
    A group is a list of objects of one model, or a ``Many``; empty groups are skipped."""
    groups = [group for group in children if len(group)]
    model = type(parent)
    if connection.vendor != "postgresql":
        _insert_one_by_one(parent, groups)
        return
    shape, params = _shape_and_params(parent, groups)
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, shape), params)
        parent_pk, *child_pks = cursor.fetchone()
    _saved(parent, parent_pk)
    for group, pks in zip(groups, child_pks, strict=True):
        if isinstance(group, Many):
            continue
        fk = _fk_to(type(group[0]), model)
        # jsonb_populate_recordset and INSERT ... RETURNING keep the order of the array.
        for obj, pk in zip(group, pks, strict=True):
            setattr(obj, fk.name, parent)
            _saved(obj, pk)


def refresh_statistics() -> None:
    """After a bulk write (an import of thousands of tickets): ``ANALYZE`` on PostgreSQL, so that
    the next queries are planned from the rows now there rather than from the planner's
    defaults (autovacuum may be off, and is minutes late at best). Without statistics the
    similar-ticket query guessed 1.3 million rows for 16 title keys and the dispatch history
    read every ticket (18 s, issue 16). Nothing elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def row_datetime(value) -> datetime:
    """A timestamp read through a plain cursor, aware: PostgreSQL gives it aware, SQLite gives
    naive UTC (or text)."""
    from datetime import UTC

    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value
