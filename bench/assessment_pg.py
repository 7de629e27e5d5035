#!/usr/bin/env python
"""The assessment at 10,000,000 tickets on PostgreSQL (issue 14): a month's ranking of all
assessed units computed from scratch, each section of the leaders' dashboard and the drill-down
of the month's largest count, p50/p95 over the last 12 full months, and the peak memory.

    .venv/bin/python bench/assessment_pg.py [--tickets N] [--db NAME] [--keep-db] [--reuse-db]
        [--workers 2] [--months 12] [--no-whole]

What it does, in order:
1. drops and re-creates the database (default ``hotline_scale``) on 127.0.0.1:5432 (user
   postgres), ``manage.py migrate`` and ``manage.py seed_demo --tickets 0 --no-train`` (the
   demo's org tree: 16 districts with 48 streets, 30 bureaus, 6 utilities; centres, logins);
2. writes N tickets registered over the last 24 months with COPY (``bench/seed_pg.py``), in
   ``--workers`` processes over disjoint id ranges, each with its own connection
   (``session_replication_role = replica``: the foreign keys are not checked row by row; the
   rows are consistent by construction), the secondary indexes dropped before and built after.
   Each ticket as the lifecycle leaves it (hotline/tickets/handlers): register; dispatch by the
   city's centre or a district's (自办件) to a district (forwarded to one of its streets), a
   district itself, a bureau or a utility, sometimes with a co-unit; send-backs re-dispatched
   with a valid or invalid ruling; accept, reply, follow-up, review of the dissatisfied (proper
   or redo); direct answers, invalid and merged tickets; red and yellow ``warn`` events for the
   late unit clocks; some tickets stalled for weeks (overdue); the newest open in every state
   at the cut-off. Events with the ``data`` keys the assessment filters on, lead and co
   assignments, clocks (dispatch, transfer, accept, handle, follow_up, review) with yellow and
   due times, stop time, reason and ``met`` as the handlers write them, and a RepeatCheck per
   ticket (7 % repeats). The hash chain is not computed (``prev_hash``/``hash`` empty: nothing
   here reads it), nor the search words unless ``--search-words`` (the search is not measured
   here and its GIN index takes minutes per million tickets to build); ``VACUUM ANALYZE``;
   then the assessment's per-ticket facts, which the COPY bypassed, rebuilt and timed
   (``manage.py assessment_facts --rebuild``; ``--reuse-db`` rebuilds them when missing);
3. in one Django process on the production settings, for each of the last ``--months`` full
   months (cut-off now): the ranking of all assessed units from scratch
   (``selectors.live_rows``, what ``GET /api/v1/assessment/{month}`` computes), each section of
   ``dashboard.dashboard_data`` for the city as the leader, the whole dashboard data request,
   and the first page of the tickets behind the month's largest count (the API and the
   dashboard's list);
4. prints a markdown table (p50, p95, max per row), the peak memory of the Django process
   (``ru_maxrss``) and of its PostgreSQL backend (``VmHWM``, shared buffers it touched
   included), and a summary line against the targets (ranking < 2 s, every dashboard call p95 <
   300 ms, memory < 1 GB).

``--reuse-db`` measures a database ``--keep-db`` left: ``manage.py migrate`` first (newer code
may bring migrations), never a re-seed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from assessment_gen import ASSIGN, CLOCK, EVENT, LOADED, REPEAT, TICKET, Gen, load_world  # noqa: E402
from common import (  # noqa: E402
    PG,
    PY,
    core_speed_us,
    drop_database,
    env_for,
    log,
    machine,
    manage,
    pct,
    recreate_database,  # noqa: E402
)
from seed_pg import (  # noqa: E402
    check_columns,
    copy_text,
    create_indexes,
    drop_indexes,
    reset_sequences,
    secondary_indexes,
)

# --- the load ---------------------------------------------------------------------------------

FLUSH = 20_000  # tickets per COPY round


def registered(tid: int, n: int, begin: int, span: int, rng: random.Random) -> int:
    """Ticket ``tid``'s registration: ids follow time over the span, with some jitter."""
    return begin + int((tid - 1 + rng.random()) * span / n)


