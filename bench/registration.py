#!/usr/bin/env python
"""Registration benchmark: POST /api/v1/tickets through gunicorn on PostgreSQL, beside the
same rows written with raw SQL in the same run (issue 2).

    .venv/bin/python bench/registration.py [--requests N] [--concurrency C]

What it does, in order:
1. drops and re-creates the database ``hotline_bench`` on 127.0.0.1:5432 (user postgres);
2. ``manage.py migrate`` and ``manage.py seed_demo --tickets 0`` (org, calendar, logins);
3. starts ``gunicorn config.wsgi`` with the production settings on a free port of 127.0.0.1,
   persistent database connections (DB_CONN_MAX_AGE), and always stops it at the end;
4. gets a token for ``agent`` (POST /api/v1/auth/token);
5. sends a warm-up, then N registrations at a fixed concurrency from ``http.client``
   connections in threads (gunicorn's default sync workers close the connection after each
   answer, as behind a buffering proxy; the client opens the next), recording each
   request's latency and status;
6. checks the database holds exactly one ticket, event, clock and outbox row per 201;
7. writes N tickets with raw SQL into the same tables (one connection, one transaction per
   ticket: sequence, ticket, event, similar-ticket keys, clock, outbox) for the raw-SQL rate;
8. prints a markdown table and, alone on the last line, the key numbers.

Only 127.0.0.1 is contacted. Nothing is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import HOST, PG, PY, ROOT, log, machine, manage, pct, recreate_database  # noqa: E402

from hotline.insight.similar import TicketText, ticket_keys  # noqa: E402  (pure, no Django)

DB_NAME = "hotline_bench"
DATABASE_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"
SHANGHAI = ZoneInfo("Asia/Shanghai")
GENESIS = "0" * 64


# --- setup ------------------------------------------------------------------------------------


def server_env(conn_max_age: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HTTPS="0",
        ALLOWED_HOSTS=HOST,
        DB_CONN_MAX_AGE=str(conn_max_age),
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group; ``stop`` is safe to call more than once."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        workers: int,
        worker_class: str,
        threads: int,
    ):
        self.port = port
        gunicorn = str(Path(PY).with_name("gunicorn"))
        cmd = [
            gunicorn,
            "config.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ]
        if worker_class == "gthread":
            cmd += ["--threads", str(threads)]
        self.cmd = cmd
        self.log_path = ROOT / "var" / "bench-gunicorn.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout}s; see {self.log_path}")

    def pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-g", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._log.close()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the given processes (from /proc; 0 for ones that are gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


# --- load -------------------------------------------------------------------------------------


def get_token(port: int) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request(
        "POST",
        "/api/v1/auth/token",
        body=json.dumps({"username": "agent", "password": "demo"}),
        headers={"Content-Type": "application/json"},
    )
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"token request failed: {resp.status} {body[:300]!r}")
    return json.loads(body)["token"]


def payload(i: int) -> bytes:
    return json.dumps(
        {
            "channel": "phone",
            "kind": "complaint",
            "title": f"小区噪音扰民 {i}",
            "content": f"压测工单 {i}：晚上十点以后楼下商铺仍在施工，噪音很大，影响休息，请相关部门处理。",
            "citizen": {"name": "张先生", "phone": f"138{i % 100_000_000:08d}"},
        },
        ensure_ascii=False,
    ).encode()


def run_load(port: int, token: str, total: int, concurrency: int, start_index: int) -> dict:
    """``total`` registrations from ``concurrency`` threads, each with its own keep-alive
    connection (http.client reopens it when the server closes). Returns latencies and statuses."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    lock = threading.Lock()
    next_i = [0]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures: list[str] = []
    bodies: list[bytes] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        my_status: dict[int, int] = {}
        while True:
            with lock:
                i = next_i[0]
                if i >= total:
                    break
                next_i[0] += 1
            body = payload(start_index + i)
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status, data = 0, repr(exc).encode()
            mine.append(time.perf_counter() - t0)
            my_status[status] = my_status.get(status, 0) + 1
            if status != 201 and len(failures) < 5:
                failures.append(f"{status} {data[:300]!r}")
            if status == 201 and i == 0:
                bodies.append(data)
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in my_status.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {
        "wall": wall,
        "latencies": latencies,
        "statuses": statuses,
        "failures": failures,
        "client_cpu": time.process_time() - cpu0,
        "sample": bodies[0] if bodies else b"",
    }


# --- checks and raw SQL -----------------------------------------------------------------------


