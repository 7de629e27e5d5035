#!/usr/bin/env python
"""Warning lag at 1,000,000 open tickets (issue 3): the time between a clock's yellow or red
moment and its warning row, p50 / p99 / max, and the scanner's throughput.

    .venv/bin/python bench/warnings_lag.py [--tickets 1000000] [--window 300] [--crossing 4000]

What it does, in order (see docs/benchmarks-warnings.md):
1. drops and re-creates the database ``hotline_lag`` on 127.0.0.1:5432 (user postgres);
   ``manage.py migrate`` and ``manage.py seed_demo --tickets 0 --no-train``;
2. writes N open tickets (dispatched or in progress, held by leaf units with phones) with
   ``INSERT ... SELECT generate_series``, each with a stopped dispatch clock and a running handle
   clock (2N clock rows), then ``VACUUM ANALYZE``. The running clocks are: a backlog already
   overdue and red-warned (``--backlog-red``), a backlog past yellow and yellow-warned
   (``--backlog-yellow``), the rest with yellow 1-30 days ahead. Tickets have no events
   (last_seq 0): the warning is their first timeline entry;
3. EXPLAIN (ANALYZE, BUFFERS) of the two queries ``warnings_due`` runs (captured from the code
   itself with CaptureQueriesContext), and the wall time of ``warnings_due()``;
4. phase A, the shipped path: ``--crossing`` clocks get moments spread over the next
   ``--window`` seconds (half cross yellow, half cross red), then 2 x ``run_scheduler
   --interval 2`` and 3 x ``db_worker`` run (the scheduler enqueues ``scan_warnings`` every
   60 s); waits until every crossing clock is warned (bounded), EXPLAINs again mid-window;
5. phase B, scanner throughput: schedulers and workers stopped, ``--burst`` clocks all cross red
   at the same instant, and one process loops on ``warnings_scan()``; the time to drain the
   burst gives warnings per second;
6. phase C, profile: ``--profile`` clocks cross at once and one ``warnings_scan()`` runs under
   cProfile; the top functions are printed;
7. prints a markdown report and the key numbers on the last line; stops every process it
   started and drops the database (also on error).

Lag is measured from the warning's outbox row (``created_at``, set when the row is written):
``created_at - yellow_at`` or ``created_at - due_at``. ``yellow_warned_at`` / ``red_warned_at``
hold the *start* of the scan that sent the warning, so a lag from them is shown as well.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    PG,
    ROOT,
    SCAN_LOOP,
    drop_database,
    log,
    machine,
    manage,
    pct,
    recreate_database,
)
from warnings_soak import SHANGHAI, Procs, django_env, leaf_units, settings_dir  # noqa: E402

EXPLAIN = r"""
import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hotline.supervision.warnings import warnings_due
now = timezone.now()
with CaptureQueriesContext(connection) as ctx:
    due = warnings_due(now)
out = {"due": len(due), "queries": []}
with connection.cursor() as cur:
    for q in ctx.captured_queries:
        sql = q["sql"]
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        out["queries"].append({"sql": sql, "plan": [r[0] for r in cur.fetchall()]})
times = []
for _ in range(3):
    t0 = time.perf_counter()
    warnings_due(timezone.now())
    times.append(time.perf_counter() - t0)
out["warnings_due_seconds"] = times
print("JSON" + json.dumps(out))
"""


PROFILE = r"""
import cProfile, io, pstats, time
from hotline.supervision.warnings import warnings_scan, warnings_due
from django.utils import timezone
pr = cProfile.Profile()
t0 = time.perf_counter()
pr.enable()
n = warnings_scan()
pr.disable()
wall = time.perf_counter() - t0
print(f"PROFILE sent={n} wall={wall:.2f}s per_warning_ms={1000 * wall / max(n, 1):.1f}")
for key in ("tottime", "cumulative"):
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats(key).print_stats(22)
    print(f"--- by {key}")
    print("\n".join(line for line in s.getvalue().splitlines() if line.strip())[:6000])
