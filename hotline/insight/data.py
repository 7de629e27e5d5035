"""Reading the historical CSV files and the fixed evaluation split (pure, no ORM).

The CSV layouts are those of ``data/teddycup2020c`` (see its README): ``messages_labeled.csv``
(title 留言主题, detail 留言详情, label 一级标签), ``hotspot_messages.csv`` (plus 点赞数 and
反对数) and ``replies.csv`` (plus 答复意见 and 答复时间). Files are UTF-8 with quoted newlines,
so they are read with the csv module, never line by line.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .text import message_text, normalize

# The seven first-level classes of the labelled set, in the README's order.
LABELS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
SPLIT_SEED = 12345
SPLIT_FRACTION = 0.20

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, slots=True)
class LabeledMessage:
    row_id: str
    title: str
    detail: str
    label: str
    user: str = ""
    time: datetime | None = None
    dup_title_group: int = 1

    @property
    def text(self) -> str:
        return message_text(self.title, self.detail)

    @property
    def title_key(self) -> str:
        """The whitespace-free title that groups exact repeats."""
        return normalize(self.title)


def parse_time(value: str | None) -> datetime | None:
    """Parse ``YYYY-MM-DDTHH:MM:SS`` (the ``*_iso`` columns) or ``YYYY/M/D H:M:S``."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def read_rows(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_labeled(path: str | Path) -> list[LabeledMessage]:
    """Rows of a CSV with the columns of ``messages_labeled.csv``.

    Required: 留言主题 and 一级标签; optional: 留言详情, row_id, 留言用户, 留言时间(_iso),
    dup_title_group. Rows without a title and a detail, or without a label, are skipped.
    """
    out = []
    for i, row in enumerate(read_rows(path)):
        title = row.get("留言主题") or ""
        detail = row.get("留言详情") or ""
        label = (row.get("一级标签") or "").strip()
        if not label or not (title.strip() or detail.strip()):
            continue
        try:
            group = int(row.get("dup_title_group") or 1)
        except ValueError:
            group = 1
        out.append(
            LabeledMessage(
                row_id=row.get("row_id") or f"row-{i + 1}",
                title=title,
                detail=detail,
                label=label,
                user=row.get("留言用户") or "",
                time=parse_time(row.get("留言时间_iso") or row.get("留言时间")),
                dup_title_group=group,
            )
        )
    return out


def _majority_labels(
    labels: list[str], groups: list[str], order: list[str]
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Each group's row indices, and its majority label (ties: first in ``order``)."""
    rank = {lab: i for i, lab in enumerate(order)}
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    group_label = {}
    for g, idx in members.items():
        counts = Counter(labels[i] for i in idx)
        group_label[g] = min(counts, key=lambda lab: (-counts[lab], rank[lab]))
    return members, group_label


def _walk(gs: list[str], members: dict[str, list[int]], target: int, rng) -> list[int]:
    """The rows of the groups ``gs``, walked in ``rng``'s permutation, that fit in ``target``;
    the walk stops when the target is reached."""
    taken_rows: list[int] = []
    taken = 0
    for j in rng.permutation(len(gs)):
        if taken >= target:
            break
        size = len(members[gs[j]])
        if taken + size <= target:
            taken_rows.extend(members[gs[j]])
            taken += size
    return taken_rows


def stratified_group_split(
    labels: list[str],
    groups: list[str],
    *,
    fraction: float = SPLIT_FRACTION,
    seed: int = SPLIT_SEED,
    label_order: list[str] | None = None,
) -> tuple[list[int], list[int]]:
    """Split row indices into (train, test), stratified by label, grouped by ``groups``.

    The method of the data README, applied again to the developer file:
    each group takes the majority label of its rows (ties: first in ``label_order``); for each
    label in ``label_order`` its groups are sorted, permuted with one shared
    ``numpy.random.RandomState(seed)`` stream, and walked in that order; a group goes to the
    test side while it still fits within ``round(fraction * rows of that label)``, and the
    walk stops when the target is reached. Rows of one group never straddle the split.
    """
    order = list(label_order or LABELS)
    for lab in sorted(set(labels) - set(order)):
        order.append(lab)
    members, group_label = _majority_labels(labels, groups, order)
    rows_per_label = Counter(labels)
    rng = np.random.RandomState(seed)
    test: list[int] = []
    for lab in order:
        gs = sorted(g for g, gl in group_label.items() if gl == lab)
        if gs:
            target = round(fraction * rows_per_label[lab])
            test.extend(_walk(gs, members, target, rng))
    test_set = set(test)
    train = [i for i in range(len(labels)) if i not in test_set]
    return train, sorted(test_set)


def split_labeled(
    messages: list[LabeledMessage], *, fraction: float = SPLIT_FRACTION, seed: int = SPLIT_SEED
) -> tuple[list[LabeledMessage], list[LabeledMessage]]:
    train, test = stratified_group_split(
        [m.label for m in messages], [m.title_key for m in messages], fraction=fraction, seed=seed
    )
    return [messages[i] for i in train], [messages[i] for i in test]
