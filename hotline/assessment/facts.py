"""Per-ticket assessment facts kept by the write path (docs/assessment.md, "How the counts are
computed"; docs/decisions.md).

A count is a condition on a unit's cohort, evaluated on the events, clocks and records up to
the cut-off. With the cut-off now, nothing recorded comes after it, so every condition is a
function of the rows as they are, save the few that compare a moment with the cut-off (a
handling deadline passed, the accept clock's deadline): those keep the moment. ``TicketFact``
holds one ticket's conditions, ``UnitFact`` those of a ticket for each unit at or above a unit it
reached as lead (the ``reach`` of setcounts over every unit, with no period), with a copy of the
ticket's so that counting reads one table.

``facts_write`` computes the facts of a set of tickets with the CTEs of ``setcounts`` (the
candidates are the given tickets, no period filter, no cut-off) and replaces their rows: the
same SQL as the counts, so the facts say what the counts would. It runs:

- for the tickets a change touched, in the change's transaction (``tickets.extensions.
  tickets_changed``: the transition function, accountability records, spot scores, repeat
  verdicts); a change that fails rolls its facts back with it;
- for every ticket, in batches (``manage.py assessment_facts --rebuild``).

``FactsState.ready`` says the facts are complete for the current unit tree: a move of a unit
(its path, so every sub-tree under it) clears it in the move's transaction, and the counts go
back to the events until a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Max, Min
from django.db.models.signals import pre_save
from django.utils import timezone

from hotline.orgs.models import Unit
from hotline.tickets.models import Ticket

from . import setcounts, sums
from .models import FactsState, TicketFact, UnitFact
from .setcounts import (
    FIRST_REPLY,
    T_EVENT,
    T_ITEM,
    T_SAMPLE,
    T_SCORE,
    T_TICKET,
    Sql,
    _in_cand,
)

T_TF = TicketFact._meta.db_table
T_UF = UnitFact._meta.db_table
BATCH = 20_000


def _bool(cond: str) -> str:
    """A condition as a column value that is never NULL (SQLite: 0/1, PostgreSQL: boolean)."""
    return f"(CASE WHEN {cond} THEN 1 ELSE 0 END) = 1"


def _ctes(where: str) -> Sql:
    src = setcounts.Src(Sql(where), sums.anc_all(), None, setcounts.FOREVER)
    return setcounts._base_ctes(src) + setcounts._fact_ctes(src, None)


# A ticket's conditions (models.TicketConditions): column -> its value, over ``ev``,
# ``ontime``, ``hrun``, ``fr`` (first reply), ``tk`` and ``t`` (the ticket).
_FOLLOWED = "COALESCE(ev.followed, 0) = 1"
CONDITIONS = {
    "merged": _bool("COALESCE(ev.merged, 0) = 1"),
    "replied": _bool("COALESCE(ev.replied, 0) = 1"),
    "followed": _bool(_FOLLOWED),
    "satisfied": _bool(f"{_FOLLOWED} AND ev.good_seq IS NOT NULL AND ev.good_seq >= ev.fu_seq"),
    "on_time": _bool("ontime.on_time = 1"),
    "running_due_at": "hrun.due_at",
    "first_reply_at": "fr.at",
    "repeated": _bool("tk.repeat_of_id IS NOT NULL"),
    "centre_id": "tk.centre_id",
    "channel": "t.channel",
    "kind": "t.kind",
    "category_id": "t.category_id",
}
TICKET_JOINS = f"""
JOIN tk ON tk.id = {{ticket}}
JOIN (
  SELECT id, channel, kind, category_id FROM {T_TICKET} WHERE id {_in_cand()}
) t ON t.id = {{ticket}}
LEFT JOIN ev ON ev.ticket_id = {{ticket}}
LEFT JOIN ontime ON ontime.ticket_id = {{ticket}}
LEFT JOIN hrun ON hrun.ticket_id = {{ticket}}
LEFT JOIN first_reply fr ON fr.ticket_id = {{ticket}}"""


def _ticket_select() -> str:
    """The TicketFact of each candidate (after ``_ctes`` and ``_more_ctes``)."""
    return f"""
