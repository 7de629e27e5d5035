"""Answer-rate queries on a month of call records (PostgreSQL).

    .venv/bin/python bench/calls_stats.py [--days 30] [--per-day 50000]

Creates the database ``hotline_bench_calls`` on 127.0.0.1, migrates it, loads ``days`` x
``per-day`` calls with COPY (waits clustered around 15 s, five lines), runs ``call_stats`` as
the leaders' page does (a day by hour and line, the month by day, the month by month) five
times each and prints the timings; then drops the database. Results: docs/telephony.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import PG, drop_database, log, machine, manage, recreate_database  # noqa: E402

DB = "hotline_bench_calls"
LINES = ["12345", "96345", "complaints", "utilities", "english"]
LOCAL = ZoneInfo("Asia/Shanghai")


def load(url: str, days: int, per_day: int) -> int:
    import psycopg

    rng = random.Random(2026)
    start = datetime(2026, 11, 1, tzinfo=LOCAL)
    total = 0
    with psycopg.connect(dbname=DB, **PG) as conn, conn.cursor() as cur:
        for day in range(days):
            buf = io.StringIO()
            base = start + timedelta(days=day)
            for i in range(per_day):
                queued = base + timedelta(microseconds=rng.randrange(86_400 * 1_000_000))
                if rng.random() < 0.08:
                    answered, wait, outcome = None, None, "abandoned"
                else:
                    seconds = rng.choice([15, 14.999999, 15.000001, rng.uniform(0, 40)])
                    answered = queued + timedelta(seconds=seconds)
                    wait = int(round(seconds * 1_000_000))
                    outcome = "answered"
                ended = (answered or queued) + timedelta(seconds=rng.randrange(1, 600))
                buf.write(
                    "\t".join(
                        [
                            f"b{day}-{i}",
                            rng.choice(LINES),
                            f"139{rng.randrange(10**8):08d}",
                            queued.isoformat(),
                            answered.isoformat() if answered else "\\N",
                            ended.isoformat(),
                            "",
                            outcome,
                            "",
                            str(wait) if wait is not None else "\\N",
                            ended.isoformat(),
                        ]
                    )
                    + "\n"
                )
            buf.seek(0)
            with cur.copy(
                "COPY telephony_callrecord (call_id, line, caller, queued_at, answered_at, "
                "ended_at, agent, outcome, recording_ref, wait_us, received_at) FROM STDIN"
            ) as copy:
                copy.write(buf.read())
            total += per_day
        conn.commit()
        cur.execute("ANALYZE telephony_callrecord")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=50_000)
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{DB}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    recreate_database(DB)
    try:
        manage(env, "migrate", "--noinput", "-v0")
        t0 = time.perf_counter()
        n = load(url, args.days, args.per_day)
        log(f"loaded {n} calls in {time.perf_counter() - t0:.1f} s")
        os.environ.update(env)
        import django

        django.setup()
        from hotline.accounts.roles import Role
        from hotline.accounts.selectors import Grants
        from hotline.telephony.selectors import call_stats

        class Leader:
            pk = None
            username = "bench-leader"
            is_authenticated = True
            is_active = True
            _hotline_grants = Grants(roles=frozenset({Role.LEADER}), sees_all=True)

        last = (datetime(2026, 11, 1) + timedelta(days=args.days - 1)).date().isoformat()
        cases = [
            ("one day by hour and line", "2026-11-15", "2026-11-15", "hour", True),
            (f"{args.days} days by day", "2026-11-01", last, "day", False),
            (f"{args.days} days by month and line", "2026-11-01", last, "month", True),
        ]
        print(f"machine: {machine()}")
        print(f"calls: {n}")
        for name, start, end, by, by_line in cases:
            times = []
            for _ in range(5):
                t = time.perf_counter()
                rows = call_stats(Leader(), start=start, end=end, by=by, by_line=by_line)
                times.append((time.perf_counter() - t) * 1000)
            print(
                f"{name}: {len(rows)} rows, median {sorted(times)[2]:.0f} ms, "
                f"max {max(times):.0f} ms"
            )
    finally:
        from django.db import connections

        try:
            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up
            pass
        drop_database(DB)


if __name__ == "__main__":
    main()
