"""The assessment's ``repeats`` are the repeat detector's verdicts (hotline.insight): a unit's
count and its drill-down follow the ticket's "possible repeats"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.assessment import selectors
from hotline.insight.services import repeats_check
from hotline.orgs.models import Unit
from hotline.tickets import services
from tests.factories import act, register

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"name": "王女士", "phone": "13900007777"}


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_the_units_repeats_are_the_detectors_verdicts(api):
    with services.acting_at(at(2026, 3, 2, 9, 0)):
        first = register(title="小区停水", content="汉阳区钟家村小区停水三天了", citizen=PHONE)
        act("dispatcher", first.number, "dispatch", unit="hanyang")
    with services.acting_at(at(2026, 3, 2, 9, 1)):
        second = register(title="", content="家里又没水了，到底什么时候来水", citizen=PHONE)
        act("dispatcher", second.number, "dispatch", unit="hanyang")
    with services.acting_at(at(2026, 3, 3, 9, 0)):
        other = register(title="小区停水", content="汉阳区钟家村小区停水三天了")
        act("dispatcher", other.number, "dispatch", unit="hanyang")
    period = selectors.month_period("2026-03", datetime.now(SH))
    scope = selectors.Scope(Unit.objects.get(code="hanyang"))
    assert selectors.unit_counts(scope, period)["repeats"] == 0  # no verdict taken yet
    repeats_check()
    assert selectors.unit_counts(scope, period)["repeats"] == 1
    listed = selectors.metric_tickets(scope, period, "repeats")
    assert [t.number for t in listed] == [second.number]
    response = api("supervisor").get("assessment/2026-03/units/hanyang/tickets?metric=repeats")
    assert [i["number"] for i in response.json()["items"]] == [second.number]
    similar = api("dispatcher").get(f"tickets/{second.number}/similar").json()["items"]
    assert [i["number"] for i in similar if i["kind"] == "repeat"] == [first.number]
