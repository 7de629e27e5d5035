"""The overseeing roles' homes at 1,000,000 tickets on PostgreSQL: the supervision office's home
(red and yellow tickets, open orders, referrals, accountability), the discipline office's copies,
the city leader's figures and the auditor's log, each through the Django test client as its
user, p50/p95 of 20 loads after 3 warm-ups.

Seeds with ``warnings_lag.seed_million`` (open tickets, a stopped dispatch clock and a running
handling clock each, a red and a yellow backlog), plus a lead assignment per ticket, 20,000
supervision orders, 10,000 copies to the discipline office and 100,000 chained audit events.
The tickets have no events: the assessment's conditions that read events count nothing here.

    .venv/bin/python bench/oversight_pg.py [--tickets N] [--keep-db]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PG, drop_database, log, machine, manage, recreate_database  # noqa: E402
from warnings_lag import seed_million  # noqa: E402
from warnings_soak import django_env, settings_dir  # noqa: E402

TIMING = r"""
import json, statistics, time
from datetime import timedelta
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hotline.accounts.models import User
from hotline.core.chain import GENESIS, entry_hash
from hotline.core.models import AuditEvent

AUDIT = %(audit)d
if AuditEvent.objects.count() < AUDIT:
    admin = User.objects.get(username="admin")
    prev = AuditEvent.objects.order_by("-seq").values_list("hash", flat=True).first() or GENESIS
    rows, start = [], timezone.now() - timedelta(days=20)
    for i in range(AUDIT):
        e = AuditEvent(at=start + timedelta(seconds=10 * i), actor=admin, action="pii.reveal",
                       target=f"T{i}", reason="bench", data={"field": "citizen_phone"},
                       prev_hash=prev)
        e.hash = entry_hash(prev, e.chain_content())
        prev = e.hash
        rows.append(e)
    AuditEvent.objects.bulk_create(rows, batch_size=5000)

out = {}
for username, url in %(pages)s:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    cache.clear()  # the first load computes what the page caches (leaders' counts, audit chain)
    t0 = time.perf_counter()
    client.get(url)
    cold = 1000 * (time.perf_counter() - t0)
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        client.get(url)
        times.append(1000 * (time.perf_counter() - t0))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    out[url] = {"user": username, "cold_ms": round(cold, 1), "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[18], 1), "max_ms": round(times[-1], 1),
                "queries": len(ctx.captured_queries),
                "slowest_sql_ms": max(float(q["time"]) for q in ctx.captured_queries) * 1000}
print("JSON" + json.dumps(out))
"""

PAGES = [
    ("supervisor", "/console/supervision/"),
    ("supervisor", "/console/supervision/?wp=50"),
    ("inspector", "/console/inspection/"),
    ("leader", "/console/leader/"),
    ("leader", "/console/leader/tickets/red/"),
    ("auditor", "/console/audit/"),
    ("auditor", "/console/audit/?action=pii.&target=T5000"),
]


def seed_oversight(conn, n: int) -> None:
    conn.execute(
        "INSERT INTO tickets_ticketassignment (ticket_id, unit_id, role, via, assigned_at,"
        " active, event_seq) SELECT t.id, t.unit_id, 'lead', 'dispatch',"
        " t.registered_at + interval '30 minutes', true, 2 FROM tickets_ticket t"
    )
    discipline = conn.execute("SELECT id FROM orgs_unit WHERE code = 'discipline'").fetchone()[0]
    conn.execute(
        "INSERT INTO tickets_ticketassignment (ticket_id, unit_id, role, via, assigned_at,"
        " active, event_seq) SELECT t.id, %s, 'copy', 'copy',"
        " t.registered_at + interval '30 minutes', true, 2 FROM tickets_ticket t"
        " WHERE t.id %% 100 = 7",
        [discipline],
    )
    supervisor = conn.execute(
        "SELECT id FROM accounts_user WHERE username = 'supervisor'"
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO supervision_supervisionorder (ticket_id, level, note, kind, unit_id,"
        " created_by_id, created_at, due_at, event_seq) SELECT t.id, 1, '请加快办理',"
        " CASE WHEN t.id %% 2 = 0 THEN 'sign' ELSE 'supervise' END, t.unit_id, %s,"
        " t.registered_at + interval '1 day', t.registered_at + interval '4 days', 3"
        " FROM tickets_ticket t WHERE t.id %% 50 = 3",
        [supervisor],
    )
    conn.commit()
    conn.autocommit = True
    for table in ("tickets_ticketassignment", "supervision_supervisionorder"):
        conn.execute(f"VACUUM ANALYZE {table}")
    conn.autocommit = False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--audit", type=int, default=100_000)
    ap.add_argument("--db", default="hotline_oversight_bench")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--reuse-db", action="store_true", help="time an already seeded database")
    args = ap.parse_args()
    info = machine()
    sdir = settings_dir(None)
    env = django_env(args.db, sdir)
    try:
        if not args.reuse_db:
            log(f"re-creating database {args.db}")
            recreate_database(args.db)
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo", "--tickets", "0", "--no-train")
            with psycopg.connect(dbname=args.db, **PG) as conn:
                log(f"seeding {args.tickets} tickets")
                seed = seed_million(conn, args.tickets, 20_000, 50_000)
                log(json.dumps(seed))
                seed_oversight(conn, args.tickets)
        log("timing the homes")
        script = TIMING % {"audit": args.audit, "pages": repr(PAGES)}
        out = manage(env, "shell", "-c", script, timeout=3600)
        result = json.loads(out[out.index("JSON") + 4 :].strip().splitlines()[0])
    finally:
        shutil.rmtree(sdir, ignore_errors=True)
        if not args.keep_db:
            drop_database(args.db)
    print(f"machine: {json.dumps(info)}")
    print("| page | user | first load ms | p50 ms | p95 ms | max ms | queries | slowest query ms |")
    print("|---|---|---|---|---|---|---|---|")
    for url, r in result.items():
        print(
            f"| `{url}` | {r['user']} | {r['cold_ms']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |"
            f" {r['queries']} | {r['slowest_sql_ms']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
