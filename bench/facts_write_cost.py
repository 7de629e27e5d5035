#!/usr/bin/env python
"""What the running sums cost the write path (issue 14): ``facts.facts_refresh`` of the same
kind of tickets with the sums and without them (the facts alone: the baseline), alternating
ticket by ticket in one process, on a database ``bench/assessment_pg.py --keep-db`` left.

    .venv/bin/python bench/facts_write_cost.py --db hotline_scale1m [--tickets 1200]

Writes the facts of ``--tickets`` random tickets of the last 30 days again, each in its own
transaction: odd ones with the sums' statements (what every change does), even ones without.
The first 100 of each are left out (a fresh process's first reads). Prints p50 and p95 of
each. Leaves the sums of the database wrong (half the writes skipped them): run it on a
benchmark's database only, then ``manage.py assessment_facts --sums`` or drop it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import PY, env_for  # noqa: E402


def inner(n: int) -> None:
    from datetime import timedelta
    from unittest import mock

    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from hotline.assessment import facts, sums

    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM tickets_ticket WHERE registered_at >= %s ORDER BY random() LIMIT %s",
            [timezone.now() - timedelta(days=30), n],
        )
        ids = [row[0] for row in cur.fetchall()]
    times: dict[str, list[float]] = {"with the running sums": [], "the facts alone": []}
    for i, pk in enumerate(ids):
        alone = i % 2 == 1
        with (
            mock.patch.object(sums, "sums_subtract", return_value=[]) if alone else _nothing(),
            mock.patch.object(sums, "sums_add", return_value=[]) if alone else _nothing(),
        ):
            t0 = time.perf_counter()
            with transaction.atomic():
                facts.facts_refresh([pk])
            label = "the facts alone" if alone else "with the running sums"
            times[label].append((time.perf_counter() - t0) * 1000)
    print("| facts_refresh of one ticket | n | p50 ms | p95 ms |\n|---|---|---|---|")
    for label, values in times.items():
        kept = sorted(values[100:])
        p95 = kept[min(len(kept) - 1, int(len(kept) * 0.95))]
        print(f"| {label} | {len(kept)} | {statistics.median(kept):.1f} | {p95:.1f} |")


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="hotline_scale")
    ap.add_argument("--tickets", type=int, default=1200)
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        inner(args.tickets)
        return 0
    cmd = [PY, str(Path(__file__).resolve()), "--inner", "--tickets", str(args.tickets)]
    env = {**env_for(args.db), "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
