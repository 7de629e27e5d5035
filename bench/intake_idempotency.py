#!/usr/bin/env python
"""Submissions with client retries through the public channels, on PostgreSQL (issue 11).

    .venv/bin/python bench/intake_idempotency.py [--submissions N] [--concurrency C]

What it does, in order:
1. drops and re-creates the database ``hotline_bench_intake`` on 127.0.0.1:5432;
2. ``manage.py migrate``, ``seed_demo --tickets 0`` and ``open311_key create bench``;
3. starts ``gunicorn config.wsgi`` (production settings, rate limits raised for one client
   address) on a free port of 127.0.0.1, and always stops it at the end;
4. sends N submissions from C concurrent clients through the three public channels:
   ``POST /api/v1/tickets`` with an ``Idempotency-Key`` (as the agent), Open311
   ``POST /open311/v2/requests.json`` with an ``Idempotency-Key``, and the portal's form
   (code asked for by SMS, read from the outbox, then the form with its key). A random share
   is sent again with the same key: some at once, so that the retry races the first attempt
   on another connection; some later; and some after the client dropped the first attempt
   without reading its answer (a timeout);
5. proves from the answers and from the database: every submission has exactly one ticket,
   every answer for a key names the same ticket number, no number belongs to two keys, the
   ticket count equals the number of keys (none lost, none doubled), and each ticket has
   exactly one register event and one acknowledgement outbox row (and one Open311 row for
   the Open311 ones);
6. prints a markdown table and, alone on the last line, the key numbers.

``run_load`` and ``verify`` are also used by tests/intake/test_idempotency_pg.py, at a smaller
scale against Django's live test server. Only 127.0.0.1 is contacted. Nothing is installed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

CHANNELS = ("api", "open311", "portal")
DONE_RE = re.compile(r"/portal/done/(\d+)/")


@dataclass
class Submission:
    index: int
    channel: str
    key: str
    phone: str
    retry: str  # "", "racing", "later", "abandoned"
    ready: threading.Event = field(default_factory=threading.Event)
    cookies: dict[str, str] = field(default_factory=dict)
    code: str = ""


@dataclass
class Answer:
    index: int
    attempt: str  # first, retry
    status: int
    number: str | None
    detail: str = ""


def plan(
    total: int, *, seed: int, shares: dict[str, float], retry_share: float, gap: int
) -> tuple[list[Submission], list[tuple[int, str]]]:
    """The submissions and the order of attempts (submission index, "first"|"retry"). A
    racing retry comes right after its first attempt, so another client sends it at the same
    moment; a later retry ``gap`` attempts after; an abandoned first attempt is always
    retried later."""
    rng = random.Random(seed)
    names = list(shares)
    weights = [shares[n] for n in names]
    subs: list[Submission] = []
    for i in range(total):
        channel = rng.choices(names, weights)[0]
        retry = ""
        if rng.random() < retry_share:
            retry = rng.choice(["racing", "racing", "later", "abandoned"])
        subs.append(
            Submission(i, channel, uuid.UUID(int=rng.getrandbits(128)).hex, f"139{i:08d}", retry)
        )
    order: list[tuple[int, str]] = []
    later: dict[int, list[int]] = defaultdict(list)
    for sub in subs:
        order.append((sub.index, "first"))
        if sub.retry == "racing":
            order.append((sub.index, "retry"))
        elif sub.retry:
            later[len(order) + gap].append(sub.index)
        for index in later.pop(len(order), []):
            order.append((index, "retry"))
    for position in sorted(later):
        order.extend((index, "retry") for index in later[position])
    return subs, order


# --- the clients ------------------------------------------------------------------------------


class Client:
    """One client's connection to the server (http.client, reopened when the server closes)."""

    def __init__(self, base_url: str, timeout: float = 60):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
        *, abandon: bool = False,
    ) -> tuple[int, dict[str, list[str]], bytes]:  # fmt: skip
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            if abandon:  # the client gives up before the answer: drop the connection
                self.close()
                return 0, {}, b""
            resp = self.conn.getresponse()
            data = resp.read()
            heads: dict[str, list[str]] = defaultdict(list)
            for name, value in resp.getheaders():
                heads[name.lower()].append(value)
            if resp.will_close:
                self.close()
            return resp.status, heads, data
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _cookies(heads: dict[str, list[str]], jar: dict[str, str]) -> None:
    for line in heads.get("set-cookie", []):
        cookie = SimpleCookie()
        cookie.load(line)
        for name, morsel in cookie.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _text(sub: Submission) -> tuple[str, str]:
    return (
        f"小区噪音扰民 {sub.index}",
        f"压测诉求 {sub.index}：晚上十点以后楼下商铺仍在施工，噪音很大，影响休息，请相关部门处理。",
    )