def load_range(
    db: str, world: dict, span: tuple[int, int, int], now: int, worker: int, words: bool
):
    """One worker: tickets ``lo``..``hi`` (inclusive) of ``n`` over its own connection."""
    lo, hi, n = span
    begin = now - 730 * 86400
    gen = Gen(world, now, begin, seed=1400 + worker, words=words)
    t0 = time.perf_counter()
    rows = 0
    with psycopg.connect(dbname=db, **PG) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET session_replication_role = replica")
        for tid in range(lo, hi + 1):
            gen.ticket(tid, registered(tid, n, begin, now - begin, gen.rng))
            if (tid - lo + 1) % FLUSH == 0 or tid == hi:
                rows += flush(conn, gen)
                conn.commit()
                done = tid - lo + 1
                if done % (FLUSH * 10) == 0 or tid == hi:
                    s = time.perf_counter() - t0
                    log(f"  worker {worker}: {done:,}/{hi - lo + 1:,} tickets, {rows:,} rows,"
                        f" {rows / s:,.0f} rows/s")  # fmt: skip
    log(f"  worker {worker} states: {json.dumps(gen.counts)}")


def flush(conn, gen: Gen) -> int:
    n = 0
    for key, table in (("t", TICKET), ("e", EVENT), ("a", ASSIGN), ("c", CLOCK), ("r", REPEAT)):
        lines = gen.out[key]
        copy_text(conn, table, "".join(lines))
        n += len(lines)
        lines.clear()
    return n


def seed(db: str, n: int, workers: int, words: bool) -> dict:
    now = int(time.time())
    with psycopg.connect(dbname=db, autocommit=True, **PG) as conn:
        check_columns(conn)
        world = load_world(conn)
        indexes = secondary_indexes(conn, LOADED)
        log(f"dropping {len(indexes)} secondary indexes for the load")
        drop_indexes(conn, indexes)
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    step = -(-n // workers)
    procs = []
    for k in range(workers):
        lo, hi = k * step + 1, min(n, (k + 1) * step)
        if lo <= hi:
            p = ctx.Process(target=load_range, args=(db, world, (lo, hi, n), now, k, words))
            p.start()
            procs.append(p)
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a load worker failed ({p.exitcode})")
    copy_s = time.perf_counter() - t0
    return {"copy_s": copy_s, "indexes": indexes}


def finish(db: str, indexes: list) -> dict:
    """The secondary indexes back, the sequences past the ids written, VACUUM ANALYZE."""
    out: dict = {}
    with psycopg.connect(dbname=db, autocommit=True, **PG) as conn:
        t0 = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        create_indexes(conn, indexes, log)
        reset_sequences(conn, *LOADED)
        out["index_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        log("VACUUM ANALYZE")
        conn.execute("VACUUM ANALYZE")
        out["vacuum_s"] = time.perf_counter() - t0
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LOADED}
        out["rows"] = counts
    out.update(db_size(db))
    return out


def ticket_count(db: str) -> int:
    with psycopg.connect(dbname=db, **PG) as conn:
        return conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]


def db_size(db: str) -> dict:
    with psycopg.connect(dbname=db, **PG) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"size": f"{size / 1024**3:.1f} GiB"}


# --- the measurement (in the Django process: ``--inner``) -------------------------------------


def last_months(now: datetime, n: int) -> list[str]:
    """The last ``n`` full months before ``now`` (Shanghai), oldest first."""
    from hotline.workcal.calc import SHANGHAI

    local = now.astimezone(SHANGHAI)
    year, month = local.year, local.month
    out = []
    for _i in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year:04d}-{month:02d}")
    return list(reversed(out))


class Timer:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def run(self, label: str, fn):
        t0 = time.perf_counter()
        value = fn()
        self.times.setdefault(label, []).append((time.perf_counter() - t0) * 1000)
        return value


def largest_count(rows: list[dict]) -> tuple[str, str, int]:
    from hotline.assessment import formulas

    best = ("", "", -1)
    for row in rows:
        for metric in formulas.METRICS:
            value = row.get(metric) or 0
            if value > best[2]:
                best = (row["unit"], metric, value)
    return best


