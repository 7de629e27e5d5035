"""The arithmetic of the assessment (docs/assessment.md): rates, the score, deductions, bands and
ranks. Pure: no ORM, no Django. The counts come from ``selectors``; everything computed from
them is here, once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

# The counts of a row, in the order of DESIGN section 9, then the counts behind deductions.
COUNTS = (
    "received",
    "forwarded",
    "forwarded_late",
    "accepted_on_time",
    "accept_due",
    "replied",
    "replied_on_time",
    "overdue",
    "followed_up",
    "satisfied",
    "repeats",
    "send_backs_invalid",
    "co_handled",
)
# The cohort split by where a ticket was registered: at the district centre above the unit
# (自办件, the district's own line) or elsewhere (转办件, handed down from the city).
ORIGIN_COUNTS = ("received_own", "received_transferred")
DEDUCTION_COUNTS = ("red_warnings", "supervision_orders", "accountabilities", "spot_checks_failed")
METRICS = COUNTS + ORIGIN_COUNTS + DEDUCTION_COUNTS

# rate name -> (numerator, denominator, higher is better)
RATES: dict[str, tuple[str, str, bool]] = {
    "timely_transfer_rate": ("forwarded_on_time", "forwarded", True),
    "timely_acceptance_rate": ("accepted_on_time", "accept_due", True),
    "completion_rate": ("replied", "due", True),
    "on_time_rate": ("replied_on_time", "due", True),
    "follow_up_rate": ("followed_up", "replied", True),
    "satisfaction_rate": ("satisfied", "followed_up", True),
    "repeat_rate": ("repeats", "received", False),
    "send_back_rate": ("send_backs_invalid", "received", False),
}

# deduction rule -> the count it multiplies
DEDUCTIONS: dict[str, str] = {
    "late_transfer": "forwarded_late",
    "red_warning": "red_warnings",
    "supervision_order": "supervision_orders",
    "accountability": "accountabilities",
    "spot_check": "spot_checks_failed",
}

# The default rule set (version 1, written by the migration): weights sum to 100.
DEFAULT_WEIGHTS = {
    "timely_transfer_rate": 10.0,
    "timely_acceptance_rate": 10.0,
    "completion_rate": 20.0,
    "on_time_rate": 20.0,
    "follow_up_rate": 5.0,
    "satisfaction_rate": 25.0,
    "repeat_rate": 5.0,
    "send_back_rate": 5.0,
}
DEFAULT_POINTS = {
    "late_transfer": 1.0,
    "red_warning": 0.0,
    "supervision_order": 0.0,
    "accountability": 0.0,
    "spot_check": 0.0,
}
# A spot-checked ticket (抽查, hotline.feedback) fails when its checklist score is below this share
# of the maximum, in % (the rule set's spot_pass).
DEFAULT_SPOT_PASS = 60.0

TWO = Decimal("0.01")


def round2(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(TWO, rounding=ROUND_HALF_UP))


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator in %, rounded half up to 2 decimals; None on an empty denominator."""
    if not denominator:
        return None
    return float((Decimal(100 * numerator) / Decimal(denominator)).quantize(TWO, ROUND_HALF_UP))


def due(counts: Mapping[str, int]) -> int:
    """应办结: replied, or unreplied and past the handling deadline at the cut-off."""
    return counts["replied"] + counts["overdue"]


def rates(counts: Mapping[str, int]) -> dict[str, float | None]:
    values = {**counts, "due": due(counts)}
    values["forwarded_on_time"] = counts["forwarded"] - counts["forwarded_late"]
    return {name: rate(values[num], values[den]) for name, (num, den, _) in RATES.items()}


@dataclass(frozen=True)
class Band:
    name: str
    lower: int  # smallest `received` in the band


@dataclass(frozen=True)
class Rules:
    """A scoring rule set: weights of the rates, points per deduction, the minimum volume to be
    ranked, the volume bands (ranked separately) and the pass mark of a spot check (in % of the
    checklist's maximum: a spot-checked ticket scored below it counts in ``spot_checks_failed``)."""

    version: int
    weights: Mapping[str, float]
    points: Mapping[str, float]
    min_received: int = 1
    bands: tuple[Band, ...] = field(default_factory=tuple)
    spot_pass: float = DEFAULT_SPOT_PASS

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "weights": dict(self.weights),
            "points": dict(self.points),
            "min_received": self.min_received,
            "bands": [{"name": b.name, "lower": b.lower} for b in self.bands],
            "spot_pass": self.spot_pass,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Rules:
        return cls(
            version=data["version"],
            weights=dict(data["weights"]),
            points=dict(data["points"]),
            min_received=data["min_received"],
            bands=tuple(Band(b["name"], b["lower"]) for b in data["bands"]),
            # Publications frozen before the spot-check rule have no pass mark.
            spot_pass=data.get("spot_pass", DEFAULT_SPOT_PASS),
        )