"""


def seed_million(conn, n: int, backlog_red: int, backlog_yellow: int) -> dict:
    units = leaf_units(conn)
    ids = [u[0] for u in units]
    agent = conn.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()[0]
    conn.execute("SET synchronous_commit = off")
    t0 = time.perf_counter()
    conn.execute(
        "INSERT INTO tickets_ticket (id, number, status, kind, channel, urgency, title, content,"
        " address, citizen_name, citizen_phone, citizen_anonymous, citizen_confidential, unit_id,"
        " registered_by_id, registered_at, send_back_reason, send_back_count, extension_status,"
        " reply_text, reply_outcome, satisfaction, review_verdict, redo_count, last_seq,"
        " last_hash, updated_at)"
        " SELECT g, 'L' || lpad(g::text, 9, '0'),"
        " CASE WHEN g %% 3 = 0 THEN 'dispatched' ELSE 'in_progress' END, 'complaint', 'phone',"
        " 'normal', '压测工单 ' || g, '压测工单 ' || g || '：小区路灯损坏，夜间出行不便，请尽快维修。',"
        " '', '张先生', '139' || lpad((g %% 100000000)::text, 8, '0'), false, false,"
        " (%(units)s::int[])[1 + g %% %(nu)s], %(agent)s,"
        " now() - make_interval(secs => 3600 + (g %% 2592000)), '', 0, '', '', '', '', '', 0,"
        " 0, '', now() FROM generate_series(1, %(n)s) g",
        {"units": ids, "nu": len(ids), "agent": agent, "n": n},
    )
    conn.commit()
    t_tickets = time.perf_counter() - t0
    log(f"tickets in {t_tickets:.0f} s")
    # Stopped dispatch clocks (ids 1..n) and running handle clocks (ids n+1..2n).
    conn.execute(
        "INSERT INTO tickets_clock (id, ticket_id, kind, unit_id, started_at, limit_amount,"
        " limit_unit, yellow_at, due_at, pending_calendar, stopped_at, stop_reason, met)"
        " SELECT g, g, 'dispatch', NULL, t.registered_at, 2, 'working_hours',"
        " t.registered_at + interval '96 minutes', t.registered_at + interval '2 hours', false,"
        " t.registered_at + interval '30 minutes', 'dispatched', true"
        " FROM generate_series(1, %(n)s) g JOIN tickets_ticket t ON t.id = g",
        {"n": n},
    )
    conn.commit()
    # Running handle clocks. Groups by g: g %% 20 = 1 -> overdue backlog (red-warned);
    # g %% 10 = 2 -> past yellow backlog (yellow-warned); else yellow 1..30 days ahead.
    br_mod = max(1, n // max(backlog_red, 1))
    by_mod = max(1, n // max(backlog_yellow, 1))
    conn.execute(
        "INSERT INTO tickets_clock (id, ticket_id, kind, unit_id, started_at, limit_amount,"
        " limit_unit, yellow_at, due_at, pending_calendar, yellow_warned_at, red_warned_at,"
        " stopped_at, stop_reason, met)"
        " SELECT %(n)s + g, g, 'handle', t.unit_id, t.registered_at + interval '30 minutes', 5,"
        " 'working_days', y, d, false,"
        " CASE WHEN y <= now() THEN y + interval '10 seconds' END,"
        " CASE WHEN d <= now() THEN d + interval '10 seconds' END, NULL, '', NULL"
        " FROM generate_series(1, %(n)s) g JOIN tickets_ticket t ON t.id = g,"
        " LATERAL (SELECT CASE"
        "   WHEN %(br)s > 0 AND g %% %(brm)s = 1 THEN now() - make_interval(secs => 86400 * (2 + g %% 9))"
        "   WHEN %(by)s > 0 AND g %% %(bym)s = 2 THEN now() - make_interval(secs => 3600 + g %% 86400)"
        "   ELSE now() + make_interval(secs => 86400 + g %% 2592000) END AS y) yy,"
        " LATERAL (SELECT CASE"
        "   WHEN %(br)s > 0 AND g %% %(brm)s = 1 THEN y + interval '1 day'"
        "   ELSE y + make_interval(secs => 86400 + g %% 864000) END AS d) dd",
        {"n": n, "br": backlog_red, "brm": br_mod, "by": backlog_yellow, "bym": by_mod},
    )
    conn.commit()
    for table in ("tickets_ticket", "tickets_clock"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    conn.commit()
    t_clocks = time.perf_counter() - t0 - t_tickets
    log(f"clocks in {t_clocks:.0f} s; VACUUM ANALYZE")
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE tickets_ticket")
    conn.execute("VACUUM ANALYZE tickets_clock")
    conn.autocommit = False
    counts = conn.execute(
        "SELECT count(*) FILTER (WHERE stopped_at IS NULL),"
        " count(*) FILTER (WHERE stopped_at IS NULL AND red_warned_at IS NOT NULL),"
        " count(*) FILTER (WHERE stopped_at IS NULL AND yellow_warned_at IS NOT NULL"
        "   AND red_warned_at IS NULL), count(*) FROM tickets_clock"
    ).fetchone()
    tsize = conn.execute(
        "SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')),"
        " pg_size_pretty(pg_total_relation_size('tickets_clock'))"
    ).fetchone()
    conn.commit()
    return {
        "units": len(ids),
        "tickets_s": t_tickets,
        "clocks_s": t_clocks,
        "total_s": time.perf_counter() - t0,
        "running": counts[0],
        "backlog_red": counts[1],
        "backlog_yellow": counts[2],
        "clock_rows": counts[3],
        "sizes": tsize,
    }


def pick_group(conn, n: int, size: int, residue: int, modulus: int) -> list[int]:
    """Handle clock ids of ``size`` tickets from the 'future' group spread over the table."""
    rows = conn.execute(
        "SELECT c.id FROM tickets_clock c WHERE c.kind = 'handle' AND c.yellow_at > now()"
        " AND (c.ticket_id %% %s) = %s ORDER BY c.ticket_id LIMIT %s",
        (modulus, residue, size),
    ).fetchall()
    conn.commit()
    return [r[0] for r in rows]


def place_spread(conn, ids: list[int], start: datetime, window: float) -> tuple[list, list]:
    """First half crosses yellow in [start, start+window] (red a day later); second half
    crosses red in the same span (yellow already warned a day before)."""
    half = len(ids) // 2
    yellow, red = ids[:half], ids[half:]
    with conn.transaction():
        conn.execute(
            "UPDATE tickets_clock c SET yellow_at = %(s)s + make_interval(secs => %(w)s * v.k / %(m)s),"
            " due_at = %(s)s + make_interval(secs => %(w)s * v.k / %(m)s) + interval '1 day',"
            " yellow_warned_at = NULL, red_warned_at = NULL"
            " FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS v(id, k) WHERE c.id = v.id",
            {"s": start, "w": window, "m": max(1, len(yellow)), "ids": yellow},
        )
        conn.execute(
            "UPDATE tickets_clock c SET yellow_at = %(s)s - interval '1 day',"
            " yellow_warned_at = %(s)s - interval '1 day' + interval '5 seconds',"
            " due_at = %(s)s + make_interval(secs => %(w)s * v.k / %(m)s), red_warned_at = NULL"
            " FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS v(id, k) WHERE c.id = v.id",
            {"s": start, "w": window, "m": max(1, len(red)), "ids": red},
        )
    return yellow, red


def place_burst(conn, ids: list[int], at: datetime) -> None:
    with conn.transaction():
        conn.execute(
            "UPDATE tickets_clock SET yellow_at = %(a)s - interval '1 day',"
            " yellow_warned_at = %(a)s - interval '1 day', due_at = %(a)s, red_warned_at = NULL"
            " WHERE id = ANY(%(ids)s)",
            {"a": at, "ids": ids},
        )


def warned(conn, yellow: list[int], red: list[int]) -> tuple[int, int]:
    r = conn.execute(
        "SELECT (SELECT count(*) FROM tickets_clock WHERE id = ANY(%s) AND yellow_warned_at IS NOT NULL),"
        " (SELECT count(*) FROM tickets_clock WHERE id = ANY(%s) AND red_warned_at IS NOT NULL)",
        (yellow, red),
    ).fetchone()
    conn.commit()
    return r[0], r[1]


def lags(conn, yellow: list[int], red: list[int]) -> dict:
    rows = conn.execute(
        "SELECT o.kind, extract(epoch FROM o.created_at - CASE WHEN o.kind = 'red' THEN c.due_at"
        " ELSE c.yellow_at END),"
        " extract(epoch FROM CASE WHEN o.kind = 'red' THEN c.red_warned_at - c.due_at"
        " ELSE c.yellow_warned_at - c.yellow_at END), o.created_at"
        " FROM notifications_outbox o JOIN tickets_clock c"
        " ON o.idempotency_key IN ('yellow:' || c.id, 'red:' || c.id)"
        " WHERE c.id = ANY(%s) AND o.kind IN ('yellow', 'red')",
        (yellow + red,),
    ).fetchall()
    conn.commit()
    row_lag = [float(r[1]) for r in rows]
    mark_lag = [float(r[2]) for r in rows]
    by_kind = {k: [float(r[1]) for r in rows if r[0] == k] for k in ("yellow", "red")}
    return {
        "n": len(rows),
        "expected": len(yellow) + len(red),
        "row": row_lag,
        "mark": mark_lag,
        "by_kind": by_kind,
        "first_at": min((r[3] for r in rows), default=None),
        "last_at": max((r[3] for r in rows), default=None),
    }


def stats_line(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{pct(values, 50):.1f} / {pct(values, 99):.1f} / {max(values):.1f}"


def run_explain(env) -> dict:
    out = manage(env, "shell", "-c", EXPLAIN, timeout=600)
    line = next(line for line in out.splitlines() if line.startswith("JSON"))
    return json.loads(line[4:])


def key_plan_lines(plan: list[str]) -> list[str]:
    keep = []
    for line in plan:
        s = line.strip()
        if any(
            w in s
            for w in (
                "Scan",
                "Join",
                "Nested Loop",
                "Limit",
                "Sort",
                "Filter",
                "Rows Removed",
                "Index Cond",
                "Execution Time",
                "Planning Time",
                "Buffers: shared",
            )
        ):
            keep.append(line.rstrip())
    return keep[:24]


def scan_task_stats(conn, since: datetime) -> dict:
    rows = conn.execute(
        "SELECT return_value, extract(epoch FROM finished_at - started_at), started_at"
        " FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%%scan_warnings'"
        " AND status = 'SUCCESSFUL' AND started_at >= %s ORDER BY started_at",
        (since,),
    ).fetchall()
    conn.commit()
    runs = [(int(r[0] or 0), float(r[1]), r[2]) for r in rows]
    busy = [(n, s) for n, s, _ in runs if n]
    sent = sum(n for n, _ in busy)
    secs = sum(s for _, s in busy)
    return {
        "runs": len(runs),
        "runs_sending": len(busy),
        "sent": sent,
        "busy_seconds": secs,
        "rate": sent / secs if secs else float("nan"),
        "per_run": [(n, round(s, 1), f"{t:%H:%M:%S}") for n, s, t in runs],
    }


def _phase_a(args, conn, procs, env, report: dict) -> None:
    """Phase A: the shipped path (schedulers and workers) over clocks crossing in a window."""
    ev = report["events"]
    if not args.skip_a:
        ids = pick_group(conn, args.tickets, args.crossing, 7, 97)
        start = datetime.now(UTC) + timedelta(seconds=args.lead)
        ya, ra = place_spread(conn, ids, start, args.window)
        end = start + timedelta(seconds=args.window)
        for k in range(2):
            procs.start(f"scheduler-{k}", ["run_scheduler", "--interval", "2"])
        for k in range(3):
            procs.start(
                f"db_worker-{k}", ["db_worker", "--worker-id", f"lag-{k}", "--interval", "1"]
            )
        a_started = datetime.now(UTC)
        ev.append(
            f"{a_started:%H:%M:%S} phase A: {len(ya)} clocks cross yellow and {len(ra)} red, "
            f"evenly from {start:%H:%M:%S} to {end:%H:%M:%S}; started 2 x run_scheduler "
            f"--interval 2, 3 x db_worker"
        )
        log(ev[-1])
        mid_done = False
        while True:
            time.sleep(5)
            now = datetime.now(UTC)
            wy, wr = warned(conn, ya, ra)
            log(f"phase A: yellow {wy}/{len(ya)} red {wr}/{len(ra)}")
            if not mid_done and now > start + timedelta(seconds=args.window / 2):
                log("EXPLAIN mid-window (workers running)")
                report["explain_mid"] = run_explain(env)
                mid_done = True
            if now > end and wy == len(ya) and wr == len(ra):
                break
            if now > end + timedelta(seconds=args.drain):
                ev.append(f"{now:%H:%M:%S} phase A: drain limit reached ({wy + wr} warned)")
                break
        report["a"] = lags(conn, ya, ra)
        report["a_tasks"] = scan_task_stats(conn, a_started)
        for k in range(2):
            procs.stop(f"scheduler-{k}")
        for k in range(3):
            procs.stop(f"db_worker-{k}")
        ev.append(
            f"{datetime.now(UTC):%H:%M:%S} phase A done; schedulers and workers stopped (SIGTERM)"
        )
        log(ev[-1])


def _phase_b(args, conn, procs, log_dir, report: dict) -> None:
    """Phase B: burst throughput with one scan loop."""
    ev = report["events"]
    # Phase B: burst throughput with one scan loop.
    ids = pick_group(conn, args.tickets, args.burst, 11, 97)
    at = datetime.now(UTC) + timedelta(seconds=15)
    place_burst(conn, ids, at)
    procs.start("scan_loop", ["shell", "-c", SCAN_LOOP])
    ev.append(
        f"{datetime.now(UTC):%H:%M:%S} phase B: {len(ids)} clocks cross red at {at:%H:%M:%S}; started 1 x warnings_scan() loop"
    )
    log(ev[-1])
    b_deadline = time.monotonic() + 15 + args.burst_wait
    while time.monotonic() < b_deadline:
        time.sleep(3)
        _, wr = warned(conn, [], ids)
        log(f"phase B: red {wr}/{len(ids)}")
        if wr == len(ids):
            break
    procs.stop("scan_loop")
    report["b"] = lags(conn, [], ids)
    scans = []
    for line in (log_dir / "scan_loop.log").read_text().splitlines():
        if line.startswith("SCAN "):
            _, t0s, t1s, n = line.split()
            if int(n):
                scans.append((float(t0s), float(t1s), int(n)))
    report["b_scans"] = scans
    ev.append(f"{datetime.now(UTC):%H:%M:%S} phase B done; scan loop stopped")


def _phase_c(args, conn, env, report: dict) -> None:
    """Phase C: profile one scan."""
    ev = report["events"]
    # Phase C: profile one scan.
    ids = pick_group(conn, args.tickets, args.profile, 13, 97)
    place_burst(conn, ids, datetime.now(UTC) - timedelta(seconds=1))
    out = manage(env, "shell", "-c", PROFILE, timeout=600)
    report["profile"] = out[out.find("PROFILE") :]
    ev.append(
        f"{datetime.now(UTC):%H:%M:%S} phase C: cProfile of one warnings_scan() over {len(ids)} due red warnings"
    )
    log(ev[-1])


def _print_header(args, report: dict, info: dict, load_before) -> None:
    ev = report["events"]
    s = report["seed"]
    print(
        f"## Warning lag at {args.tickets:,} open tickets ({datetime.now(SHANGHAI):%Y-%m-%d %H:%M %Z})\n"
    )
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}; PostgreSQL "
        f"{info['postgresql']} (shared_buffers {info['shared_buffers']}); Python {info['python']}; "
        f"per-core speed {info['core_speed']}; load average before: {load_before[0]:.2f}\n"
    )
    print(
        f"data: {args.tickets:,} open tickets, {s['clock_rows']:,} clock rows ({s['running']:,} running; "
        f"backlog {s['backlog_red']:,} overdue and red-warned, {s['backlog_yellow']:,} past yellow and "
        f"yellow-warned); generated in {s['total_s']:.0f} s (tickets {s['tickets_s']:.0f} s, clocks "
        f"{s['clocks_s']:.0f} s); sizes with indexes: tickets {s['sizes'][0]}, clocks {s['sizes'][1]}\n"
    )
    print("events:\n")
    for e in ev:
        print(f"- {e}")
    print()


def _print_explains(report: dict) -> None:
    for label in ("explain_idle", "explain_mid"):
        ex = report.get(label)
        if not ex:
            continue
        ts = ", ".join(f"{t * 1000:.0f}" for t in ex["warnings_due_seconds"])
        print(f"### {label}: warnings_due() found {ex['due']} due; wall ms of 3 calls: {ts}\n")
        for q in ex["queries"]:
            print("```")
            print(q["sql"][:1500])
            print("--")
            print("\n".join(key_plan_lines(q["plan"])))
            print("```\n")


def _print_phase_a(report: dict) -> tuple[float, float, float]:
    """Phase A's table; its lag p50, p99 and max (NaN when it was skipped)."""
    if "a" not in report:
        return float("nan"), float("nan"), float("nan")
    a = report["a"]
    t = report["a_tasks"]
    print("### phase A: scheduler (scan_warnings every 60 s) + 3 db_workers\n")
    print("| metric | value |")
    print("|---|---|")
    print(f"| warning rows / expected | {a['n']} / {a['expected']} |")
    print(
        f"| lag, outbox row created_at - moment, s (p50 / p99 / max) | **{stats_line(a['row'])}** |"
    )
    print(f"| yellow lag (p50 / p99 / max) | {stats_line(a['by_kind']['yellow'])} |")
    print(f"| red lag (p50 / p99 / max) | {stats_line(a['by_kind']['red'])} |")
    print(f"| lag from *_warned_at (scan start) (p50 / p99 / max) | {stats_line(a['mark'])} |")
    print(f"| scan_warnings runs / runs that sent | {t['runs']} / {t['runs_sending']} |")
    print(
        f"| warnings sent by the runs / busy seconds / rate | {t['sent']} / {t['busy_seconds']:.1f} / {t['rate']:.1f} per s |"
    )
    print()
    print(
        "scan_warnings runs (sent, seconds, start UTC): " + ", ".join(str(x) for x in t["per_run"])
    )
    print()
    return pct(a["row"], 50), pct(a["row"], 99), max(a["row"], default=float("nan"))


