"""Running sums of the assessment facts (docs/assessment.md, "The running sums").

A month's counts of every unit, read from the per-ticket facts, read about a million
``UnitFact`` rows at a large city's size (over a second); the leaders' dashboard asks for them
at every visit. Almost every count is a sum over the cohort rows of a condition that no longer
changes once the row is recorded (with the cut-off now): those are kept as sums per (unit, day of
first reach, registering centre) in ``CohortSum``, per (unit, month of reach, day of first reply)
in ``ReplySum``, per (unit, day, channel) and (unit, month, kind or category) in ``GroupSum``,
and the co-handled tickets per (unit, month) in ``CoSum`` (from ``CoFact``). The rest is read
live:

- ``received_own`` from the sums' centre and the centres' tree as it is now;
- ``overdue`` (a running handling deadline passed), the open part of ``accept_due`` (a running
  accept deadline passed) and ``spot_checks_failed`` (the pass mark of the period's rules) from
  the fact rows that can hold for them: a covering partial index (``unitfact_unit_reach_live``)
  of the rows with a running clock or a scored case spot check, a few percent of a month.

The sums are kept by the write path, in the transaction of every write of the facts
(``facts.facts_write``): the rows it is about to remove are subtracted (one row per key with
negative values) and the rows it wrote added, so a change that fails leaves them as they were,
and two changes never wait for each other on a shared row (every write appends). The worker
folds each key's rows into one (``sums_compact``, every minute); ``sums_rebuild`` recomputes
them from the facts (after a rebuild of the facts, and as a repair); ``sums_check`` compares.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction

from hotline.workcal.calc import SHANGHAI

from .models import SUM_COUNTS, CoFact, CohortSum, CoSum, GroupSum, ReplySum, TicketFact, UnitFact
from .setcounts import T_ASSIGN, T_CENTRE, T_UNIT, Sql, _as_date, _dt, _ids, _run, local_day

T_CS = CohortSum._meta.db_table
T_RS = ReplySum._meta.db_table
T_GS = GroupSum._meta.db_table
T_COS = CoSum._meta.db_table
T_CF = CoFact._meta.db_table
T_TF = TicketFact._meta.db_table
T_UF = UnitFact._meta.db_table

# A count of ``SUM_COUNTS`` -> its condition on a fact row ``uf`` with the cut-off now (every
# moment stored is before it: setcounts._fact_conds with each "<= cut-off" true once recorded).
SUM_CONDITIONS = {
    "forwarded": "uf.fwd",
    "forwarded_late": "uf.late",
    "accepted_on_time": (
        "uf.accept_started_at IS NOT NULL AND uf.accept_stop_reason IN ('accepted', 'forwarded')"
        " AND uf.accept_stopped_at IS NOT NULL AND uf.accept_due_at >= uf.accept_stopped_at"
    ),
    "accept_closed": "uf.accept_started_at IS NOT NULL AND uf.accept_stopped_at IS NOT NULL",
    "replied": "uf.replied",
    "replied_on_time": "uf.on_time",
    "followed_up": "uf.replied AND uf.followed",
    "satisfied": "uf.satisfied",
    "repeats": "uf.repeated",
    "send_backs_invalid": "uf.sb_invalid",
    "red_warnings": "uf.red",
    "supervision_orders": "uf.sup",
    "accountabilities": "uf.acc",
}
assert tuple(SUM_CONDITIONS) == SUM_COUNTS

# The cohort: the rows the counts count (setcounts._fact_cohort).
COHORT = "NOT uf.sb_valid AND NOT uf.merged"
# The rows that can count for ``overdue``, the open part of ``accept_due`` or
# ``spot_checks_failed``: the predicate of the partial index unitfact_unit_reach_live, in the
# words PostgreSQL prints it (the planner uses the index when the query says the same).
LIVE = (
    '((NOT uf."replied" AND uf."running_due_at" IS NOT NULL)'
    ' OR (uf."accept_due_at" IS NOT NULL AND uf."accept_stopped_at" IS NULL)'
    ' OR uf."spot_max" > 0)'
)


_COHORT_VALUES = ("n", *SUM_COUNTS, "reach_secs")
_REPLY_VALUES = ("n", "secs")
_TABLES = (
    (T_CS, ("unit_id", "reach_day", "centre_id"), _COHORT_VALUES),
    (T_RS, ("unit_id", "month", "reply_day"), _REPLY_VALUES),
    (T_GS, ("unit_id", "day", "dim", "value"), ("n",)),
    (T_COS, ("unit_id", "month"), ("n",)),
)
# The dimensions of GroupSum: name -> the fact row's value as text ('' for none), and whether
# it is kept by day (else by month).
GROUP_DIMS = {
    "channel": ("uf.channel", True),
    "kind": ("uf.kind", False),
    "category": ("COALESCE(CAST(uf.category_id AS VARCHAR(32)), '')", False),
}


def month_of(day: str) -> str:
    """SQL: the first day of the month of the date ``day``."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def _flag(cond: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _cohort_select(where: str, sign: int, folded: bool = False) -> str:
    """The sums of the cohort rows of ``where`` (SQL on ``ticket_id``) per (unit, day, centre),
    times ``sign``, named as the columns of ``CohortSum``."""
    values = ", ".join(f"{sign} * {_flag(cond)} AS {name}" for name, cond in SUM_CONDITIONS.items())
    return f"""
SELECT uf.unit_id, uf.reach_day, COALESCE(uf.centre_id, 0) AS centre_id,
  {_flag_value(folded)} AS compacted, {sign} * COUNT(*) AS n, {values},
  {sign} * COALESCE(SUM(CASE WHEN uf.replied THEN uf.reach_secs END), 0) AS reach_secs
FROM {T_UF} uf
WHERE ({where}) AND {COHORT}
GROUP BY uf.unit_id, uf.reach_day, COALESCE(uf.centre_id, 0)"""