def parse_bands(text: str) -> tuple[Band, ...]:
    """ "A:0, B:1000" -> bands; raises ValueError naming the bad part."""
    bands = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, lower = part.rpartition(":")
        if not sep or not name.strip() or not lower.strip().isdigit():
            raise ValueError(f"{part!r}: write name:lowest_received")
        bands.append(Band(name.strip(), int(lower)))
    if len({b.lower for b in bands}) != len(bands):
        raise ValueError("two bands start at the same volume")
    return tuple(sorted(bands, key=lambda b: b.lower))


def spot_failed(points: int, max_points: int, pass_mark: float) -> bool:
    """A spot check fails when its points are below ``pass_mark`` % of the maximum (a check
    with nothing scored neither passes nor fails)."""
    return max_points > 0 and Decimal(100 * points) < Decimal(str(pass_mark)) * max_points


def deduction_items(counts: Mapping[str, int], rules: Rules) -> list[dict]:
    items = []
    for rule, count_name in DEDUCTIONS.items():
        points = rules.points.get(rule, 0)
        if points:
            count = counts[count_name]
            items.append({"rule": rule, "points": round2(points * count), "count": count})
    return items


def score(row_rates: Mapping[str, float | None], deductions: float, rules: Rules) -> float | None:
    """The weighted mean of the rates that have a value (a lower-is-better rate counts as
    100 - rate), minus the deductions. None when no weighted rate has a value."""
    total = weight = Decimal(0)
    for name, (_, _, higher) in RATES.items():
        w = Decimal(str(rules.weights.get(name, 0)))
        value = row_rates.get(name)
        if not w or value is None:
            continue
        v = Decimal(str(value))
        total += w * (v if higher else 100 - v)
        weight += w
    if not weight:
        return None
    return round2(total / weight - Decimal(str(deductions)))


def band_of(received: int, bands: Sequence[Band]) -> str | None:
    name = None
    for band in bands:
        if received >= band.lower:
            name = band.name
    return name


def row_finish(counts: Mapping[str, int], rules: Rules) -> dict:
    """Rates, deductions and score of one unit from its counts (rank comes with the others)."""
    items = deduction_items(counts, rules)
    deductions = round2(sum(Decimal(str(i["points"])) for i in items))
    row_rates = rates(counts)
    return {
        **row_rates,
        "deductions": deductions,
        "deduction_items": items,
        "score": score(row_rates, deductions, rules),
        "band": band_of(counts["received"], rules.bands),
    }


def rank(rows: Iterable[dict], rules: Rules) -> list[dict]:
    """Set ``rank`` on every row: within its band, by score (highest first), equal scores share a
    rank (1, 2, 2, 4). A row below the minimum volume or without a score gets rank None.
    Returns the rows ordered by band, rank, unit code."""
    rows = list(rows)
    groups: dict[str | None, list[dict]] = {}
    for row in rows:
        row["rank"] = None
        if row["score"] is not None and row["received"] >= rules.min_received:
            groups.setdefault(row["band"], []).append(row)
    for members in groups.values():
        members.sort(key=lambda r: -r["score"])
        for position, row in enumerate(members, start=1):
            previous = members[position - 2] if position > 1 else None
            row["rank"] = (
                previous["rank"] if previous and previous["score"] == row["score"] else position
            )
    band_order = {b.name: i for i, b in enumerate(rules.bands)}
    return sorted(
        rows,
        key=lambda r: (
            band_order.get(r["band"], -1),
            r["rank"] is None,
            r["rank"] or 0,
            r["unit"],
        ),
    )


# --- working days, summed by day ----------------------------------------------------------------


def working_day_index(days: Mapping[date, bool]) -> dict[date, int]:
    """For every date of the calendar: how many working days come before it in the calendar."""
    index, count = {}, 0
    for day in sorted(days):
        index[day] = count
        count += 1 if days[day] else 0
    return index


def working_days_total(
    groups: Iterable[tuple[date, int, int]], days: Mapping[date, bool], index: Mapping[date, int]
) -> float:
    """Sum over many moments of "working days since the calendar's start", from per-day groups
    (local date, number of moments on it, sum of their seconds since local midnight). A moment
    on a non-working day counts as the start of the next working day (as working_days_between
    does). A date outside the calendar raises KeyError."""
    total = Decimal(0)
    for day, n, seconds in groups:
        total += n * index[day]
        if days[day]:
            total += Decimal(seconds) / 86400
    return float(total)


def month_bounds(year: int, month: int, tz) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=tz)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, following


def days_bounds(first: date, last: date, tz) -> tuple[datetime, datetime]:
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(days=1)
    return start, end
