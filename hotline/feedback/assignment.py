"""Assigning dissatisfied tickets to third-party evaluators: at random, evenly, never to an
evaluator of the unit or district concerned. Pure: no ORM.

A ticket and an evaluator are each described by a set of *conflict keys* (``("unit", id)``,
``("district", id)``); an evaluator may take a ticket when the two sets do not meet. An
evaluator of a district's hotline centre (issue 13) reviews only the tickets of that centre:
their ``centres`` must meet the ticket's (the centre holding it and those above); a city-wide
evaluator has ``centres=None`` and may take any ticket. Each
ticket goes to the eligible evaluator with the fewest tickets (the open ones they already have
plus those given in this run); ties are broken by the seeded random generator, so a run is
reproducible from its seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    key: Any
    conflicts: frozenset = field(default_factory=frozenset)
    load: int = 0  # open assignments already held
    centres: frozenset | None = None  # the district centres they review for; None: anywhere


@dataclass(frozen=True)
class Case:
    key: Any
    conflicts: frozenset = field(default_factory=frozenset)
    centres: frozenset = field(default_factory=frozenset)  # the holding centre and those above


def may_take(candidate: Candidate, case: Case) -> bool:
    if candidate.conflicts & case.conflicts:
        return False
    return candidate.centres is None or bool(candidate.centres & case.centres)


def assign(
    cases: Sequence[Case], candidates: Sequence[Candidate], *, seed: int
) -> tuple[dict[Any, Any], list[Any]]:
    """``({case key: candidate key}, [case keys nobody may take])``."""
    rng = random.Random(seed)
    load: dict[Any, int] = {c.key: c.load for c in candidates}
    order = list(cases)
    rng.shuffle(order)
    chosen: dict[Any, Any] = {}
    left: list[Any] = []
    for case in order:
        eligible = [c for c in candidates if may_take(c, case)]
        if not eligible:
            left.append(case.key)
            continue
        least = min(load[c.key] for c in eligible)
        pick = rng.choice([c for c in eligible if load[c.key] == least])
        chosen[case.key] = pick.key
        load[pick.key] += 1
    return chosen, left


def sample[T](keys: Sequence[T], size: int, *, seed: int) -> list[T]:
    """A random sample of ``size`` keys (all when fewer), reproducible from ``seed``: the same
    keys in the same order and the same seed give the same sample."""
    ordered = sorted(keys, key=repr)
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size), key=repr)