def _reply_select(where: str, sign: int, folded: bool = False) -> str:
    """The replied cohort rows of ``where`` per (unit, month of reach, day of first reply),
    times ``sign``, named as the columns of ``ReplySum``."""
    month = month_of("uf.reach_day")
    return f"""
SELECT uf.unit_id, {month} AS month, uf.reply_day, {_flag_value(folded)} AS compacted,
  {sign} * COUNT(*) AS n, {sign} * COALESCE(SUM(uf.reply_secs), 0) AS secs
FROM {T_UF} uf
WHERE ({where}) AND {COHORT} AND uf.replied AND uf.reply_day IS NOT NULL
GROUP BY uf.unit_id, {month}, uf.reply_day"""


def _group_select(where: str, sign: int, folded: bool = False) -> str:
    """The cohort rows of ``where`` per (unit, day, channel), (unit, month, kind) and (unit,
    month, category), times ``sign``, named as the columns of ``GroupSum``."""
    selects = []
    for dim, (value, daily) in GROUP_DIMS.items():
        day = "uf.reach_day" if daily else month_of("uf.reach_day")
        selects.append(f"""
SELECT uf.unit_id, {day} AS day, '{dim}' AS dim, {value} AS value,
  {_flag_value(folded)} AS compacted, {sign} * COUNT(*) AS n
FROM {T_UF} uf
WHERE ({where}) AND {COHORT}
GROUP BY uf.unit_id, {day}, {value}""")
    return "\nUNION ALL".join(selects)


def _co_select(where: str, sign: int, folded: bool = False) -> str:
    """The co-handled tickets of ``where`` not merged per (unit, month), times ``sign``, named
    as the columns of ``CoSum``."""
    return f"""
SELECT cf.unit_id, cf.month, {_flag_value(folded)} AS compacted, {sign} * COUNT(*) AS n
FROM (SELECT ticket_id, unit_id, month FROM {T_CF} WHERE {where}) cf
JOIN (SELECT ticket_id, merged FROM {T_TF} WHERE {where}) tf ON tf.ticket_id = cf.ticket_id
WHERE NOT tf.merged
GROUP BY cf.unit_id, cf.month"""