def table_counts(conn) -> dict[str, int]:
    out = {}
    for table in ("tickets_ticket", "tickets_ticketevent", "tickets_clock", "notifications_outbox"):
        out[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    out["tickets with similar-ticket keys"] = conn.execute(
        "SELECT count(DISTINCT ticket_id) FROM insight_ticketsignature"
    ).fetchone()[0]
    return out


def chain_hash(prev: str, content: dict) -> str:
    """Same as hotline.core.chain.entry_hash (sha256 of prev + '|' + canonical JSON)."""
    canon = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev + "|" + canon).encode()).hexdigest()


def raw_sql(total: int, start_index: int) -> dict:
    """Write ``total`` tickets the way a registration does, with plain SQL: per ticket one
    transaction of six statements (sequence upsert, ticket, first event, similar-ticket keys,
    dispatch clock, acknowledgement outbox row). Values of the clock and outbox are copied from a row the API
    wrote, so the rows are alike."""
    with psycopg.connect(dbname=DB_NAME, **PG) as conn:
        agent_id = conn.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()[
            0
        ]
        clock_tpl = conn.execute(
            "SELECT limit_amount, limit_unit, yellow_at - started_at, due_at - started_at FROM tickets_clock ORDER BY id DESC LIMIT 1"
        ).fetchone()
        public_url = "http://127.0.0.1:8000"
        conn.commit()
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        for n in range(total):
            i = start_index + n
            body = json.loads(payload(i))
            now = datetime.now(UTC)
            day = now.astimezone(SHANGHAI).date()
            with conn.transaction():
                last = conn.execute(
                    "INSERT INTO tickets_ticketsequence (day, last) VALUES (%s, 1) "
                    "ON CONFLICT (day) DO UPDATE SET last = tickets_ticketsequence.last + 1 RETURNING last",
                    (day,),
                ).fetchone()[0]
                number = f"{day:%Y%m%d}{last:05d}"
                event_data = {"channel": body["channel"], "kind": body["kind"], "urgency": "normal"}
                h = chain_hash(
                    GENESIS,
                    {
                        "ticket": number,
                        "seq": 1,
                        "action": "register",
                        "actor": "agent",
                        "at": now.isoformat(),
                        "from": "",
                        "to": "registered",
                        "data": event_data,
                    },
                )
                ticket_id = conn.execute(
                    "INSERT INTO tickets_ticket (number, status, kind, channel, urgency, title, content, address, lat, lon,"
                    " region_id, category_id, citizen_name, citizen_phone, citizen_anonymous, citizen_confidential, unit_id,"
                    " registered_by_id, registered_at, idempotency_key, send_back_unit_id, send_back_reason, send_back_count,"
                    " extension_status, extension_days, reply_text, reply_outcome, replied_at, satisfaction, followed_up_at,"
                    " review_verdict, redo_count, merged_into_id, closed_at, last_seq, last_hash, updated_at)"
                    " VALUES (%s, 'registered', %s, %s, 'normal', %s, %s, '', NULL, NULL, NULL, NULL, %s, %s, false, false, NULL,"
                    " %s, %s, NULL, NULL, '', 0, '', NULL, '', '', NULL, '', NULL, '', 0, NULL, NULL, 1, %s, %s) RETURNING id",
                    (
                        number,
                        body["kind"],
                        body["channel"],
                        body["title"],
                        body["content"],
                        body["citizen"]["name"],
                        body["citizen"]["phone"],
                        agent_id,
                        now,
                        h,
                        now,
                    ),
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO tickets_ticketevent (ticket_id, seq, action, actor_id, actor_name, at, from_status, to_status,"
                    " data, prev_hash, hash) VALUES (%s, 1, 'register', %s, 'agent', %s, '', 'registered', %s, %s, %s)",
                    (ticket_id, agent_id, now, json.dumps(event_data), GENESIS, h),
                )
                conn.execute(
                    "INSERT INTO tickets_clock (ticket_id, kind, unit_id, started_at, limit_amount, limit_unit, yellow_at, due_at,"
                    " pending_calendar, stopped_at, stop_reason, met) VALUES (%s, 'dispatch', NULL, %s, %s, %s, %s, %s, false, NULL, '', NULL)",
                    (
                        ticket_id,
                        now,
                        clock_tpl[0],
                        clock_tpl[1],
                        now + clock_tpl[2],
                        now + clock_tpl[3],
                    ),
                )
                keys = list(
                    dict.fromkeys(
                        ticket_keys(TicketText(id=0, title=body["title"], content=body["content"]))
                    )
                )
                conn.execute(
                    "INSERT INTO insight_ticketsignature (ticket_id, key)"
                    " SELECT %s, unnest(%s::bigint[])",
                    (ticket_id, keys),
                )
                params = {"number": number, "link": f"{public_url}/portal/lookup?number={number}"}
                conn.execute(
                    "INSERT INTO notifications_outbox (ticket_id, kind, channel, recipient, template, params, status, attempts,"
                    " idempotency_key, created_at, next_attempt_at, sent_at, last_error, receipt)"
                    " VALUES (%s, 'acknowledgement', 'sms', %s, 'acknowledgement', %s, 'pending', 0, %s, %s, NULL, NULL, '', '')"
                    " ON CONFLICT (idempotency_key) DO NOTHING",
                    (
                        ticket_id,
                        body["citizen"]["phone"],
                        json.dumps(params, ensure_ascii=False),
                        f"ack:{number}",
                        now,
                    ),
                )
        wall = time.perf_counter() - t0
        return {"wall": wall, "rate": total / wall, "client_cpu": time.process_time() - cpu0}


# --- main -------------------------------------------------------------------------------------


def _parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--requests", type=int, default=6000, help="measured registrations (default 6000)"
    )
    ap.add_argument("--concurrency", type=int, default=12, help="requests in flight (default 12)")
    ap.add_argument(
        "--warmup", type=int, default=300, help="registrations before measuring (default 300)"
    )
    ap.add_argument("--workers", type=int, default=6, help="gunicorn worker processes (default 6)")
    ap.add_argument(
        "--worker-class", default="sync", choices=["gthread", "sync"], help="default sync"
    )
    ap.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    ap.add_argument(
        "--conn-max-age", type=int, default=600, help="DB_CONN_MAX_AGE for the server (default 600)"
    )
    ap.add_argument("--skip-raw", action="store_true", help="skip the raw-SQL run")
    ap.add_argument("--reuse-db", action="store_true", help="keep the database of the last run")
    args = ap.parse_args()
    if args.requests + args.warmup > 2 * 99_999 - 10:
        raise SystemExit("at most ~199,000 tickets: the daily sequence has five digits")
    return args


