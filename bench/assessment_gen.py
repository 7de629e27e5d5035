"""The tickets of the assessment bench (``bench/assessment_pg.py``), as COPY text lines.

``Gen`` writes, per ticket, what the handlers would leave behind: the ticket row, its timeline
events, its assignments, its clocks (due, yellow, stop time and reason, ``met``) and its
repeat check, as the assessment's selectors read them. ``load_world`` reads the org tree, the
users and the catalogue of a database ``seed_demo`` wrote. No Django: the load workers are
plain processes with a psycopg connection each.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from seed_pg import NULL, TABLES, clean_text, line_maker, with_id  # noqa: E402

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
    units = q("SELECT id, code, kind, parent_id FROM orgs_unit WHERE active").fetchall()
    centres = q("SELECT id, unit_id, covers_id, parent_id FROM orgs_hotlinecentre").fetchall()
    return {
        "users": dict(q("SELECT username, id FROM accounts_user").fetchall()),
        **_tree(units),
        **_centres(centres),
        "regions": [r[0] for r in q("SELECT id FROM orgs_region WHERE level = 'street'")],
        "categories": [r[0] for r in q("SELECT id FROM orgs_category WHERE level = 3")],
    }


def _tree(units: list[tuple]) -> dict:
    """The districts, each district's streets, the owning units (bureaus, companies)."""
    streets = [u for u in units if u[2] == "street_office"]
    return {
        "code": {u[0]: u[1] for u in units},
        "districts": [u[0] for u in units if u[2] == "government" and u[3] is not None],
        "streets_of": {d: [u[0] for u in streets if u[3] == d] for d in {u[3] for u in units}},
        "owners": [u[0] for u in units if u[2] in ("bureau", "company")],
        "district_of": {u[0]: u[3] for u in streets},
    }


def _centres(centres: list[tuple]) -> dict:
    city = next(c for c in centres if c[3] is None)
    return {
        "city_centre": city[0],
        # district unit -> (its centre's id, the unit its centre's clocks run for)
        "centre_of": {c[2]: (c[0], c[1]) for c in centres if c[3] is not None},
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
        self._assign_rows()
        self._ticket_row(reg, channel, kind, reg_centre)
        self._repeat_row(reg)

    def _assign_rows(self) -> None:
        tid, ts = self.tid, self.ts
        for k, unit, role, via, at, active, seq in self.assigns:
            self.out["a"].append(
                self.a_fmt.format(tid * ASSIGN_IDS + k, tid, unit, role, via, ts(at), "t" if active else "f", seq)
            )  # fmt: skip

    def _ticket_row(self, reg: int, channel: str, kind: str, reg_centre) -> None:
        rng, w, f, ts, N, tid = self.rng, self.w, self.f, self.ts, NULL, self.tid
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

    def _repeat_row(self, reg: int) -> None:
        rng, ts, N, tid = self.rng, self.ts, NULL, self.tid
        repeat = None
        if tid > 1 and rng.random() < 0.07:
            repeat = tid - 1 - rng.randrange(min(tid - 1, 200_000))
        self.out["r"].append(
            self.r_fmt.format(tid, tid, repeat or N, "0.8" if repeat else N, ts(reg + 60))
        )