def _api(client: Client, sub: Submission, ctx: dict, abandon: bool) -> tuple[int, str | None, str]:
    title, content = _text(sub)
    body = json.dumps(
        {
            "channel": "api",
            "kind": "complaint",
            "title": title,
            "content": content,
            "citizen": {"name": "张先生", "phone": sub.phone},
        },
        ensure_ascii=False,
    ).encode()
    headers = {
        "Authorization": f"Bearer {ctx['token']}",
        "Content-Type": "application/json",
        "Idempotency-Key": sub.key,
    }
    status, _, data = client.request("POST", "/api/v1/tickets", body, headers, abandon=abandon)
    if status == 201:
        return status, json.loads(data)["number"], ""
    return status, None, data[:200].decode("utf-8", "replace")


def _open311(
    client: Client, sub: Submission, ctx: dict, abandon: bool
) -> tuple[int, str | None, str]:
    title, content = _text(sub)
    form = {
        "api_key": ctx["open311_key"],
        "service_code": ctx["service_code"],
        "address_string": "武汉市江汉区民族街道",
        "description": content,
        "first_name": "三",
        "last_name": "张",
        "phone": sub.phone,
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Idempotency-Key": sub.key,
    }
    status, _, data = client.request(
        "POST", "/open311/v2/requests.json", urlencode(form).encode(), headers, abandon=abandon
    )
    if status in (200, 201):
        return status, json.loads(data)[0]["service_request_id"], ""
    return status, None, data[:200].decode("utf-8", "replace")


def _portal_prepare(client: Client, sub: Submission, ctx: dict) -> None:
    """As a browser: open the form (CSRF cookie), ask for a code for the phone (the session
    remembers the phone), and read the code from the SMS the platform queued."""
    jar = sub.cookies
    status, heads, _ = client.request("GET", "/portal/submit/")
    _cookies(heads, jar)
    if status != 200 or "csrftoken" not in jar:
        raise RuntimeError(f"portal form: {status}")
    form = {"action": "send_code", "phone": sub.phone, "csrfmiddlewaretoken": jar["csrftoken"]}
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": _cookie_header(jar),
    }
    status, heads, data = client.request(
        "POST", "/portal/submit/", urlencode(form).encode(), headers
    )
    _cookies(heads, jar)
    if status != 302:
        raise RuntimeError(f"portal send_code: {status} {data[:200]!r}")
    sub.code = ctx["code_for"](sub.phone)


def _portal(
    client: Client, sub: Submission, ctx: dict, abandon: bool
) -> tuple[int, str | None, str]:
    title, content = _text(sub)
    form = {
        "action": "submit",
        "kind": "complaint",
        "title": title,
        "content": content,
        "address": "武汉市江汉区民族街道",
        "code": sub.code,
        "key": sub.key,
        "csrfmiddlewaretoken": sub.cookies["csrftoken"],
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": _cookie_header(sub.cookies),
    }
    status, heads, data = client.request(
        "POST", "/portal/submit/", urlencode(form).encode(), headers, abandon=abandon
    )
    location = (heads.get("location") or [""])[0]
    found = DONE_RE.search(location)
    if status == 302 and found:
        return status, found.group(1), ""
    return status, None, f"{location} {data[:200].decode('utf-8', 'replace')}"


SENDERS: dict[str, Callable] = {"api": _api, "open311": _open311, "portal": _portal}