def _fresh_database(args, env: dict[str, str]) -> None:
    """Empty the last run's tables (``--reuse-db``), else re-create, migrate and seed."""
    if args.reuse_db:
        with psycopg.connect(dbname=DB_NAME, autocommit=True, **PG) as conn:
            conn.execute(
                "TRUNCATE tickets_ticket, tickets_ticketevent, tickets_clock, notifications_outbox,"
                " insight_ticketsignature, tickets_ticketsequence CASCADE"
            )
        return
    log(f"re-creating database {DB_NAME}")
    recreate_database(DB_NAME)
    log("migrate")
    manage(env, "migrate", "--noinput", "-v0")
    log("seed_demo --tickets 0")
    manage(env, "seed_demo", "--tickets", "0", "--no-train")


def _measure(args, env: dict[str, str]) -> tuple[dict, dict, float]:
    """Warm up, then the measured load through gunicorn: the warm-up, the load and the
    server's CPU seconds."""
    port = free_port()
    server = Server(env, port, args.workers, args.worker_class, args.threads)
    try:
        server.wait_ready()
        log(f"gunicorn up on {HOST}:{port}: {' '.join(server.cmd[1:])}")
        token = get_token(port)
        warm = run_load(port, token, args.warmup, args.concurrency, 0)
        if warm["statuses"].get(201, 0) != args.warmup:
            log(f"warm-up statuses {warm['statuses']}; first failures: {warm['failures']}")
        pids = server.pids()
        server_cpu0 = cpu_seconds(pids)
        log(f"measuring {args.requests} registrations at concurrency {args.concurrency}")
        load = run_load(port, token, args.requests, args.concurrency, args.warmup)
        server_cpu = cpu_seconds(pids) - server_cpu0
    finally:
        server.stop()
        log("gunicorn stopped")
    return warm, load, server_cpu


def _rows_consistent(expected: int) -> tuple[dict[str, int], bool]:
    """Each table holds one row per registration answered 201."""
    with psycopg.connect(dbname=DB_NAME, **PG) as conn:
        counts = table_counts(conn)
    consistent = all(v == expected for v in counts.values())
    if not consistent:
        log(f"row counts {counts} differ from the {expected} registrations answered 201")
    return counts, consistent