SELECTS = (_cohort_select, _reply_select, _group_select, _co_select)


def _deltas(where: str, sign: int, folded: bool = False) -> list[str]:
    return [
        f"INSERT INTO {table} ({', '.join(keys)}, compacted, {', '.join(values)})"
        + select(where, sign, folded)
        for (table, keys, values), select in zip(_TABLES, SELECTS, strict=True)
    ]


def _flag_value(value: bool) -> str:
    return _true() if value else _false()


def _false() -> str:
    return "false" if connection.vendor == "postgresql" else "0"


def _true() -> str:
    return "true" if connection.vendor == "postgresql" else "1"


def co_facts_delete(where: str) -> str:
    """Delete the ``CoFact`` rows of ``where`` (``ticket_id`` SQL), with the other facts."""
    return f"DELETE FROM {T_CF} WHERE {where}"


def co_facts_insert(where: str) -> Sql:
    """Write the ``CoFact`` rows of ``where``: each (unit at or above a unit it was assigned to
    co-handle, local month of the assignment), after its ``TicketFact`` is written."""
    month = month_of(local_day("a.assigned_at").text)
    return Sql(
        f"""
INSERT INTO {T_CF} (ticket_id, unit_id, month)
SELECT DISTINCT a.ticket_id, anc.aid, {month}
FROM (
  SELECT ticket_id, unit_id, assigned_at FROM {T_ASSIGN} WHERE role = 'co' AND ({where})
) a
JOIN ({anc_all()}) anc ON anc.unit_id = a.unit_id
JOIN {T_TF} tf ON tf.ticket_id = a.ticket_id""",
        list(local_day("a.assigned_at").params),
    )


def anc_all() -> str:
    """Every unit -> every unit at or above it (a few hundred units: a few thousand pairs)."""
    return (
        f"SELECT u.id AS unit_id, au.id AS aid FROM {T_UNIT} u"
        f" JOIN {T_UNIT} au ON substr(u.path, 1, length(au.path)) = au.path"
    )


def sums_subtract(where: str) -> list[str]:
    """The statements subtracting the facts of ``where`` (``ticket_id`` SQL): run them before
    the facts are deleted, in the same transaction."""
    return _deltas(where, -1)


def sums_add(where: str) -> list[str]:
    """The statements adding the facts of ``where``: run them after the facts are written."""
    return _deltas(where, 1)


# --- folding and rebuilding -------------------------------------------------------------------


def _fold_sql(table: str, keys: Sequence[str], values: Sequence[str]) -> str:
    """PostgreSQL: one statement, so one snapshot: the rows summed are exactly the rows deleted
    (a row a change commits meanwhile is neither, and is folded next time)."""
    key_list = ", ".join(keys)
    match = " AND ".join(f"s.{k} = f.{k}" for k in keys)
    sums = ", ".join(f"SUM({v})" for v in values)
    nonzero = " OR ".join(f"SUM({v}) <> 0" for v in values)
    return f"""
WITH fresh AS (SELECT DISTINCT {key_list} FROM {table} WHERE NOT compacted),
gone AS (
  DELETE FROM {table} s USING fresh f WHERE {match}
  RETURNING s.*
)
INSERT INTO {table} ({key_list}, compacted, {", ".join(values)})
SELECT {key_list}, true, {sums} FROM gone GROUP BY {key_list} HAVING {nonzero}"""