def run_load(
    base_url: str, subs: list[Submission], order: list[tuple[int, str]], *, concurrency: int,
    ctx: dict,
) -> dict:  # fmt: skip
    """Every attempt of ``order`` from ``concurrency`` client threads taking the next one in
    turn. Returns the answers, wall time and request counts."""
    lock = threading.Lock()
    position = [0]
    answers: list[Answer] = []
    requests = Counter()

    def worker() -> None:
        client = Client(base_url)
        mine: list[Answer] = []
        count: Counter = Counter()
        while True:
            with lock:
                if position[0] >= len(order):
                    break
                index, attempt = order[position[0]]
                position[0] += 1
            sub = subs[index]
            abandon = attempt == "first" and sub.retry == "abandoned"
            try:
                if sub.channel == "portal":
                    if attempt == "first":
                        try:
                            _portal_prepare(client, sub, ctx)
                            count["portal preparation"] += 3
                        finally:
                            sub.ready.set()
                    elif not sub.ready.wait(120):
                        raise RuntimeError("the first attempt never prepared the form")
                status, number, detail = SENDERS[sub.channel](client, sub, ctx, abandon)
            except (OSError, http.client.HTTPException, RuntimeError, KeyError, ValueError) as exc:
                status, number, detail = -1, None, repr(exc)[:200]
            count[f"{sub.channel} {attempt}"] += 1
            if not abandon:
                mine.append(Answer(index, attempt, status, number, detail))
        client.close()
        with lock:
            answers.extend(mine)
            requests.update(count)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"wall": time.perf_counter() - t0, "answers": answers, "requests": requests}


# --- the proof --------------------------------------------------------------------------------


