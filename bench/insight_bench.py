"""Measure the insight features on the real data and print a markdown section.

    .venv/bin/python bench/insight_bench.py [--data ../shared/data/teddycup2020c] \
        [--tickets 1000000] [--queries 1000] > docs/benchmarks-insight.md

Needs no database and no network: everything trains here from the files given.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import core_speed_us  # noqa: E402

from hotline.insight import classifier  # noqa: E402
from hotline.insight.data import SPLIT_SEED, read_labeled, read_rows, split_labeled  # noqa: E402
from hotline.insight.hotspots import hot_spots  # noqa: E402
from hotline.insight.management.commands.insight_hotspots import read_hot_messages  # noqa: E402
from hotline.insight.management.commands.insight_replycheck import score_rows  # noqa: E402
from hotline.insight.similar import (  # noqa: E402
    DUPLICATE_THRESHOLD,
    LSH_LIMIT,
    REPEAT_THRESHOLD,
    SimilarIndex,
    TicketText,
    find_similar,
    ticket_keys,
)


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc={os.cpu_count()}, CPU: {cpu}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, "
        f'per-core speed (python -m timeit "sum(range(1000))") {core_speed_us():.1f} µs'
    )


def pct(values, q) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_classifier(data: Path) -> list[str]:
    msgs = read_labeled(data / "messages_labeled.csv")
    train, test = split_labeled(msgs)
    xtr = [classifier.model_text(m.title, m.detail) for m in train]
    xte = [classifier.model_text(m.title, m.detail) for m in test]
    ytr = [m.label for m in train]
    yte = [m.label for m in test]
    t0 = time.perf_counter()
    base = classifier.train_baseline(xtr, ytr)
    base_s = time.perf_counter() - t0
    rb = classifier.evaluate(yte, list(base.predict(xte)))
    model = classifier.train(xtr, ytr)
    rm = classifier.evaluate(yte, model.predict(xte))
    lat = []
    for x in xte[:50]:  # warm-up
        model.top(x)
    for x in xte:
        s = time.perf_counter()
        model.top(x, 3)
        lat.append((time.perf_counter() - s) * 1000)
    blat = []
    for x in xte[:300]:
        s = time.perf_counter()
        base.predict([x])
        blat.append((time.perf_counter() - s) * 1000)
    # calibration: mean confidence of the top class vs its accuracy, by confidence bin
    proba = model.predict_proba(xte)
    top = proba.max(axis=1)
    correct = np.array([model.labels[i] for i in proba.argmax(axis=1)]) == np.array(yte)
    bins = [(0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    cal = []
    for lo, hi in bins:
        sel = (top >= lo) & (top < hi)
        if sel.any():
            cal.append(
                f"| {lo:.1f}–{min(hi, 1):.1f} | {int(sel.sum())} | "
                f"{top[sel].mean():.3f} | {correct[sel].mean():.3f} |"
            )
    top3 = np.mean(
        [yte[i] in [model.labels[j] for j in np.argsort(-proba[i])[:3]] for i in range(len(yte))]
    )
    return [
        "### Category suggestion",
        "",
        f"Fixed split of `messages_labeled.csv`: seed {SPLIT_SEED}, 20 % held out, stratified by "
        f"一级标签, grouped by whitespace-free title (train {len(train)}, test {len(test)}).",
        "",
        "| model | accuracy | macro-F1 | train time | latency p50 | latency p99 |",
        "|---|---|---|---|---|---|",
        f"| baseline: jieba-word TF-IDF + LinearSVC | {rb['accuracy']:.4f} | {rb['macro_f1']:.4f} "
        f"| {base_s:.1f} s | {pct(blat, 50):.2f} ms | {pct(blat, 99):.2f} ms |",
        f"| ours: char 1-3 + title char 1-5 + word TF-IDF, NB-SVM, sigmoid-calibrated "
        f"| {rm['accuracy']:.4f} | **{rm['macro_f1']:.4f}** | {model.train_seconds:.1f} s "
        f"| {pct(lat, 50):.2f} ms | {pct(lat, 99):.2f} ms |",
        "",
        f"Top-3 accuracy (ours): {top3:.4f}. Latency is one ticket at a time (`model.top(text, 3)`,"
        f" {len(lat)} held-out texts, one process, after 50 warm-up calls).",
        "",
        "Per-class table (ours):",
        "",
        classifier.format_table(rm),
        "",
        "Per-class table (baseline):",
        "",
        classifier.format_table(rb),
        "",
        "Calibration of the top suggestion (held-out):",
        "",
        "| confidence | tickets | mean confidence | accuracy |",
        "|---|---|---|---|",
        *cal,
        "",
    ]


def bench_repeats(data: Path) -> list[str]:
    msgs = read_labeled(data / "messages_labeled.csv")
    tickets = [
        TicketText(id=m.row_id, title=m.title, content=m.detail, citizen=m.user, time=m.time)
        for m in msgs
    ]
    groups = defaultdict(list)
    for m in msgs:
        groups[m.title_key].append(m.row_id)
    true = {p for ids in groups.values() for p in itertools.combinations(sorted(ids), 2)}
    index = SimilarIndex()
    for t in tickets:
        index.add(t)
    pred = set()
    lat = []
    for t in tickets:
        s = time.perf_counter()
        matches = index.similar(t, window=None, limit=1000)
        lat.append((time.perf_counter() - s) * 1000)
        for m in matches:
            pred.add(tuple(sorted((t.id, m.ticket))))
    tp = len(pred & true)
    precision = tp / max(1, len(pred))
    recall = tp / max(1, len(true))
    return [
        "### Repeats and duplicates",
        "",
        f"Truth: rows of `messages_labeled.csv` sharing a whitespace-free title are true pairs "
        f"({len(true)} pairs from rows with `dup_title_group` > 1 present in this file); every "
        f"other pair is a negative. Each of the {len(tickets)} rows is a query against all the "
        f"others through the MinHash-LSH index (no time window: most rows have no time). "
        f"Thresholds: duplicate {DUPLICATE_THRESHOLD}, repeat {REPEAT_THRESHOLD}.",
        "",
        "| predicted pairs | true positives | precision | recall | query p50 | query p99 |",
        "|---|---|---|---|---|---|",
        f"| {len(pred)} | {tp} | **{precision:.4f}** | **{recall:.4f}** | {pct(lat, 50):.2f} ms "
        f"| {pct(lat, 99):.2f} ms |",
        "",
    ]


def _variant(base: str, rng: random.Random) -> str:
    district = f"{rng.choice('ABCDEFGHIJKLM')}{rng.randint(1, 12)}区"
    return f"{district}{base}{rng.choice(['', '', '（续）', '？', '！'])}{rng.randint(1, 999)}号"


def bench_million(data: Path, n: int, queries: int) -> list[str]:
    """1,000,000 synthetic tickets (variants of the real titles) in an SQLite table of band
    keys; a query = the keys' index lookups + fetch of the candidates + scoring."""
    rng = random.Random(SPLIT_SEED)
    bases = []
    for name in (
        "messages_labeled.csv",
        "hotspot_messages.csv",
        "replies.csv",
        "unlabeled_test_messages.csv",
    ):
        bases += [r["留言主题"].strip() for r in read_rows(data / name) if r["留言主题"].strip()]
    bases = sorted(set(bases))
    tmp = tempfile.mkdtemp(prefix="insight-bench-")
    db = sqlite3.connect(Path(tmp) / "sig.sqlite3")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE TABLE ticket (id INTEGER PRIMARY KEY, title TEXT, phone TEXT, "
        "region TEXT, created TEXT)"
    )
    db.execute("CREATE TABLE signature (key INTEGER NOT NULL, ticket_id INTEGER NOT NULL)")
    start = datetime(2025, 1, 1)
    t0 = time.perf_counter()
    batch_t, batch_s = [], []
    for i in range(1, n + 1):
        title = _variant(rng.choice(bases), rng)
        created = start + timedelta(minutes=i // 2)
        batch_t.append((i, title, f"139{rng.randint(0, 99999999):08d}", "", created.isoformat()))
        batch_s.extend((k, i) for k in ticket_keys(TicketText(id=i, title=title)))
        if len(batch_t) >= 20000:
            db.executemany("INSERT INTO ticket VALUES (?,?,?,?,?)", batch_t)
            db.executemany("INSERT INTO signature VALUES (?,?)", batch_s)
            batch_t, batch_s = [], []
    if batch_t:
        db.executemany("INSERT INTO ticket VALUES (?,?,?,?,?)", batch_t)
        db.executemany("INSERT INTO signature VALUES (?,?)", batch_s)
    db.execute("CREATE INDEX signature_key ON signature (key)")
    db.execute("CREATE INDEX ticket_phone ON ticket (phone)")
    db.commit()
    build_s = time.perf_counter() - t0
    rows = db.execute("SELECT COUNT(*) FROM signature").fetchone()[0]
    lat, cand_counts = [], []
    qrng = random.Random(1)
    for _ in range(queries):
        title = _variant(qrng.choice(bases), qrng)
        q = TicketText(id=-1, title=title, phone=f"139{qrng.randint(0, 99999999):08d}")
        s = time.perf_counter()
        keys = ticket_keys(q)
        ids = [
            r[0]
            for r in db.execute(
                f"SELECT ticket_id FROM signature WHERE key IN ({','.join('?' * len(keys))}) "
                f"GROUP BY ticket_id ORDER BY COUNT(*) DESC LIMIT {LSH_LIMIT}",
                keys,
            )
        ]
        ids += [r[0] for r in db.execute("SELECT id FROM ticket WHERE phone = ?", (q.phone,))]
        cands = []
        for chunk in range(0, len(ids), 900):
            part = ids[chunk : chunk + 900]
            cands += [
                TicketText(id=r[0], title=r[1], phone=r[2])
                for r in db.execute(
                    f"SELECT id, title, phone FROM ticket WHERE id IN ({','.join('?' * len(part))})",
                    part,
                )
            ]
        find_similar(q, cands, window=None)
        lat.append((time.perf_counter() - s) * 1000)
        cand_counts.append(len(cands))
    db.close()
    for f in Path(tmp).iterdir():
        f.unlink()
    os.rmdir(tmp)
    return [
        f"### Similar-ticket query with {n:,} tickets",
        "",
        f"{n:,} synthetic tickets, each a real title (from the four files, {len(bases):,} "
        f"distinct) with a random district prefix and number suffix, so every title has ~"
        f"{n // max(1, len(bases))} near-variants: a dense, pessimistic case. Stored in SQLite "
        f"(file, one process): `ticket` and `signature(key BIGINT, ticket_id)` with an index on "
        f"key, {rows:,} signature rows; build {build_s:.0f} s. A query computes the 16 band keys,"
        f" looks them up (the {LSH_LIMIT} tickets sharing the most keys), adds the same-phone tickets, fetches the candidates and scores them "
        f"with `find_similar`; {queries} new queries.",
        "",
        "| candidates p50 | candidates p99 | query p50 | query p99 |",
        "|---|---|---|---|",
        f"| {pct(cand_counts, 50):.0f} | {pct(cand_counts, 99):.0f} | {pct(lat, 50):.2f} ms | "
        f"**{pct(lat, 99):.2f} ms** |",
        "",
    ]


def bench_hotspots(data: Path) -> list[str]:
    msgs = read_hot_messages(data / "hotspot_messages.csv")
    t0 = time.perf_counter()
    spots = hot_spots(msgs, None, top=10)
    secs = time.perf_counter() - t0
    out = [
        "### Hot spots (`hotspot_messages.csv`, all 4,326 messages, no window)",
        "",
        f"Computed in {secs:.1f} s.",
        "",
        "| rank | heat | place | messages | citizens | likes | growth | from | to | example |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in spots:
        out.append(
            f"| {s.rank} | {s.heat:.2f} | {s.place} | {s.count} | {s.citizens} | "
            f"{s.likes} | {s.growth:.2f} | {s.start:%Y-%m-%d} | {s.end:%Y-%m-%d} | "
            f"{s.examples[0]} |"
        )
    return [*out, ""]


def bench_replies(data: Path) -> list[str]:
    rows = score_rows(data / "replies.csv")
    rows.sort(key=lambda x: (x[0].score, x[1]["留言编号"]))
    scores = np.array([c.score for c, _ in rows])
    out = [
        "### Reply check (`replies.csv`, 2,816 replies)",
        "",
        f"Mean score {scores.mean():.1f}; pass (≥ 60) {np.mean(scores >= 60):.1%}; "
        f"p10 {pct(scores, 10):.0f}, median {pct(scores, 50):.0f}, p90 {pct(scores, 90):.0f}.",
        "",
        "| | score | id | complaint | reply (start) | reasons |",
        "|---|---|---|---|---|---|",
    ]
    for label, part in (("worst", rows[:3]), ("best", rows[::-1][:3])):
        for c, r in part:
            reply = " ".join(r["答复意见"].split())[:70].replace("|", "¦")
            out.append(
                f"| {label} | {c.score} | {r['留言编号']} | {r['留言主题'].strip()} | "
                f"{reply}… | {'; '.join(c.reasons) or '—'} |"
            )
    return [*out, ""]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "teddycup2020c"))
    p.add_argument("--tickets", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument(
        "--skip",
        nargs="*",
        default=[],
        help="sections to skip: classifier repeats million hotspots replies",
    )
    args = p.parse_args()
    data = Path(args.data)
    lines = [
        "## Insight (issue 4)",
        "",
        f"Machine: {machine()}. Measured {datetime.now():%Y-%m-%d}.",
        "",
        "Reproduce: `.venv/bin/python bench/insight_bench.py > docs/benchmarks-insight.md`",
        "",
    ]
    sections = {
        "classifier": lambda: bench_classifier(data),
        "repeats": lambda: bench_repeats(data),
        "million": lambda: bench_million(data, args.tickets, args.queries),
        "hotspots": lambda: bench_hotspots(data),
        "replies": lambda: bench_replies(data),
    }
    for name, fn in sections.items():
        if name not in args.skip:
            lines += fn()
            print("\n".join(lines), flush=True)
            lines = []


if __name__ == "__main__":
    main()