INSERT INTO {T_TF} (ticket_id, {", ".join(CONDITIONS)})
SELECT c.ticket_id, {", ".join(CONDITIONS.values())}
FROM cand c{TICKET_JOINS.format(ticket="c.ticket_id")}"""


UNIT_COLUMNS = {
    "reached_at": "r.reached_at",
    "sb_valid": _bool("sbv.ticket_id IS NOT NULL"),
    **{f: _bool(f"COALESCE(ufa.{f}, 0) = 1") for f in ("fwd", "late", "sb_invalid", "red")},
    **{f: _bool(f"COALESCE(ufa.{f}, 0) = 1") for f in ("sup", "acc")},
    "spot_points": "w.points",
    "spot_max": "w.maxp",
    "accept_started_at": "acc.started_at",
    "accept_stopped_at": "acc.stopped_at",
    "accept_due_at": "acc.due_at",
    "accept_stop_reason": "acc.stop_reason",
}


def _unit_select() -> Sql:
    """The UnitFact of each (unit at or above a lead unit, candidate): its first reach, the
    sub-tree's valid send-back, flags, worst case spot check and first accept clock, the
    local days and seconds of its reach and first reply, and the ticket's conditions (after
    ``_ctes`` and ``_more_ctes``)."""
    columns = {**UNIT_COLUMNS, **CONDITIONS}
    days = (
        Sql(", ")
        + setcounts.local_day("r.reached_at")
        + ", "
        + setcounts.local_secs("r.reached_at")
        + ", "
        + setcounts.local_day("fr.at")
        + ", "
        + setcounts.local_secs("fr.at")
    )
    return (
        Sql(
            f"""
INSERT INTO {T_UF} (ticket_id, unit_id, {", ".join(columns)},
  reach_day, reach_secs, reply_day, reply_secs)
SELECT r.ticket_id, r.aid, {", ".join(columns.values())}"""
        )
        + days
        + f"""
