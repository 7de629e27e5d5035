"""Spot-check sampling and scoring arithmetic. Pure: no ORM.

``draw`` takes, for each group (a line, a unit), ``size`` keys at random without repeats, from
a generator seeded with ``"<seed>:<group>"``: the same seed over the same candidates draws the
same sample whatever the order they were read in, and adding a group does not change the
others' samples."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal


def draw[T](groups: Mapping[str, Sequence[T]], size: int, *, seed: int) -> dict[str, list[T]]:
    out: dict[str, list[T]] = {}
    for group in sorted(groups):
        keys = sorted(set(groups[group]), key=repr)
        if not keys or size <= 0:
            continue
        if size >= len(keys):
            out[group] = keys
        else:
            out[group] = sorted(random.Random(f"{seed}:{group}").sample(keys, size), key=repr)
    return out


def percent(points: int, max_points: int) -> float | None:
    """Points scored as a percentage of the points possible, 2 decimals; None when nothing was
    scored."""
    if not max_points:
        return None
    value = (Decimal(points) * 100 / Decimal(max_points)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
