"""The running sums of the facts (hotline/assessment/sums.py): kept by every write of the facts,
folded by the worker, rebuilt from the facts; the counts read from them (with the cut-off now)
are the counts computed from the events, including those that move with time alone (a running
deadline passing) or with the rules (the spot-check pass mark), and a failed change leaves them
as they were. (tests/assessment/test_facts.py checks every unit's counts after every kind of
change through the same path.)"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from october import MONTH

from hotline.assessment import formulas, selectors, setcounts, sums
from hotline.assessment.models import CohortSum, ReplySum
from hotline.orgs.models import Unit
from hotline.runtime.jobs import JOBS
from hotline.tickets import extensions, services
from tests.factories import act, register


def events_only():
    return mock.patch.object(setcounts, "facts_usable", return_value=False)


def assert_counts_are_the_events(period, rules=None):
    units = list(Unit.objects.order_by("path"))
    ids = [u.pk for u in units]
    rules = rules or selectors.rules_for(period)
    got = setcounts.counts_of(ids, period, rules)
    with events_only():
        want = setcounts.counts_of(ids, period, rules)
    assert got == want
    return got[0]


def _kept():
    return (
        sorted(CohortSum.objects.values_list("unit_id", "reach_day", "centre_id", "n", "replied")),
        sorted(ReplySum.objects.values_list("unit_id", "month", "reply_day", "n")),
    )


def test_every_write_keeps_the_sums_and_the_worker_folds_them(october):
    # the import's writes: many rows per key until the worker folds them
    assert CohortSum.objects.filter(compacted=False).exists()
    assert sums.sums_check() == []
    assert sums.sums_compact() > 0
    assert not CohortSum.objects.filter(compacted=False).exists()
    assert sums.sums_check() == []
    number = october["T13"]
    act("housing-handler", number, "reply", text="已处理", outcome="resolved")
    fresh = CohortSum.objects.filter(compacted=False)
    # the reply took the ticket's rows out and put them back: one row each way per unit
    assert fresh.filter(n__lt=0).exists() and fresh.filter(n__gt=0).exists()
    assert sums.sums_check() == []
    period = selectors.month_period(MONTH, timezone.now())
    before = assert_counts_are_the_events(period)
    keys = CohortSum.objects.values("unit_id", "reach_day", "centre_id").distinct().count()
    assert sums.sums_compact() > 0
    assert not CohortSum.objects.filter(compacted=False).exists()
    assert not ReplySum.objects.filter(compacted=False).exists()
    assert CohortSum.objects.count() <= keys  # one row per key (none where they cancel out)
    assert sums.sums_check() == []
    assert assert_counts_are_the_events(period) == before
    assert sums.sums_compact() == 0


@pytest.fixture
def october_folded(october):
    """The october month as the worker leaves it (the import's writes folded)."""
    sums.sums_compact()
    return october


def test_a_failed_change_leaves_the_sums_as_they_were(october_folded):
    kept = _kept()

    def boom(ids):
        raise RuntimeError("after the facts and the sums")

    extensions.CHANGED.append(boom)
    try:
        with pytest.raises(RuntimeError):
            act(
                "housing-handler", october_folded["T13"], "reply", text="已处理", outcome="resolved"
            )
    finally:
        extensions.CHANGED.remove(boom)
    assert _kept() == kept
    assert sums.sums_check() == []


def test_overdue_and_accept_due_move_with_time_alone(october_folded):
    now = timezone.now()
    with services.acting_at(now - timedelta(hours=1)):
        fresh = register(title="路灯不亮")
        act("dispatcher", fresh.number, "dispatch", unit="jiangan")
    month = timezone.localtime(now).strftime("%Y-%m")
    jiangan = Unit.objects.get(code="jiangan").pk
    counts_now = assert_counts_are_the_events(selectors.month_period(month, now))[jiangan]
    # a week later nothing was written, but the accept and handling deadlines have passed
    later = now + timedelta(days=40)
    counts_later = assert_counts_are_the_events(selectors.month_period(month, later))[jiangan]
    assert counts_later["accept_due"] == counts_now["accept_due"] + 1
    assert counts_later["overdue"] == counts_now["overdue"] + 1


def test_the_pass_mark_of_the_rules_applies_when_reading(october_folded):
    from test_facts import _spot_fail_october

    _spot_fail_october()
    period = selectors.month_period(MONTH, timezone.now())
    strict = selectors.rules_for(period)
    lenient = formulas.Rules(**{**strict.__dict__, "spot_pass": 10.0})
    failed = assert_counts_are_the_events(period, strict)
    passed = assert_counts_are_the_events(period, lenient)
    assert sum(c["spot_checks_failed"] for c in failed.values()) > 0
    assert sum(c["spot_checks_failed"] for c in passed.values()) == 0


def test_the_trend_reads_the_sums_and_only_the_live_fact_rows(october_folded):
    now = timezone.now()
    periods = [selectors.month_period(m, now) for m in ("2026-09", "2026-10", "2026-11")]
    rules = selectors.rules_for(periods[-1])
    wuhan = Unit.objects.get(code="wuhan")
    with CaptureQueriesContext(connection) as reads:
        monthly = setcounts.monthly_counts(wuhan.pk, periods, rules)
    fact_reads = [q["sql"] for q in reads if "assessment_unitfact" in q["sql"]]
    assert len(fact_reads) == 1 and '"running_due_at" IS NOT NULL' in fact_reads[0]
    with events_only():
        assert monthly == setcounts.monthly_counts(wuhan.pk, periods, rules)
    assert monthly[1]["received"] > 0


def test_a_period_not_cut_at_midnight_reads_the_facts(october_folded):
    now = timezone.now()
    period = selectors.month_period(MONTH, now)
    odd = selectors.Period(period.start + timedelta(hours=9), period.end, now, "odd")
    assert setcounts.sums_usable([period]) and not setcounts.sums_usable([odd])
    assert_counts_are_the_events(odd)


def test_a_rebuild_of_the_sums_gives_what_the_writes_kept(october):
    act("housing-handler", october["T13"], "reply", text="已处理", outcome="resolved")
    sums.sums_compact()
    kept = _kept()
    CohortSum.objects.all().delete()
    ReplySum.objects.all().delete()
    out = StringIO()
    with pytest.raises(CommandError, match="running sums differ"):
        call_command("assessment_facts", "--check", stdout=out)
    assert "assessment_cohortsum" in out.getvalue()
    out = StringIO()
    call_command("assessment_facts", "--sums", "--check", stdout=out)
    assert "running sums agree with the facts" in out.getvalue()
    assert _kept() == kept


def test_the_worker_folds_the_sums_every_minute():
    (job,) = [j for j in JOBS if j.name == "assessment_sums_compact"]
    assert job.every_seconds <= 60
    assert job.task == "hotline.assessment.tasks.assessment_sums_compact"
