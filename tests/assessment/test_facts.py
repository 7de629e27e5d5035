"""The per-ticket facts (hotline/assessment/facts.py): with the cut-off now, the counts read from
the facts are exactly the counts computed from the events (setcounts' event path), for every
unit of the tree, the trend's months, the dashboard's cohort groups and every drill-down list;
the facts follow every kind of change, in the change's transaction; a rebuild writes the rows
the changes wrote; a move in the unit tree stops their use until a rebuild."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from october import MONTH

from hotline.accounts.models import User
from hotline.assessment import facts, formulas, selectors, setcounts
from hotline.assessment.models import FactsState, TicketFact, UnitFact
from hotline.feedback.models import CheckItem, SpotSample
from hotline.feedback.spotchecks import spot_check_draw, spot_scores_record
from hotline.insight.services import repeats_check
from hotline.orgs.models import Unit
from hotline.supervision.services import accountability_record
from hotline.supervision.warnings import warnings_scan
from hotline.tickets import extensions, services
from tests.factories import act, register


def events_only():
    """The event path, whatever the cut-off."""
    return mock.patch.object(setcounts, "facts_usable", return_value=False)


def both_paths(period, units=None):
    units = units or list(Unit.objects.order_by("path"))
    ids = [u.pk for u in units]
    rules = selectors.rules_for(period)
    assert setcounts.facts_usable(period)
    from_facts = setcounts.counts_of(ids, period, rules)
    with events_only():
        from_events = setcounts.counts_of(ids, period, rules)
    return from_facts, from_events


def assert_same(months=(MONTH,)):
    """Fact counts == event counts for every unit, for each month, at cut-off now."""
    now = timezone.now()
    totals = {}
    for month in months:
        period = selectors.month_period(month, now)
        (counts, days), (expected, expected_days) = both_paths(period)
        for pk in counts:
            assert counts[pk] == expected[pk], (month, pk)
        assert days == expected_days, month
        root = min(counts, key=lambda pk: Unit.objects.get(pk=pk).path)
        totals[month] = counts[root]
    return totals


def test_the_facts_give_the_event_paths_counts_for_every_unit(october):
    period = selectors.month_period(MONTH, timezone.now())
    (counts, days), (expected, expected_days) = both_paths(period)
    assert counts == expected and days == expected_days
    assert sum(c["received"] for c in counts.values()) > 0
    assert sum(bool(c["received"]) for c in counts.values()) >= 6
    assert any(d is not None for d in days.values())


def test_the_trend_and_the_cohort_groups_from_the_facts(october):
    now = timezone.now()
    periods = [selectors.month_period(m, now) for m in ("2026-09", "2026-10", "2026-11")]
    rules = selectors.rules_for(periods[-1])
    for code in ("wuhan", "jiangan", "jiangan-03", "housing", "water"):
        unit = Unit.objects.get(code=code)
        monthly = setcounts.monthly_counts(unit.pk, periods, rules)
        groups = setcounts.cohort_groups(unit.pk, periods[1])
        with events_only():
            assert monthly == setcounts.monthly_counts(unit.pk, periods, rules), code
            assert groups == setcounts.cohort_groups(unit.pk, periods[1]), code
    wuhan = Unit.objects.get(code="wuhan").pk
    groups = setcounts.cohort_groups(wuhan, periods[1])
    received = sum(n for *_k, n in groups.by_day_channel)
    assert received > 0
    assert sum(n for _k, n in groups.by_kind) == sum(n for _c, n in groups.by_category) == received


def test_every_drill_down_from_the_facts_lists_the_event_paths_tickets(october):
    period = selectors.month_period(MONTH, timezone.now())
    rules = selectors.rules_for(period)
    rows = selectors.set_rows(list(Unit.objects.order_by("path")), period, rules)
    listed = 0
    for row in rows:
        if not row["received"]:
            continue
        scope = selectors.Scope(Unit.objects.get(code=row["unit"]))
        for metric in formulas.METRICS:
            got = set(
                selectors.metric_tickets(scope, period, metric, rules).values_list("pk", flat=True)
            )
            with events_only():
                want = set(
                    selectors.metric_tickets(scope, period, metric, rules).values_list(
                        "pk", flat=True
                    )
                )
            assert got == want, (row["unit"], metric)
            assert len(got) == row[metric], (row["unit"], metric)
            listed += len(got)
    assert listed > 50


def _now_month() -> str:
    return timezone.localtime().strftime("%Y-%m")


def _spot_fail_october():
    """Draw the October week of the 12th and score every case sample at 30 %."""
    supervisor = User.objects.get(username="supervisor")
    spot_check_draw(actor=supervisor, day=date(2026, 10, 12), seed=3, tickets_per_unit=5)
    items = CheckItem.objects.filter(kind=CheckItem.CASE, active=True)
    samples = SpotSample.objects.filter(kind=CheckItem.CASE, week=date(2026, 10, 12))
    assert samples.exists()
    for sample in samples:
        spot_scores_record(
            actor=supervisor,
            sample_id=sample.pk,
            scores=[{"item": i.pk, "points": round(i.max_points * 0.3)} for i in items],
        )


def test_the_facts_follow_every_change(october):
    months = (MONTH, _now_month())
    before = assert_same(months)
    three_days_ago = timezone.now() - timedelta(days=3)
    with services.acting_at(three_days_ago):
        fresh = register(title="路面塌陷")
        act("dispatcher", fresh.number, "dispatch", unit="jiangan")
        act("jiangan-dispatcher", fresh.number, "forward", unit="jiangan-01")
    assert assert_same(months)[months[1]]["received"] == before[months[1]]["received"] + 1
    warnings_scan()  # the accept clock ran out: a red warning for jiangan-01
    assert_same(months)
    act("jiangan-01-handler", fresh.number, "accept")
    act("jiangan-01-handler", fresh.number, "reply", text="已处理", outcome="resolved")
    assert assert_same(months)[months[1]]["replied"] == before[months[1]]["replied"] + 1
    act("supervisor", october["T13"], "supervise", note="请加快办理")
    assert assert_same(months)[MONTH]["supervision_orders"] == 2
    accountability_record(
        actor=User.objects.get(username="supervisor"),
        data={"ticket": october["T10"], "unit": "jiangan", "reason": "不满意", "measure": "talk"},
    )
    assert assert_same(months)[MONTH]["accountabilities"] == 2
    _spot_fail_october()
    assert assert_same(months)[MONTH]["spot_checks_failed"] > 0
    citizen = {"name": "市民", "phone": "13812345678"}
    with services.acting_at(three_days_ago):
        again = register(title="小区路面塌陷", citizen=citizen)
        act("dispatcher", again.number, "dispatch", unit="housing")
    with services.acting_at(three_days_ago + timedelta(hours=1)):
        repeat = register(title="小区路面塌陷", citizen=citizen)
        act("dispatcher", repeat.number, "dispatch", unit="housing")
    repeats_check()
    assert assert_same(months)[months[1]]["repeats"] >= 1
    act("dispatcher", repeat.number, "merge", into=again.number)
    assert TicketFact.objects.get(ticket_id=repeat.pk).merged
    assert_same(months)
    act("housing-handler", again.number, "send_back", reason="不属于本单位职责")
    act("dispatcher", again.number, "dispatch", unit="water")
    assert UnitFact.objects.get(fact_id=again.pk, unit__code="housing").sb_valid
    assert_same(months)


def test_a_failed_change_leaves_the_facts_as_they_were(october):
    number = october["T13"]
    fact = TicketFact.objects.get(ticket__number=number)
    assert not fact.replied

    def boom(ids):
        raise RuntimeError("after the facts")

    extensions.CHANGED.append(boom)
    try:
        with pytest.raises(RuntimeError):
            act("housing-handler", number, "reply", text="已处理", outcome="resolved")
    finally:
        extensions.CHANGED.remove(boom)
    assert not TicketFact.objects.get(ticket__number=number).replied
    assert_same()


def _rows():
    ticket_rows = sorted(TicketFact.objects.values_list(*_fields(TicketFact)), key=str)
    unit_rows = sorted(
        UnitFact.objects.values_list(*(f for f in _fields(UnitFact) if f != "id")), key=str
    )
    return ticket_rows, unit_rows


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def test_a_rebuild_writes_what_the_changes_wrote(october):
    incremental = _rows()
    assert len(incremental[0]) >= 17 and len(incremental[1]) > len(incremental[0])
    TicketFact.objects.all().delete()
    out = StringIO()
    call_command("assessment_facts", "--rebuild", "--batch", "7", stdout=out)
    assert _rows() == incremental
    lines = out.getvalue().strip().splitlines()
    assert len(lines) > 3 and lines[0].startswith("tickets ")
    assert lines[-1] == f"ready=True tickets={len(incremental[0])} units={len(incremental[1])}"
    assert FactsState.objects.get(pk=1).ready


def test_a_move_in_the_unit_tree_stops_the_facts_until_a_rebuild(october):
    period = selectors.month_period(MONTH, timezone.now())
    assert setcounts.facts_usable(period)
    street = Unit.objects.get(code="jiangan-03")
    street.parent = Unit.objects.get(code="jiangan-01")
    street.save()
    assert not setcounts.facts_usable(period)
    facts.facts_rebuild()
    (counts, days), (expected, expected_days) = both_paths(period)
    assert counts == expected and days == expected_days
    jiangan01 = Unit.objects.get(code="jiangan-01").pk
    assert counts[jiangan01]["received"] >= 2  # its own and jiangan-03's now


def test_a_past_cut_off_reads_the_events(october):
    early = selectors.month_period(MONTH, datetime.fromisoformat("2026-11-20T00:00:00+08:00"))
    assert not setcounts.facts_usable(early)
    FactsState.objects.filter(pk=1).update(ready=False)
    assert not setcounts.facts_usable(selectors.month_period(MONTH, timezone.now()))
