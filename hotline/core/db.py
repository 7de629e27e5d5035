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
from functools import cache

from django.db import connection, models


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _fk_to(model: type[models.Model], parent: type[models.Model]) -> models.Field:
    fks = [
        f for f in _fields(model) if f.is_relation and f.related_model is parent and f.many_to_one
    ]
    if len(fks) != 1:
        raise ValueError(f"{model.__name__} needs exactly one foreign key to {parent.__name__}")
    return fks[0]


@cache
def _sql(parent: type[models.Model], shape: tuple[tuple[type[models.Model], int], ...]) -> str:
    qn = connection.ops.quote_name

    def cast(field: models.Field) -> str:
        # The type without its length: casting to varchar(200) would silently cut a longer
        # value, where the column's own check on assignment refuses it.
        return f"%s::{re.sub(r'\(.*\)', '', field.db_type(connection))}"

    fields = _fields(parent)
    parts = [
        f"p AS (INSERT INTO {qn(parent._meta.db_table)} "
        f"({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(cast(f) for f in fields)}) RETURNING {qn(parent._meta.pk.column)})"
    ]
    selects = [f"(SELECT {qn(parent._meta.pk.column)} FROM p)"]
    for index, (model, rows) in enumerate(shape):
        fk = _fk_to(model, parent)
        others = [f for f in _fields(model) if f is not fk]
        columns = ", ".join(qn(f.column) for f in [fk, *others])
        row = f"SELECT p.{qn(parent._meta.pk.column)}, {', '.join(cast(f) for f in others)} FROM p"
        parts.append(
            f"c{index} AS (INSERT INTO {qn(model._meta.db_table)} ({columns}) "
            f"{' UNION ALL '.join([row] * rows)} RETURNING {qn(model._meta.pk.column)})"
        )
        selects.append(f"ARRAY(SELECT {qn(model._meta.pk.column)} FROM c{index})")
    return f"WITH {', '.join(parts)} SELECT {', '.join(selects)}"


def _values(obj: models.Model, fields: Sequence[models.Field]) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def insert_together(parent: models.Model, children: Sequence[Sequence[models.Model]]) -> None:
    """Insert ``parent`` and every list of ``children`` (each object's foreign key to the
    parent's model is filled in) and set their primary keys. Each inner list holds objects of
    one model; empty lists are skipped."""
    groups = [list(group) for group in children if group]
    model = type(parent)
    if connection.vendor != "postgresql":
        parent.save(force_insert=True)
        for group in groups:
            fk = _fk_to(type(group[0]), model)
            for obj in group:
                setattr(obj, fk.name, parent)
            type(group[0]).objects.bulk_create(group)
        return
    shape = tuple((type(group[0]), len(group)) for group in groups)
    params = _values(parent, _fields(model))
    for group in groups:
        fk = _fk_to(type(group[0]), model)
        others = [f for f in _fields(type(group[0])) if f is not fk]
        for obj in group:
            params.extend(_values(obj, others))
    with connection.cursor() as cursor:
        cursor.execute(_sql(model, shape), params)
        parent_pk, *child_pks = cursor.fetchone()
    parent.pk = parent_pk
    parent._state.adding = False
    parent._state.db = connection.alias
    for group, pks in zip(groups, child_pks, strict=True):
        fk = _fk_to(type(group[0]), model)
        for obj, pk in zip(group, pks, strict=True):
            setattr(obj, fk.name, parent)
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