def measure_month(timer: Timer, month: str, clients: dict, whole: bool) -> dict:
    """One month: the ranking, each section of the dashboard data, the drill-down. Each call
    takes its own cut-off when it starts, as a request does (the facts are read for a cut-off
    within a minute of the computation: setcounts.LIVE_SLACK)."""
    from django.utils import timezone

    from hotline.assessment import dashboard as dash
    from hotline.assessment import selectors, setcounts

    def live():
        return selectors.month_period(month, timezone.now())

    root = dash.root_unit()
    scope = selectors.Scope(root)
    base = dash.Drill(scope=root.code, month=month, metric="received")
    rows, _rules = timer.run(
        "ranking of all assessed units (live_rows)", lambda: selectors.live_rows(live())
    )
    with mock.patch.object(setcounts, "sums_usable", return_value=False):
        from_facts, _rules = timer.run(
            "ranking of all assessed units from the per-ticket facts (no running sums)",
            lambda: selectors.live_rows(live()),
        )
    # the two paths agree to the last ticket (a write between the two calls could move one)
    differ = [r["unit"] for r, f in zip(rows, from_facts, strict=True) if r != f]
    assert len(differ) <= 2, differ
    timer.run(
        "dashboard: figures and ranking (set_rows of the units and the city)",
        lambda: dash._scope_and_ranking(root, live()),
    )
    timer.run("dashboard: open warnings (red, yellow)", lambda: dash.warning_counts(
        scope, timezone.now()
    ))  # fmt: skip
    groups = timer.run(
        "dashboard: received by day, channel, kind and category (cohort_groups)",
        lambda: setcounts.cohort_groups(root.pk, live()),
    )
    timer.run("dashboard: volume by day and channel", lambda: dash._volume(groups, live(), base))
    timer.run(
        "dashboard: breakdowns (channel, kind, category)", lambda: dash._breakdowns(groups, base)
    )
    timer.run("dashboard: 12-month trend", lambda: dash._trend(scope, live(), base))
    for days in dash.HOTSPOT_WINDOWS:
        timer.run(
            f"dashboard: hot spots, {days} days (the worker's snapshot)",
            lambda d=days: dash._hotspot_rows(scope, timezone.now(), d, base),
        )
    timer.run("dashboard: map", lambda: dash._map(root, rows, base))
    if whole:
        r = timer.run("dashboard data: the whole request", lambda: clients["session"].get(
            "/ranking/dashboard/data/", {"month": month}
        ))  # fmt: skip
        assert r.status_code == 200, r.status_code
    code, metric, value = largest_count(rows)
    r = timer.run("drill-down of the largest count: API, first page", lambda: clients["api"].get(
        f"/api/v1/assessment/{month}/units/{code}/tickets", {"metric": metric}
    ))  # fmt: skip
    assert r.status_code == 200, (r.status_code, r.content[:300])
    r = timer.run("drill-down of the largest count: dashboard list page", lambda: clients["session"].get(
        "/ranking/dashboard/tickets/", {"scope": root.code, "month": month, "metric": metric, "unit": code}
    ))  # fmt: skip
    assert r.status_code == 200, r.status_code
    received = next((row["received"] for row in rows if row["unit"] == code), 0)
    return {"month": month, "largest": f"{code} {metric} {value:,}", "received": received}


def backend_peak_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def inner(args) -> None:
    import django
    from django.conf import settings

    django.setup()
    extra = os.environ.get("BENCH_PG_OPTIONS", "")
    if extra:  # PGOPTIONS would lose to the settings' own ``options``: added to them instead
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} {extra}".strip()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hotline.accounts.models import User
    from hotline.accounts.services import token_issue

    now = timezone.now()
    leader = User.objects.get(username="leader")
    session = Client()
    session.force_login(leader)
    api = Client(
        headers={"authorization": f"Bearer {token_issue(username='leader', password='demo')}"}
    )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    timer = Timer()
    from hotline.insight.services import hot_spots_refresh_all

    unfolded = changes_unfolded(timer, now, args.unfolded)
    refreshed = None
    months: list[dict] = []
    for month in last_months(now, args.months):
        if refreshed is None or timezone.now() - refreshed > timedelta(minutes=9):
            # The worker's job (every 10 minutes, off the request): the dashboard reads its
            # snapshots.
            refreshed = timezone.now()
            timer.run("worker: hot spots of the city and every district, 7 and 30 days", lambda: (
                hot_spots_refresh_all()
            ))  # fmt: skip
        t0 = time.perf_counter()
        months.append(measure_month(timer, month, {"session": session, "api": api}, args.whole))
        log(f"  {month}: {time.perf_counter() - t0:.1f} s, largest count {months[-1]['largest']}")
        # after every month: a run stopped early still reports the months it measured
        out = {
            "months": months,
            "times": timer.times,
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "backend_hwm_kb": backend_peak_kb(pid),
        }
        print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    from hotline.assessment.sums import sums_check, sums_compact

    folded = timer.run("worker: fold the running sums", sums_compact)
    log(f"  folded {folded:,} keys after {unfolded:,} changes; checking the sums")
    problems = timer.run("the running sums checked against the facts (every key)", sums_check)
    assert not problems, problems[:5]
    out["times"] = timer.times
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)


