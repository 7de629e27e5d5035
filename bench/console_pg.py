#!/usr/bin/env python
"""The staff console at 1,000,000 tickets on PostgreSQL (issue 15): each role's home queue, the
ticket page and a two-character keyword search with filters, p50/p95/p99 of the whole request.

    .venv/bin/python bench/console_pg.py [--tickets N] [--requests R] [--keep-db] [--reuse-db]
        [--only LABEL-TEXT]

What it does, in order:
1. drops and re-creates the database ``hotline_console`` on 127.0.0.1:5432 (user postgres),
   ``manage.py migrate`` and ``manage.py seed_demo --tickets 0 --no-train`` (the demo's org
   tree, catalogue, calendar and logins);
2. writes N tickets with COPY (``bench/seed_pg.py``), each as the lifecycle leaves it: the text a
   real message of ``teddycup2020c``, registered over the last 18 months, dispatched to a
   district (and forwarded to one of its streets) or to a bureau or company; 98 % closed with
   their whole timeline (register, dispatch, forward, accept, reply, follow-up: hash-chained
   events, assignments and stopped clocks), the 2 % of the last ten days open in every state
   with running clocks, some yellow, some red; then the search index (its search words as registration
   writes them) and ``VACUUM ANALYZE``;
3. in one Django process on the production settings, signs each role in (the test client's
   ``force_login``) and GETs its home, R times each after a warm-up, then the ticket page of R
   random tickets (as the dispatcher and as a street's handler) and the keyword search with
   filters; every answer must be 200;
4. prints a markdown table and, alone on the last line, the worst p95 and whether it is under
   the 300 ms target.
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
from common import PG, core_speed_us, drop_database, env_for, log, manage, recreate_database  # noqa: E402
from seed_pg import TABLES, check_columns, copy_rows, reset_sequences  # noqa: E402

from hotline.core.chain import GENESIS, entry_hash, instant  # noqa: E402  (pure)
from hotline.core.textsearch import index_text  # noqa: E402  (pure)
from hotline.insight.data import read_rows  # noqa: E402  (pure, no Django)

DATA = (
    Path(os.environ.get("HOTLINE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "teddycup2020c"
)
FILES = ("messages_labeled.csv", "hotspot_messages.csv", "unlabeled_test_messages.csv")
RECENT_SHARE = 50  # one ticket in 50 is of the last ten days (and may be open)
TICKET, EVENT, ASSIGN, CLOCK = (
    TABLES["tickets_ticket"],
    TABLES["tickets_ticketevent"],
    TABLES["tickets_ticketassignment"],
    TABLES["tickets_clock"],
)


def texts() -> list[tuple[str, str, str]]:
    """(title, content, search words): the words computed once per text, as registration
    computes them (``index_text``; no address)."""
    out = []
    for name in FILES:
        for r in read_rows(DATA / name):
            title = (r.get("留言主题") or "").strip()
            if title:
                content = (r.get("留言详情") or title).strip()[:600]
                out.append((title[:200], content, index_text(title[:200], content, "")))
    return out


class World:
    """What the rows point at: the demo's users, units, centres, regions and categories."""

    def __init__(self, conn):
        q = conn.execute
        self.users = dict(q("SELECT username, id FROM accounts_user").fetchall())
        units = q("SELECT id, code, kind, level, parent_id FROM orgs_unit WHERE active").fetchall()
        self.code = {u[0]: u[1] for u in units}
        self.parent = {u[0]: u[4] for u in units}
        self.streets = [u[0] for u in units if u[2] == "street_office"]
        self.owners = [u[0] for u in units if u[2] in ("bureau", "company")]
        city = q("SELECT id FROM orgs_hotlinecentre WHERE parent_id IS NULL").fetchone()[0]
        self.city_centre = city
        self.centre_of = dict(q("SELECT covers_id, id FROM orgs_hotlinecentre").fetchall())
        self.regions = [r[0] for r in q("SELECT id FROM orgs_region WHERE level = 'street'")]
        self.categories = [r[0] for r in q("SELECT id FROM orgs_category WHERE level = 3")]

    def handler(self, unit_id: int) -> int | None:
        return self.users.get(f"{self.code[unit_id]}-handler")


STATES_BY_AGE = (  # (age in days under which, [(status, weight)])
    (1, [("registered", 3), ("dispatched", 7)]),
    (3, [("dispatched", 2), ("in_progress", 7), ("replied", 1)]),
    (10, [("in_progress", 4), ("replied", 3), ("under_review", 1), ("closed", 2)]),
)
STEPS = {  # how far along the lifecycle each status is
    "registered": 1,
    "dispatched": 2,
    "in_progress": 3,
    "replied": 4,
    "under_review": 5,
    "closed": 5,
}


