"""The pure arithmetic of the assessment: rates, score, deductions, bands and ranks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.assessment import formulas
from hotline.workcal.calc import WorkCalendar, working_days_between

ZERO = dict.fromkeys(formulas.METRICS, 0)


def test_the_reports_figure_reproduces():
    """37,122 received, 36,334 replied, 595 overdue and 193 not yet due: 98.39 %."""
    counts = {**ZERO, "received": 37122, "replied": 36334, "overdue": 595}
    assert 37122 - 36334 - 595 == 193  # not yet due: neither replied nor due
    assert formulas.due(counts) == 36929
    assert formulas.rates(counts)["completion_rate"] == 98.39
    assert formulas.rate(36334, 37122) == 97.88  # what dividing by received would say


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (0, 0, None),
        (0, 5, 0.0),
        (5, 5, 100.0),
        (1, 3, 33.33),
        (2, 3, 66.67),
        (1, 8, 12.5),
        (1, 800, 0.13),
    ],
)
def test_rate_rounds_half_up_and_is_null_on_an_empty_denominator(num, den, expected):
    assert formulas.rate(num, den) == expected


def test_every_rate_of_an_empty_unit_is_null():
    assert set(formulas.rates(ZERO).values()) == {None}


def test_timely_transfer_rate_counts_forwards_not_late():
    counts = {**ZERO, "received": 10, "forwarded": 4, "forwarded_late": 1}
    assert formulas.rates(counts)["timely_transfer_rate"] == 75.0


RULES = formulas.Rules(
    version=1,
    weights={"completion_rate": 50, "repeat_rate": 50},
    points={"late_transfer": 1, "red_warning": 0.5, "supervision_order": 0, "accountability": 2},
)


def test_score_is_the_weighted_mean_of_rates_with_a_value_less_deductions():
    counts = {
        **ZERO,
        "received": 10,
        "replied": 8,
        "overdue": 2,
        "repeats": 1,
        "forwarded": 3,
        "forwarded_late": 2,
        "red_warnings": 3,
        "accountabilities": 1,
    }
    row = formulas.row_finish(counts, RULES)
    # completion 80, repeat 10 -> 90 counts; mean 85; deductions 2 + 1.5 + 2 = 5.5
    assert row["deduction_items"] == [
        {"rule": "late_transfer", "points": 2.0, "count": 2},
        {"rule": "red_warning", "points": 1.5, "count": 3},
        {"rule": "accountability", "points": 2.0, "count": 1},
    ]
    assert row["deductions"] == 5.5 and row["score"] == 79.5


def test_a_rate_without_value_drops_out_of_the_weights_and_no_value_means_no_score():
    assert formulas.score({"completion_rate": None, "repeat_rate": 0.0}, 0, RULES) == 100.0
    assert formulas.score({"completion_rate": None, "repeat_rate": None}, 0, RULES) is None


def _row(unit, score, received=10, band=None):
    return {"unit": unit, "score": score, "received": received, "band": band}


def test_rank_shares_equal_scores_and_leaves_out_units_below_the_minimum():
    rules = formulas.Rules(version=1, weights={}, points={}, min_received=5)
    rows = formulas.rank(
        [
            _row("a", 90),
            _row("b", 95),
            _row("c", 90),
            _row("d", 80),
            _row("e", 99, received=4),
            _row("f", None),
        ],
        rules,
    )
    assert [(r["unit"], r["rank"]) for r in rows] == [
        ("b", 1),
        ("a", 2),
        ("c", 2),
        ("d", 4),
        ("e", None),
        ("f", None),
    ]


def test_units_are_ranked_within_their_volume_band():
    bands = formulas.parse_bands("大:1000, 小:0")
    assert [b.name for b in bands] == ["小", "大"]
    rules = formulas.Rules(version=1, weights={}, points={}, bands=bands)
    rows = [_row("a", 90, 50), _row("b", 80, 5000), _row("c", 85, 20), _row("d", 70, 1000)]
    for row in rows:
        row["band"] = formulas.band_of(row["received"], bands)
    ranked = formulas.rank(rows, rules)
    assert [(r["unit"], r["band"], r["rank"]) for r in ranked] == [
        ("a", "小", 1),
        ("c", "小", 2),
        ("b", "大", 1),
        ("d", "大", 2),
    ]


@pytest.mark.parametrize("text", ["大", "大:x", ":5", "a:0, b:0"])
def test_bad_bands_are_refused(text):
    with pytest.raises(ValueError):
        formulas.parse_bands(text)


def test_rules_survive_their_snapshot():
    rules = formulas.Rules(
        version=3,
        weights={"completion_rate": 1},
        points={"late_transfer": 1},
        min_received=2,
        bands=formulas.parse_bands("a:0,b:9"),
    )
    assert formulas.Rules.from_dict(rules.as_dict()) == rules


def test_month_bounds_cross_the_year():
    tz = ZoneInfo("Asia/Shanghai")
    start, end = formulas.month_bounds(2026, 12, tz)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T00:00:00+08:00",
        "2027-01-01T00:00:00+08:00",
    )


SH = ZoneInfo("Asia/Shanghai")
DAYS = {date(2026, 9, 20) + timedelta(days=i): None for i in range(40)}
for d in DAYS:
    DAYS[d] = d.weekday() < 5 and not (date(2026, 10, 1) <= d <= date(2026, 10, 7))
DAYS[date(2026, 10, 10)] = True
CAL = WorkCalendar.from_days(DAYS, years=[2026])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 30 * 86400 - 1), st.integers(0, 8 * 86400)),
        min_size=1,
        max_size=20,
    )
)
def test_summing_by_day_agrees_with_working_days_between(pairs):
    """The per-day sums the database returns give the same total as working_days_between."""
    origin = datetime(2026, 9, 21, tzinfo=SH)
    starts = [origin + timedelta(seconds=a) for a, _ in pairs]
    ends = [s + timedelta(seconds=b) for s, (_, b) in zip(starts, pairs, strict=True)]

    def groups(moments):
        out = {}
        for m in moments:
            local = m.astimezone(SH)
            n, secs = out.get(local.date(), (0, 0))
            out[local.date()] = (n + 1, secs + local.hour * 3600 + local.minute * 60 + local.second)
        return [(d, n, s) for d, (n, s) in out.items()]

    index = formulas.working_day_index(CAL.days)
    total = formulas.working_days_total(
        groups(ends), CAL.days, index
    ) - formulas.working_days_total(groups(starts), CAL.days, index)
    expected = sum(working_days_between(CAL, s, e) for s, e in zip(starts, ends, strict=True))
    assert total == pytest.approx(expected, abs=1e-6)