def changes_unfolded(timer: Timer, now: datetime, n: int) -> int:
    """Write the facts of ``n`` tickets of the last 30 days again, as their changes would
    (``facts.facts_refresh``: the facts and the running sums, one transaction each), and leave
    the sums' rows unfolded, as between two runs of the worker's fold. Returns ``n``."""
    from django.db import connection, transaction

    from hotline.assessment.facts import facts_refresh

    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM tickets_ticket WHERE registered_at >= %s ORDER BY random() LIMIT %s",
            [now - timedelta(days=30), n],
        )
        ids = [row[0] for row in cur.fetchall()]
    for pk in ids:
        with transaction.atomic():
            timer.run("write path: one ticket's facts and running sums (facts_refresh)",
                      lambda pk=pk: facts_refresh([pk]))  # fmt: skip
    log(f"  {len(ids):,} tickets' facts written again, their sums left unfolded")
    return len(ids)


# --- the outer process ------------------------------------------------------------------------


def build(args, env: dict) -> dict:
    log(f"re-creating database {args.db}")
    recreate_database(args.db)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--tickets", "0", "--no-train")
    log(f"writing {args.tickets:,} tickets over 24 months, {args.workers} workers")
    t0 = time.perf_counter()
    loaded = seed(args.db, args.tickets, args.workers, args.search_words)
    log(f"COPY done in {loaded['copy_s']:.0f} s; building {len(loaded['indexes'])} indexes")
    built = finish(args.db, loaded["indexes"])
    built.update(copy_s=loaded["copy_s"], load_s=time.perf_counter() - t0)
    rows = sum(built["rows"].values())
    built["rows_per_s"] = rows / loaded["copy_s"]
    log(f"loaded {rows:,} rows in {built['load_s']:.0f} s ({built['rows_per_s']:,.0f} rows/s in"
        f" COPY), database {built['size']}")  # fmt: skip
    built["facts_s"] = rebuild_facts(env)
    built.update(db_size(args.db))
    return built


def facts_missing(db: str) -> bool:
    """No assessment facts, or not ready (a database loaded before they existed)."""
    with psycopg.connect(dbname=db, **PG) as conn:
        return conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM assessment_unitfact)"
            " OR NOT COALESCE((SELECT ready FROM assessment_factsstate WHERE id = 1), false)"
        ).fetchone()[0]


def rebuild_facts(env: dict) -> float:
    """The COPY bypassed the write path (no hook runs): the assessment's per-ticket facts
    rebuilt from the rows (``manage.py assessment_facts --rebuild``), timed."""
    log("rebuilding the assessment facts")
    t0 = time.perf_counter()
    out = manage(env, "assessment_facts", "--rebuild", timeout=12 * 3600)
    secs = time.perf_counter() - t0
    log(f"facts rebuilt in {secs:.0f} s: {out.strip().splitlines()[-1]}")
    return secs


