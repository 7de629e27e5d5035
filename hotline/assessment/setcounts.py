"""Every count of many units at once (docs/assessment.md, "How the counts are computed").

``selectors.conditions`` defines each count as one condition on one unit's cohort, and
``selectors.metric_tickets`` lists it (the drill-down). Counted unit by unit that is ~4
queries per assessed unit, each probing the indexes once per cohort ticket. Here the same
definitions are computed for a set of units in two queries:

1. ``reach``: every (unit, ticket) pair where the ticket's first lead assignment into the unit's
   sub-tree (属地管理: a unit answers for what reached any unit under it) falls in the period —
   lead assignments joined to the units of the set whose path prefixes theirs, grouped by
   (unit, ticket), ``MIN(assigned_at)``;
2. facts per ticket, pre-aggregated once from its events and clocks up to the cut-off (merged,
   replied, followed up, final rating, first reply's clock on time, a handle clock overdue,
   repeat verdict), and facts per (ticket, unit that did something) — forwards, send-back
   rulings, red warnings, supervision orders, accountability records, failed spot checks, the
   first accept clock — mapped to the units of the set above that unit and grouped by
   (unit, ticket);
3. ``GROUP BY unit`` with one conditional aggregate per count.

A second query gives ``co_handled``, a third the per-day sums behind ``avg_handling_days``.
The test ``test_setcounts.py`` checks the result equals the per-unit path for every unit of
the edge-case month, and ``test_recompute.py`` checks it against a plain recomputation.

With the cut-off now and the facts ready (``facts_usable``), the same counts are read from the
per-ticket facts the write path keeps (facts.py, written by these same CTEs): one grouped read
of ``UnitFact`` per query (``_fact_rows``), each condition written over its columns
(``_fact_conds``). ``test_facts.py`` checks the two paths agree.

Portable SQL (SQLite and PostgreSQL): the JSON keys and the local date of a moment come from
the backend (``_json``, ``connection.ops``), every datetime parameter is adapted by the
backend as the ORM would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from hotline.feedback.models import CheckItem, SpotSample, SpotScore
from hotline.insight.models import RepeatCheck
from hotline.orgs.models import HotlineCentre, Unit
from hotline.supervision.models import Accountability, SupervisionOrder
from hotline.tickets.models import Clock, Ticket, TicketAssignment, TicketEvent
from hotline.workcal.calc import SHANGHAI

from . import formulas

T_TICKET = Ticket._meta.db_table
T_ASSIGN = TicketAssignment._meta.db_table
T_CLOCK = Clock._meta.db_table
T_EVENT = TicketEvent._meta.db_table
T_UNIT = Unit._meta.db_table
T_CENTRE = HotlineCentre._meta.db_table
T_REPEAT = RepeatCheck._meta.db_table
T_ORDER = SupervisionOrder._meta.db_table
T_ACCOUNT = Accountability._meta.db_table
T_SAMPLE = SpotSample._meta.db_table
T_SCORE = SpotScore._meta.db_table
T_ITEM = CheckItem._meta.db_table

SATISFIED = ("satisfied", "basically_satisfied")

# Per (unit, ticket) flags from what a unit of the sub-tree did (``uf`` below).
UNIT_FLAGS = ("fwd", "late", "sb_valid", "sb_invalid", "red", "sup", "acc", "spot")


class Sql:
    """SQL text with its positional parameters, concatenated in order."""

    def __init__(self, text: str = "", params: Iterable = ()):
        self.text = text
        self.params = list(params)

    def __add__(self, other: Sql | str) -> Sql:
        if isinstance(other, str):
            return Sql(self.text + other, self.params)
        return Sql(self.text + other.text, self.params + other.params)


def _dt(value):
    """A datetime parameter as the backend stores it (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _json(column: str, *keys: str) -> str:
    """The text of ``column``'s JSON value at ``keys``."""
    if connection.vendor == "postgresql":
        head = "".join(f" -> '{k}'" for k in keys[:-1])
        return f"({column}{head} ->> '{keys[-1]}')"
    return f"json_extract({column}, '$.{'.'.join(keys)}')"


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _in_cand() -> str:
    """``ticket_id`` among the candidates. PostgreSQL: one index scan with the array of them
    (``= ANY``), not a join: the plan joins without nested loops (``_run``)."""
    if connection.vendor == "postgresql":
        return "= ANY((SELECT array_agg(ticket_id) FROM cand)::bigint[])"
    return "IN (SELECT ticket_id FROM cand)"


def _ids(unit_ids: Iterable[int]) -> str:
    return ", ".join(str(int(pk)) for pk in unit_ids) or "NULL"


def _anc(unit_ids: Iterable[int]) -> str:
    """Every unit -> the units of the set at or above it (their path prefixes its path)."""
    return f"""
  SELECT u.id AS unit_id, au.id AS aid
  FROM {T_UNIT} u JOIN {T_UNIT} au ON substr(u.path, 1, length(au.path)) = au.path
  WHERE au.id IN ({_ids(unit_ids)})
"""


@dataclass(frozen=True)
class Src:
    """What a query computes over: ``cand`` (the candidate tickets: a condition on lead
    assignments), ``anc`` (SQL: every unit -> the units counted above or at it), ``period``
    (the period a first reach must fall in; None: every reach counts) and ``cut`` (the cut-off;
    ``FOREVER``: every recorded row counts)."""

    cand: Sql
    anc: str
    period: object | None
    cut: datetime


# The cut-off of the facts (facts.py): none, every recorded row counts.
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


def period_src(unit_ids: Sequence[int], period) -> Src:
    """The counts of ``unit_ids`` in ``period``: the tickets with a lead assignment in it."""
    cand = Sql(
        "assigned_at >= %s AND assigned_at < %s", [_dt(period.start), _dt(period.last_reach)]
    )
    return Src(cand, _anc(unit_ids), period, period.cut_off)


def _base_ctes(src: Src) -> Sql:
    """``cand`` (tickets with a lead assignment meeting ``src.cand``), ``anc`` (every unit ->
    the units counted above or equal to it), ``reach`` (first reach of each sub-tree), ``cev``
    (the candidates' events up to the cut-off that a count reads, read once), ``ev``
    (per-ticket event facts), ``sb`` and ``sbv`` (send-back rulings, a valid one by a unit of
    the sub-tree), ``cohort``."""
    having = Sql("")
    if src.period is not None:
        having = Sql(
            "\n  HAVING MIN(a.assigned_at) >= %s AND MIN(a.assigned_at) < %s",
            [_dt(src.period.start), _dt(src.period.last_reach)],  # type: ignore[attr-defined]
        )
    return (
        Sql(
            f"""
WITH cand AS MATERIALIZED (
  SELECT DISTINCT ticket_id FROM {T_ASSIGN}
  WHERE role = 'lead' AND """
        )
        + src.cand
        + f"""
),
anc AS ({src.anc}),
reach AS (
  SELECT anc.aid, a.ticket_id, MIN(a.assigned_at) AS reached_at
  FROM {T_ASSIGN} a JOIN anc ON anc.unit_id = a.unit_id
  WHERE a.role = 'lead' AND a.ticket_id {_in_cand()}
  GROUP BY anc.aid, a.ticket_id"""
        + having
        + Sql(
            f"""
),
cev AS MATERIALIZED (
  SELECT e.ticket_id, e.seq, e.action,
    {_json("e.data", "satisfaction")} AS satisfaction, {_json("e.data", "verdict")} AS verdict,
    {_json("e.data", "send_back", "unit")} AS sb_unit,
    {_json("e.data", "send_back", "ruling")} AS ruling,
    {_json("e.data", "warning")} AS warning, {_json("e.data", "unit")} AS warn_unit
  FROM {T_EVENT} e
  WHERE e.ticket_id {_in_cand()} AND e.at <= %s
    AND e.action IN ('merge', 'reply', 'follow_up', 'review', 'dispatch', 'warn')
),
ev AS (
  SELECT e.ticket_id,
    MAX(CASE WHEN e.action = 'merge' THEN 1 ELSE 0 END) AS merged,
    MAX(CASE WHEN e.action = 'reply' THEN 1 ELSE 0 END) AS replied,
    MAX(CASE WHEN e.action = 'follow_up' THEN 1 ELSE 0 END) AS followed,
    MAX(CASE WHEN e.action = 'follow_up' THEN e.seq END) AS fu_seq,
    MAX(CASE WHEN (e.action = 'follow_up' AND e.satisfaction IN ({_quoted(SATISFIED)}))
              OR (e.action = 'review' AND e.verdict = 'proper') THEN e.seq END) AS good_seq
  FROM cev e
  GROUP BY e.ticket_id
),
sb AS (
  SELECT e.ticket_id, u.id AS unit_id, e.ruling
  FROM cev e JOIN {T_UNIT} u ON u.code = e.sb_unit
  WHERE e.action = 'dispatch' AND e.ruling IN ('valid', 'invalid')
),
sbv AS (
  SELECT DISTINCT anc.aid, sb.ticket_id FROM sb JOIN anc ON anc.unit_id = sb.unit_id
  WHERE sb.ruling = 'valid'
),
cohort AS (
  SELECT r.aid, r.ticket_id, r.reached_at FROM reach r
  LEFT JOIN ev ON ev.ticket_id = r.ticket_id
  LEFT JOIN sbv ON sbv.aid = r.aid AND sbv.ticket_id = r.ticket_id
  WHERE COALESCE(ev.merged, 0) = 0 AND sbv.ticket_id IS NULL
)""",
            [_dt(src.cut)],
        )
    )


def _fact_ctes(src: Src, pass_mark: float | None) -> Sql:
    """``ccl`` (the candidates' clocks a count reads, read once), per-ticket clock facts
    (``hc``, ``ontime``), per (unit, ticket) facts (``uf`` -> ``ufa``) and the sub-tree's
    first accept clock (``acc``). Without ``pass_mark`` no spot check is judged (the facts
    keep the worst case sample instead: facts.py)."""
    cut = _dt(src.cut)
    zeros = {flag: "0" for flag in UNIT_FLAGS}

    def flags(**ones: str) -> str:
        return ", ".join(f"{ones.get(f, zeros[f])} AS {f}" for f in UNIT_FLAGS)

    sql = Sql(
        f""",
ccl AS MATERIALIZED (
  SELECT c.id, c.ticket_id, c.kind, c.unit_id, c.started_at, c.stopped_at, c.due_at,
    c.stop_reason, c.met
  FROM {T_CLOCK} c
  WHERE c.ticket_id {_in_cand()} AND c.kind IN ('handle', 'transfer', 'accept')
),
hc AS (
  SELECT c.ticket_id,
    MAX(CASE WHEN (c.stopped_at IS NULL OR c.stopped_at > %s) AND c.started_at <= %s
             AND c.due_at <= %s THEN 1 ELSE 0 END) AS running_overdue,
    MIN(CASE WHEN c.stop_reason = 'replied' AND c.stopped_at <= %s THEN c.stopped_at END)
      AS first_stop
  FROM ccl c WHERE c.kind = 'handle'
  GROUP BY c.ticket_id
),
ontime AS (
  SELECT c.ticket_id, MAX(CASE WHEN c.met THEN 1 ELSE 0 END) AS on_time
  FROM ccl c JOIN hc ON hc.ticket_id = c.ticket_id AND c.stopped_at = hc.first_stop
  WHERE c.kind = 'handle' AND c.stop_reason = 'replied'
  GROUP BY c.ticket_id
),""",
        [cut, cut, cut, cut],
    )
    spot_branch = Sql("")
    if pass_mark is not None:
        sql += Sql(
            f"""
spot AS (
  SELECT sc.sample_id FROM {T_SCORE} sc JOIN {T_ITEM} it ON it.id = sc.item_id
  WHERE sc.scored_at <= %s
  GROUP BY sc.sample_id
  HAVING SUM(it.max_points) > 0 AND SUM(sc.points) * 100 < SUM(it.max_points) * %s
),""",
            [cut, float(pass_mark)],
        )
        spot_branch = Sql(
            f"""
  UNION ALL
  SELECT s.ticket_id, s.unit_id, {flags(spot="1")}
  FROM {T_SAMPLE} s JOIN spot ON spot.sample_id = s.id
  WHERE s.ticket_id {_in_cand()} AND s.kind = 'case'"""
        )
    sql += Sql(
        f"""
uf AS (
  SELECT c.ticket_id, c.unit_id, {flags(fwd="1", late="CASE WHEN NOT c.met THEN 1 ELSE 0 END")}
  FROM ccl c
  WHERE c.kind = 'transfer' AND c.stop_reason = 'forwarded' AND c.stopped_at <= %s
  UNION ALL
  SELECT sb.ticket_id, sb.unit_id, {flags(sb_invalid="1")} FROM sb WHERE sb.ruling = 'invalid'
  UNION ALL
  SELECT e.ticket_id, u.id, {flags(red="1")}
  FROM cev e JOIN {T_UNIT} u ON u.code = e.warn_unit
  WHERE e.action = 'warn' AND e.warning = 'red'
  UNION ALL
  SELECT o.ticket_id, o.unit_id, {flags(sup="1")} FROM {T_ORDER} o
  WHERE o.ticket_id {_in_cand()} AND o.created_at <= %s
  UNION ALL
  SELECT x.ticket_id, x.unit_id, {flags(acc="1")} FROM {T_ACCOUNT} x
  WHERE x.ticket_id {_in_cand()} AND x.decided_at <= %s""",
        [cut, cut, cut],
    )
    return (
        sql
        + spot_branch
        + f"""
),
ufa AS (
  SELECT anc.aid, uf.ticket_id, {", ".join(f"MAX(uf.{f}) AS {f}" for f in UNIT_FLAGS)}
  FROM uf JOIN anc ON anc.unit_id = uf.unit_id
  GROUP BY anc.aid, uf.ticket_id
),
tk AS (
  SELECT t.id, t.registered_centre_id AS centre_id, cov.path AS covers_path,
    ctr.parent_id AS centre_parent, rc.repeat_of_id
  FROM {T_TICKET} t
  LEFT JOIN {T_CENTRE} ctr ON ctr.id = t.registered_centre_id
  LEFT JOIN {T_UNIT} cov ON cov.id = ctr.covers_id
  LEFT JOIN (
    SELECT ticket_id, repeat_of_id FROM {T_REPEAT} WHERE ticket_id {_in_cand()}
  ) rc ON rc.ticket_id = t.id
  WHERE t.id {_in_cand()}
),
acc AS (
  SELECT aid, ticket_id, started_at, stopped_at, due_at, stop_reason FROM (
    SELECT anc.aid, c.ticket_id, c.started_at, c.stopped_at, c.due_at, c.stop_reason,
      ROW_NUMBER() OVER (PARTITION BY anc.aid, c.ticket_id ORDER BY c.started_at, c.id) AS rn
    FROM ccl c JOIN anc ON anc.unit_id = c.unit_id
    WHERE c.kind = 'accept'
  ) firsts WHERE rn = 1
)"""
    )


def _event_conds(cut: str, pass_mark: float) -> dict[str, Sql]:
    """One condition per count over the event path's CTEs (selectors.conditions, in the same
    words); each ``%s`` is the cut-off."""
    replied = "COALESCE(ev.replied, 0) = 1"
    followed = "COALESCE(ev.followed, 0) = 1"
    conds = {
        "received_own": (
            "tk.centre_parent IS NOT NULL"
            " AND substr(au.path, 1, length(tk.covers_path)) = tk.covers_path"
        ),
        "forwarded": "ufa.fwd = 1",
        "forwarded_late": "ufa.late = 1",
        "accepted_on_time": (
            "acc.started_at <= %s AND acc.stop_reason IN ('accepted', 'forwarded')"
            " AND acc.stopped_at <= %s AND acc.due_at >= acc.stopped_at"
        ),
        "accept_due": "acc.started_at <= %s AND (acc.stopped_at <= %s OR acc.due_at <= %s)",
        "replied": replied,
        "replied_on_time": "ontime.on_time = 1",
        "overdue": f"NOT ({replied}) AND hc.running_overdue = 1",
        "followed_up": f"{replied} AND {followed}",
        "satisfied": f"{followed} AND ev.good_seq IS NOT NULL AND ev.good_seq >= ev.fu_seq",
        "repeats": "tk.repeat_of_id IS NOT NULL",
        "send_backs_invalid": "ufa.sb_invalid = 1",
        "red_warnings": "ufa.red = 1",
        "supervision_orders": "ufa.sup = 1",
        "accountabilities": "ufa.acc = 1",
        "spot_checks_failed": "ufa.spot = 1",
    }
    return {name: Sql(cond, [cut] * cond.count("%s")) for name, cond in conds.items()}


def _fact_conds(cut: str, pass_mark: float) -> dict[str, Sql]:
    """The same conditions over the facts (``uf``: UnitFact, its ticket's conditions included;
    ``au``: the unit; ``ctr``/``cov``: the registering centre and the unit it covers): what
    depends on the cut-off compares the stored moments with it (facts.py)."""
    conds = {
        "received_own": (
            "ctr.parent_id IS NOT NULL AND substr(au.path, 1, length(cov.path)) = cov.path"
        ),
        "forwarded": "uf.fwd",
        "forwarded_late": "uf.late",
        "accepted_on_time": (
            "uf.accept_started_at <= %s AND uf.accept_stop_reason IN ('accepted', 'forwarded')"
            " AND uf.accept_stopped_at <= %s AND uf.accept_due_at >= uf.accept_stopped_at"
        ),
        "accept_due": (
            "uf.accept_started_at <= %s AND (uf.accept_stopped_at <= %s OR uf.accept_due_at <= %s)"
        ),
        "replied": "uf.replied",
        "replied_on_time": "uf.on_time",
        "overdue": "NOT uf.replied AND uf.running_due_at <= %s",
        "followed_up": "uf.replied AND uf.followed",
        "satisfied": "uf.satisfied",
        "repeats": "uf.repeated",
        "send_backs_invalid": "uf.sb_invalid",
        "red_warnings": "uf.red",
        "supervision_orders": "uf.sup",
        "accountabilities": "uf.acc",
    }
    out = {name: Sql(cond, [cut] * cond.count("%s")) for name, cond in conds.items()}
    out["spot_checks_failed"] = Sql(
        "uf.spot_max > 0 AND uf.spot_points * 100 < uf.spot_max * %s", [float(pass_mark)]
    )
    return out


def _count_flags(conds: dict[str, Sql]) -> tuple[Sql, tuple[str, ...]]:
    """One 0/1 flag per count and cohort ticket."""
    flags = Sql("")
    for name, cond in conds.items():
        flags += Sql(",\n    CASE WHEN ") + cond + f" THEN 1 ELSE 0 END AS c_{name}"
    return flags, ("received", *conds)


def _bucket(bounds: Sequence, column: str = "co.reached_at") -> Sql:
    """The index of the part of the period a cohort ticket first reached the sub-tree in, the
    parts split at ``bounds`` (0 without bounds)."""
    if not bounds:
        return Sql("0")
    whens = " ".join(f"WHEN {column} < %s THEN {i}" for i in range(len(bounds)))
    return Sql(f"CASE {whens} ELSE {len(bounds)} END", [_dt(b) for b in bounds])


FIRST_REPLY = """,
first_reply AS (
  SELECT e.ticket_id, e.at FROM {events} e JOIN (
    SELECT ticket_id, MIN(seq) AS seq FROM {events}
    WHERE ticket_id {in_cand} AND action = 'reply'
    GROUP BY ticket_id
  ) m ON m.ticket_id = e.ticket_id AND m.seq = e.seq
  WHERE e.ticket_id {in_cand} AND e.action = 'reply'
)"""


def _event_rows(
    unit_ids: Sequence[int], period, pass_mark: float, bounds: Sequence, days: bool
) -> tuple[Sql, tuple[str, ...]]:
    """``facts``: one row per (unit, cohort ticket) with its bucket, reach, first reply and
    flags, from the events, clocks and assignments of the period's candidates."""
    flags, names = _count_flags(_event_conds(_dt(period.cut_off), pass_mark))
    reply_at = "fr.at" if days else "NULL"
    src = period_src(unit_ids, period)
    sql = _base_ctes(src) + _fact_ctes(src, pass_mark)
    if days:
        sql += FIRST_REPLY.format(events=T_EVENT, in_cand=_in_cand())
    sql += (
        Sql(",\nfacts AS MATERIALIZED (\n  SELECT co.aid, ")
        + _bucket(bounds)
        + f" AS bucket, co.reached_at, {reply_at} AS replied_at"
        + flags
        + f"""
  FROM cohort co
  JOIN {T_UNIT} au ON au.id = co.aid
  JOIN tk ON tk.id = co.ticket_id
  LEFT JOIN ev ON ev.ticket_id = co.ticket_id
  LEFT JOIN hc ON hc.ticket_id = co.ticket_id
  LEFT JOIN ontime ON ontime.ticket_id = co.ticket_id
  LEFT JOIN ufa ON ufa.aid = co.aid AND ufa.ticket_id = co.ticket_id
  LEFT JOIN acc ON acc.aid = co.aid AND acc.ticket_id = co.ticket_id"""
        + ("\n  LEFT JOIN first_reply fr ON fr.ticket_id = co.ticket_id" if days else "")
        + "\n)"
    )
    return sql, names


def _fact_cohort(unit_ids: Sequence[int], period, joins: str = "") -> Sql:
    """FROM and WHERE of the cohort read from the facts: the first reach of the unit's sub-tree
    in the period, not validly sent back by a unit of the sub-tree, not merged."""
    from .models import UnitFact

    return Sql(
        f"""
  FROM {UnitFact._meta.db_table} uf{joins}
  WHERE uf.unit_id IN ({_ids(unit_ids)}) AND uf.reached_at >= %s AND uf.reached_at < %s
    AND NOT uf.sb_valid AND NOT uf.merged""",
        [_dt(period.start), _dt(period.last_reach)],
    )


def _fact_rows(
    unit_ids: Sequence[int], period, pass_mark: float, bounds: Sequence, days: bool
) -> tuple[Sql, tuple[str, ...]]:
    """``facts`` as ``_event_rows`` gives it, read from the fact tables (cut-off now)."""
    flags, names = _count_flags(_fact_conds(_dt(period.cut_off), pass_mark))
    reply_at = "uf.first_reply_at" if days else "NULL"
    if days:
        reply_at += " AS replied_at, uf.reach_day, uf.reach_secs, uf.reply_day, uf.reply_secs"
    else:
        reply_at += " AS replied_at"
    joins = f"""
  JOIN {T_UNIT} au ON au.id = uf.unit_id
  LEFT JOIN {T_CENTRE} ctr ON ctr.id = uf.centre_id
  LEFT JOIN {T_UNIT} cov ON cov.id = ctr.covers_id"""
    sql = (
        Sql("\nWITH facts AS MATERIALIZED (\n  SELECT uf.unit_id AS aid, ")
        + _bucket(bounds, "uf.reached_at")
        + f" AS bucket, uf.reached_at, {reply_at}"
        + flags
        + _fact_cohort(unit_ids, period, joins)
        + "\n)"
    )
    return sql, names


def _counts_query(
    unit_ids: Sequence[int],
    period,
    pass_mark: float,
    bounds: Sequence = (),
    days: bool = True,
    from_facts: bool = False,
) -> tuple[Sql, tuple]:
    """Rows ('counts', unit, bucket, received, the other counts..., NULL, NULL) and, with
    ``days``, ('reach' | 'reply', unit, 0, n, NULL..., local day, seconds): the per-day sums of
    ``avg_handling_days`` over the replied cohort, from the same facts (the fact tables with
    ``from_facts``, else the events)."""
    rows = _fact_rows if from_facts else _event_rows
    sql, names = rows(unit_ids, period, pass_mark, bounds, days)
    sql += (
        "\nSELECT 'counts' AS part, aid, bucket, COUNT(*)"
        + "".join(f", SUM(c_{n})" for n in names[1:])
        + ", CAST(NULL AS date), NULL FROM facts GROUP BY aid, bucket"
    )
    nulls = ", NULL" * (len(names) - 1)
    day_column = 4 + len(names)
    for part, column in (("reach", "reached_at"), ("reply", "replied_at")):
        if days:
            # The facts keep each moment's local day and seconds (computed as here).
            day_secs = (
                Sql(f"{part}_day AS day, SUM({part}_secs) AS secs")
                if from_facts
                else _local_day_secs(column)
            )
            sql += (
                Sql(f"\nUNION ALL\nSELECT '{part}', aid, 0, COUNT(*){nulls}, ")
                + day_secs
                + f" FROM facts WHERE c_replied = 1 GROUP BY aid, {day_column}"
            )
    return sql, names


def _co_handled_query(unit_ids: Sequence[int], period) -> Sql:
    start, last, cut = _dt(period.start), _dt(period.last_reach), _dt(period.cut_off)
    return Sql(
        f"""
WITH anc AS ({_anc(unit_ids)})
SELECT anc.aid, COUNT(DISTINCT a.ticket_id)
FROM {T_ASSIGN} a JOIN anc ON anc.unit_id = a.unit_id
WHERE a.role = 'co' AND a.assigned_at >= %s AND a.assigned_at < %s
  AND NOT EXISTS (
    SELECT 1 FROM {T_EVENT} e WHERE e.ticket_id = a.ticket_id AND e.action = 'merge'
      AND e.at <= %s)
GROUP BY anc.aid""",
        [start, last, cut],
    )


def local_day(column: str) -> Sql:
    """The local (Asia/Shanghai) date of ``column``, as the ORM's TruncDate writes it."""
    day, day_params = connection.ops.datetime_cast_date_sql(column, (), SHANGHAI.key)
    return Sql(day, day_params)


def local_secs(column: str) -> Sql:
    """The seconds of ``column`` since local midnight, as the ORM's Extract* write them
    (selectors._seconds)."""
    ops, tz = connection.ops, SHANGHAI.key
    parts = [
        ops.datetime_extract_sql(kind, column, (), tz) for kind in ("hour", "minute", "second")
    ]
    secs = " + ".join(
        f"({sql}) * {mult}" for (sql, _p), mult in zip(parts, (3600, 60, 1), strict=True)
    )
    return Sql(secs, [p for _sql, ps in parts for p in ps])


def _local_day_secs(column: str) -> Sql:
    """The local date of ``column`` and the sum of its seconds since local midnight
    (selectors._day_groups)."""
    return local_day(column) + " AS day, SUM(" + local_secs(column) + ") AS secs"


def _run(sql: Sql, *, loops: bool = False, before: Sequence[str] = ()) -> list[tuple]:
    """Run one of the queries (after the plain statements ``before``, in the same savepoint).
    On PostgreSQL without JIT: compiling these plans (hundreds of expressions) took ~8 s of a
    15 s query at 1M tickets, and they run in well under that; and without nested loops unless
    ``loops`` (the planner cannot estimate the grouped CTEs and chose loops over them; the
    fact tables' reads and one ticket's facts want them, and index ranges, never a scan of
    the whole fact table)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for statement in before:
                cursor.execute(statement)
            cursor.execute(sql.text, sql.params)
            return cursor.fetchall() if cursor.description else []
        # Within a caller's transaction SET LOCAL would outlast this query: put them back (on
        # an error the savepoint's rollback does).
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('enable_nestloop'),"
            " current_setting('enable_seqscan'), set_config('jit', 'off', true)"
        )
        before_settings = cursor.fetchone()[:3]
        if loops:
            # The fact tables are read by index ranges (a month of some units: a few percent of
            # the rows); the planner's default page costs chose a scan of the whole table for
            # the month's ranking (2.0 s instead of 0.8 s at 10,000,000 tickets).
            cursor.execute("SET LOCAL enable_seqscan = off")
        else:
            cursor.execute("SET LOCAL enable_nestloop = off")
        if before:
            cursor.execute(";\n".join(before))
        cursor.execute(sql.text, sql.params)
        rows = cursor.fetchall() if cursor.description else []
        cursor.execute(
            "SELECT set_config('jit', %s, true), set_config('enable_nestloop', %s, true),"
            " set_config('enable_seqscan', %s, true)",
            before_settings,
        )
        return rows


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _avg_days(groups: dict, replied: int) -> float | None:
    """avg_handling_days from the per-day groups of one unit (selectors.avg_handling_days)."""
    from hotline.workcal.selectors import get_calendar

    if not replied:
        return None
    cal = get_calendar()
    index = formulas.working_day_index(cal.days)
    try:
        replies = formulas.working_days_total(sorted(groups.get("reply", [])), cal.days, index)
        reaches = formulas.working_days_total(sorted(groups.get("reach", [])), cal.days, index)
    except KeyError as exc:
        from hotline.core.errors import CalendarMissing

        raise CalendarMissing(exc.args[0].year) from None
    return formulas.round2((replies - reaches) / replied)


def counts_of(
    unit_ids: Sequence[int], period, rules: formulas.Rules
) -> tuple[dict[int, dict[str, int]], dict[int, float | None]]:
    """Every count (formulas.METRICS) and ``avg_handling_days`` of every unit of ``unit_ids``
    (a few queries): unit id -> counts, unit id -> average."""
    out = {pk: dict.fromkeys(formulas.METRICS, 0) for pk in unit_ids}
    if not unit_ids:
        return out, dict.fromkeys(unit_ids, None)
    live = facts_usable(period)
    groups: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    if live and sums_usable([period]):
        from .sums import counts_from_sums

        # co_handled included
        (out,), groups = counts_from_sums(unit_ids, [period], rules.spot_pass, days=True)
        return out, {pk: _avg_days(groups[pk], out[pk]["replied"]) for pk in unit_ids}
    sql, names = _counts_query(unit_ids, period, rules.spot_pass, from_facts=live)
    for row in _run(sql, loops=live):
        if row[0] == "counts":
            _fill(out[row[1]], names, row[3 : 3 + len(names)])
        else:
            groups[row[1]][row[0]].append((_as_date(row[-2]), row[3], int(row[-1] or 0)))
    # One probe of the merges per co-handled ticket (a few percent of a month).
    for aid, n in _run(_co_handled_query(unit_ids, period), loops=True):
        out[aid]["co_handled"] = int(n)
    days = {pk: _avg_days(groups[pk], out[pk]["replied"]) for pk in unit_ids}
    return out, days


def _fill(counts: dict, names: Sequence[str], values: Sequence) -> None:
    counts.update(zip(names, (int(v or 0) for v in values), strict=True))
    counts["received_transferred"] = counts["received"] - counts["received_own"]


def monthly_counts(unit_id: int, periods: Sequence, rules: formulas.Rules) -> list[dict]:
    """The counts of one unit in each of consecutive ``periods`` (the same cut-off), in one
    query over their span: a cohort ticket of the span belongs to the period its first reach
    of the sub-tree falls in, and every condition depends on the cut-off only, so each part
    equals the period's own counts. ``co_handled`` is not computed (0). With a live cut-off
    they are read from the running sums (sums.py): a year of one unit is a few hundred rows."""
    first, last = periods[0], periods[-1]
    span = type(first)(first.start, last.end, first.cut_off, f"{first.label}/{last.label}")
    live = facts_usable(span)
    if live and sums_usable(periods):
        from .sums import counts_from_sums

        monthly, _groups = counts_from_sums([unit_id], periods, rules.spot_pass, days=False)
        return [counts[unit_id] for counts in monthly]
    return _monthly_computed(unit_id, periods, rules, live=live)


def _monthly_computed(
    unit_id: int, periods: Sequence, rules: formulas.Rules, *, live: bool
) -> list[dict]:
    first, last = periods[0], periods[-1]
    span = type(first)(first.start, last.end, first.cut_off, f"{first.label}/{last.label}")
    out = [dict.fromkeys(formulas.METRICS, 0) for _p in periods]
    bounds = [p.start for p in periods[1:]]
    sql, names = _counts_query(
        [unit_id], span, rules.spot_pass, bounds, days=False, from_facts=live
    )
    for row in _run(sql, loops=live):
        _fill(out[row[2]], names, row[3 : 3 + len(names)])
    return out


def category_roots() -> dict[int, int]:
    """Every category -> its top-level category (the dashboard's breakdown)."""
    from hotline.orgs.models import Category

    parents = dict(Category.objects.values_list("pk", "parent_id"))
    roots = {}
    for pk in parents:
        node, seen = pk, {pk}
        while parents.get(node) and parents[node] in parents and parents[node] not in seen:
            node = parents[node]
            seen.add(node)
        roots[pk] = node
    return roots


def _roots_join(column: str) -> str:
    """A LEFT JOIN giving ``cr.root``, the top-level category of ``column`` (a VALUES list of
    the catalogue's few hundred categories: one hash join, any depth)."""
    pairs = ", ".join(f"({int(pk)}, {int(root)})" for pk, root in sorted(category_roots().items()))
    if not pairs:
        return f"\n  LEFT JOIN (SELECT NULL AS id, NULL AS root) cr ON cr.id = {column}"
    return (
        f"\n  LEFT JOIN (SELECT column1 AS id, column2 AS root FROM (VALUES {pairs}) v) cr"
        f" ON cr.id = {column}"
    )


@dataclass(frozen=True)
class CohortGroups:
    """A unit's cohort (``received``) split three ways: by (local day of first reach of the
    sub-tree, channel), by kind, and by top-level category (None: none)."""

    by_day_channel: tuple[tuple[date, str, int], ...]
    by_kind: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[int | None, int], ...]

    @classmethod
    def of(cls, by_day: Iterable, kinds: dict, categories: dict) -> CohortGroups:
        def key(item):
            return tuple("" if v is None else str(v) for v in item)

        return cls(
            tuple(sorted(by_day, key=key)),
            tuple(sorted(((k, n) for k, n in kinds.items() if n), key=key)),
            tuple(sorted(((c, n) for c, n in categories.items() if n), key=key)),
        )


def cohort_groups(unit_id: int, period) -> CohortGroups:
    """The unit's cohort by day and channel, by kind and by top-level category: from the
    running sums with the cut-off now (sums.py; a month of the city is a few thousand rows), else
    grouped by (day, channel, kind, top-level category) from the facts or the events (grouped
    by the top-level category, not the leaf: a few thousand groups, not two hundred thousand)."""
    live = facts_usable(period)
    if live and sums_usable([period]):
        from .sums import groups_from_sums

        by_day, kinds, leaves = groups_from_sums(unit_id, period)
        roots = category_roots()
        categories: dict[int | None, int] = defaultdict(int)
        for leaf, n in leaves.items():
            categories[roots.get(leaf) if leaf is not None else None] += n
        return CohortGroups.of(by_day, kinds, categories)
    if live:
        sql = (
            Sql("SELECT uf.reach_day AS day, uf.channel, uf.kind, cr.root, COUNT(*)")
            + _fact_cohort([unit_id], period, _roots_join("uf.category_id"))
            + "\nGROUP BY 1, 2, 3, 4"
        )
        rows = _run(sql, loops=True)
    else:
        day, day_params = connection.ops.datetime_cast_date_sql("co.reached_at", (), SHANGHAI.key)
        sql = (
            _base_ctes(period_src([unit_id], period))
            + Sql(f"\nSELECT {day} AS day, t.channel, t.kind, cr.root, COUNT(*)", day_params)
            + f"""
FROM cohort co JOIN (
  SELECT id, channel, kind, category_id FROM {T_TICKET} WHERE id {_in_cand()}
) t ON t.id = co.ticket_id{_roots_join("t.category_id")}
GROUP BY 1, 2, 3, 4"""
        )
        rows = _run(sql)
    days: dict[tuple[date, str], int] = defaultdict(int)
    kind_counts: dict[str, int] = defaultdict(int)
    category_counts: dict[int | None, int] = defaultdict(int)
    for d, channel, kind, root, n in rows:
        days[(_as_date(d), channel)] += int(n)
        kind_counts[kind] += int(n)
        category_counts[root] += int(n)
    return CohortGroups.of(
        ((d, ch, n) for (d, ch), n in days.items()), kind_counts, category_counts
    )


# A live period's cut-off is taken when the request starts; the computation runs a moment
# later. Up to this long after its cut-off a period counts as "now" (docs/assessment.md).
LIVE_SLACK = timedelta(seconds=60)


def facts_usable(period) -> bool:
    """Whether the counts of ``period`` may be read from the facts: its cut-off is now (nothing
    recorded after it yet, so every condition with no cut-off is the condition at it) and the
    facts are complete and built on the current unit tree (``FactsState.ready``)."""
    from .models import FactsState

    if period.cut_off < timezone.now() - LIVE_SLACK:
        return False
    return FactsState.objects.filter(pk=1, ready=True).exists()


def sums_usable(periods: Sequence) -> bool:
    """Whether the counts of ``periods`` (the facts usable) may be read from the running sums
    (sums.py): they keep some counts by local month, so each period must be one whole month."""
    for period in periods:
        start = period.start.astimezone(SHANGHAI)
        end = period.end.astimezone(SHANGHAI)
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        if not (
            start.day == 1
            and start.time() == end.time() == datetime.min.time()
            and end.date() == following.date()
        ):
            return False
    return True
