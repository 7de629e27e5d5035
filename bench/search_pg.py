#!/usr/bin/env python
"""Ticket search (two-character Chinese words with filters) at 1,000,000 tickets on PostgreSQL
(issue 15, item 2).

    .venv/bin/python bench/search_pg.py [--tickets N] [--queries Q] [--keep-db] [--reuse-db]

1. re-creates the database ``hotline_search_bench`` on 127.0.0.1:5432, migrates and seeds the
   demo's org tree (no tickets);
2. writes N tickets with COPY: real titles of ``teddycup2020c`` with a district prefix (as
   bench/similar_pg.py), their ``search_text`` computed by the same ``ticket_search_text`` as
   registration, 30 % of them open with a running clock whose yellow moment and deadline are
   spread around now; every ticket dispatched to one of the 16 districts; then the full-text
   index is built and the tables analysed;
3. times ``GET /api/v1/tickets`` (the whole request: scoping, filters, count, the first page of
   50, serialisation) for Q queries as the dispatcher (sees all) and as 江岸's handler, each a
   two-character word drawn from common complaint words, with filters drawn from: open states,
   the last 90 days, a warning level, sort by deadline;
4. prints a markdown table and the key numbers alone on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import similar_pg  # noqa: E402
from common import PG, core_speed_us, drop_database, log, manage, recreate_database  # noqa: E402
from similar_pg import assign_to_districts, bases, env_for, variant  # noqa: E402

from hotline.tickets.search import ticket_search_text  # noqa: E402  (jieba, no ORM)

# The shared data sit beside the checkout (/work/shared) or beside its worktrees' folder.
for _shared in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
    if (_shared / "data" / "teddycup2020c").exists():
        similar_pg.DATA = _shared / "data" / "teddycup2020c"
        break

WORDS = [
    "停水",
    "噪音",
    "物业",
    "停车",
    "路灯",
    "施工",
    "垃圾",
    "漏水",
    "拆迁",
    "工资",
    "学校",
    "油烟",
]
OPEN = ["registered", "dispatched", "in_progress"]


def seed(db: str, n: int) -> float:
    rng = random.Random(15)
    titles = bases()
    cols = (
        "id, number, status, kind, channel, urgency, title, content, address, search_text,"
        " region_id, category_id, citizen_name, citizen_phone, citizen_anonymous,"
        " citizen_confidential, registered_by_id, registered_at, send_back_reason,"
        " send_back_count, extension_status, reply_text, reply_outcome, satisfaction,"
        " review_verdict, redo_count, last_seq, last_hash, updated_at"
    )
    clock_cols = (
        "ticket_id, kind, started_at, limit_amount, limit_unit, yellow_at, due_at, pending_calendar,"
        " stop_reason"
    )
    t0 = time.perf_counter()
    with psycopg.connect(dbname=db, **PG) as conn:
        agent = conn.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()[0]
        regions = [r[0] for r in conn.execute("SELECT id FROM orgs_region")]
        categories = [r[0] for r in conn.execute("SELECT id FROM orgs_category WHERE level = 3")]
        conn.execute("SET synchronous_commit = off")
        conn.execute("DROP INDEX IF EXISTS tickets_ticket_fts")
        now = datetime.now(UTC)
        open_clocks = []  # one COPY at a time on a connection: the clocks follow the tickets
        with conn.cursor().copy(f"COPY tickets_ticket ({cols}) FROM STDIN") as tickets:
            for i in range(1, n + 1):
                title = variant(rng.choice(titles), rng)
                at = now - timedelta(seconds=rng.randint(3600, 540 * 86400))
                status = rng.choice(OPEN) if rng.random() < 0.3 else "closed"
                tickets.write_row(
                    (
                        i,
                        f"S{i:012d}",
                        status,
                        "complaint",
                        "phone",
                        "normal",
                        title,
                        title,
                        "",
                        ticket_search_text(title, title, ""),
                        rng.choice(regions),
                        rng.choice(categories),
                        "市民",
                        f"139{rng.randint(0, 99_999_999):08d}",
                        False,
                        False,
                        agent,
                        at,
                        "",
                        0,
                        "",
                        "",
                        "",
                        "",
                        "",
                        0,
                        0,
                        "",
                        at,
                    )
                )
                if status != "closed":
                    due = now + timedelta(hours=rng.randint(-72, 240))
                    open_clocks.append(
                        (
                            i,
                            "handle",
                            at,
                            5.0,
                            "working_days",
                            due - timedelta(hours=24),
                            due,
                            False,
                            "",
                        )
                    )
                if i % 200_000 == 0:
                    log(f"  {i:,} tickets")
        with conn.cursor().copy(f"COPY tickets_clock ({clock_cols}) FROM STDIN") as clocks:
            for row in open_clocks:
                clocks.write_row(row)
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'),"
            " (SELECT max(id) FROM tickets_ticket))"
        )
        conn.commit()
        log("building the full-text index")
        # On the stored vector (migration tickets 0015, hotline/core/search.py).
        conn.execute(
            "CREATE INDEX tickets_ticket_fts ON tickets_ticket USING gin (search_text_vector)"
        )
        conn.commit()
        conn.autocommit = True
        for table in ("tickets_ticket", "tickets_clock"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - t0


QUERY = r"""
import json, random, time
from urllib.parse import urlencode
from django.test import Client
from django.utils import timezone
from hotline.accounts.services import token_issue