def sums_compact() -> int:
    """Fold the rows of every key that has rows not yet folded into one row per key (none when
    they cancel out). Returns the keys folded."""
    folded = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for table, keys, values in _TABLES:
            key_list = ", ".join(keys)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT {key_list} FROM {table}"
                               " WHERE NOT compacted) k")  # fmt: skip
                folded += cursor.fetchone()[0]
                # by index, key by key (the planner's hash join read every row of the table:
                # 40 s at 10,000,000 tickets)
                _run(Sql(_fold_sql(table, keys, values)), loops=True)
                continue
            # SQLite: one writer at a time; the first statement takes the write lock, so the
            # rows summed and the rows deleted are the same.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            top = cursor.fetchone()[0]
            fresh = (f"({key_list}) IN (SELECT {key_list} FROM {table}"
                     f" WHERE NOT compacted AND id <= {top})")  # fmt: skip
            sums = ", ".join(f"SUM({v})" for v in values)
            nonzero = " OR ".join(f"SUM({v}) <> 0" for v in values)
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT {key_list} FROM {table}"
                           f" WHERE NOT compacted AND id <= {top}) k")  # fmt: skip
            folded += cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {table} ({key_list}, compacted, {', '.join(values)})"
                f" SELECT {key_list}, 1, {sums} FROM {table} WHERE id <= {top} AND {fresh}"
                f" GROUP BY {key_list} HAVING {nonzero}"
            )
            cursor.execute(f"DELETE FROM {table} WHERE id <= {top} AND {fresh}")
    return folded


def sums_rebuild() -> None:
    """Recompute the sums from the facts, folded (one transaction; the sums' tables locked so
    no change adds to them meanwhile)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = ", ".join(table for table, _k, _v in _TABLES)
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        for table, _keys, _values in _TABLES:
            cursor.execute(f"DELETE FROM {table}")
        for statement in _deltas("ticket_id IS NOT NULL", 1, folded=True):
            cursor.execute(statement)


def sums_vacuum() -> None:
    """PostgreSQL, outside a transaction (the worker, a command): VACUUM ANALYZE the sums'
    tables, so their folded rows are read from the covering index alone and planned from what
    is there. Nothing elsewhere."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(table for table, _k, _v in _TABLES)}")


