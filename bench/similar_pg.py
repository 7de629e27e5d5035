#!/usr/bin/env python
"""Similar-ticket query at 1,000,000 tickets in the project's own PostgreSQL tables, cold and warm
(issues 4 and 16).

    .venv/bin/python bench/similar_pg.py [--tickets N] [--queries Q] [--after-write W] [--keep-db]

What it does, in order:
1. drops and re-creates the database ``hotline_similar`` on 127.0.0.1:5432 (user postgres),
   ``manage.py migrate`` and ``manage.py seed_demo --tickets 0 --no-train``;
2. writes N tickets with COPY: each title a real title from the four files of
   ``teddycup2020c`` with a random district prefix and number suffix (so every title has
   dozens of near-variants: a dense, pessimistic case), a random phone, one of the demo's
   regions and leaf categories, registered over the last 18 months; and their similar-ticket
   keys (``insight_ticketsignature``), computed by the same ``similar.ticket_keys`` as
   registration;
3. dispatches every written ticket to one of the 16 districts (``tickets_ticketassignment``);
4. ``--after-write``: nothing (the default: the database as freshly written, without planner
   statistics until autovacuum or ANALYZE, hint bits and visibility map unset), ``analyze``
   (what the product's bulk imports end with) or ``vacuum-analyze`` (the earlier runs);
5. in one Django process on the production settings, registers Q new tickets through
   ``ticket_register`` (half of them re-using the phone of an existing ticket) and dispatches
   them to 江岸; then times ``insight.selectors.similar_for``:
   - cold: the first queries on the freshly written database, without any warm-up: the
     dispatcher (who sees every ticket: the widest search) on the first half of the new
     tickets, 江岸's handler (who sees only what was dispatched to 江岸 or below: the
     visibility filter at work) on the other half;
   - warm: the same queries again, every new ticket for each role;
   - warm, as the dispatcher through ``GET /api/v1/tickets/{number}/similar``;
6. prints the per-core speed and the load average (so machines can be compared), a markdown
   table and, alone on the last line, the key numbers. ``--reuse-db`` queries a kept database
   again: no longer cold.

Only 127.0.0.1 is contacted. Nothing is installed.
"""

from __future__ import annotations

import argparse
import io
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
from common import PG, core_speed_us, drop_database, env_for, log, manage, recreate_database  # noqa: E402
from seed_pg import TABLES, check_columns, copy_rows, reset_sequences  # noqa: E402

from hotline.insight.data import read_rows  # noqa: E402  (pure, no Django)
from hotline.insight.similar import TicketText, ticket_keys  # noqa: E402