Q = int(__QUERIES__)
WORDS = __WORDS__
rng = random.Random(3)
since = (timezone.localdate() - timezone.timedelta(days=90)).isoformat()

def params():
    p = {"q": rng.choice(WORDS)}
    if rng.random() < 0.6:
        p["status"] = "registered,dispatched,in_progress"
    if rng.random() < 0.5:
        p["registered_from"] = since
    if rng.random() < 0.4:
        p["warning"] = rng.choice(["yellow", "red", "none"])
    if rng.random() < 0.5:
        p["sort"] = "deadline"
    return p

def timed(username):
    client = Client()
    headers = {"Authorization": f"Bearer {token_issue(username=username, password='demo')}"}
    lat, counts = [], []
    for _ in range(10):
        client.get("/api/v1/tickets?" + urlencode(params()), headers=headers)
    for _ in range(Q):
        url = "/api/v1/tickets?" + urlencode(params())
        t = time.perf_counter()
        r = client.get(url, headers=headers)
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.content[:300]
        counts.append(r.json()["count"])
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))]
    return {"who": username, "p50": pick(50), "p95": pick(95), "p99": pick(99),
            "max": lat[-1], "mean_count": sum(counts) / len(counts)}

print("RESULT " + json.dumps({"dispatcher": timed("dispatcher"),
                               "district": timed("jiangan-handler")}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--db", default="hotline_search_bench")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--reuse-db", action="store_true")
    args = ap.parse_args()
    env = env_for(args.db)
    load = os.getloadavg()
    seconds = 0.0
    if not args.reuse_db:
        log(f"re-creating database {args.db}")
        recreate_database(args.db)
    try:
        if not args.reuse_db:
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo", "--tickets", "0", "--no-train")
            log(f"writing {args.tickets:,} tickets")
            seconds = seed(args.db, args.tickets)
            log("dispatching the tickets to the districts")
            assign_to_districts(args.db)
        log(f"{args.queries} queries per user")
        query = QUERY.replace("__QUERIES__", str(args.queries)).replace(
            "__WORDS__", json.dumps(WORDS, ensure_ascii=False)
        )
        out = manage(env, "shell", "-c", query)
    finally:
        if not (args.keep_db or args.reuse_db):
            drop_database(args.db)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    print(
        f"## Ticket search at {args.tickets:,} tickets on PostgreSQL ({datetime.now():%Y-%m-%d %H:%M})\n"
    )
    print(
        f'per-core speed (python -m timeit "sum(range(1000))") {core_speed_us():.1f} µs; '
        f"load average before: {load[0]:.2f}; written in {seconds:.0f} s\n"
    )
    print(
        "| GET /api/v1/tickets?q=<two-character word>&filters as | p50 ms | p95 ms | p99 ms | max ms | mean count |"
    )
    print("|---|---|---|---|---|---|")
    for row in result.values():
        print(
            f"| {row['who']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | "
            f"{row['max']:.1f} | {row['mean_count']:.0f} |"
        )
    worst = max(result["dispatcher"]["p95"], result["district"]["p95"])
    print(
        f"\ntickets={args.tickets} dispatcher_p95_ms={result['dispatcher']['p95']:.1f} "
        f"district_p95_ms={result['district']['p95']:.1f} "
        f"target_p95_300ms={'met' if worst < 300 else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
