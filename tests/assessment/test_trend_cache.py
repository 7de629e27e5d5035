"""The 12-month trend's kept months (setcounts.monthly_counts with a live cut-off, models
MonthCounts and FactMonth): a month is read again only while nothing of its cohort changed
and no running deadline of it has passed; then it is computed again, and every month always
equals its own counts computed from the events (the per-unit path)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.assessment import selectors, setcounts
from hotline.assessment.models import FactMonth, MonthCounts
from hotline.orgs.models import Unit
from hotline.tickets import services
from tests.factories import act, register

MONTHS = ["2026-09", "2026-10", "2026-11", "2026-12"]


def trend(code: str, cut_off=None):
    cut_off = cut_off or timezone.now()
    periods = [selectors.month_period(m, cut_off) for m in MONTHS]
    rules = selectors.rules_for(periods[-1])
    unit = Unit.objects.get(code=code)
    return unit, periods, rules, setcounts.monthly_counts(unit.pk, periods, rules)


def assert_each_month_is_its_own(unit, periods, rules, monthly):
    for period, counts in zip(periods, monthly, strict=True):
        expected = selectors.unit_counts(selectors.Scope(unit), period, rules=rules)
        expected["co_handled"] = 0
        assert counts == expected, (unit.code, period.label)


def test_kept_months_are_read_until_a_change_of_their_cohort(october):
    unit, periods, rules, first = trend("wuhan")
    assert_each_month_is_its_own(unit, periods, rules, first)
    assert MonthCounts.objects.filter(unit=unit).count() == len(MONTHS)
    with CaptureQueriesContext(connection) as reads:
        _u, _p, _r, again = trend("wuhan")
    assert again == first
    # the versions, the kept months and the centres: not one row of the facts
    assert not [q["sql"] for q in reads if "assessment_unitfact" in q["sql"]]
    october_kept = MonthCounts.objects.get(unit=unit, month="2026-10-01")
    # a reply to an October ticket changes October's cohort: October is computed again
    act("supervisor", october["T13"], "supervise", note="请加快办理")
    assert FactMonth.objects.get(unit=unit, month="2026-10-01").version > october_kept.version
    unit, periods, rules, after = trend("wuhan")
    assert_each_month_is_its_own(unit, periods, rules, after)
    assert after[1]["supervision_orders"] == first[1]["supervision_orders"] + 1
    assert MonthCounts.objects.get(pk=october_kept.pk).version > october_kept.version
    # the other months were read, not computed (their versions did not move)
    assert MonthCounts.objects.get(unit=unit, month="2026-09-01").computed_at <= (
        october_kept.computed_at
    )


def test_a_month_is_computed_again_once_a_running_deadline_passes(october):
    now = timezone.now()
    with services.acting_at(now - timedelta(hours=1)):
        fresh = register(title="路灯不亮")
        act("dispatcher", fresh.number, "dispatch", unit="jiangan")
    unit, periods, rules, before = trend("jiangan")
    kept = MonthCounts.objects.get(unit=unit, month=setcounts._local_month(periods[-1].start))
    assert kept.valid_until is not None and kept.valid_until > now  # its accept deadline
    later = kept.valid_until + timedelta(minutes=1)
    unit, periods, rules, after = trend("jiangan", cut_off=later)
    assert_each_month_is_its_own(unit, periods, rules, after)
    assert after[-1]["accept_due"] == before[-1]["accept_due"] + 1
    assert MonthCounts.objects.get(pk=kept.pk).computed_at == later


def test_a_week_is_never_kept_as_a_month(october):
    now = timezone.now()
    unit = Unit.objects.get(code="wuhan")
    week = selectors.range_period(
        (now - timedelta(days=7)).date(), now.date(), now
    )
    rules = selectors.rules_for(week)
    (counts,) = setcounts.monthly_counts(unit.pk, [week], rules)
    expected = selectors.unit_counts(selectors.Scope(unit), week, rules=rules)
    expected["co_handled"] = 0
    assert counts == expected
    assert not MonthCounts.objects.exists()
