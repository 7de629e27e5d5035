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
   here and its GIN index takes minutes per million tickets to build); ``VACUUM ANALYZE`` at
   the end;
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
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from common import (  # noqa: E402
    PG,
    PY,
    core_speed_us,
    drop_database,
    log,
    machine,
    manage,
    pct,
    recreate_database,  # noqa: E402
)
from seed_pg import (  # noqa: E402
    NULL,
    TABLES,
    check_columns,
    clean_text,
    copy_text,
    create_indexes,
    drop_indexes,
    line_maker,
    reset_sequences,
    secondary_indexes,
    with_id,
)

from hotline.core.textsearch import index_text  # noqa: E402  (pure)
from hotline.insight.data import read_rows  # noqa: E402  (pure, no Django)

DATA_DIRS = [p / "shared" / "data" / "teddycup2020c" for p in (ROOT.parent, ROOT.parent.parent)]
FILES = ("messages_labeled.csv", "hotspot_messages.csv", "unlabeled_test_messages.csv")
LOADED = (
    "tickets_ticket",
    "tickets_ticketevent",
    "tickets_ticketassignment",
    "tickets_clock",
    "insight_repeatcheck",
)
TICKET = TABLES["tickets_ticket"]
EVENT = with_id(TABLES["tickets_ticketevent"])
ASSIGN = with_id(TABLES["tickets_ticketassignment"])
CLOCK = TABLES["tickets_clock"]
REPEAT = TABLES["insight_repeatcheck"]
T_COLS = (
    "id number status kind channel title content citizen_name citizen_phone registered_at"
    " reply_text reply_outcome replied_at satisfaction followed_up_at review_verdict redo_count"
    " closed_at last_seq updated_at category_id merged_into_id region_id registered_by_id unit_id"
    " centre_id dispatched_by_centre_id registered_centre_id send_back_count search_text"
).split()
E_COLS = "id ticket_id seq action actor_id actor_name at from_status to_status data".split()
A_COLS = "id ticket_id unit_id role via assigned_at active event_seq".split()
C_COLS = (
    "id ticket_id kind unit_id started_at limit_amount limit_unit yellow_at due_at stopped_at"
    " stop_reason met yellow_warned_at red_warned_at"
).split()
R_COLS = "id ticket_id repeat_of_id score checked_at".split()
EV_IDS, CLOCK_IDS, ASSIGN_IDS = 64, 32, 8  # ids per ticket: ticket_id * n + k

# Each clock kind: (limit amount, limit unit, seconds to its due time as approximated here:
# working time stretched over nights and weekends).
LIMITS = {
    "dispatch": ("2", "working_hours", 5 * 3600),
    "transfer": ("1", "working_days", 30 * 3600),
    "accept": ("1", "working_days", 30 * 3600),
    "handle": ("10", "working_days", 14 * 86400),
    "follow_up": ("2", "working_days", 3 * 86400),
    "review": ("3", "working_days", 4 * 86400),
}
CHANNELS = (("phone", 60), ("wechat", 12), ("web", 10), ("app", 8), ("mailbox", 4))
CHANNELS += (("letter", 1), ("visit", 1), ("leader_phone", 1), ("transfer", 2), ("api", 1))
KINDS = (("complaint", 40), ("help", 25), ("consultation", 20), ("report", 7))
KINDS += (("suggestion", 6), ("praise", 2))
# What becomes of a ticket: to a street through its district, to a district, to a bureau or
# utility, answered by the agent, invalid, merged into another.
ROUTES = (("street", 50), ("district", 10), ("owner", 33), ("direct", 4), ("invalid", 1.5))
ROUTES += (("merge", 1.5),)
SATISFACTION = (("satisfied", 62), ("basically_satisfied", 20), ("dissatisfied", 18))
REPLY_TEXT = "经现场核查，已处理完毕，并向市民说明情况。"


def cumulative(choices) -> tuple[list[str], list[float]]:
    total, cum = 0.0, []
    for _name, weight in choices:
        total += weight
        cum.append(total)
    return [c[0] for c in choices], [c / total for c in cum]