def _print_phase_b(report: dict) -> float:
    """Phase B's table; the scanner's warnings per busy second."""
    b = report["b"]
    scans = report["b_scans"]
    rate_b = float("nan")
    if scans:
        busy = sum(t1 - t0 for t0, t1, _ in scans)
        rate_b = sum(n for _, _, n in scans) / busy if busy else float("nan")
        span = max(t1 for _, t1, _ in scans) - min(t0 for t0, _, _ in scans)
    else:
        busy = span = float("nan")
    print("### phase B: a burst of red warnings, 1 warnings_scan() loop\n")
    print("| metric | value |")
    print("|---|---|")
    print(f"| warning rows / expected | {b['n']} / {b['expected']} |")
    print(f"| lag (p50 / p99 / max), s | {stats_line(b['row'])} |")
    print(f"| scans that sent / warnings per scan | {len(scans)} / {[n for *_, n in scans]} |")
    print(
        f"| scanner throughput (warnings / busy second) | **{rate_b:.1f}** ({busy:.1f} s busy, {span:.1f} s first scan start to last end) |"
    )
    print()
    return rate_b


def _print_report(args, report: dict, info: dict, load_before) -> None:
    """The markdown report of the three phases."""
    _print_header(args, report, info, load_before)
    _print_explains(report)
    p50a, p99a, maxa = _print_phase_a(report)
    rate_b = _print_phase_b(report)
    print("### phase C: cProfile of one warnings_scan()\n")
    print("```")
    print(report["profile"][:9000])
    print("```\n")
    print(
        f"tickets={args.tickets} lag_p50_s={p50a:.1f} lag_p99_s={p99a:.1f} lag_max_s={maxa:.1f} "
        f"scanner_warnings_per_s={rate_b:.1f} target_p99_60s={'met' if p99a < 60 else 'MISSED'}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--db", default="hotline_lag")
    ap.add_argument("--backlog-red", type=int, default=50_000)
    ap.add_argument("--backlog-yellow", type=int, default=100_000)
    ap.add_argument("--crossing", type=int, default=4000, help="clocks crossing in the window")
    ap.add_argument("--window", type=float, default=300.0, help="seconds (default 300)")
    ap.add_argument("--lead", type=float, default=30.0)
    ap.add_argument("--drain", type=float, default=240.0, help="max seconds after the window")
    ap.add_argument("--burst", type=int, default=3000)
    ap.add_argument("--burst-wait", type=float, default=300.0)
    ap.add_argument("--profile", type=int, default=400)
    ap.add_argument("--skip-a", action="store_true")
    ap.add_argument("--keep-db", action="store_true")
    args = ap.parse_args()

    info = machine()
    load_before = os.getloadavg()
    sdir = settings_dir(None)
    env = django_env(args.db, sdir, HOTLINE_SMS_GATEWAY="console", HOTLINE_VOICE_GATEWAY="console")
    log_dir = ROOT / "var" / "bench-lag"
    log_dir.mkdir(parents=True, exist_ok=True)
    for f in log_dir.glob("*.log"):
        f.unlink()
    procs = Procs(env, log_dir)
    report: dict = {"events": []}
    try:
        log(f"re-creating database {args.db}")
        recreate_database(args.db)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--tickets", "0", "--no-train")
        conn = psycopg.connect(dbname=args.db, **PG)
        log(f"generating {args.tickets} open tickets and {2 * args.tickets} clocks")
        report["seed"] = seed_million(conn, args.tickets, args.backlog_red, args.backlog_yellow)
        log(json.dumps(report["seed"]))
        log("EXPLAIN before the window")
        report["explain_idle"] = run_explain(env)

        _phase_a(args, conn, procs, env, report)
        _phase_b(args, conn, procs, log_dir, report)
        _phase_c(args, conn, env, report)
        conn.close()
    finally:
        procs.stop_all()
        shutil.rmtree(sdir, ignore_errors=True)
        if not args.keep_db:
            try:
                drop_database(args.db)
            except Exception as exc:  # noqa: BLE001
                log(f"could not drop {args.db}: {exc}")

    _print_report(args, report, info, load_before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
