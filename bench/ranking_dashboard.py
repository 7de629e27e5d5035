#!/usr/bin/env python
"""Time the assessment's live ranking and the leaders' dashboard (docs/benchmarks.md, "Ranking
and dashboard, set-based") on an existing database, read-only:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB .venv/bin/python bench/ranking_dashboard.py \\
        [--months 2026-10,2026-09] [--repeat 3]

Run from a checkout's root (it imports that checkout's code, so the same script times an older
commit: ``cd <old checkout> && .venv/bin/python <this file>``). For each month: the ranking of
all assessed units from scratch (``selectors.live_rows``) and ``dashboard.dashboard_data`` for
the city as the leader (cut-off now), each ``--repeat`` times; median and max in seconds, the
queries of one run, and the peak memory of the process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries

    from hotline.accounts.models import User
    from hotline.assessment import dashboard, selectors

    settings.DEBUG = True  # count the queries
    leader = User.objects.get(username="leader")
    now = datetime.now(UTC)
    months = [m for m in args.months.split(",") if m] or [now.strftime("%Y-%m")]
    calls = {
        "live_rows (ranking)": lambda m: selectors.live_rows(selectors.month_period(m, now)),
        "dashboard_data (city)": lambda m: dashboard.dashboard_data(leader, None, m, now),
    }
    for month in months:
        for name, call in calls.items():
            times, queries = [], 0
            for _i in range(args.repeat):
                reset_queries()
                start = time.perf_counter()
                call(month)
                times.append(time.perf_counter() - start)
                queries = len(connection.queries)
            print(
                f"| {month} | {name} | {statistics.median(times):.3f} | {max(times):.3f} "
                f"| {queries} |",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
