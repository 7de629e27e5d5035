#!/usr/bin/env python
"""Warnings soak (issue 3, "must show"): 10,000 tickets cross yellow and red on PostgreSQL with
3 task workers and 2 schedulers running; one worker is killed with SIGKILL in the middle and
restarted; every warning must be written once, recorded once and delivered once.

    .venv/bin/python bench/warnings_soak.py [--tickets 10000] [--max-wait 1500]

What it does, in order (see docs/benchmarks-warnings.md):
1. drops and re-creates the database ``hotline_soak`` on 127.0.0.1:5432 (user postgres);
   ``manage.py migrate`` and ``manage.py seed_demo --tickets 0 --no-train``;
2. writes N tickets with COPY, each as registration + dispatch would have left it: the ticket
   (status dispatched, held by a leaf bureau or company whose three phones are set), its two
   hash-chained events (register, dispatch), the lead assignment, the stopped dispatch clock,
   a running accept clock and a running handle clock, and the citizen's acknowledgement outbox
   row (already sent). The running clocks' yellow moments are then set to the next
   ``--yellow-window`` seconds of wall time and their red moments ``--red-gap`` seconds later;
3. starts a fake SMS/voice gateway (http.server in a thread of this process, 127.0.0.1 only)
   that checks the HMAC header and records every message by its Idempotency-Key;
4. starts, all with HOTLINE_SMS_GATEWAY=http and HOTLINE_VOICE_GATEWAY=http:
   3 x ``manage.py db_worker`` (run the scheduled ``scan_warnings`` / ``deliver_outbox`` tasks),
   2 x ``manage.py run_scheduler --interval 2``,
   ``--scan-loops`` x a loop calling ``warnings_scan()`` (``manage.py shell -c``), and
   ``--outbox-loops`` x ``manage.py deliver_outbox`` (the scheduled tasks alone deliver at most
   100 rows per 10 s and scan at most 1,000 warnings per 60 s: too slow for 40,000 warnings);
5. in the middle (when ``--kill-at`` of the expected outbox rows exist) kills with SIGKILL a
   db_worker (one running a task if any), one deliver_outbox loop and one scan loop, and
   restarts each 5 s later;
6. waits (bounded by ``--max-wait``) until every clock is red-warned, no outbox row is pending
   and the gateway has been quiet for a moment; stops every process it started (also on error);
7. checks: one outbox row per (clock, notice) expected, one ``warn`` event per (ticket, clock,
   level), each idempotency key received once at the gateway, nothing lost; runs
   ``manage.py verify_timeline``; prints a markdown summary and the key numbers on the last line.

The outbox lease (``HOTLINE_OUTBOX_LEASE``, 300 s by default) is set to ``--lease`` seconds
through a settings module written to a temporary directory (``from config.settings.prod import
*``), so rows claimed by the killed worker come back within the run. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import (  # noqa: E402
    HOST,
    PG,
    PY,
    SCAN_LOOP,
    drop_database,
    log,
    machine,
    manage,
    pct,
    recreate_database,
)
from seed_pg import TABLES as T  # noqa: E402
from seed_pg import check_columns, copy_rows, reset_sequences  # noqa: E402

from hotline.core.chain import GENESIS, entry_hash  # noqa: E402  (pure module, no Django)

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = "x"
WARN_KINDS = ("yellow", "red", "accept_reminder", "voice_reminder")


# --- shared helpers (also used by bench/warnings_lag.py) ---------------------------------------


def settings_dir(lease: int | None) -> str:
    """A temporary settings module: production settings, optionally with a shorter lease."""
    d = tempfile.mkdtemp(prefix="hotline-bench-settings-")
    lines = ["from config.settings.prod import *  # noqa: F403\n"]
    if lease is not None:
        lines.append(f"HOTLINE_OUTBOX_LEASE = {int(lease)}\n")
    Path(d, "hotline_bench_settings.py").write_text("".join(lines))
    return d


def django_env(db_name: str, settings_path: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{db_name}",
        DJANGO_SETTINGS_MODULE="hotline_bench_settings",
        PYTHONPATH=os.pathsep.join([settings_path, str(ROOT)]),
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HTTPS="0",
        ALLOWED_HOSTS=HOST,
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Procs:
    """Processes started here, each in its own session; ``stop_all`` kills every one left."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.cmds: dict[str, list[str]] = {}
        self.files = []
        self.restarts: Counter = Counter()

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        self.cmds[name] = args
        fh = open(self.log_dir / f"{name}.log", "a")
        self.files.append(fh)
        p = subprocess.Popen(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = p
        return p

    def restart(self, name: str) -> subprocess.Popen:
        self.restarts[name] += 1
        return self.start(name, self.cmds[name])

    def kill9(self, name: str) -> int:
        p = self.procs[name]
        pid = p.pid
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        return pid

    def stop(self, name: str) -> None:
        p = self.procs.get(name)
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for name in list(self.procs):
            p = self.procs[name]
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        for fh in self.files:
            fh.close()

    def alive(self) -> dict[str, bool]:
        return {n: p.poll() is None for n, p in self.procs.items()}


def leaf_units(conn) -> list[tuple[int, str]]:
    """Handling units with no children (no transfer clock) and all three phones set."""
    return conn.execute(
        "SELECT u.id, u.code FROM orgs_unit u WHERE u.kind IN ('bureau', 'company') AND u.active"
        " AND NOT EXISTS (SELECT 1 FROM orgs_unit c WHERE c.parent_id = u.id)"
        " AND u.deputy_leader_phone <> '' AND u.principal_leader_phone <> ''"
        " AND u.contact_phone <> '' ORDER BY u.id"
    ).fetchall()


# --- fake gateway -----------------------------------------------------------------------------


class FakeGateway:
    """Records every POST: Idempotency-Key, channel, body key, signature validity. Behaves as
    the HTTP gateway contract asks of a receiver (docs/notifications.md): a key it has already
    handled is answered with the first receipt and not passed on again, and counted as a
    resend."""

    def __init__(self):
        self.lock = threading.Lock()
        self.keys: Counter = Counter()
        self.receipts: dict[str, str] = {}
        self.channels: Counter = Counter()
        self.bad_signature = 0
        self.key_mismatch = 0
        self.total = 0
        self.last_at = time.monotonic()
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                sig = self.headers.get("X-Hotline-Signature", "")
                expect = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                key = self.headers.get("Idempotency-Key", "")
                try:
                    data = json.loads(body)
                except ValueError:
                    data = {}
                with gw.lock:
                    gw.total += 1
                    n = gw.total
                    gw.keys[key] += 1
                    gw.channels[data.get("channel", "?")] += 1
                    if not hmac.compare_digest(sig, expect):
                        gw.bad_signature += 1
                    if data.get("key") != key:
                        gw.key_mismatch += 1
                    gw.last_at = time.monotonic()
                    receipt = gw.receipts.setdefault(key, f"fake-{n}")
                answer = json.dumps({"id": receipt}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --- seeding ----------------------------------------------------------------------------------


def seed(conn, n: int) -> dict:
    """N dispatched tickets with running accept and handle clocks, as registration + dispatch
    leave them. Clock moments are placeholders; ``place_moments`` sets them."""
    units = leaf_units(conn)
    if not units:
        raise SystemExit("no leaf unit with phones in the seeded org")
    agent = conn.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()[0]
    dispatcher = conn.execute(
        "SELECT id FROM accounts_user WHERE username = 'dispatcher'"
    ).fetchone()[0]
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    far = datetime(2100, 1, 1, tzinfo=UTC)
    t0 = time.perf_counter()
    tickets, events, assigns, clocks, outbox = [], [], [], [], []
    clock_id = 0
    for i in range(1, n + 1):
        uid, ucode = units[i % len(units)]
        reg = base + timedelta(seconds=i)
        disp = reg + timedelta(minutes=20)
        day = reg.astimezone(SHANGHAI).date()
        number = f"{day:%Y%m%d}{i:05d}" if i <= 99999 else f"S{i:09d}"
        title = f"压测预警工单 {i}"
        content = f"压测工单 {i}：小区路灯损坏，夜间出行不便，请相关部门尽快维修。"
        phone = f"139{i % 100_000_000:08d}"
        reg_data = {"channel": "phone", "kind": "complaint", "urgency": "normal"}
        h1 = entry_hash(
            GENESIS,
            {
                "ticket": number,
                "seq": 1,
                "action": "register",
                "actor": "agent",
                "at": reg.isoformat(),
                "from": "",
                "to": "registered",
                "data": reg_data,
            },
        )
        disp_data = {"unit": ucode, "co_units": []}
        h2 = entry_hash(
            h1,
            {
                "ticket": number,
                "seq": 2,
                "action": "dispatch",
                "actor": "dispatcher",
                "at": disp.isoformat(),
                "from": "registered",
                "to": "dispatched",
                "data": disp_data,
            },
        )
        tickets.append(
            T["tickets_ticket"].row(
                id=i,
                number=number,
                status="dispatched",
                title=title,
                content=content,
                citizen_name="张先生",
                citizen_phone=phone,
                unit_id=uid,
                registered_by_id=agent,
                registered_at=reg,
                last_seq=2,
                last_hash=h2,
                updated_at=disp,
            )
        )
        event = T["tickets_ticketevent"]
        events.append(
            event.row(
                ticket_id=i,
                seq=1,
                action="register",
                actor_id=agent,
                actor_name="agent",
                at=reg,
                to_status="registered",
                data=json.dumps(reg_data),
                prev_hash=GENESIS,
                hash=h1,
            )
        )
        events.append(
            event.row(
                ticket_id=i,
                seq=2,
                action="dispatch",
                actor_id=dispatcher,
                actor_name="dispatcher",
                at=disp,
                from_status="registered",
                to_status="dispatched",
                data=json.dumps(disp_data),
                prev_hash=h1,
                hash=h2,
            )
        )
        assigns.append(
            T["tickets_ticketassignment"].row(
                ticket_id=i, unit_id=uid, assigned_at=disp, event_seq=2
            )
        )
        clock = T["tickets_clock"]
        clock_id += 1
        clocks.append(
            clock.row(
                id=clock_id,
                ticket_id=i,
                kind="dispatch",
                started_at=reg,
                limit_amount=2.0,
                limit_unit="working_hours",
                yellow_at=reg + timedelta(hours=1, minutes=36),
                due_at=reg + timedelta(hours=2),
                stopped_at=disp,
                stop_reason="dispatched",
                met=True,
            )
        )
        for kind, days in (("accept", 1.0), ("handle", 5.0)):
            clock_id += 1
            clocks.append(
                clock.row(
                    id=clock_id,
                    ticket_id=i,
                    kind=kind,
                    unit_id=uid,
                    started_at=disp,
                    limit_amount=days,
                    limit_unit="working_days",
                    yellow_at=far,
                    due_at=far,
                )
            )
        outbox.append(
            T["notifications_outbox"].row(
                ticket_id=i,
                kind="acknowledgement",
                recipient=phone,
                template="acknowledgement",
                params=json.dumps(
                    {
                        "number": number,
                        "link": f"http://127.0.0.1:8000/portal/lookup?number={number}",
                    },
                    ensure_ascii=False,
                ),
                status="sent",
                attempts=1,
                idempotency_key=f"ack:{number}",
                created_at=reg,
                sent_at=reg + timedelta(seconds=5),
                receipt="console:ack",
            )
        )
    check_columns(conn)
    with conn.transaction():
        for name, rows in (
            ("tickets_ticket", tickets),
            ("tickets_ticketevent", events),
            ("tickets_ticketassignment", assigns),
            ("tickets_clock", clocks),
            ("notifications_outbox", outbox),
        ):
            copy_rows(conn, T[name], rows)
        reset_sequences(conn, "tickets_ticket", "tickets_clock")
    conn.execute("ANALYZE")
    conn.commit()
    return {"units": len(units), "seconds": time.perf_counter() - t0}


def place_moments(conn, n: int, t0: datetime, yellow_window: float, red_gap: float) -> None:
    """Ticket i (1..n): accept yellow at t0 + (i-1)/n * window, handle yellow 30 s later; each
    clock's red moment ``red_gap`` seconds after its yellow one."""
    with conn.transaction():
        conn.execute(
            "UPDATE tickets_clock SET yellow_at = %(t0)s"
            " + make_interval(secs => (ticket_id - 1)::float8 / %(n)s * %(w)s"
            "   + CASE WHEN kind = 'handle' THEN 30 ELSE 0 END),"
            " due_at = %(t0)s + make_interval(secs => (ticket_id - 1)::float8 / %(n)s * %(w)s"
            "   + CASE WHEN kind = 'handle' THEN 30 ELSE 0 END + %(gap)s)"
            " WHERE kind IN ('accept', 'handle') AND stopped_at IS NULL",
            {"t0": t0, "n": n, "w": yellow_window, "gap": red_gap},
        )


# --- checks -----------------------------------------------------------------------------------


def expected_keys(conn) -> tuple[set[str], dict]:
    rows = conn.execute(
        "SELECT id, kind, yellow_warned_at, red_warned_at FROM tickets_clock"
        " WHERE kind IN ('accept', 'handle')"
    ).fetchall()
    keys: set[str] = set()
    skipped_yellow = 0
    for cid, kind, yw, rw in rows:
        keys.add(f"red:{cid}")
        if yw is not None and rw is not None and yw == rw:
            skipped_yellow += 1  # the red warning came first: the scanner sends red only
            continue
        keys.add(f"yellow:{cid}")
        keys.add(f"{'accept_reminder' if kind == 'accept' else 'voice_reminder'}:{cid}")
    return keys, {"clocks": len(rows), "skipped_yellow": skipped_yellow}


def _keys_if_all_yellow(conn) -> set[str]:
    """Every warning key of the running clocks if no yellow were skipped."""
    return {
        f"{k}:{cid}"
        for (cid, kind) in conn.execute(
            "SELECT id, kind FROM tickets_clock WHERE kind IN ('accept', 'handle')"
        ).fetchall()
        for k in ("yellow", "red", "accept_reminder" if kind == "accept" else "voice_reminder")
    }


def _outbox_numbers(conn, expected: set[str]) -> dict:
    """The warning kinds' outbox rows against the expected keys."""
    rows = conn.execute(
        "SELECT idempotency_key, status, channel, attempts FROM notifications_outbox"
        " WHERE kind = ANY(%s)",
        (list(WARN_KINDS),),
    ).fetchall()
    present = Counter(r[0] for r in rows)
    attempts = Counter(r[3] for r in rows)
    sent_keys = {r[0] for r in rows if r[1] == "sent"}
    return {
        "outbox": sum(present.values()),
        "outbox_status": dict(Counter(r[1] for r in rows)),
        "outbox_channels": dict(Counter(r[2] for r in rows)),
        "outbox_attempts": dict(sorted(attempts.items())),
        "missing_rows": len(expected - set(present)),
        "extra_rows": len(set(present) - expected),
        "doubled_rows": sum(1 for c in present.values() if c > 1),
        "delivered": len(sent_keys & expected),
    }


def _warn_event_numbers(conn, info: dict) -> dict:
    """warn events: one per (ticket, clock kind, level); the clocks' warned marks."""
    ev = conn.execute(
        "SELECT ticket_id, data->>'clock', coalesce(data->>'level', data->>'warning'), count(*)"
        " FROM tickets_ticketevent"
        " WHERE action = 'warn' GROUP BY 1, 2, 3"
    ).fetchall()
    warned = conn.execute(
        "SELECT count(*) FILTER (WHERE yellow_warned_at IS NOT NULL),"
        " count(*) FILTER (WHERE red_warned_at IS NOT NULL) FROM tickets_clock"
        " WHERE kind IN ('accept', 'handle')"
    ).fetchone()
    return {
        "warn_events": sum(r[3] for r in ev),
        "warn_events_expected": info["clocks"] * 2 - info["skipped_yellow"],
        "warn_events_doubled": sum(1 for r in ev if r[3] > 1),
        "yellow_warned": warned[0],
        "red_warned": warned[1],
    }


def _gateway_numbers(gw: FakeGateway, expected: set[str]) -> dict:
    """What the fake gateway received against the expected keys."""
    gw_keys = gw.keys
    gw_dups = {k: c for k, c in gw_keys.items() if c > 1}
    lost_at_gateway = expected - set(gw_keys)
    return {
        "gateway_messages": gw.total,
        "gateway_distinct": len(gw_keys),
        "gateway_channels": dict(gw.channels),
        "duplicates_at_gateway": sum(c - 1 for c in gw_dups.values()),
        "duplicate_keys": sorted(gw_dups)[:20],
        "lost": len(lost_at_gateway),
        "lost_keys": sorted(lost_at_gateway)[:20],
        "unexpected_at_gateway": len(set(gw_keys) - expected),
        "bad_signature": gw.bad_signature,
        "key_mismatch": gw.key_mismatch,
    }


def check(conn, gw: FakeGateway, n: int) -> dict:
    full = _keys_if_all_yellow(conn)
    expected, info = expected_keys(conn)
    return {
        "tickets": n,
        "clocks": info["clocks"],
        "expected_if_all_yellow": len(full),
        "expected": len(expected),
        "skipped_yellow": info["skipped_yellow"],
        **_outbox_numbers(conn, expected),
        **_warn_event_numbers(conn, info),
        **_gateway_numbers(gw, expected),
    }


def progress(conn) -> dict:
    r = conn.execute(
        "SELECT count(*) FILTER (WHERE yellow_warned_at IS NOT NULL),"
        " count(*) FILTER (WHERE red_warned_at IS NOT NULL),"
        " count(*) FILTER (WHERE yellow_at <= now()), count(*) FILTER (WHERE due_at <= now())"
        " FROM tickets_clock WHERE kind IN ('accept', 'handle')"
    ).fetchone()
    o = dict(
        conn.execute(
            "SELECT status, count(*) FROM notifications_outbox WHERE kind = ANY(%s) GROUP BY 1",
            (list(WARN_KINDS),),
        ).fetchall()
    )
    conn.commit()
    return {
        "yellow_warned": r[0],
        "red_warned": r[1],
        "yellow_due": r[2],
        "red_due": r[3],
        "outbox": sum(o.values()),
        "pending": o.get("pending", 0),
        "sent": o.get("sent", 0),
        "failed": o.get("failed", 0),
    }


def running_task_worker(conn) -> str | None:
    row = conn.execute(
        "SELECT worker_ids, task_path FROM django_tasks_database_dbtaskresult"
        " WHERE status = 'RUNNING' ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    conn.commit()
    if row and row[0]:
        return f"{row[0][-1]}|{row[1]}"
    return None


def task_stats(conn) -> list[tuple]:
    rows = conn.execute(
        "SELECT task_path, status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY 1, 2"
        " ORDER BY 1, 2"
    ).fetchall()
    conn.commit()
    return rows


def _kill_mid_run(procs, conn, args, events: list[str], p: dict, el: float) -> None:
    """kill -9 a worker (one running a task if any), an outbox loop and a scan loop mid-run,
    then restart them."""
    victim = None
    for _ in range(20):
        running = running_task_worker(conn)
        if running:
            wid, task = running.split("|")
            if wid.startswith("soak-worker-"):
                victim = (f"db_worker-{wid.rsplit('-', 1)[1]}", task)
                break
        time.sleep(0.5)
    name = victim[0] if victim else "db_worker-0"
    what = f"running task {victim[1]}" if victim else "idle (no task running)"
    now = datetime.now(UTC)
    killed_names = [name]
    pid = procs.kill9(name)
    events.append(f"{now:%H:%M:%S} (t={el:.0f}s) kill -9 {name} pid {pid}, {what}")
    if args.outbox_loops:
        pid = procs.kill9("deliver_outbox-0")
        killed_names.append("deliver_outbox-0")
        events.append(f"{now:%H:%M:%S} kill -9 deliver_outbox-0 pid {pid} (mid-batch)")
    if args.scan_loops:
        pid = procs.kill9("scan_loop-0")
        killed_names.append("scan_loop-0")
        events.append(f"{now:%H:%M:%S} kill -9 scan_loop-0 pid {pid} (mid-scan)")
    events.append(
        f"{now:%H:%M:%S} progress at the kill: outbox={p['outbox']} sent={p['sent']}"
        f" yellow_warned={p['yellow_warned']} red_warned={p['red_warned']}"
    )
    for e in events[-4:]:
        log(e)
    time.sleep(5)
    for nm in killed_names:
        procs.restart(nm)
    events.append(f"{datetime.now(UTC):%H:%M:%S} restarted {', '.join(killed_names)}")
    log(events[-1])


def _start_all(procs, args) -> None:
    """The workers, schedulers, scan loops and outbox loops of the run."""
    for k in range(args.workers):
        procs.start(
            f"db_worker-{k}",
            ["db_worker", "--worker-id", f"soak-worker-{k}", "--interval", "1"],
        )
    for k in range(args.schedulers):
        procs.start(f"scheduler-{k}", ["run_scheduler", "--interval", "2"])
    for k in range(args.scan_loops):
        procs.start(f"scan_loop-{k}", ["shell", "-c", SCAN_LOOP])
    for k in range(args.outbox_loops):
        procs.start(f"deliver_outbox-{k}", ["deliver_outbox", "--limit", "100", "--interval", "1"])


# --- main -------------------------------------------------------------------------------------


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=10_000)
    ap.add_argument("--db", default="hotline_soak")
    ap.add_argument("--yellow-window", type=float, default=120.0, help="seconds (default 120)")
    ap.add_argument("--red-gap", type=float, default=420.0, help="seconds yellow->red (420)")
    ap.add_argument("--lead", type=float, default=25.0, help="seconds before the first yellow")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--schedulers", type=int, default=2)
    ap.add_argument("--scan-loops", type=int, default=2)
    ap.add_argument("--outbox-loops", type=int, default=2)
    ap.add_argument("--kill-at", type=float, default=0.4, help="fraction of expected rows")
    ap.add_argument("--lease", type=int, default=60, help="HOTLINE_OUTBOX_LEASE seconds (60)")
    ap.add_argument("--max-wait", type=float, default=1500.0, help="seconds after start")
    ap.add_argument("--keep-db", action="store_true")
    return ap.parse_args()


def _soak_env(args, gw: FakeGateway, sdir: str) -> dict[str, str]:
    """The processes' environment: production settings, both gateways over HTTP to ``gw``."""
    return django_env(
        args.db,
        sdir,
        HOTLINE_SMS_GATEWAY="http",
        HOTLINE_VOICE_GATEWAY="http",
        HOTLINE_HTTP_GATEWAY_URL=f"http://{HOST}:{gw.port}/",
        HOTLINE_HTTP_GATEWAY_SECRET=SECRET,
    )


def _fresh_log_dir() -> Path:
    log_dir = ROOT / "var" / "bench-soak"
    log_dir.mkdir(parents=True, exist_ok=True)
    for f in log_dir.glob("*.log"):
        f.unlink()
    return log_dir


def _seed_run(env, args) -> tuple[psycopg.Connection, datetime, datetime]:
    """Migrate, seed the org, COPY the tickets and place their moments; returns the connection
    the first yellow and the last red moment."""
    log("migrate")
    manage(env, "migrate", "--noinput", "-v0")
    log("seed_demo --tickets 0 --no-train")
    manage(env, "seed_demo", "--tickets", "0", "--no-train")
    conn = psycopg.connect(dbname=args.db, **PG)
    log(f"seeding {args.tickets} dispatched tickets with COPY")
    s = seed(conn, args.tickets)
    log(f"seeded in {s['seconds']:.1f} s over {s['units']} leaf units")
    first_yellow = datetime.now(UTC) + timedelta(seconds=args.lead)
    place_moments(conn, args.tickets, first_yellow, args.yellow_window, args.red_gap)
    last_red = first_yellow + timedelta(seconds=args.yellow_window + 30 + args.red_gap)
    return conn, first_yellow, last_red


def _all_warned(p: dict, args, last_red: datetime) -> bool:
    return (
        datetime.now(UTC) > last_red and p["red_warned"] >= 2 * args.tickets and p["pending"] == 0
    )


def _gateway_quiet(gw: FakeGateway) -> bool:
    with gw.lock:
        return time.monotonic() - gw.last_at > 3


def _wait_until_done(procs, conn, gw, args, events, timeline, t_start, last_red) -> None:
    """Poll every 3 s; kill and restart mid-run once; stop when every warning is written and
    delivered and the gateway is quiet, or at ``--max-wait``."""
    full_expected = args.tickets * 6
    killed = False
    while True:
        time.sleep(3)
        el = time.monotonic() - t_start
        p = progress(conn)
        p["t"] = round(el, 1)
        p["gateway"] = gw.total
        timeline.append(p)
        if len(timeline) % 5 == 0:
            log(json.dumps(p))
        dead = [n for n, a in procs.alive().items() if not a]
        if dead and not killed:
            log(f"processes exited on their own: {dead}")
        if not killed and p["outbox"] >= args.kill_at * full_expected:
            _kill_mid_run(procs, conn, args, events, p, el)
            killed = True
        if _all_warned(p, args, last_red) and _gateway_quiet(gw):
            return
        if el > args.max_wait:
            events.append(f"{datetime.now(UTC):%H:%M:%S} max wait {args.max_wait:.0f}s reached")
            log(events[-1])
            return


def _delays(conn) -> tuple[list[float], list[float]]:
    """Warning row lag after its moment, and delivery delay created -> sent, in seconds."""
    lag = conn.execute(
        "SELECT extract(epoch FROM o.created_at - CASE WHEN o.kind = 'red' THEN c.due_at"
        " ELSE c.yellow_at END) FROM notifications_outbox o JOIN tickets_clock c"
        " ON c.id = split_part(o.idempotency_key, ':', 2)::bigint"
        " WHERE o.kind IN ('yellow', 'red')"
    ).fetchall()
    deliver = conn.execute(
        "SELECT extract(epoch FROM sent_at - created_at) FROM notifications_outbox"
        " WHERE kind = ANY(%s) AND status = 'sent'",
        (list(WARN_KINDS),),
    ).fetchall()
    return [float(r[0]) for r in lag], [float(r[0]) for r in deliver]


def _verify_timeline(env) -> str:
    vr = subprocess.run(
        [PY, "manage.py", "verify_timeline"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = (vr.stdout or vr.stderr).strip().splitlines()
    return f"{lines[-1] if lines else ''} (exit {vr.returncode})"


def _run(args, gw: FakeGateway, env, procs: Procs, events: list[str]) -> dict:
    """Seed, start everything, wait, stop, check; the numbers the report prints."""
    timeline: list[dict] = []
    conn, first_yellow, last_red = _seed_run(env, args)
    gw.start()
    log(
        f"fake gateway on {HOST}:{gw.port}; first yellow {first_yellow:%H:%M:%S}, last red {last_red:%H:%M:%S}"
    )
    _start_all(procs, args)
    t_start = time.monotonic()
    started_at = datetime.now(UTC)
    events.append(f"{started_at:%H:%M:%S} started: {', '.join(procs.procs)}")
    log(events[-1])
    _wait_until_done(procs, conn, gw, args, events, timeline, t_start, last_red)
    finished_at = datetime.now(UTC)
    wall = time.monotonic() - t_start
    stats = task_stats(conn)
    procs.stop_all()
    events.append(f"{datetime.now(UTC):%H:%M:%S} all processes stopped")
    result = check(conn, gw, args.tickets)
    lags, dl = _delays(conn)
    conn.close()
    return {
        "result": result,
        "verify": _verify_timeline(env),
        "wall": wall,
        "started_at": started_at,
        "finished_at": finished_at,
        "lags": lags,
        "dl": dl,
        "stats": stats,
    }


def _spread(values: list[float]) -> str:
    """p50 / p99 / max, one decimal."""
    top = max(values) if values else float("nan")
    return f"{pct(values, 50):.1f} / {pct(values, 99):.1f} / {top:.1f}"


def _print_header(info: dict, load_before, args, events: list[str]) -> None:
    print(f"## Warnings soak ({datetime.now(SHANGHAI):%Y-%m-%d %H:%M %Z})\n")
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}; PostgreSQL "
        f"{info['postgresql']} (shared_buffers {info['shared_buffers']}); Python {info['python']}; "
        f"per-core speed {info['core_speed']}; load average before: {load_before[0]:.2f}\n"
    )
    print(
        f"ran: {args.workers} x db_worker, {args.schedulers} x run_scheduler --interval 2, "
        f"{args.scan_loops} x warnings_scan() loop, {args.outbox_loops} x deliver_outbox "
        f"--limit 100; gateways http -> fake gateway on 127.0.0.1; HOTLINE_OUTBOX_LEASE={args.lease}\n"
    )
    print("events:\n")
    for e in events:
        print(f"- {e}")
    print()


def _print_table(run: dict, procs: Procs) -> None:
    r = run["result"]
    print("| check | value |")
    print("|---|---|")
    print(f"| tickets / running clocks (accept + handle) | {r['tickets']} / {r['clocks']} |")
    print(f"| expected outbox rows (if every yellow is sent) | {r['expected_if_all_yellow']} |")
    print(f"| yellow skipped (clock was already red when scanned) | {r['skipped_yellow']} |")
    print(f"| expected outbox rows | {r['expected']} |")
    print(f"| outbox rows (warning kinds) | {r['outbox']} by channel {r['outbox_channels']} |")
    print(f"| outbox status | {r['outbox_status']} |")
    print(f"| outbox attempts histogram | {r['outbox_attempts']} |")
    print(
        f"| missing / extra / doubled rows | {r['missing_rows']} / {r['extra_rows']} / {r['doubled_rows']} |"
    )
    print(
        f"| warn events / expected / doubled (ticket, clock, level) | {r['warn_events']} / {r['warn_events_expected']} / {r['warn_events_doubled']} |"
    )
    print(f"| clocks yellow-warned / red-warned | {r['yellow_warned']} / {r['red_warned']} |")
    print(
        f"| gateway messages / distinct keys | {r['gateway_messages']} / {r['gateway_distinct']} ({r['gateway_channels']}) |"
    )
    print(
        f"| resends of a key already received (answered with the first receipt, not passed on) | "
        f"{r['duplicates_at_gateway']} {r['duplicate_keys'] or ''} |"
    )
    print(f"| expected keys never received (lost) | {r['lost']} {r['lost_keys'] or ''} |")
    print(f"| unexpected keys at gateway | {r['unexpected_at_gateway']} |")
    print(
        f"| bad HMAC signatures / body key != header key | {r['bad_signature']} / {r['key_mismatch']} |"
    )
    print(f"| verify_timeline | {run['verify']} |")
    print(
        f"| run wall time (s) | {run['wall']:.0f} ({run['started_at']:%H:%M:%S} to {run['finished_at']:%H:%M:%S} UTC) |"
    )
    print(f"| warning row lag after the moment, s (p50 / p99 / max) | {_spread(run['lags'])} |")
    print(f"| delivery delay created->sent, s (p50 / p99 / max) | {_spread(run['dl'])} |")
    print(f"| process restarts | {dict(procs.restarts)} |")
    print()


def _print_footer(run: dict) -> None:
    r = run["result"]
    print(
        "tasks (django_tasks_db): "
        + "; ".join(f"{t.rsplit('.', 1)[1]} {s} {c}" for t, s, c in run["stats"])
    )
    print()
    print(
        f"tickets={r['tickets']} expected={r['expected']} outbox={r['outbox']} "
        f"delivered={r['delivered']} duplicates_at_gateway={r['duplicates_at_gateway']} "
        f"lost={r['lost']} skipped_yellow={r['skipped_yellow']} warn_events={r['warn_events']}"
    )


def _passed(r: dict) -> bool:
    return (
        r["missing_rows"] == 0
        and r["extra_rows"] == 0
        and r["lost"] == 0
        and r["warn_events"] == r["warn_events_expected"]
        and r["warn_events_doubled"] == 0
    )


def main() -> int:
    args = _parse_args()
    info = machine()
    load_before = os.getloadavg()
    log(f"re-creating database {args.db}")
    recreate_database(args.db)
    gw = FakeGateway()
    sdir = settings_dir(args.lease)
    env = _soak_env(args, gw, sdir)
    procs = Procs(env, _fresh_log_dir())
    events: list[str] = []
    try:
        run = _run(args, gw, env, procs, events)
    finally:
        procs.stop_all()
        gw.stop()
        shutil.rmtree(sdir, ignore_errors=True)
        if not args.keep_db:
            try:
                drop_database(args.db)
            except Exception as exc:  # noqa: BLE001
                log(f"could not drop {args.db}: {exc}")

    _print_header(info, load_before, args, events)
    _print_table(run, procs)
    _print_footer(run)
    return 0 if _passed(run["result"]) else 1


if __name__ == "__main__":
    sys.exit(main())
