"""Dispatch routing on the team's labelled set (tests/insight/routing_cases.py): top-1 / top-3
unit accuracy, leaf top-1 / top-3, a per-leaf table, the calibration of the first leaf's
confidence, and the latency of one suggestion per ticket on one core (model, place
resolution, leaf ranking, rules read from the database, routing).

    .venv/bin/python bench/routing_bench.py [--model-dir DIR] > docs/benchmarks-routing.md

Builds the demo city in a fresh SQLite file (the TipDM catalogue must be beside the project,
or HOTLINE_SHARED_DATA set). Without a model in --model-dir, trains one on the developer side
of the fixed split of messages_labeled.csv (about 1.5 minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

# One core, one thread: the target is per core.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def calibration(selectors, cases) -> dict:
    """Of the first suggestions in each confidence band, how many name the right leaf."""
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    calib = {b: [0, 0] for b in bins}
    for leaf, _unit, address, text in cases:
        best = selectors.suggest_for(text, address=address).items[0]
        for lo, hi in bins:
            if lo <= best["confidence"] < hi:
                calib[(lo, hi)][0] += 1
                calib[(lo, hi)][1] += int(best["category_name"] == leaf)
    return calib


def latency(selectors, cases, repeat: int):
    """The whole suggestion for one ticket, as the API and the console call it: wall time, and
    the CPU time of this thread (what one core spends, whatever else the machine is doing: a
    shared machine's wall times include waiting for a core)."""
    for _leaf, _unit, address, text in cases[:20]:
        selectors.suggest_for(text, address=address)  # warm the caches
    latencies, cpu, places = [], [], []
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        for _leaf, _unit, address, text in cases:
            t0, c0 = time.perf_counter(), time.thread_time()
            selectors.suggest_for(text, address=address)
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            c0 = time.thread_time()
            selectors.router().places.resolve(text=text, address=address)
            places.append((time.thread_time() - c0) * 1000)
    return latencies, cpu, places, max(load_before, os.getloadavg()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", help="a folder with a trained suggestion model")
    parser.add_argument("--repeat", type=int, default=20, help="latency passes over the set")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="routing-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
    os.environ["HOTLINE_MODEL_DIR"] = args.model_dir or str(work / "models")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from common import core_speed_us
    from django.conf import settings
    from django.core.management import call_command

    from hotline.insight import classifier, routing, selectors
    from hotline.insight.demo import seed_rules
    from hotline.orgs.demo import build_org
    from hotline.orgs.models import Category
    from tests.insight.routing_cases import CASES

    call_command("migrate", verbosity=0)
    build_org()
    seed_rules()
    if Category.objects.filter(level=3).count() < 100:
        sys.exit("the TipDM catalogue is not beside the project: set HOTLINE_SHARED_DATA")
    trained = ""
    if classifier.load_current() is None:
        data = Path(settings.HOTLINE_SHARED_DATA) / "teddycup2020c" / "messages_labeled.csv"
        call_command("insight_train", "--data", str(data), "--split", stdout=open(os.devnull, "w"))
        trained = " (trained for this run on the developer side of the fixed split)"
    model = classifier.load_current()

    def evaluate(*, with_model: bool, keywords: bool = True) -> routing.Evaluation:
        rt = selectors.router()
        if not keywords:
            rt = routing.Router(
                [
                    routing.LeafInfo(leaf.code, leaf.names, leaf.owner, leaf.unit, ())
                    for leaf in rt.leaves
                ],
                places=rt.places,
                district_units=rt.district_units,
                rules=rt.rules,
                history=rt.history,
                unit_names=rt.unit_names,
                category_parents=rt.category_parents,
            )
        ev = routing.Evaluation()
        for leaf, unit, address, text in CASES:
            proba = None
            if with_model:
                p = model.predict_proba([classifier.model_text(text)])[0]
                proba = dict(zip(model.labels, map(float, p), strict=True))
            place = rt.places.resolve(text=text, address=address)
            ev.add(leaf, unit, rt.suggest(text, class_proba=proba, place=place))
        return ev

    full = evaluate(with_model=True)
    no_model = evaluate(with_model=False)
    no_keywords = evaluate(with_model=True, keywords=False)

    calib = calibration(selectors, CASES)
    latencies, cpu, places, load = latency(selectors, CASES, args.repeat)

    def rates(ev: routing.Evaluation) -> str:
        return " | ".join(
            f"{ev.rate(k):.4f}" for k in ("unit_top1", "unit_top3", "leaf_top1", "leaf_top3")
        )

    out = [
        "# Dispatch routing: leaf, place and owner",
        "",
        f"Measured {datetime.now():%Y-%m-%d} on {os.cpu_count()} cores (one used), per-core "
        f'speed {core_speed_us():.1f} µs (`python -m timeit "sum(range(1000))"`), Python '
        f"{sys.version.split()[0]}. Model in use: `{classifier.current_name()}`{trained}.",
        "",
        "Reproduce: `.venv/bin/python bench/routing_bench.py` (prints the tables; the notes at the end are written by hand)",
        "",
        f"The labelled set: {full.n} messages written by the team from the seeded city's own "
        f"places (`tests/insight/routing_cases.py`), {len(full.per_leaf)} leaves, each with "
        "the leaf and the unit a dispatcher should choose. Targets: unit top-1 ≥ 0.90, unit "
        "top-3 ≥ 0.97, leaf top-3 ≥ 0.90, p99 < 10 ms per ticket on one core.",
        "",
        "| variant | unit top-1 | unit top-3 | leaf top-1 | leaf top-3 |",
        "|---|---|---|---|---|",
        f"| **as deployed**: model + names + keywords + places + owners + rules | {rates(full)} |",
        f"| without the first-level model | {rates(no_model)} |",
        f"| without the admin-kept keywords (names, model, places, owners, rules) "
        f"| {rates(no_keywords)} |",
        "",
        "## Per leaf (as deployed)",
        "",
        "| leaf | n | unit top-1 | unit top-3 | leaf top-1 | leaf top-3 |",
        "|---|---|---|---|---|---|",
    ]
    for leaf, (n, u1, u3, l1, l3) in sorted(full.per_leaf.items()):
        out.append(f"| {leaf} | {n} | {u1}/{n} | {u3}/{n} | {l1}/{n} | {l3}/{n} |")
    out += [
        "",
        "## Calibration of the first suggestion's confidence (leaf right?)",
        "",
        "| confidence | suggestions | leaf right | share right |",
        "|---|---|---|---|",
    ]
    for (lo, hi), (n, right) in calib.items():
        share = f"{right / n:.2f}" if n else "—"
        out.append(f"| {lo:.1f}–{min(hi, 1.0):.1f} | {n} | {right} | {share} |")
    out += [
        "",
        "## Latency per ticket, one core",
        "",
        f"{len(latencies)} suggestions ({args.repeat} passes over the set), each the whole "
        "`insight.selectors.suggest_for`: the first-level model, place resolution, leaf "
        "ranking and routing (catalogue, places, history and rules cached per process).",
        "",
        f"Load average during the run: {load:.1f} on {os.cpu_count()} cores.",
        "",
        "| what | p50 | p99 | max |",
        "|---|---|---|---|",
        f"| whole suggestion, CPU time of one core | {pct(cpu, 50):.2f} ms "
        f"| **{pct(cpu, 99):.2f} ms** | {max(cpu):.2f} ms |",
        f"| whole suggestion, wall time | {pct(latencies, 50):.2f} ms "
        f"| {pct(latencies, 99):.2f} ms | {max(latencies):.2f} ms |",
        f"| of which place resolution (CPU) | {pct(places, 50):.3f} ms "
        f"| {pct(places, 99):.3f} ms | {max(places):.3f} ms |",
        "",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