DATA = (
    Path(os.environ.get("HOTLINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "teddycup2020c"
)
FILES = (
    "messages_labeled.csv",
    "hotspot_messages.csv",
    "replies.csv",
    "unlabeled_test_messages.csv",
)


def variant(base: str, rng: random.Random) -> str:
    district = f"{rng.choice('ABCDEFGHIJKLM')}{rng.randint(1, 12)}区"
    return f"{district}{base}{rng.choice(['', '', '（续）', '？', '！'])}{rng.randint(1, 999)}号"


def bases() -> list[str]:
    titles: list[str] = []
    for name in FILES:
        titles += [r["留言主题"].strip() for r in read_rows(DATA / name) if r["留言主题"].strip()]
    return sorted(set(titles))


def seed(db: str, n: int, after: str) -> dict:
    rng = random.Random(12345)
    titles = bases()
    with psycopg.connect(dbname=db, **PG) as conn:
        agent = conn.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()[0]
        regions = [r[0] for r in conn.execute("SELECT id FROM orgs_region")]
        categories = [r[0] for r in conn.execute("SELECT id FROM orgs_category WHERE level = 3")]
        conn.execute("SET synchronous_commit = off")
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        check_columns(conn)
        ticket = TABLES["tickets_ticket"]
        keys_total = 0
        sig = io.StringIO()

        def rows():
            nonlocal keys_total
            for i in range(1, n + 1):
                title = variant(rng.choice(titles), rng)
                at = now - timedelta(seconds=rng.randint(3600, 540 * 86400))
                yield ticket.row(
                    id=i,
                    number=f"S{i:012d}",
                    status="closed",
                    title=title,
                    content=title,
                    region_id=rng.choice(regions),
                    category_id=rng.choice(categories),
                    citizen_name="市民",
                    citizen_phone=f"139{rng.randint(0, 99_999_999):08d}",
                    registered_by_id=agent,
                    registered_at=at,
                    updated_at=at,
                )
                for key in dict.fromkeys(ticket_keys(TicketText(id=i, title=title))):
                    sig.write(f"{i}\t{key}\n")
                    keys_total += 1
                if i % 200_000 == 0:
                    log(f"  {i:,} tickets")

        copy_rows(conn, ticket, rows())
        t_tickets = time.perf_counter() - t0
        log(f"tickets in {t_tickets:.0f} s; {keys_total:,} keys")
        sig.seek(0)
        with conn.cursor().copy("COPY insight_ticketsignature (ticket_id, key) FROM STDIN") as cp:
            while chunk := sig.read(1 << 20):
                cp.write(chunk)
        reset_sequences(conn, "tickets_ticket")
        conn.commit()
        t_keys = time.perf_counter() - t0 - t_tickets
        conn.autocommit = True
        log(f"keys in {t_keys:.0f} s; after the write: {after or 'nothing'}")
        if after:
            conn.execute(f"{after} tickets_ticket")
            conn.execute(f"{after} insight_ticketsignature")
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')),"
            " pg_size_pretty(pg_total_relation_size('insight_ticketsignature'))"
        ).fetchone()
    return {"tickets_s": t_tickets, "keys_s": t_keys, "keys": keys_total, "sizes": sizes}


def assign_to_districts(db: str, after: str) -> int:
    """Dispatch every written ticket to one of the districts (``tickets_ticketassignment``), so
    that a district's handler sees about 1/16 of them, as after months of work; a no-op when
    done already. Returns the number of assignments."""
    with psycopg.connect(dbname=db, **PG) as conn:
        done = conn.execute("SELECT count(*) FROM tickets_ticketassignment").fetchone()[0]
        if done:
            return done
        conn.execute(
            """
            INSERT INTO tickets_ticketassignment
                (ticket_id, unit_id, role, via, assigned_at, active, event_seq)
            SELECT t.id, d.ids[1 + t.id % cardinality(d.ids)], 'lead', 'dispatch',
                   t.registered_at, true, 1
            FROM tickets_ticket t,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM orgs_unit
                  WHERE kind = 'government' AND parent_id IS NOT NULL
                    AND parent_id = (SELECT id FROM orgs_unit WHERE parent_id IS NULL
                                     AND kind = 'government')) d
            WHERE t.number LIKE 'S%'
            """
        )
        conn.commit()
        conn.autocommit = True
        if after:
            conn.execute(f"{after} tickets_ticketassignment")
        return conn.execute("SELECT count(*) FROM tickets_ticketassignment").fetchone()[0]


QUERY = r"""
import json, random, statistics, time
from django.contrib.auth import get_user_model
from django.test import Client
from hotline.accounts.services import token_issue
from hotline.insight.selectors import similar_for
from hotline.tickets.models import Ticket
from hotline.tickets.services import ticket_register, ticket_transition

Q = int(__QUERIES__)
rng = random.Random(7)
User = get_user_model()
agent = User.objects.get(username="agent")
dispatcher = User.objects.get(username="dispatcher")
last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
titles = list(Ticket.objects.filter(pk__in=[rng.randint(1, last) for _ in range(Q)])
              .values_list("title", "citizen_phone", "region__code", "category__code"))
numbers = []
for i, (title, phone, region, category) in enumerate(titles[:Q]):
    base = title.split("区", 1)[-1]
    new_title = f"Z{i % 9}区{base}"
    body = {"channel": "phone", "kind": "complaint", "title": new_title, "content": new_title,
            "region": region, "category": category,
            "citizen": {"name": "市民", "phone": phone if i % 2 else f"137{i:08d}"}}
    number = ticket_register(actor=agent, data=body).ticket.number
    ticket_transition(actor=dispatcher, number=number, action="dispatch",
                      data={"unit": "jiangan"})
    numbers.append(number)

def pick(lat, q):
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))]

def timed(user, label, batch):
    # Each ticket of the batch once as user: no warm-up query before the first.
    lat, found = [], []
    for number in batch:
        u = User.objects.get(pk=user.pk)  # a fresh principal, as a request has
        t = time.perf_counter()
        matches = similar_for(u, number)
        lat.append((time.perf_counter() - t) * 1000)
        found.append(len(matches))
    return {"who": label, "n": len(lat), "p50": pick(lat, 50), "p95": pick(lat, 95),
            "p99": pick(lat, 99), "max": max(lat), "first": lat[0],
            "mean_matches": statistics.fmean(found)}

dispatcher_label = "dispatcher (sees all)"
district_label = "jiangan-handler (sees its district's tickets)"
handler = User.objects.get(username="jiangan-handler")
# Cold: the first queries on the freshly written database, each role on its own half of the
# new tickets (so the handler's are not warmed by the dispatcher's), nothing before them.
half = len(numbers) // 2
out = {"cold_dispatcher": timed(dispatcher, "cold: " + dispatcher_label, numbers[:half]),
       "cold_district": timed(handler, "cold: " + district_label, numbers[half:])}
# Warm: the same queries again, every ticket for each role.
out["dispatcher"] = timed(dispatcher, "warm: " + dispatcher_label, numbers)
out["district"] = timed(handler, "warm: " + district_label, numbers)
client = Client()
token = token_issue(username="dispatcher", password="demo")
lat = []
for number in numbers:
    t = time.perf_counter()
    r = client.get(f"/api/v1/tickets/{number}/similar", headers={"Authorization": f"Bearer {token}"})
    lat.append((time.perf_counter() - t) * 1000)
    assert r.status_code == 200, r.content[:300]
out["http"] = {"who": "warm: GET /api/v1/tickets/{number}/similar (dispatcher)", "n": len(lat),
               "p50": pick(lat, 50), "p95": pick(lat, 95), "p99": pick(lat, 99),
               "max": max(lat), "first": lat[0]}
print("RESULT " + json.dumps(out))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--db", default="hotline_similar")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument(
        "--reuse-db", action="store_true", help="query the database a --keep-db run left"
    )
    ap.add_argument(
        "--after-write",
        choices=("nothing", "analyze", "vacuum-analyze"),
        default="nothing",
        help="what runs on the written tables before the first query (default: nothing, a"
        " freshly written database as the first user meets it: no planner statistics until"
        " autovacuum or ANALYZE, no hint bits, no visibility map)",
    )
    args = ap.parse_args()
    after = {"analyze": "ANALYZE", "vacuum-analyze": "VACUUM ANALYZE", "nothing": ""}[
        args.after_write
    ]
    speed = core_speed_us()
    env = env_for(args.db)
    load = os.getloadavg()
    if not args.reuse_db:
        log(f"re-creating database {args.db}")
        recreate_database(args.db)
    try:
        manage(env, "migrate", "--noinput", "-v0")
        if args.reuse_db:
            with psycopg.connect(dbname=args.db, **PG) as conn:
                keys = conn.execute("SELECT count(*) FROM insight_ticketsignature").fetchone()[0]
                sizes = conn.execute(
                    "SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')),"
                    " pg_size_pretty(pg_total_relation_size('insight_ticketsignature'))"
                ).fetchone()
            built = {"tickets_s": 0.0, "keys_s": 0.0, "keys": keys, "sizes": sizes}
        else:
            manage(env, "seed_demo", "--tickets", "0", "--no-train")
            log(f"writing {args.tickets:,} tickets and their keys")
            built = seed(args.db, args.tickets, after)
        log("dispatching the tickets to the districts")
        built["assignments"] = assign_to_districts(args.db, after)
        log(f"{args.queries} queries")
        out = manage(env, "shell", "-c", QUERY.replace("__QUERIES__", str(args.queries)))
    finally:
        if not (args.keep_db or args.reuse_db):
            drop_database(args.db)
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    print(
        f"## Similar-ticket query at {args.tickets:,} tickets on PostgreSQL "
        f"({datetime.now():%Y-%m-%d %H:%M})\n"
    )
    print(
        f'per-core speed (python -m timeit "sum(range(1000))") {speed:.1f} µs; '
        f"load average before: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, after: "
        f"{os.getloadavg()[0]:.2f}; {'a reused database (not cold)' if args.reuse_db else 'a freshly written database'}; "
        f"after the write: {'(reused database)' if args.reuse_db else args.after_write}; data: {args.tickets:,} tickets, "
        f"{built['keys']:,} keys, {built['assignments']:,} assignments to the 16 districts, "
        f"written in {built['tickets_s'] + built['keys_s']:.0f} s; "
        f"sizes with indexes: tickets {built['sizes'][0]}, keys {built['sizes'][1]}\n"
    )
    print("| query | n | p50 ms | p95 ms | p99 ms | max ms | first ms | matches per query |")
    print("|---|---|---|---|---|---|---|---|")
    for row in result.values():
        print(
            f"| {row['who']} | {row['n']} | {row['p50']:.2f} | {row['p95']:.2f} | "
            f"{row['p99']:.2f} | {row['max']:.2f} | {row['first']:.2f} | "
            f"{row.get('mean_matches', float('nan')):.1f} |"
        )
    keys = ("cold_dispatcher", "cold_district", "dispatcher", "district")
    worst = max(result[k]["p99"] for k in keys)
    print(
        f"\ntickets={args.tickets} queries={args.queries} after_write={args.after_write} "
        f"core_us={speed:.1f} "
        + " ".join(f"{k}_p99_ms={result[k]['p99']:.2f}" for k in keys)
        + f" http_p99_ms={result['http']['p99']:.2f} worst_p99_ms={worst:.2f}"
        f" target_p99_20ms={'met' if worst < 20 else 'missed'}"
        f" slower_1.45x_p99_ms={worst * 1.45:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
