"""Writing a new row and the rows that hang on it in one database round trip.

A registration writes a ticket and, pointing at it, its first event, its clock, its fingerprints
and its acknowledgement. Through the ORM that is five INSERTs, each compiled and sent on its own.
On PostgreSQL ``insert_together`` sends them as one statement of data-modifying CTEs::

    WITH p AS (INSERT INTO parent (...) VALUES (...) RETURNING id),
         c0 AS (INSERT INTO child (fk, ...) SELECT p.id, ... FROM p UNION ALL ... RETURNING id),
         ...
    SELECT (SELECT id FROM p), ARRAY(SELECT id FROM c0), ...

The SQL text of each shape is built once from the models' metadata and kept; values go through
each field's own ``get_db_prep_save`` as with ``save()``. Elsewhere (SQLite) it falls back to
``save()`` and ``bulk_create``. Either way the caller's transaction holds it all.

Only for rows being created: no signals, no ``save()`` overrides, no ``auto_now`` handling beyond
what the field's ``pre_save`` does, so keep it to plain models on a hot path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

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


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _fk_to(model: type[models.Model], parent: type[models.Model]) -> models.Field:
    fks = [
        f for f in _fields(model) if f.is_relation and f.related_model is parent and f.many_to_one
    ]
    if len(fks) != 1:
        raise ValueError(f"{model.__name__} needs exactly one foreign key to {parent.__name__}")
    return fks[0]


def _cast(field: models.Field, array: bool = False) -> str:
    # The type without its length: casting to varchar(200) would silently cut a longer value,
    # where the column's own check on assignment refuses it.
    base = re.sub(r"\(.*\)", "", field.db_type(connection))
    return f"%s::{base}{'[]' if array else ''}"


@cache
def _sql(parent: type[models.Model], shape: tuple[tuple, ...]) -> str:
    """``shape``: per child group ``(model, number of rows)`` or ``(model, column names)`` for
    a ``Many`` group."""
    qn = connection.ops.quote_name
    pk = qn(parent._meta.pk.column)
    fields = _fields(parent)
    parts = [
        f"p AS (INSERT INTO {qn(parent._meta.db_table)} "
        f"({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(_cast(f) for f in fields)}) RETURNING {pk})"
    ]
    selects = [f"(SELECT {pk} FROM p)"]
    for index, (model, rows) in enumerate(shape):
        fk = _fk_to(model, parent)
        if isinstance(rows, tuple):  # Many: one array per column
            others = [model._meta.get_field(name) for name in rows]
            names = ", ".join(qn(f.column) for f in others)
            body = (
                f"SELECT p.{pk}, {', '.join(f'u.{qn(f.column)}' for f in others)} FROM p, "
                f"unnest({', '.join(_cast(f, array=True) for f in others)}) AS u({names})"
            )
        else:
            others = [f for f in _fields(model) if f is not fk]
            row = f"SELECT p.{pk}, {', '.join(_cast(f) for f in others)} FROM p"
            body = " UNION ALL ".join([row] * rows)
        columns = ", ".join(qn(f.column) for f in [fk, *others])
        child_pk = qn(model._meta.pk.column)
        parts.append(
            f"c{index} AS (INSERT INTO {qn(model._meta.db_table)} ({columns}) {body} "
            f"RETURNING {child_pk})"
        )
        selects.append(f"ARRAY(SELECT {child_pk} FROM c{index})")
    return f"WITH {', '.join(parts)} SELECT {', '.join(selects)}"


def _values(obj: models.Model, fields: Sequence[models.Field]) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def insert_together(
    parent: models.Model, children: Sequence[Sequence[models.Model] | Many]
) -> None:
    """Insert ``parent`` and every group of ``children`` (each object's foreign key to the
    parent's model is filled in) and set the primary keys of the parent and of the objects.
    A group is a list of objects of one model, or a ``Many``; empty groups are skipped."""
    groups = [group for group in children if len(group)]
    model = type(parent)
    if connection.vendor != "postgresql":
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
        return
    shape, params = [], _values(parent, _fields(model))
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
        shape.append((child, len(group)))
        for obj in group:
            params.extend(_values(obj, others))
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, tuple(shape)), params)
        parent_pk, *child_pks = cursor.fetchone()
    parent.pk = parent_pk
    parent._state.adding = False
    parent._state.db = connection.alias
    for group, pks in zip(groups, child_pks, strict=True):
        if isinstance(group, Many):
            continue
        fk = _fk_to(type(group[0]), model)
        for obj, pk in zip(group, pks, strict=True):
            setattr(obj, fk.name, parent)
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
