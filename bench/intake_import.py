"""Bulk import benchmark: ``import_tickets`` on all of messages_labeled.csv (7,368 rows) and the
NYC 311 sample (1,000 rows), into a fresh database on SQLite and on PostgreSQL, then the same
files again (every row skipped). Prints one Markdown table row per run and the machine.

    .venv/bin/python bench/intake_import.py [--only sqlite|postgres] [--batch N]

Reads the data through HOTLINE_SHARED_DATA (default: ../shared/data beside the project). Uses
a SQLite file in a temporary folder and the PostgreSQL database ``hotline_bench_intake`` on
127.0.0.1 (dropped and made again)."""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from common import ROOT, log, machine, manage, recreate_database

PG_DB = "hotline_bench_intake"
FILES = [
    ("teddycup2020c/messages_labeled.csv", "teddycup"),
    ("nyc311_sample/nyc311_sample.csv", "nyc311"),
]


def shared_data() -> Path:
    return Path(os.environ.get("HOTLINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def run(backend: str, url: str, batch: int) -> list[str]:
    env = {**os.environ, "DATABASE_URL": url, "HOTLINE_SHARED_DATA": str(shared_data())}
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--tickets", "0", "--no-train")
    rows = []
    for name, mapping in FILES:
        path = shared_data() / name
        for attempt in ("first", "re-run"):
            log(f"{backend}: {name} ({attempt})")
            start = time.perf_counter()
            out = manage(
                env,
                "import_tickets",
                str(path),
                "--mapping",
                mapping,
                "--no-progress",
                "--batch",
                str(batch),
            )
            seconds = time.perf_counter() - start
            last = out.strip().splitlines()[-1]
            counts = dict(re.findall(r"(\w+)=(\d+)", last))
            total = sum(int(v) for v in counts.values())
            rows.append(
                f"| {backend} | {batch} | {Path(name).name} | {attempt} | {last} | {seconds:.1f} s "
                f"| {total / seconds:.0f} |"
            )
            print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--batch", type=int, default=1, help="rows per transaction")
    args = parser.parse_args()
    print("| database | batch | file | run | result | time | rows/s |")
    print("|---|---|---|---|---|---|---|")
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/bench.sqlite3", args.batch)
    if args.only in (None, "postgres"):
        recreate_database(PG_DB)
        run("PostgreSQL", f"postgres://postgres@127.0.0.1:5432/{PG_DB}", args.batch)
    print(f"- nproc: {os.cpu_count()}")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    with open("/proc/loadavg") as handle:
        print(f"- load average at the end: {handle.read().split()[0]}")


if __name__ == "__main__":
    main()