def status_for(age_days: float, rng: random.Random) -> str:
    for limit, choices in STATES_BY_AGE:
        if age_days < limit:
            return rng.choices([c[0] for c in choices], [c[1] for c in choices])[0]
    return "closed"


class Writer:
    """Builds the rows of one ticket; keeps the running clock id."""

    def __init__(self, world: World, now: datetime):
        self.w = world
        self.now = now
        self.clock_id = 0
        self.events: list[tuple] = []
        self.assigns: list[tuple] = []
        self.clocks: list[tuple] = []

    def event(self, t: dict, action: str, actor: str, at, frm: str, to: str, data: dict) -> None:
        seq = t["last_seq"] + 1
        prev = t["last_hash"] or GENESIS
        content = {
            "ticket": t["number"],
            "seq": seq,
            "action": action,
            "actor": actor,
            "at": instant(at),
            "from": frm,
            "to": to,
            "data": data,
        }
        h = entry_hash(prev, content)
        self.events.append(
            EVENT.row(
                ticket_id=t["id"],
                seq=seq,
                action=action,
                actor_id=self.w.users.get(actor),
                actor_name=actor,
                at=at,
                from_status=frm,
                to_status=to,
                data=json.dumps(data, ensure_ascii=False),
                prev_hash=prev,
                hash=h,
            )
        )
        t["last_seq"], t["last_hash"] = seq, h

    def clock(self, t: dict, kind: str, unit, start, days: float, stop=None) -> None:
        self.clock_id += 1
        unit_of = "working_hours" if kind == "dispatch" else "working_days"
        due = start + timedelta(hours=days * 1.5) if unit_of == "working_hours" else start
        if unit_of == "working_days":
            due = start + timedelta(days=days * 1.4)
        yellow = due - (due - start) * 0.2
        met = None if stop is None else stop <= due
        self.clocks.append(
            CLOCK.row(
                id=self.clock_id,
                ticket_id=t["id"],
                kind=kind,
                unit_id=unit,
                started_at=start,
                limit_amount=days,
                limit_unit=unit_of,
                yellow_at=yellow,
                due_at=due,
                stopped_at=stop,
                stop_reason="" if stop is None else kind,
                met=met,
                yellow_warned_at=yellow if stop is None and self.now > yellow else None,
                red_warned_at=due if stop is None and self.now > due else None,
            )
        )


def lifecycle(wr: Writer, t: dict, status: str, lead: int, rng: random.Random) -> None:
    """The events, assignments and clocks of a ticket that reached ``status``."""
    w, at = wr.w, t["registered_at"]
    step = STEPS[status]
    wr.event(
        t, "register", "agent", at, "", "registered", {"channel": "phone", "kind": "complaint"}
    )
    stop = at + timedelta(minutes=rng.randint(5, 90)) if step >= 2 else None
    wr.clock(t, "dispatch", None, at, 2.0, stop)
    if step < 2:
        return
    district = w.parent[lead] if lead in w.streets else None
    first = district or lead
    wr.event(
        t,
        "dispatch",
        "dispatcher",
        stop,
        "registered",
        "dispatched",
        {"unit": w.code[first], "co_units": []},
    )
    wr.assigns.append(
        ASSIGN.row(
            ticket_id=t["id"], unit_id=first, assigned_at=stop, event_seq=2, active=district is None
        )
    )
    at = stop
    if district:
        fwd = at + timedelta(hours=rng.uniform(0.5, 20))
        wr.clock(t, "transfer", district, at, 1.0, fwd)
        wr.event(
            t,
            "forward",
            f"{w.code[district]}-dispatcher",
            fwd,
            "dispatched",
            "dispatched",
            {"unit": w.code[lead], "from_unit": w.code[district]},
        )
        wr.assigns.append(
            ASSIGN.row(
                ticket_id=t["id"],
                unit_id=lead,
                via="forward",
                assigned_at=fwd,
                event_seq=t["last_seq"],
            )
        )
        at = fwd
    handler = f"{w.code[lead]}-handler"
    accepted = at + timedelta(hours=rng.uniform(0.5, 30)) if step >= 3 else None
    wr.clock(t, "accept", lead, at, 1.0, accepted)
    if step < 3:
        return
    wr.event(t, "accept", handler, accepted, "dispatched", "in_progress", {})
    replied = accepted + timedelta(days=rng.uniform(0.3, 7)) if step >= 4 else None
    wr.clock(t, "handle", lead, accepted, 5.0, replied)
    if step < 4:
        return
    wr.event(
        t,
        "reply",
        handler,
        replied,
        "in_progress",
        "replied",
        {"text": "经现场核查，已处理完毕，并向市民说明情况。", "outcome": "resolved"},
    )
    t.update(
        reply_text="经现场核查，已处理完毕，并向市民说明情况。",
        reply_outcome="resolved",
        replied_at=replied,
    )
    followed = replied + timedelta(hours=rng.uniform(2, 40)) if step >= 5 else None
    wr.clock(t, "follow_up", None, replied, 2.0, followed)
    if step < 5:
        return
    satisfaction = (
        "dissatisfied"
        if status == "under_review"
        else rng.choice(
            ["satisfied", "satisfied", "satisfied", "basically_satisfied", "dissatisfied"]
        )
    )
    to = "under_review" if status == "under_review" else "closed"
    wr.event(t, "follow_up", "callback", followed, "replied", to, {"satisfaction": satisfaction})
    t.update(
        satisfaction=satisfaction,
        followed_up_at=followed,
        closed_at=followed if to == "closed" else None,
    )


