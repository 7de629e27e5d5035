"""The repeat detector's stored verdicts (``repeats_check``): the same definition as the
ticket's "possible repeats", taken once per ticket, only ever naming an earlier ticket."""

from __future__ import annotations

from datetime import timedelta

from hotline.insight.models import RepeatCheck
from hotline.insight.services import repeats_check
from hotline.tickets.models import Ticket
from tests.factories import register

PHONE = {"name": "王女士", "phone": "13900007777"}


def two_water_calls():
    first = register(
        title="小区停水", content="大智路小区停水三天了", address="江岸区大智路", citizen=PHONE
    )
    second = register(title="", content="家里又没水了，到底什么时候来水", citizen=PHONE)
    Ticket.objects.filter(pk=first.pk).update(
        registered_at=second.registered_at - timedelta(minutes=1)
    )
    return first, second


def test_the_second_call_is_a_repeat_of_the_first_and_each_is_checked_once(api):
    first, second = two_water_calls()
    other = register(
        title="小区停水", content="大智路小区停水三天了", citizen={"phone": "13700001234"}
    )
    no_phone = register(title="小区停水", content="大智路小区停水三天了", citizen={})
    assert repeats_check() == 4
    verdicts = {c.ticket_id: c for c in RepeatCheck.objects.all()}
    assert verdicts[second.pk].repeat_of_id == first.pk
    assert "same issue" in verdicts[second.pk].reasons
    # The first call repeats nothing earlier, though the detector lists the second beside it.
    assert verdicts[first.pk].repeat_of_id is None
    assert verdicts[other.pk].repeat_of_id is None  # another citizen: a duplicate, not a repeat
    assert verdicts[no_phone.pk].repeat_of_id is None
    # The page's list says the same.
    items = api("dispatcher").get(f"tickets/{second.number}/similar").json()["items"]
    assert any(i["number"] == first.number and i["kind"] == "repeat" for i in items)
    assert repeats_check() == 0  # nothing twice


def test_a_repeat_older_than_a_year_is_not_one():
    first, second = two_water_calls()
    Ticket.objects.filter(pk=first.pk).update(
        registered_at=second.registered_at - timedelta(days=366)
    )
    repeats_check()
    assert RepeatCheck.objects.get(ticket=second).repeat_of_id is None


def test_the_newest_tickets_are_checked_first():
    first, second = two_water_calls()
    assert repeats_check(limit=1) == 1
    assert list(RepeatCheck.objects.values_list("ticket_id", flat=True)) == [second.pk]
