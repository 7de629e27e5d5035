"""A generated day of 50,000 calls: the database's answer rates equal a plain computation."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hotline.accounts.selectors import SYSTEM
from hotline.telephony.records import record_clean
from hotline.telephony.selectors import call_stats
from hotline.telephony.services import calls_store

LINES = ["12345", "96345", "complaints", "utilities", "english"]
LOCAL = ZoneInfo("Asia/Shanghai")


def generate_day(n: int, seed: int) -> list[dict]:
    """Calls queued over 2026-12-01 local time (the day starts at 16:00 UTC the day before),
    with waits clustered around 15 s, so that the boundary is exercised."""
    rng = random.Random(seed)
    day = datetime(2026, 12, 1, tzinfo=LOCAL)
    out = []
    for i in range(n):
        queued = day + timedelta(microseconds=rng.randrange(86_400 * 1_000_000))
        kind = rng.random()
        if kind < 0.08:
            answered, outcome = None, rng.choice(["abandoned", "callback"])
        else:
            wait = rng.choice([15, 15, 14.999999, 15.000001, rng.uniform(0, 40)])
            answered, outcome = (
                queued + timedelta(seconds=wait),
                rng.choice(["answered"] * 9 + ["transferred"]),
            )
        ended = (answered or queued) + timedelta(seconds=rng.randrange(1, 600))
        out.append(
            {
                "call_id": f"gen-{seed}-{i}",
                "line": rng.choice(LINES),
                "caller": f"139{rng.randrange(10**8):08d}",
                "queued_at": queued.isoformat(),
                "answered_at": answered.isoformat() if answered else None,
                "ended_at": ended.isoformat(),
                "agent": f"a{rng.randrange(60)}" if answered else None,
                "outcome": outcome,
            }
        )
    return out


def plain(calls: list[dict], by_line: bool) -> list[dict]:
    groups: dict = defaultdict(lambda: [0, 0, 0])
    for c in calls:
        queued = datetime.fromisoformat(c["queued_at"])
        key = (queued.astimezone(LOCAL).strftime("%Y-%m-%dT%H"), c["line"] if by_line else None)
        groups[key][0] += 1
        if c["answered_at"]:
            groups[key][1] += 1
            if datetime.fromisoformat(c["answered_at"]) - queued <= timedelta(seconds=15):
                groups[key][2] += 1

    def pct(a, b):
        return float((Decimal(a) * 100 / Decimal(b)).quantize(Decimal("0.01"), ROUND_HALF_UP))

    return [
        {
            "period": period,
            "line": line,
            "offered": o,
            "answered": a,
            "answered_15s": w,
            "abandoned": o - a,
            "answer_rate_15s": pct(w, o),
            "connection_rate": pct(a, o),
        }
        for (period, line), (o, a, w) in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        )
    ]


def test_fifty_thousand_calls_by_hour_and_by_line(user):
    calls = generate_day(50_000, seed=20261201)
    assert calls_store(actor=SYSTEM, calls=[record_clean(c) for c in calls])["created"] == 50_000
    leader = user("leader")
    by_hour = call_stats(leader, start="2026-12-01", end="2026-12-01", by="hour")
    assert len(by_hour) == 24
    assert by_hour == plain(calls, by_line=False)
    by_line = call_stats(leader, start="2026-12-01", end="2026-12-01", by="hour", by_line=True)
    assert len(by_line) == 24 * len(LINES)
    assert by_line == plain(calls, by_line=True)
    day = call_stats(leader, start="2026-11-30", end="2026-12-02", by="day")
    assert [d["period"] for d in day] == ["2026-12-01"]
    assert day[0]["offered"] == 50_000
    assert 0 < day[0]["answer_rate_15s"] < day[0]["connection_rate"] < 100
