"""The set-based ranking (setcounts: every unit's counts in three queries) gives exactly the rows
of the per-unit path (selectors.unit_row: one aggregate query per unit over its cohort, the
conditions the drill-down lists), for every unit of the tree on the edge-case month, at both
cut-offs; and a count of the set-based rows equals the length of its drill-down."""

from __future__ import annotations

import pytest
from django.utils import timezone
from october import EARLY_CUT_OFF, MONTH

from hotline.assessment import formulas, selectors, setcounts
from hotline.orgs.models import Unit


@pytest.mark.parametrize("early", [True, False], ids=["cut-off-20-november", "cut-off-now"])
def test_set_based_rows_equal_the_per_unit_rows_for_every_unit(october, early):
    period = selectors.month_period(MONTH, EARLY_CUT_OFF if early else timezone.now())
    rules = selectors.rules_for(period)
    units = list(Unit.objects.order_by("path"))  # assessed or not, the city's root included
    rows = selectors.set_rows(units, period, rules)
    assert [r["unit"] for r in rows] == [u.code for u in units]
    busy = 0
    for unit, row in zip(units, rows, strict=True):
        assert row == selectors.unit_row(unit, period, rules), unit.code
        busy += bool(row["received"] or row["co_handled"])
    assert busy >= 6  # not a comparison of zeros
    root = rows[0]  # the city answers for every unit under it
    assert root["received"] >= max(r["received"] for r in rows[1:]) > 0


def test_every_set_based_count_is_the_length_of_its_list(october):
    period = selectors.month_period(MONTH, EARLY_CUT_OFF)
    rows, rules = selectors.live_rows(period)
    for row in rows:
        if not row["received"] and not row["co_handled"]:
            continue
        scope = selectors.Scope(Unit.objects.get(code=row["unit"]))
        for metric in formulas.METRICS:
            listed = selectors.metric_tickets(scope, period, metric, rules).count()
            assert listed == row[metric], (row["unit"], metric)


def test_the_monthly_counts_of_the_trend_equal_each_months_own(october):
    """The dashboard's trend counts twelve months in one query (a cohort ticket in the month of
    its first reach): each month equals its own per-unit counts (co_handled aside)."""
    cut_off = timezone.now()
    months = ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    periods = [selectors.month_period(m, cut_off) for m in months]
    rules = selectors.rules_for(periods[-1])
    for code in ("wuhan", "jiangan", "housing"):
        unit = Unit.objects.get(code=code)
        monthly = setcounts.monthly_counts(unit.pk, periods, rules)
        for period, counts in zip(periods, monthly, strict=True):
            expected = selectors.unit_counts(selectors.Scope(unit), period, rules=rules)
            expected["co_handled"] = 0
            assert counts == expected, (code, period.label)
    assert (
        sum(
            c["received"]
            for c in setcounts.monthly_counts(Unit.objects.get(code="wuhan").pk, periods, rules)
        )
        > 0
    )