def seed(db: str, n: int) -> dict:
    rng = random.Random(15)
    pool = texts()
    with psycopg.connect(dbname=db, **PG) as conn:
        check_columns(conn)
        conn.execute("SET synchronous_commit = off")
        world = World(conn)
        now = datetime.now(UTC).replace(microsecond=0)
        wr = Writer(world, now)
        t0 = time.perf_counter()
        tickets = []
        counts: dict[str, int] = {}
        for i in range(1, n + 1):
            recent = i % RECENT_SHARE == 0
            age = rng.uniform(0, 10) if recent else rng.uniform(10, 540)
            status = status_for(age, rng)
            counts[status] = counts.get(status, 0) + 1
            title, content, words = rng.choice(pool)
            lead = rng.choice(world.streets) if rng.random() < 0.65 else rng.choice(world.owners)
            t = {
                "id": i,
                "number": f"S{i:012d}",
                "registered_at": now - timedelta(days=age),
                "last_seq": 0,
                "last_hash": "",
            }
            lifecycle(wr, t, status, lead, rng)
            district = world.parent[lead] if lead in world.streets else None
            held = STEPS[status] >= 2
            tickets.append(
                TICKET.row(
                    **t,
                    status=status,
                    title=title,
                    content=content,
                    search_text=words,
                    citizen_name="市民",
                    citizen_phone=f"139{rng.randint(0, 99_999_999):08d}",
                    region_id=rng.choice(world.regions) if world.regions else None,
                    category_id=rng.choice(world.categories),
                    registered_by_id=world.users["agent"],
                    unit_id=lead if held else None,
                    registered_centre_id=world.city_centre,
                    centre_id=world.centre_of.get(district, world.city_centre),
                    dispatched_by_centre_id=world.city_centre if held else None,
                    updated_at=now,
                )
            )
            if i % 100_000 == 0:
                flush(conn, wr, tickets)
                log(f"  {i:,} tickets")
        flush(conn, wr, tickets)
        reset_sequences(conn, "tickets_ticket", "tickets_clock")
        conn.commit()
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "states": counts}


def flush(conn, wr: Writer, tickets: list) -> None:
    copy_rows(conn, TICKET, tickets)
    copy_rows(conn, EVENT, wr.events)
    copy_rows(conn, ASSIGN, wr.assigns)
    copy_rows(conn, CLOCK, wr.clocks)
    tickets.clear()
    wr.events.clear()
    wr.assigns.clear()
    wr.clocks.clear()


def finish(db: str, env: dict) -> dict:
    """Statistics for the planner (the search words were written with the rows; PostgreSQL's
    GIN index over them is kept by the database as the rows go in)."""
    t0 = time.perf_counter()
    with psycopg.connect(dbname=db, autocommit=True, **PG) as conn:
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return {"reindex_s": time.perf_counter() - t0, "size": size.fetchone()[0]}


# Each target: (label, username, path). {number} is a random ticket the user may see.
TARGETS = [
    ("agent: home (intake)", "agent", "/console/"),
    ("dispatcher: home queue", "dispatcher", "/console/"),
    ("district sub-dispatcher: home queue", "jiangan-dispatcher", "/console/"),
    ("street handler: home queue", "jiangan-01-handler", "/console/"),
    ("bureau handler: home queue", "water-handler", "/console/"),
    ("callback agent: callback queue", "callback", "/console/callback-queue/"),
    ("evaluator: reviews", "evaluator", "/console/reviews/"),
    ("supervisor: home", "supervisor", "/console/supervision/"),
    ("inspector: home", "inspector", "/console/inspection/"),
    ("leader: home", "leader", "/console/leader/"),
    ("auditor: audit log", "auditor", "/console/audit/"),
    ("dispatcher: ticket page", "dispatcher", "/console/tickets/{number}/"),
    ("street handler: ticket page", "jiangan-01-handler", "/console/tickets/{number}/"),
    (
        "dispatcher: search 停水 + state + date, by deadline",
        "dispatcher",
        "/console/tickets/?q=停水&status=in_progress&registered_from=2026-01-01&sort=deadline",
    ),
    ("dispatcher: search 噪音, all states", "dispatcher", "/console/tickets/?q=噪音"),
    ("district handler: search 停水 in its tickets", "jiangan-handler", "/console/tickets/?q=停水"),
    (
        "dispatcher: red tickets by deadline",
        "dispatcher",
        "/console/tickets/?warning=red&sort=deadline",
    ),
]