def texts() -> list[tuple[str, str, str]]:
    """(title, content, search words) of the real messages, COPY-safe, content cut to 120."""
    data = next((d for d in DATA_DIRS if d.exists()), None)
    if data is None:
        return [("道路积水", "小区门口道路积水严重，请尽快处理。", index_text("道路积水", "", ""))]
    out = []
    for name in FILES:
        for r in read_rows(data / name):
            title = clean_text((r.get("留言主题") or "").strip())[:100]
            if title:
                content = clean_text((r.get("留言详情") or title).strip())[:120]
                out.append((title, content, clean_text(index_text(title, content, ""))))
    return out


def load_world(conn) -> dict:
    """What the rows point at, as plain data (handed to the worker processes)."""
    q = conn.execute
    users = dict(q("SELECT username, id FROM accounts_user").fetchall())
    units = q("SELECT id, code, kind, parent_id FROM orgs_unit WHERE active").fetchall()
    centres = q("SELECT id, unit_id, covers_id, parent_id FROM orgs_hotlinecentre").fetchall()
    city = next(c for c in centres if c[3] is None)
    return {
        "users": users,
        "code": {u[0]: u[1] for u in units},
        "districts": [u[0] for u in units if u[2] == "government" and u[3] is not None],
        "streets_of": {
            d: [u[0] for u in units if u[3] == d and u[2] == "street_office"]
            for d in {u[3] for u in units}
        },
        "owners": [u[0] for u in units if u[2] in ("bureau", "company")],
        "district_of": {u[0]: u[3] for u in units if u[2] == "street_office"},
        "city_centre": city[0],
        # district unit -> (its centre's id, the unit its centre's clocks run for)
        "centre_of": {c[2]: (c[0], c[1]) for c in centres if c[3] is not None},
        "regions": [r[0] for r in q("SELECT id FROM orgs_region WHERE level = 'street'")],
        "categories": [r[0] for r in q("SELECT id FROM orgs_category WHERE level = 3")],
    }


class Clock:
    __slots__ = ("kind", "unit", "start", "yellow", "due")

    def __init__(self, kind: str, unit, start: int):
        self.kind, self.unit, self.start = kind, unit, start
        span = LIMITS[kind][2]
        self.due = start + span
        self.yellow = start + span * 4 // 5


class Cut(Exception):
    """The next step of the ticket comes after the cut-off: it stays open as it is."""