def _sums_of(sql: str, keys: int) -> dict[tuple, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    out = {}
    for row in rows:
        values = tuple(Decimal(str(v or 0)) for v in row[keys:])
        if any(values):
            out[tuple(str(k) for k in row[:keys])] = values
    return out


def sums_check() -> list[str]:
    """The keys whose sums differ from what the facts say (empty: they agree)."""
    problems = []
    for (table, keys, values), select in zip(_TABLES, SELECTS, strict=True):
        key_list = ", ".join(keys)
        sums = ", ".join(f"SUM({v})" for v in values)
        kept = _sums_of(f"SELECT {key_list}, {sums} FROM {table} GROUP BY {key_list}", len(keys))
        want = _sums_of(
            f"SELECT {key_list}, {sums} FROM ({select('ticket_id IS NOT NULL', 1)}) x"
            f" GROUP BY {key_list}",
            len(keys),
        )
        for key in sorted(set(kept) | set(want)):
            if kept.get(key) != want.get(key):
                problems.append(f"{table} {key}: kept {kept.get(key)}, facts {want.get(key)}")
    return problems


# --- reading ----------------------------------------------------------------------------------


def _local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _centre_covers() -> dict[int, str]:
    """Centre id -> the path of the unit it covers, for the centres under another (a district's
    line: what it registers is ``received_own`` of the units it covers)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, u.path FROM {T_CENTRE} c JOIN {T_UNIT} u ON u.id = c.covers_id"
            " WHERE c.parent_id IS NOT NULL"
        )
        return {int(pk): path for pk, path in cursor.fetchall()}


def _unit_paths(unit_ids: Sequence[int]) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, path FROM {T_UNIT} WHERE id IN ({_ids(unit_ids)})")
        return {int(pk): path for pk, path in cursor.fetchall()}


def counts_from_sums(
    unit_ids: Sequence[int], periods: Sequence, pass_mark: float, *, days: bool
) -> tuple[list[dict[int, dict[str, int]]], dict[int, dict[str, list]]]:
    """The counts (formulas.METRICS) of ``unit_ids`` in each of the consecutive whole-month
    ``periods`` at a live cut-off, from the sums and the live fact rows; with ``days``, also
    ``co_handled`` and the per-day groups of ``avg_handling_days`` over the whole span (unit id
    -> 'reach' | 'reply' -> [(day, replied, seconds)]), as setcounts._counts_query gives them;
    without, ``co_handled`` is 0 (the trend's months, as ``monthly_counts`` gives them)."""
    from . import formulas

    bounds = [_local_date(p.start) for p in periods] + [_local_date(periods[-1].end)]
    first, end = bounds[0], bounds[-1]

    def bucket(day: date) -> int:
        for i in range(len(periods)):
            if day < bounds[i + 1]:
                return i
        return len(periods) - 1

    out = [{pk: dict.fromkeys(formulas.METRICS, 0) for pk in unit_ids} for _p in periods]
    groups: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    if not unit_ids:
        return out, groups
    covers, paths = _centre_covers(), _unit_paths(unit_ids)
    # Summed in the database by (unit, centre, period): a few hundred rows, not one per day and
    # centre (the city's year is 6,000); as integers (PostgreSQL's SUM of a bigint is a
    # numeric: a Decimal per value in Python).
    sums = ", ".join(f"CAST(SUM({c}) AS BIGINT)" for c in ("n", *SUM_COUNTS))
    which = " ".join(f"WHEN reach_day < %s THEN {i}" for i in range(len(periods) - 1))
    part = f"CASE {which} ELSE {len(periods) - 1} END" if which else "0"
    rows = _run(
        Sql(
            f"SELECT unit_id, centre_id, {part}, {sums} FROM {T_CS}"
            f" WHERE unit_id IN ({_ids(unit_ids)}) AND reach_day >= %s AND reach_day < %s"
            " GROUP BY 1, 2, 3",
            [*bounds[1:-1], first, end],
        ),
        loops=True,
    )
    for unit_id, centre_id, index, n, *values in rows:
        counts = out[int(index)][unit_id]
        counts["received"] += int(n)
        for name, value in zip(SUM_COUNTS, values, strict=True):
            # a stopped accept clock is due whatever the cut-off; a running one once its
            # deadline has passed (_live_counts)
            counts["accept_due" if name == "accept_closed" else name] += int(value)
        path = covers.get(int(centre_id))
        if path is not None and paths[unit_id].startswith(path):
            counts["received_own"] += int(n)
    _live_counts(unit_ids, periods, pass_mark, out, bucket)
    if days:
        _co_counts(unit_ids, (first, end), out, bucket)
    for per_period in out:
        for counts in per_period.values():
            counts["received_transferred"] = counts["received"] - counts["received_own"]
    if days:
        _reach_groups(unit_ids, (first, end), groups)
        _reply_groups(unit_ids, (first, end), groups)
    return out, groups


def _reach_groups(unit_ids, span: tuple[date, date], groups: dict) -> None:
    """The per-day reach groups of ``avg_handling_days`` (the replied rows) from ``CohortSum``."""
    for unit_id, day, n, secs in _run(
        Sql(
            f"SELECT unit_id, reach_day, CAST(SUM(replied) AS BIGINT), SUM(reach_secs)"
            f" FROM {T_CS} WHERE unit_id IN ({_ids(unit_ids)}) AND reach_day >= %s"
            " AND reach_day < %s GROUP BY unit_id, reach_day HAVING SUM(replied) <> 0",
            list(span),
        ),
        loops=True,
    ):
        groups[unit_id]["reach"].append((_as_date(day), int(n), int(secs or 0)))


def _co_counts(unit_ids, span: tuple[date, date], out: list, bucket) -> None:
    """Add ``co_handled`` from ``CoSum``."""
    for unit_id, month, n in _run(
        Sql(
            f"SELECT unit_id, month, SUM(n) FROM {T_COS} WHERE unit_id IN ({_ids(unit_ids)})"
            " AND month >= %s AND month < %s GROUP BY unit_id, month",
            list(span),
        ),
        loops=True,
    ):
        out[bucket(_as_date(month))][unit_id]["co_handled"] += int(n)


def _reply_groups(unit_ids, span: tuple[date, date], groups: dict) -> None:
    """The per-day reply groups of ``avg_handling_days`` from ``ReplySum``."""
    for unit_id, day, n, secs in _run(
        Sql(
            f"SELECT unit_id, reply_day, SUM(n), SUM(secs) FROM {T_RS}"
            f" WHERE unit_id IN ({_ids(unit_ids)}) AND month >= %s AND month < %s"
            " GROUP BY unit_id, reply_day HAVING SUM(n) <> 0",
            list(span),
        ),
        loops=True,
    ):
        groups[unit_id]["reply"].append((_as_date(day), int(n), int(secs or 0)))


def _live_counts(unit_ids, periods, pass_mark: float, out: list, bucket) -> None:
    """Add ``overdue``, the open part of ``accept_due`` and ``spot_checks_failed`` (they change
    with time and the rules) from the fact rows that can hold for them."""
    cut = _dt(periods[0].cut_off)
    start, end = _dt(periods[0].start), _dt(periods[-1].end)
    rows = _run(
        Sql(
            f"""
SELECT uf.unit_id, uf.reach_day,
  {_flag("NOT uf.replied AND uf.running_due_at <= %s")},
  {
                _flag(
                    "uf.accept_started_at IS NOT NULL AND uf.accept_stopped_at IS NULL"
                    " AND uf.accept_due_at <= %s"
                )
            },
  {_flag("uf.spot_max > 0 AND uf.spot_points * 100 < uf.spot_max * %s")}
FROM {T_UF} uf
WHERE uf.unit_id IN ({_ids(unit_ids)}) AND uf.reached_at >= %s AND uf.reached_at < %s
  AND {LIVE} AND {COHORT}
GROUP BY uf.unit_id, uf.reach_day""",  # fmt: skip
            [cut, cut, float(pass_mark), start, end],
        ),
        loops=True,
    )
    for unit_id, day, overdue, accept_open, spot in rows:
        counts = out[bucket(_as_date(day))][unit_id]
        counts["overdue"] += int(overdue or 0)
        counts["accept_due"] += int(accept_open or 0)
        counts["spot_checks_failed"] += int(spot or 0)


def groups_from_sums(unit_id: int, period) -> tuple[list, dict[str, int], dict[int | None, int]]:
    """The unit's cohort in the whole-month ``period`` at a live cut-off: by (local day of first
    reach, channel), by kind and by category id (None: none), from ``GroupSum``."""
    first, end = _local_date(period.start), _local_date(period.end)
    by_day: list[tuple[date, str, int]] = []
    kinds: dict[str, int] = {}
    categories: dict[int | None, int] = {}
    rows = _run(
        Sql(
            f"SELECT CASE WHEN dim = 'channel' THEN day END, dim, value, SUM(n) FROM {T_GS}"
            " WHERE unit_id = %s AND day >= %s AND day < %s"
            " GROUP BY CASE WHEN dim = 'channel' THEN day END, dim, value"
            " HAVING SUM(n) <> 0",
            [int(unit_id), first, end],
        ),
        loops=True,
    )
    for day, dim, value, n in rows:
        if dim == "channel":
            by_day.append((_as_date(day), value, int(n)))
        elif dim == "kind":
            kinds[value] = int(n)
        else:
            categories[int(value) if value else None] = int(n)
    return by_day, kinds, categories