QUERY = r"""
import json, random, time
from django.contrib.auth import get_user_model
from django.test import Client
from hotline.core.wsgi import freeze_long_lived
from hotline.tickets.selectors import tickets_visible_to

R = int(__REQUESTS__)
TARGETS = json.loads('''__TARGETS__''')
rng = random.Random(7)
User = get_user_model()
pick = lambda lat, q: lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))]
numbers = {}
out = []
frozen = False  # as production's WSGI application: gc.freeze after the first request
for label, username, path in TARGETS:
    user = User.objects.filter(username=username).first()
    if user is None:
        out.append({"label": label, "missing": f"no user {username}"})
        continue
    client = Client()
    client.force_login(user)
    if "{number}" in path and username not in numbers:
        ids = list(tickets_visible_to(user).order_by("?").values_list("number", flat=True)[:R])
        numbers[username] = ids
    lat, sizes = [], []
    for i in range(R + 5):
        url = path.replace("{number}", numbers[username][i % len(numbers[username])]) if "{number}" in path else path
        t = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t) * 1000
        if not frozen:
            freeze_long_lived()
            frozen = True
        if r.status_code != 200:
            out.append({"label": label, "missing": f"{url}: {r.status_code}"})
            break
        if i >= 5:
            lat.append(ms)
            sizes.append(len(r.content))
    else:
        lat.sort()
        out.append({"label": label, "path": path, "p50": pick(lat, 50), "p95": pick(lat, 95),
                    "p99": pick(lat, 99), "max": lat[-1], "kb": sum(sizes) / len(sizes) / 1024})
print("RESULT " + json.dumps(out, ensure_ascii=False))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--db", default="hotline_console")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--reuse-db", action="store_true", help="measure a database --keep-db left")
    ap.add_argument(
        "--only", default="", help="measure only the pages whose label contains this text"
    )
    args = ap.parse_args()
    env = env_for(args.db)
    load = os.getloadavg()
    built: dict = {"seconds": 0.0, "states": {}, "reindex_s": 0.0, "size": "?"}
    if not args.reuse_db:
        log(f"re-creating database {args.db}")
        recreate_database(args.db)
    try:
        manage(env, "migrate", "--noinput", "-v0")
        if not args.reuse_db:
            manage(env, "seed_demo", "--tickets", "0", "--no-train")
            log(f"writing {args.tickets:,} tickets with their timelines")
            built.update(seed(args.db, args.tickets))
            log("search index and VACUUM ANALYZE")
            built.update(finish(args.db, env))
        log(f"{args.requests} requests per target")
        targets = [t for t in TARGETS if args.only in t[0]]
        query = QUERY.replace("__REQUESTS__", str(args.requests)).replace(
            "__TARGETS__", json.dumps(targets, ensure_ascii=False)
        )
        out = manage(env, "shell", "-c", query, timeout=7200)
    finally:
        if not (args.keep_db or args.reuse_db):
            drop_database(args.db)
    rows = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    report(args, built, load, rows)
    return 0


def report(args, built: dict, load, rows: list[dict]) -> None:
    print(
        f"## Staff console at {args.tickets:,} tickets on PostgreSQL ({datetime.now():%Y-%m-%d %H:%M})\n"
    )
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(built["states"].items()))
    print(
        f'per-core speed (python -m timeit "sum(range(1000))") {core_speed_us():.1f} µs; load average'
        f" before: {load[0]:.2f}; data written in {built['seconds']:.0f} s, VACUUM ANALYZE in"
        f" {built['reindex_s']:.0f} s, database {built['size']}; states: {states or 'reused'}\n"
    )
    print("| page (whole request, test client) | p50 ms | p95 ms | p99 ms | max ms | KB |")
    print("|---|---|---|---|---|---|")
    worst = 0.0
    for r in rows:
        if "missing" in r:
            print(f"| {r['label']} | not measured: {r['missing']} | | | | |")
            continue
        worst = max(worst, r["p95"])
        print(
            f"| {r['label']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['kb']:.0f} |"
        )
    missing = sum(1 for r in rows if "missing" in r)
    print(
        f"\ntickets={args.tickets} requests={args.requests} worst_p95_ms={worst:.1f}"
        f" not_measured={missing} target_p95_300ms={'met' if worst < 300 and not missing else 'missed'}"
    )


if __name__ == "__main__":
    sys.exit(main())