def _client_key(stored: str) -> str:
    """The client's key from the ticket's stored key (``<user id>:[open311:|portal:]<key>``)."""
    key = stored.split(":", 1)[1]
    for prefix in ("open311:", "portal:"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _check_answers(subs: list[Submission], answers: list[Answer]) -> tuple[dict, list[str]]:
    """The numbers each key was answered with; problems: attempts without a number, keys
    never answered or answered with two numbers, numbers answered for two keys."""
    problems: list[str] = []
    by_key: dict[int, set[str]] = defaultdict(set)
    failed = [a for a in answers if a.number is None]
    for answer in answers:
        if answer.number is not None:
            by_key[answer.index].add(answer.number)
    problems += _failures(subs, failed)
    unanswered = [s.index for s in subs if not by_key.get(s.index)]
    if unanswered:
        problems.append(f"{len(unanswered)} submissions never got a number, e.g. {unanswered[:5]}")
    split = {i: n for i, n in by_key.items() if len(n) > 1}
    if split:
        problems.append(f"{len(split)} keys got different numbers, e.g. {list(split.items())[:3]}")
    problems += _shared_numbers(by_key)
    return by_key, problems


def _failures(subs: list[Submission], failed: list[Answer]) -> list[str]:
    """The first five attempts without a number, and how many there were."""
    problems = [
        f"submission {a.index} ({subs[a.index].channel}, {a.attempt}): {a.status} {a.detail}"
        for a in failed[:5]
    ]
    if failed:
        problems.append(f"{len(failed)} attempts got no ticket number")
    return problems


def _shared_numbers(by_key: dict[int, set[str]]) -> list[str]:
    """Numbers answered for more than one key."""
    owners: dict[str, set[int]] = defaultdict(set)
    for index, numbers in by_key.items():
        for number in numbers:
            owners[number].add(index)
    shared = {n: i for n, i in owners.items() if len(i) > 1}
    if not shared:
        return []
    return [f"{len(shared)} numbers answered for several keys, e.g. {list(shared.items())[:3]}"]


def _check_database(rows: list[tuple]) -> tuple[dict[str, str], list[str]]:
    """The ticket number of each client key in the database; problems: a key with two
    tickets, a ticket without exactly one register event and one acknowledgement, an Open311
    ticket without its one Open311 row."""
    problems: list[str] = []
    stored: dict[str, str] = {}
    doubled = 0
    for number, key, channel, events, acks, open311 in rows:
        if key is None:
            problems.append(f"ticket {number} has no idempotency key")
            continue
        client_key = _client_key(key)
        doubled += client_key in stored
        stored[client_key] = number
        if events != 1 or acks != 1:
            problems.append(f"ticket {number}: {events} register events, {acks} acknowledgements")
        if (channel == "api" and key.split(":", 1)[1].startswith("open311:")) != (open311 == 1):
            problems.append(f"ticket {number}: {open311} Open311 rows")
    if doubled:
        problems.append(f"{doubled} keys have more than one ticket")
    return stored, problems


def _mismatched(
    subs: list[Submission], by_key: dict[int, set[str]], stored: dict[str, str]
) -> list[str]:
    """Submissions answered with a number the database does not hold for their key."""
    mismatched = [
        s.index for s in subs if by_key.get(s.index) and stored.get(s.key) not in by_key[s.index]
    ]
    if not mismatched:
        return []
    return [f"{len(mismatched)} answered numbers differ from the database's, e.g. {mismatched[:5]}"]


def _retries(subs: list[Submission], answers: list[Answer], by_key: dict[int, set[str]]) -> dict:
    """How many submissions were retried (by way), and how many retries got the same number."""
    retried = [s for s in subs if s.retry]
    retry_answers = [a for a in answers if a.attempt == "retry"]
    return {
        "retried": len(retried),
        "retried_by_way": dict(Counter(s.retry for s in retried)),
        "answers": len(answers),
        "retry_answers": len(retry_answers),
        "retry_same_number": sum(
            1 for a in retry_answers if a.number is not None and by_key[a.index] == {a.number}
        ),
    }


def verify(subs: list[Submission], answers: list[Answer], query: Callable) -> dict:
    """Check the answers against each other and against the database (``query(sql)`` returns
    rows). Returns the counts and a list of problems (empty when all holds)."""
    by_key, problems = _check_answers(subs, answers)
    rows = query(
        "SELECT t.number, t.idempotency_key, t.channel,"
        " (SELECT count(*) FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND e.action = 'register'),"
        " (SELECT count(*) FROM notifications_outbox o WHERE o.ticket_id = t.id AND o.kind = 'acknowledgement'),"
        " (SELECT count(*) FROM intake_open311request r WHERE r.ticket_id = t.id)"
        " FROM tickets_ticket t"
    )
    stored, more = _check_database(rows)
    problems += more
    if len(rows) != len(subs):
        problems.append(f"{len(rows)} tickets in the database for {len(subs)} submissions")
    problems += _mismatched(subs, by_key, stored)
    return {
        "submissions": len(subs),
        "by_channel": dict(Counter(s.channel for s in subs)),
        **_retries(subs, answers, by_key),
        "tickets": len(rows),
        "statuses": dict(
            Counter(f"{subs[a.index].channel} {a.attempt} {a.status}" for a in answers)
        ),
        "problems": problems,
    }


# --- the benchmark ---------------------------------------------------------------------------

DB_NAME = "hotline_bench_intake"


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import psycopg
    from common import HOST, PG, log, machine, manage, recreate_database
    from registration import Server, free_port, get_token, server_env

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--submissions", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=12, help="client threads (default 12)")
    ap.add_argument("--workers", type=int, default=6, help="gunicorn sync workers (default 6)")
    ap.add_argument("--retry-share", type=float, default=0.3, help="share retried (default 0.3)")
    ap.add_argument("--portal-share", type=float, default=0.1, help="share via the portal (0.1)")
    ap.add_argument("--open311-share", type=float, default=0.3, help="share via Open311 (0.3)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    info = machine()
    env = server_env(600)
    env.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{DB_NAME}",
        HOTLINE_OPEN311_RATE_PER_IP=str(10**9),
        HOTLINE_OPEN311_RATE_PER_KEY=str(10**9),
        HOTLINE_PORTAL_RATES=json.dumps(
            {name: [10**9, 3600] for name in ("submit", "code", "code_gap", "verify", "rate")}
        ),
    )
    log(f"re-creating database {DB_NAME}")
    recreate_database(DB_NAME)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--tickets", "0", "--no-train")
    open311_key = manage(env, "open311_key", "create", "bench").strip().splitlines()[-1]

    conn = psycopg.connect(dbname=DB_NAME, autocommit=True, **PG)

    def query(sql: str, params: tuple = ()) -> list[tuple]:
        return conn.execute(sql, params).fetchall()

    def code_for(phone: str) -> str:
        with psycopg.connect(dbname=DB_NAME, autocommit=True, **PG) as c:
            row = c.execute(
                "SELECT params->>'code' FROM notifications_outbox WHERE kind = 'portal_code_submit'"
                " AND recipient = %s ORDER BY id DESC LIMIT 1",
                (phone,),
            ).fetchone()
        if row is None:
            raise RuntimeError(f"no code sent to {phone}")
        return row[0]

    service_code = query(
        "SELECT c.code FROM orgs_category c WHERE c.active AND NOT EXISTS"
        " (SELECT 1 FROM orgs_category d WHERE d.parent_id = c.id) ORDER BY c.code LIMIT 1"
    )[0][0]
    shares = {
        "portal": args.portal_share,
        "open311": args.open311_share,
        "api": 1 - args.portal_share - args.open311_share,
    }
    subs, order = plan(
        args.submissions, seed=args.seed, shares=shares, retry_share=args.retry_share,
        gap=args.concurrency * 3,
    )  # fmt: skip
    port = free_port()
    server = Server(env, port, args.workers, "sync", 1)
    load_before = __import__("os").getloadavg()
    try:
        server.wait_ready()
        log(f"gunicorn up on {HOST}:{port}; {len(subs)} submissions, {len(order)} attempts")
        ctx = {
            "token": get_token(port),
            "open311_key": open311_key,
            "service_code": service_code,
            "code_for": code_for,
        }
        result = run_load(
            f"http://{HOST}:{port}", subs, order, concurrency=args.concurrency, ctx=ctx
        )
    finally:
        server.stop()
        log("gunicorn stopped")
    checked = verify(subs, result["answers"], query)
    conn.close()
    requests_sent = sum(result["requests"].values())
    ok = not checked["problems"]
    print(f"## Submissions with Idempotency-Key retries ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        f"machine: {info['cores']} cores, {info['cpu']}, {info['memory']}; PostgreSQL "
        f"{info['postgresql']}; Python {info['python']}; per-core speed {info['core_speed']}; "
        f"load average before: {load_before[0]:.2f}"
    )
    print(
        f"server: gunicorn config.wsgi, {args.workers} sync workers, config.settings.prod; "
        f"clients: {args.concurrency} threads on 127.0.0.1; seed {args.seed}\n"
    )
    print("| metric | value |")
    print("|---|---|")
    print(
        f"| submissions (keys) | {checked['submissions']} ({json.dumps(checked['by_channel'])}) |"
    )
    print(
        f"| retried with the same key | {checked['retried']} ({json.dumps(checked['retried_by_way'])}) |"
    )
    print(f"| HTTP requests sent (portal: form, code, submit) | {requests_sent} |")
    print(
        f"| wall time (s) / submissions per s | {result['wall']:.1f} / {len(subs) / result['wall']:.1f} |"
    )
    print(f"| answers with a number / retries answered with the same number | "
          f"{checked['answers']} / {checked['retry_same_number']} of {checked['retry_answers']} |")  # fmt: skip
    print(f"| tickets in the database | {checked['tickets']} |")
    print(f"| problems | {len(checked['problems'])} |")
    print(
        f"\nanswers by channel, attempt and status: {json.dumps(checked['statuses'], sort_keys=True)}"
    )
    for problem in checked["problems"][:20]:
        print(f"- {problem}")
    print()
    print(
        f"submissions={checked['submissions']} retried={checked['retried']} "
        f"tickets={checked['tickets']} requests={requests_sent} wall_s={result['wall']:.1f} "
        f"problems={len(checked['problems'])}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