FROM reach r
LEFT JOIN sbv ON sbv.aid = r.aid AND sbv.ticket_id = r.ticket_id
LEFT JOIN ufa ON ufa.aid = r.aid AND ufa.ticket_id = r.ticket_id
LEFT JOIN acc ON acc.aid = r.aid AND acc.ticket_id = r.ticket_id
LEFT JOIN worst w ON w.aid = r.aid AND w.ticket_id = r.ticket_id{
            TICKET_JOINS.format(ticket="r.ticket_id")
        }"""
    )


def _more_ctes() -> str:
    """``first_reply`` and ``hrun`` (the running handling clocks' earliest deadline) for the
    TicketFact; ``sample`` and ``worst`` (the lowest scored case spot check of each sub-tree)
    for the UnitFact."""
    return (
        FIRST_REPLY.format(events=T_EVENT, in_cand=_in_cand())
        + f""",
hrun AS (
  SELECT c.ticket_id, MIN(c.due_at) AS due_at FROM ccl c
  WHERE c.kind = 'handle' AND c.stopped_at IS NULL
  GROUP BY c.ticket_id
),
sample AS (
  SELECT sc.sample_id, SUM(sc.points) AS points, SUM(it.max_points) AS maxp
  FROM {T_SCORE} sc JOIN {T_ITEM} it ON it.id = sc.item_id
  WHERE sc.sample_id IN (
    SELECT id FROM {T_SAMPLE} WHERE ticket_id {_in_cand()} AND kind = 'case'
  )
  GROUP BY sc.sample_id
  HAVING SUM(it.max_points) > 0
),
worst AS (
  SELECT aid, ticket_id, points, maxp FROM (
    SELECT anc.aid, s.ticket_id, p.points, p.maxp,
      ROW_NUMBER() OVER (PARTITION BY anc.aid, s.ticket_id
                         ORDER BY p.points * 1.0 / p.maxp, p.maxp, s.id) AS rn
    FROM {T_SAMPLE} s JOIN sample p ON p.sample_id = s.id JOIN anc ON anc.unit_id = s.unit_id
  ) ranked WHERE rn = 1
)"""
    )


def facts_write(where: str, *, bulk: bool = False) -> None:
    """Replace the facts of the tickets ``where`` selects (SQL on ``ticket_id``: a list or a
    range of ids, integers only) by what their rows say now. PostgreSQL: one statement writes
    both tables (the facts are computed once); SQLite: one each."""
    deletes = [
        sums.co_facts_delete(where),
        f"DELETE FROM {T_UF} WHERE {where}",
        f"DELETE FROM {T_TF} WHERE {where}",
    ]
    # The running sums follow (sums.py): what is removed is subtracted first, what is written
    # added after. A bulk rebuild recomputes them at its end instead.
    before = deletes if bulk else [*sums.sums_subtract(where), *deletes]
    head = _ctes(where) + _more_ctes()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            both = head + f",\nticket_rows AS ({_ticket_select()}\n)" + _unit_select()
            setcounts._run(both, loops=not bulk, before=before)
        else:
            setcounts._run(head + _ticket_select(), before=before)
            setcounts._run(head + _unit_select())
        with connection.cursor() as cursor:
            co = sums.co_facts_insert(where)
            cursor.execute(co.text, co.params)
            if not bulk:
                for statement in sums.sums_add(where):
                    cursor.execute(statement)


def facts_refresh(ticket_ids: Iterable[int]) -> None:
    """Recompute the facts of ``ticket_ids`` under their locks (a transition holds its ticket's
    already), in the caller's transaction: registered as ``tickets_changed``."""
    ids = sorted({int(pk) for pk in ticket_ids})
    if not ids:
        return
    with transaction.atomic(savepoint=False):
        # Two writers of one ticket's facts take turns, as two changes of the ticket do.
        list(
            Ticket.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        facts_write(f"ticket_id IN ({', '.join(map(str, ids))})")


def _state(ready: bool, note: str) -> None:
    FactsState.objects.update_or_create(
        pk=1, defaults={"ready": ready, "changed_at": timezone.now(), "note": note[:200]}
    )


def facts_rebuild(*, batch: int = BATCH, progress: Callable[[str], None] | None = None) -> int:
    """Recompute the facts of every ticket, ``batch`` ids per transaction, then mark them
    ready. Each batch holds the fact tables' write lock (changes of tickets wait for it, a
    batch takes seconds); readers fall back to the events until the end. Returns the
    tickets with facts."""
    _state(False, "rebuilding")
    bounds = Ticket.objects.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"] or 0, bounds["high"] if bounds["high"] is not None else -1
    start = low
    while start <= high:
        end = start + batch
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Without waiting for the disk at each batch's commit (10 s of a 11 s
                    # batch at 10,000,000 tickets): a crash loses the last batches at most,
                    # never the order, and "ready" is written after them all.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute(f"LOCK TABLE {T_TF}, {T_UF} IN EXCLUSIVE MODE")
            facts_write(f"ticket_id >= {int(start)} AND ticket_id < {int(end)}", bulk=True)
        if progress is not None:
            progress(f"tickets {start}..{min(end, high + 1) - 1} of {low}..{high}")
        start = end
    if progress is not None:
        progress("running sums")
    sums.sums_rebuild()
    with transaction.atomic():
        _state(True, "rebuilt")
    return TicketFact.objects.count()


def facts_vacuum() -> None:
    """PostgreSQL, outside a transaction (after a rebuild): VACUUM ANALYZE the fact tables and
    the sums' (sums.py), as autovacuum would later: the rows written are then marked visible,
    so reads of the covering indexes need not visit the table. Nothing elsewhere."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {T_TF}, {T_UF}, {sums.T_CF}")
    sums.sums_vacuum()


def facts_ready() -> bool:
    return FactsState.objects.filter(pk=1, ready=True).exists()


def _unit_moving(sender, instance: Unit, raw: bool = False, **kwargs) -> None:
    """A unit saved with a new path (moved under another parent: every path under it changes
    too): the facts, built on the sub-trees of the old paths, stop being read, in the move's
    transaction, until a rebuild. A new unit changes no sub-tree a fact was built on."""
    if instance.pk is None:
        return
    old = Unit.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
    if old and old != instance.path and UnitFact.objects.exists():
        FactsState.objects.filter(pk=1).update(
            ready=False, changed_at=timezone.now(), note=f"unit {instance.pk} moved"
        )


def facts_register() -> None:
    """Wired in AssessmentConfig.ready(): the facts follow every change of a ticket, and a move
    of a unit stops their use."""
    from hotline.tickets import extensions

    extensions.changed_register(facts_refresh)
    pre_save.connect(_unit_moving, sender=Unit, dispatch_uid="assessment_facts_unit_moving")
