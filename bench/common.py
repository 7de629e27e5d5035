"""What the PostgreSQL benchmarks share: where things are, databases, manage.py, the machine.

Only 127.0.0.1 is contacted. Nothing is installed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"
PG = {"host": HOST, "port": 5432, "user": "postgres"}
# Databases a benchmark must never drop: the project's own and the server's.
FORBIDDEN_DBS = {"hotline", "test_hotline", "postgres", "template0", "template1"}
# The warning scanner in a loop, for `manage.py shell -c`: one line "SCAN start end sent"
# per scan.
SCAN_LOOP = """
import time
from django.db import close_old_connections
from hotline.supervision.warnings import warnings_scan
while True:
    close_old_connections()
    t0 = time.time()
    n = warnings_scan()
    print(f"SCAN {t0:.3f} {time.time():.3f} {n}", flush=True)
    if not n:
        time.sleep(0.5)
"""


def env_for(db: str) -> dict[str, str]:
    """The environment of a Django process of a benchmark: the production settings on the
    benchmark's own database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{db}",
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        HTTPS="0",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    return env


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def recreate_database(name: str) -> None:
    assert name not in FORBIDDEN_DBS, name
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")


def drop_database(name: str) -> None:
    assert name not in FORBIDDEN_DBS, name
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run ``manage.py`` with ``env``; its output, or exit with the end of its output."""
    out = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-4000:])
        raise SystemExit(f"manage.py {args[0] if args else ''} failed ({out.returncode})")
    return out.stdout


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile by nearest rank (nan for no values)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def machine() -> dict[str, str]:
    """Cores, CPU model, memory, PostgreSQL version and the settings a result depends on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(
        next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    )
    with psycopg.connect(dbname="postgres", **PG) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "postgresql": pg,
        "shared_buffers": shared_buffers,
        "synchronous_commit": sync,
        "python": platform.python_version(),
        "core_speed": f"{core_speed_us():.1f} µs",
    }


def core_speed_us() -> float:
    """Per-core speed of this machine, as ``python -m timeit "sum(range(1000))"`` reports it
    (best of 5): virtual machines of the same size differ by several times, and every result
    depends on it."""
    import timeit

    timer = timeit.Timer("sum(range(1000))")
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6