def measure(args, env: dict) -> dict:
    cmd = [PY, str(Path(__file__).resolve()), "--inner", "--months", str(args.months),
           "--unfolded", str(args.unfolded)]  # fmt: skip
    if not args.whole:
        cmd.append("--no-whole")
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=6 * 3600)
    sys.stderr.write(out.stderr[-6000:])
    if "RESULT " not in out.stdout:
        sys.stderr.write(out.stdout[-4000:])
        raise SystemExit(f"the measurement failed ({out.returncode})")
    if out.returncode != 0:
        log(f"the measurement stopped early ({out.returncode}): the months it measured follow")
    return json.loads(out.stdout.rsplit("RESULT ", 1)[1].splitlines()[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=10_000_000)
    ap.add_argument("--db", default="hotline_scale")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--unfolded", type=int, default=2000,
                    help="tickets written again before measuring, their sums left unfolded")  # fmt: skip
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--reuse-db", action="store_true", help="measure a database --keep-db left")
    ap.add_argument("--no-whole", dest="whole", action="store_false",
                    help="skip the whole dashboard data request (its sections are timed anyway)")  # fmt: skip
    ap.add_argument("--search-words", action="store_true",
                    help="fill tickets.search_text (the search's GIN index then takes long to build)")  # fmt: skip
    ap.add_argument("--pg-options", default="",
                    help='more PostgreSQL options for the measuring process, e.g. "-c jit=off"')  # fmt: skip
    ap.add_argument("--load-only", action="store_true", help="build the database, measure nothing")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        inner(args)
        return 0
    env = env_for(args.db)
    env["BENCH_PG_OPTIONS"] = args.pg_options
    load = os.getloadavg()
    built: dict = {}
    try:
        if args.reuse_db:
            log(f"reusing {args.db}: migrate, no seed")
            manage(env, "migrate", "--noinput", "-v0")
            built = db_size(args.db)
            args.tickets = ticket_count(args.db)  # what is there, not the default
            if facts_missing(args.db):
                built["facts_s"] = rebuild_facts(env)
            else:
                # What autovacuum does after a migration's writes (new indexes, filled tables):
                # the covering indexes are read alone only where pages are marked visible.
                log("VACUUM ANALYZE of the fact and sum tables")
                with psycopg.connect(dbname=args.db, autocommit=True, **PG) as conn:
                    conn.execute(
                        "VACUUM (ANALYZE) assessment_ticketfact, assessment_unitfact,"
                        " assessment_cofact, assessment_cohortsum, assessment_replysum,"
                        " assessment_groupsum, assessment_cosum"
                    )
        else:
            built = build(args, env)
        if args.load_only:
            print(json.dumps({k: v for k, v in built.items() if k != "indexes"}))
            return 0
        log(f"measuring {args.months} months")
        result = measure(args, env)
    finally:
        if not (args.keep_db or args.reuse_db or args.load_only):
            drop_database(args.db)
    report(args, built, load, result)
    return 0


def report(args, built: dict, load, result: dict) -> None:
    m = machine()
    print(f"## Assessment at {args.tickets:,} tickets ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, PostgreSQL {m['postgresql']}"
        f" (shared_buffers {m['shared_buffers']}), Python {m['python']}, per-core speed"
        f" {core_speed_us():.1f} µs, load average before {load[0]:.2f}. Database `{args.db}`"
        f" {built.get('size', '?')}. PostgreSQL session options: {args.pg_options or 'none'}."
    )
    if "load_s" in built:
        rows = ", ".join(f"{t} {n:,}" for t, n in built["rows"].items())
        print(
            f"Load: {built['load_s']:.0f} s in all (COPY {built['copy_s']:.0f} s at"
            f" {built['rows_per_s']:,.0f} rows/s with {args.workers} workers, indexes"
            f" {built['index_s']:.0f} s, VACUUM ANALYZE {built['vacuum_s']:.0f} s); rows: {rows}."
        )
    else:
        print("Load: reused (--reuse-db).")
    if "facts_s" in built:
        print(
            f"Assessment facts rebuilt after the load (`manage.py assessment_facts --rebuild`):"
            f" {built['facts_s']:.0f} s."
        )
    n = len(result["months"])
    print(f"\n| call ({n} months, cut-off now) | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    worst_dash = 0.0
    for label, times in result["times"].items():
        p95 = pct(times, 95)
        if label.startswith("dashboard"):  # the 300 ms target; the drill-down has none
            worst_dash = max(worst_dash, p95)
        print(f"| {label} | {pct(times, 50):,.0f} | {p95:,.0f} | {max(times):,.0f} |")
    months = ", ".join(f"{x['month']} {x['largest']}" for x in result["months"])
    print(f"\nLargest count per month (the drill-down): {months}.")
    rss_mb = result["maxrss_kb"] / 1024
    hwm = result.get("backend_hwm_kb")
    hwm_text = f"{hwm / 1024:,.0f} MB" if hwm else "not readable"
    print(f"Peak memory: Django process {rss_mb:,.0f} MB (ru_maxrss); its PostgreSQL backend"
          f" {hwm_text} (VmHWM, shared buffers it touched included).")  # fmt: skip
    ranking = pct(result["times"]["ranking of all assessed units (live_rows)"], 95)
    print(
        f"\ntickets={args.tickets} ranking_p95_ms={ranking:.0f}"
        f" ranking_2s={'met' if ranking < 2000 else 'missed'} worst_dashboard_p95_ms={worst_dash:.0f}"
        f" dashboard_300ms={'met' if worst_dash < 300 else 'missed'} peak_rss_mb={rss_mb:.0f}"
        f" memory_1gb={'met' if rss_mb < 1024 else 'missed'}"
    )


if __name__ == "__main__":
    sys.exit(main())