def _print_report(args, info: dict, load_before, r: dict) -> None:
    """The markdown report; ``r``: the run's numbers (see ``main``)."""
    rate, ms, mean_ms, ok, bad = r["rate"], r["ms"], r["mean_ms"], r["ok"], r["bad"]
    load, lat, server_cpu = r["load"], r["lat"], r["server_cpu"]
    counts, consistent, raw, ratio = r["counts"], r["consistent"], r["raw"], r["ratio"]
    cfg = f"{args.workers} {args.worker_class} workers" + (
        f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    print(f"## Registration benchmark ({datetime.now(SHANGHAI):%Y-%m-%d %H:%M %Z})\n")
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}; PostgreSQL {info['postgresql']} "
        f"(synchronous_commit={info['synchronous_commit']}); Python {info['python']}; "
        f'per-core speed: python -m timeit "sum(range(1000))" = {info["core_speed"]}'
    )
    print(
        f"server: gunicorn config.wsgi, {cfg}, DB_CONN_MAX_AGE={args.conn_max_age}, settings config.settings.prod"
    )
    print(
        f"load: {args.requests} POST /api/v1/tickets after {args.warmup} warm-up, concurrency {args.concurrency}, "
        f"http.client threads on 127.0.0.1"
    )
    print(
        f"load average before the run: {load_before[0]:.2f} (1 min), {load_before[1]:.2f} (5 min): other work on the "
        f"machine shares the {info['cores']} cores\n"
    )
    print("| metric | value |")
    print("|---|---|")
    print(f"| registrations/s (HTTP API) | {rate:.1f} |")
    print(
        f"| latency p50 / p95 / p99 / max (ms) | {ms[50]:.1f} / {ms[95]:.1f} / {ms[99]:.1f} / {ms[100]:.1f} |"
    )
    print(f"| latency mean (ms) | {mean_ms:.1f} |")
    print(f"| responses 201 / other | {ok} / {bad} |")
    print(
        f"| server CPU per registration (ms, all gunicorn processes) | {server_cpu / max(len(lat), 1) * 1000:.2f} |"
    )
    print(f"| load client CPU (s, of {load['wall']:.1f} s wall) | {load['client_cpu']:.1f} |")
    print(
        f"| rows per 201 (ticket, event, clock, outbox) consistent | {'yes' if consistent else 'NO ' + json.dumps(counts)} |"
    )
    if raw:
        print(f"| raw SQL tickets/s (1 connection, 1 transaction each) | {raw['rate']:.1f} |")
        print(f"| ratio API / raw SQL | {ratio:.2f} |")
    if bad:
        print(f"\nnon-201 responses: {load['statuses']}; first: {load['failures']}")
    print()
    print(
        f"registrations_per_s={rate:.1f} p99_ms={ms[99]:.1f} raw_sql_per_s={raw['rate'] if raw else float('nan'):.1f} "
        f"ratio={ratio:.2f} non_201={bad}"
    )


def main() -> int:
    args = _parse_args()
    info = machine()
    load_before = os.getloadavg()
    env = server_env(args.conn_max_age)
    _fresh_database(args, env)
    warm, load, server_cpu = _measure(args, env)

    lat = sorted(load["latencies"])
    ok = load["statuses"].get(201, 0)
    bad = sum(v for k, v in load["statuses"].items() if k != 201)
    rate = len(lat) / load["wall"]
    ms = {p: pct(lat, p) * 1000 for p in (50, 95, 99, 100)}
    mean_ms = statistics.fmean(lat) * 1000 if lat else float("nan")
    counts, consistent = _rows_consistent(warm["statuses"].get(201, 0) + ok)

    raw = None
    if not args.skip_raw:
        log(f"raw SQL: {args.requests} tickets, one transaction each")
        raw = raw_sql(args.requests, args.warmup + args.requests)
    ratio = rate / raw["rate"] if raw else float("nan")
    _print_report(
        args,
        info,
        load_before,
        {
            "rate": rate,
            "ms": ms,
            "mean_ms": mean_ms,
            "ok": ok,
            "bad": bad,
            "load": load,
            "lat": lat,
            "server_cpu": server_cpu,
            "counts": counts,
            "consistent": consistent,
            "raw": raw,
            "ratio": ratio,
        },
    )
    return 1 if bad or not consistent else 0


if __name__ == "__main__":
    sys.exit(main())