class Gen:
    """Builds the COPY lines of tickets, one ticket at a time (cheap Python: precomputed
    strings, integer epoch seconds, one ``str.format`` per row)."""

    def __init__(self, world: dict, now: int, begin: int, seed: int, words: bool = False):
        self.w = world
        self.now = now
        self.rng = random.Random(seed)
        self.pool = [(t, c, w if words else "") for t, c, w in texts()]
        self.day0 = begin // 86400 - 1
        self.days = [
            datetime.fromtimestamp((self.day0 + i) * 86400, UTC).strftime("%Y-%m-%d ")
            for i in range(now // 86400 - self.day0 + 400)
        ]
        self.tod = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]
        self.t_fmt = line_maker(TICKET, tuple(T_COLS))
        self.e_fmt = line_maker(EVENT, tuple(E_COLS))
        self.a_fmt = line_maker(ASSIGN, tuple(A_COLS))
        self.c_fmt = line_maker(CLOCK, tuple(C_COLS))
        self.r_fmt = line_maker(REPEAT, tuple(R_COLS))
        users = world["users"]
        code = world["code"]
        self.actor = {name: f"{uid}\t{name}" for name, uid in users.items()}
        self.code = code
        self.handler = {u: self.actor_of(f"{c}-handler") for u, c in code.items()}
        self.sub_dispatcher = {u: self.actor_of(f"{c}-dispatcher") for u, c in code.items()}
        self.routes = cumulative(ROUTES)
        self.channels = cumulative(CHANNELS)
        self.kinds = cumulative(KINDS)
        self.satisfaction = cumulative(SATISFACTION)
        self.out: dict[str, list[str]] = {k: [] for k in ("t", "e", "a", "c", "r")}
        self.counts: dict[str, int] = {}

    def actor_of(self, name: str) -> str:
        return self.actor.get(name) or f"{NULL}\t{name}"

    def ts(self, t: int) -> str:
        return self.days[t // 86400 - self.day0] + self.tod[t % 86400]

    def pick(self, table: tuple[list[str], list[float]]) -> str:
        names, cum = table
        x = self.rng.random()
        for name, c in zip(names, cum, strict=True):
            if x < c:
                return name
        return names[-1]

    # --- one ticket's rows ------------------------------------------------------------------

    def ticket(self, tid: int, reg: int) -> None:
        rng = self.rng
        self.tid, self.seq, self.nclock = tid, 0, 0
        self.running: dict[str, Clock] = {}
        self.assigns: list[list] = []
        self.f = {
            "status": "registered",
            "unit": None,
            "centre": self.w["city_centre"],
            "by_centre": None,
            "reply": None,
            "satisfaction": "",
            "followed": None,
            "verdict": "",
            "redo": 0,
            "closed": None,
            "merged": None,
            "send_backs": 0,
        }
        route = self.pick(self.routes)
        channel, kind = self.pick(self.channels), self.pick(self.kinds)
        self.stall = rng.random() < 0.006
        lead, district = self.lead_for(route)
        own = district is not None and rng.random() < 0.15  # registered at the district's centre
        reg_centre, clock_unit = (
            self.w["centre_of"][district] if own else (self.w["city_centre"], None)
        )
        agent = f"{self.code[district]}-centre-agent" if own else "agent"
        self.dispatcher = self.actor_of(
            f"{self.code[district]}-centre-dispatcher" if own else "dispatcher"
        )
        self.f["centre"] = reg_centre
        self.event("register", self.actor_of(agent), reg, "", "registered",
                   f'{{"channel": "{channel}", "kind": "{kind}"}}')  # fmt: skip
        self.open("dispatch", clock_unit, reg)
        try:
            self.lifecycle(route, lead, district, reg, reg_centre)
        except Cut:
            pass
        self.finish(reg, channel, kind, reg_centre, own)
        self.counts[self.f["status"]] = self.counts.get(self.f["status"], 0) + 1

    def lead_for(self, route: str) -> tuple:
        w, rng = self.w, self.rng
        if route in ("street", "district"):
            district = rng.choice(w["districts"])
            if route == "street":
                return rng.choice(w["streets_of"][district]), district
            return district, district
        if route in ("owner", "merge"):
            return rng.choice(w["owners"]), None
        return None, None

    def later(self, at: int, kind: str, stall: bool = False) -> int:
        """When the step that stops the clock of ``kind`` comes: mostly in time, some late."""
        rng = self.rng
        span = LIMITS[kind][2]
        if stall:
            t = at + span * (2 + rng.random() * 6)
        elif rng.random() < 0.88:
            t = at + span * (0.02 + rng.random() * 0.9)
        else:
            t = at + span * (1 + rng.random() * 1.5)
        t = int(t)
        if t > self.now:
            raise Cut
        return t

    def lifecycle(self, route: str, lead, district, reg: int, reg_centre) -> None:
        if route in ("direct", "invalid"):
            self.centre_only(route, reg)
            return
        first = district or lead
        at = self.later(reg, "dispatch")
        at = self.dispatch(first, at, None)
        if route == "merge":
            self.merge(at)
            return
        if self.rng.random() < 0.03:
            first, lead, at = self.send_back(first, lead, district, at)
            district = first if first != lead else None
        if first != lead:
            at = self.forward(first, lead, at)
        self.handle(lead, at)

    def centre_only(self, route: str, reg: int) -> None:
        at = self.later(reg, "dispatch")
        self.stop_all(at, "answered" if route == "direct" else "invalid")
        if route == "direct":
            data = f'{{"text": "{REPLY_TEXT}"}}'
            self.event("answer_directly", self.dispatcher, at, "registered", "closed", data)
            self.f.update(status="closed", reply=at, closed=at)
        else:
            data = '{"reason": "无效来电（测试/无内容）"}'
            self.event("invalidate", self.dispatcher, at, "registered", "invalid", data)
            self.f.update(status="invalid", closed=at)

    def dispatch(self, unit, at: int, ruling: str | None) -> int:
        rng, code = self.rng, self.code
        self.stop("dispatch", at, "dispatched", judge=True)
        co = ""
        if rng.random() < 0.06:
            other = rng.choice(self.w["owners"])
            if other != unit:
                co = f'"{code[other]}"'
                self.assign(other, "co", "dispatch", at)
        data = f'{{"unit": "{code[unit]}", "co_units": [{co}]'
        if ruling:
            data += f', "send_back": {ruling}'
        frm = self.f["status"]
        self.event("dispatch", self.dispatcher, at, frm, "dispatched", data + "}")
        self.assign(unit, "lead", "dispatch", at, seq=self.seq)
        self.f.update(status="dispatched", unit=unit, by_centre=self.f["centre"])
        self.unit_clocks(unit, at)
        self.open("handle", unit, at)
        return at

    def unit_clocks(self, unit, at: int) -> None:
        self.open("accept", unit, at)
        if unit not in self.w["owners"]:  # districts and streets have units under them
            self.open("transfer", unit, at)

    def merge(self, at: int) -> None:
        at = self.later(at, "accept")
        self.stop_all(at, "merged")
        into = max(1, self.tid - 1 - self.rng.randrange(50))
        data = f'{{"into": "S{into:012d}"}}'
        self.event("merge", self.dispatcher, at, "dispatched", "merged", data)
        for a in self.assigns:
            a[5] = False
        self.f.update(status="merged", closed=at, merged=into)

    def send_back(self, first, lead, district, at: int) -> tuple:
        """The unit sends it back; the centre re-dispatches it: to another unit (the send-back
        was valid) or to the same one (invalid)."""
        rng, code = self.rng, self.code
        at = self.later(at, "accept")
        for kind in ("accept", "transfer", "handle"):
            self.stop(kind, at, "sent_back")
        data = f'{{"unit": "{code[first]}", "reason": "该事项不属于本单位职责范围"}}'
        self.event("send_back", self.handler[first], at, "dispatched", "registered", data)
        for a in self.assigns:
            a[5] = False
        self.f.update(status="registered", unit=None, send_backs=1)
        self.open("dispatch", None, at)
        at = self.later(at, "dispatch")
        valid = rng.random() < 0.6
        ruling = f'{{"unit": "{code[first]}", "ruling": "{"valid" if valid else "invalid"}"}}'
        if valid:
            first = lead = rng.choice(self.w["owners"])
        self.dispatch(first, at, ruling)
        return first, lead, at

    def forward(self, district, street, at: int) -> int:
        at = self.later(at, "transfer")
        self.stop("transfer", at, "forwarded", judge=True)
        self.stop("accept", at, "forwarded")
        code = self.code
        data = f'{{"from_unit": "{code[district]}", "unit": "{code[street]}"}}'
        self.event("forward", self.sub_dispatcher[district], at, "dispatched", "dispatched", data)
        for a in self.assigns:
            if a[1] == district and a[2] == "lead":
                a[5] = False
        self.assign(street, "lead", "forward", at, seq=self.seq)
        self.f["unit"] = street
        self.unit_clocks(street, at)
        return at

    def handle(self, unit, at: int) -> None:
        handler = self.handler[unit]
        at = self.later(at, "accept")
        self.stop("accept", at, "accepted", judge=True)
        self.stop("transfer", at, "accepted")
        self.event(
            "accept", handler, at, "dispatched", "in_progress", f'{{"unit": "{self.code[unit]}"}}'
        )
        self.f["status"] = "in_progress"
        for _round in range(2):
            at = self.reply(unit, handler, self.running["handle"].start, at)
            follow = self.follow_up(unit, at)
            if follow is None or not self.review(unit, follow):
                return

    def reply(self, unit, handler: str, start: int, after: int) -> int:
        at = max(self.later(start, "handle", self.stall), after + 600)
        if at > self.now:
            raise Cut
        self.stop("handle", at, "replied", judge=True)
        data = f'{{"unit": "{self.code[unit]}", "outcome": "resolved", "text": "{REPLY_TEXT}"}}'
        self.event("reply", handler, at, "in_progress", "replied", data)
        self.f.update(status="replied", reply=at)
        self.open("follow_up", None, at)
        return at

    def follow_up(self, unit, at: int) -> int | None:
        """The follow-up; the moment of the dissatisfied one's review, else None."""
        at = self.later(at, "follow_up")
        self.stop("follow_up", at, "followed_up", judge=True)
        satisfaction = self.pick(self.satisfaction)
        to = "under_review" if satisfaction == "dissatisfied" else "closed"
        data = f'{{"satisfaction": "{satisfaction}", "unit": "{self.code[unit]}"}}'
        self.event("follow_up", self.actor["callback"], at, "replied", to, data)
        self.f.update(status=to, satisfaction=satisfaction, followed=at, verdict="")
        if to == "closed":
            self.f["closed"] = at
            return None
        self.open("review", None, at)
        return at

    def review(self, unit, at: int) -> bool:
        """The evaluator's verdict: True when the unit must redo it."""
        at = self.later(at, "review")
        self.stop("review", at, "reviewed", judge=True)
        redo = self.rng.random() < 0.5
        verdict = "redo" if redo else "proper"
        data = f'{{"verdict": "{verdict}", "unit": "{self.code[unit]}"}}'
        to = "in_progress" if redo else "closed"
        self.event("review", self.actor["evaluator"], at, "under_review", to, data)
        self.f.update(status=to, verdict=verdict, closed=None if redo else at)
        if redo:
            self.f["redo"] += 1
            self.open("handle", unit, at)
        return redo

    # --- rows ------------------------------------------------------------------------------

    def event(self, action: str, actor: str, at: int, frm: str, to: str, data: str) -> None:
        self.seq += 1
        self.out["e"].append(
            self.e_fmt.format(
                self.tid * EV_IDS + self.seq,
                self.tid,
                self.seq,
                action,
                *actor.split("\t"),
                self.ts(at),
                frm,
                to,
                data,
            )  # fmt: skip
        )

    def assign(self, unit, role: str, via: str, at: int, seq: int | None = None) -> None:
        self.assigns.append([len(self.assigns), unit, role, via, at, True, seq or self.seq + 1])

    def open(self, kind: str, unit, at: int) -> None:
        self.running[kind] = Clock(kind, unit, at)

    def stop(self, kind: str, at: int, reason: str, judge: bool = False) -> None:
        clock = self.running.pop(kind, None)
        if clock is not None:
            self.clock_row(clock, at, reason, (at <= clock.due) if judge else None)

    def stop_all(self, at: int, reason: str) -> None:
        for kind in list(self.running):
            self.stop(kind, at, reason)

    def warn(self, clock: Clock, stop: int | None) -> None:
        """The scanner's yellow and red warnings of a late unit clock, as events."""
        if clock.unit is None:
            return
        for level, at in (("yellow", clock.yellow), ("red", clock.due)):
            if at < (stop or self.now) and at <= self.now:
                data = (
                    f'{{"clock": "{clock.kind}", "warning": "{level}",'
                    f' "unit": "{self.code[clock.unit]}", "notified": []}}'
                )
                self.event(
                    "warn", self.actor_of("system"), at, self.f["status"], self.f["status"], data
                )

    def clock_row(self, clock: Clock, stop: int | None, reason: str, met) -> None:
        self.nclock += 1
        late = (stop or self.now) > clock.due
        if late:
            self.warn(clock, stop)
        ts, N = self.ts, NULL
        amount, unit_of, _span = LIMITS[clock.kind]
        running = stop is None
        self.out["c"].append(
            self.c_fmt.format(
                self.tid * CLOCK_IDS + self.nclock,
                self.tid,
                clock.kind,
                N if clock.unit is None else clock.unit,
                ts(clock.start),
                amount,
                unit_of,
                ts(clock.yellow),
                ts(clock.due),
                N if running else ts(stop),
                reason,
                N if met is None else ("t" if met else "f"),
                ts(clock.yellow) if running and self.now > clock.yellow else N,
                ts(clock.due) if running and late else N,
            )  # fmt: skip
        )

    def finish(self, reg: int, channel: str, kind: str, reg_centre, own: bool) -> None:
        for kind_ in list(self.running):
            self.clock_row(self.running.pop(kind_), None, "", None)
        rng, w, f, ts, N, tid = self.rng, self.w, self.f, self.ts, NULL, self.tid
        for k, unit, role, via, at, active, seq in self.assigns:
            self.out["a"].append(
                self.a_fmt.format(tid * ASSIGN_IDS + k, tid, unit, role, via, ts(at), "t" if active else "f", seq)
            )  # fmt: skip
        title, content, words = rng.choice(self.pool)
        replied = f["reply"]
        reply = f["status"] in ("replied", "under_review", "closed") and replied
        unit = f["unit"]
        district = w["district_of"].get(unit, unit)
        centre = w["centre_of"].get(district, (None,))[0] if unit else None
        self.out["t"].append(
            self.t_fmt.format(
                tid,
                f"S{tid:012d}",
                f["status"],
                kind,
                channel,
                title,
                content,
                "市民",
                f"139{rng.randrange(100_000_000):08d}",
                ts(reg),
                REPLY_TEXT if reply else "",
                "resolved" if reply else "",
                ts(replied) if replied else N,
                f["satisfaction"],
                ts(f["followed"]) if f["followed"] else N,
                f["verdict"],
                f["redo"],
                ts(f["closed"]) if f["closed"] else N,
                self.seq,
                ts(max(reg, f["closed"] or reg)),
                rng.choice(w["categories"]),
                f["merged"] or N,
                rng.choice(w["regions"]),
                w["users"]["agent"],
                unit or N,
                centre or f["centre"],
                f["by_centre"] or N,
                reg_centre,
                f["send_backs"],
                words,
            )  # fmt: skip
        )
        repeat = None
        if tid > 1 and rng.random() < 0.07:
            repeat = tid - 1 - rng.randrange(min(tid - 1, 200_000))
        self.out["r"].append(
            self.r_fmt.format(tid, tid, repeat or N, "0.8" if repeat else N, ts(reg + 60))
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


def measure_month(timer: Timer, month: str, now: datetime, clients: dict, whole: bool) -> dict:
    """One month: the ranking, each section of the dashboard data, the drill-down."""
    from hotline.assessment import dashboard as dash
    from hotline.assessment import selectors

    period = selectors.month_period(month, now)
    root = dash.root_unit()
    scope = selectors.Scope(root)
    base = dash.Drill(scope=root.code, month=month, metric="received")
    rows, _rules = timer.run(
        "ranking of all assessed units (live_rows)", lambda: selectors.live_rows(period)
    )
    timer.run(
        "dashboard: figures (unit_counts of the city)", lambda: selectors.unit_counts(scope, period)
    )
    timer.run("dashboard: open warnings (red, yellow)", lambda: [
        dash.open_warnings(scope, now, level).count() for level in ("red", "yellow")
    ])  # fmt: skip
    timer.run("dashboard: volume by day and channel", lambda: dash._volume(scope, period, base))
    timer.run(
        "dashboard: breakdowns (channel, kind, category)",
        lambda: dash._breakdowns(scope, period, base),
    )
    timer.run("dashboard: 12-month trend", lambda: dash._trend(scope, period, base))
    for days in dash.HOTSPOT_WINDOWS:
        timer.run(
            f"dashboard: hot spots, {days} days",
            lambda d=days: dash._hotspot_rows(scope, now, d, base),
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
    months: list[dict] = []
    for month in last_months(now, args.months):
        t0 = time.perf_counter()
        months.append(
            measure_month(timer, month, now, {"session": session, "api": api}, args.whole)
        )
        log(f"  {month}: {time.perf_counter() - t0:.1f} s, largest count {months[-1]['largest']}")
        # after every month: a run stopped early still reports the months it measured
        out = {
            "months": months,
            "times": timer.times,
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "backend_hwm_kb": backend_peak_kb(pid),
        }
        print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)


# --- the outer process ------------------------------------------------------------------------


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HTTPS="0",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    return env


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
    return built


def measure(args, env: dict) -> dict:
    cmd = [PY, str(Path(__file__).resolve()), "--inner", "--months", str(args.months)]
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
    n = len(result["months"])
    print(f"\n| call ({n} months, cut-off now) | p50 ms | p95 ms | max ms |\n|---|---|---|---|")
    worst_dash = 0.0
    for label, times in result["times"].items():
        p95 = pct(times, 95)
        if label.startswith(("dashboard", "drill")):
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
