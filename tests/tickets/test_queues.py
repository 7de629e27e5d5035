"""The work queues of the console's home (hotline/tickets/queues.py): each scoped as the
transition table scopes the role, ordered by its clock; the caller's history by phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.core.errors import Forbidden, NotFound
from hotline.insight.selectors import similar_for
from hotline.insight.similar import PLACE_WINDOW
from hotline.orgs.models import Category, Region
from hotline.tickets import queues
from hotline.tickets.models import Clock, Ticket
from tests.factories import act, register, ticket_in

pytestmark = pytest.mark.django_db


def numbers(username: str, role: Role, key: str) -> list[str]:
    user = User.objects.get(username=username)
    return [t.number for t in queues.queue_tickets(user, role, key)]


D, H, S = Role.DISPATCHER, Role.HANDLER, Role.SUB_DISPATCHER


def test_a_district_centre_dispatcher_sees_only_its_centre_tickets():
    own = register("jianghan-centre-agent", title="江汉自办")
    city = register("agent", title="市级来电")
    other = register("wuchang-centre-agent", title="武昌自办")
    district = numbers("jianghan-centre-dispatcher", D, "to_dispatch")
    assert own.number in district and city.number not in district and other.number not in district
    city_queue = numbers("dispatcher", D, "to_dispatch")
    # The city's dispatcher works the city centre's tickets; a district's own are the district's.
    assert city.number in city_queue and own.number not in city_queue


def test_a_handler_sees_only_what_their_unit_holds():
    to_jiangan = ticket_in("dispatched")
    to_hanyang = act("dispatcher", register().number, "dispatch", unit="hanyang")
    assert numbers("jiangan-handler", H, "to_accept") == [to_jiangan.number]
    assert numbers("hanyang-handler", H, "to_accept") == [to_hanyang.number]
    # Forwarded down: the street accepts it, the district no longer can.
    act("jiangan-dispatcher", to_jiangan.number, "forward", unit="jiangan-01")
    assert numbers("jiangan-handler", H, "to_accept") == []
    assert numbers("jiangan-01-handler", H, "to_accept") == [to_jiangan.number]
    # The district's sub-dispatcher follows it below.
    assert to_jiangan.number in numbers("jiangan-dispatcher", S, "below_to_accept")
    assert to_jiangan.number not in numbers("jiangan-dispatcher", S, "to_forward")


def test_handler_queues_follow_the_states():
    accepted = ticket_in("in_progress")
    replied = ticket_in("replied")
    assert numbers("jiangan-handler", H, "in_progress") == [accepted.number]
    assert numbers("jiangan-handler", H, "replied") == [replied.number]
    assert numbers("jiangan-dispatcher", S, "to_forward") == []
    waiting = ticket_in("dispatched")
    assert numbers("jiangan-dispatcher", S, "to_forward") == [waiting.number]


def test_sent_back_passed_up_and_extensions_wait_for_the_dispatcher():
    fresh = register()
    sent_back = ticket_in("registered", seen_by_jiangan=True)
    assert numbers("dispatcher", D, "to_dispatch") == [fresh.number]
    assert numbers("dispatcher", D, "sent_back") == [sent_back.number]
    passed = register("jianghan-centre-agent")
    act("jianghan-centre-dispatcher", passed.number, "pass_up", reason="不属本区")
    assert numbers("dispatcher", D, "passed_up") == [passed.number]
    assert passed.number not in numbers("jianghan-centre-dispatcher", D, "to_dispatch")
    asking = ticket_in("in_progress")
    assert numbers("dispatcher", D, "extensions") == []
    act("jiangan-handler", asking.number, "request_extension", days=3, reason="需协调")
    assert numbers("dispatcher", D, "extensions") == [asking.number]


def test_possible_duplicates_by_the_callers_phone():
    first = register(citizen={"name": "王", "phone": "13911112222"})
    second = register(citizen={"name": "王", "phone": "13911112222"})
    alone = register(citizen={"name": "李", "phone": "13933334444"})
    found = numbers("dispatcher", D, "duplicates")
    assert first.number in found and second.number in found and alone.number not in found
    act("dispatcher", second.number, "merge", into=first.number)
    assert numbers("dispatcher", D, "duplicates") == []


def _leaf_and_street():
    leaf = Category.objects.filter(level=3, active=True).order_by("pk").first()
    street = Region.objects.get(code="jiangan-01")
    assert street.level == "street"
    return leaf, street


def test_possible_duplicates_by_place_and_leaf_from_other_citizens():
    """Issue 16: other citizens on the same leaf at the same place (a street or finer) within
    the place window are candidate duplicates, whatever their wording."""
    leaf, street = _leaf_and_street()
    other_leaf = Category.objects.filter(level=3, active=True).exclude(pk=leaf.pk).first()
    here = {"region": street.code, "category": leaf.code}
    first = register(
        title="路灯不亮",
        content="门口的路灯坏了好几天",
        citizen={"name": "甲", "phone": "13800000001"},
        **here,
    )
    second = register(
        title="夜里没有照明",
        content="晚上整条路一片漆黑，行人看不清",
        citizen={"name": "乙", "phone": "13800000002"},
        **here,
    )
    other_issue = register(
        title="路灯不亮",
        citizen={"name": "丙", "phone": "13800000003"},
        region=street.code,
        category=other_leaf.code,
    )
    whole_district = register(
        title="路灯不亮",
        citizen={"name": "丁", "phone": "13800000004"},
        region="jiangan",
        category=leaf.code,
    )
    also_district = register(
        title="路灯不亮",
        citizen={"name": "戊", "phone": "13800000005"},
        region="jiangan",
        category=leaf.code,
    )
    found = numbers("dispatcher", D, "duplicates")
    assert first.number in found and second.number in found
    # Another leaf at the same street, or only the same district: not the same event.
    assert other_issue.number not in found
    assert whole_district.number not in found and also_district.number not in found
    # The count on the tab agrees with the list.
    user = User.objects.get(username="dispatcher")
    assert queues.queue_counts(user, D)["duplicates"] == len(found) == 2
    # Both show on the ticket: its similar tickets name the other as the same event.
    similar = {t.number: m for m, t in similar_for(user, first.number)}
    assert similar[second.number].kind == "duplicate"
    assert "same place" in similar[second.number].reasons


def test_place_duplicates_need_the_other_ticket_open_and_near_in_time():
    leaf, street = _leaf_and_street()
    here = {"region": street.code, "category": leaf.code}
    first = register(title="路灯不亮", citizen={"name": "甲", "phone": "13800000001"}, **here)
    second = register(title="夜里没有照明", citizen={"name": "乙", "phone": "13800000002"}, **here)
    # A week and a day earlier: outside the place window.
    Ticket.objects.filter(pk=first.pk).update(
        registered_at=timezone.now() - PLACE_WINDOW - timedelta(days=1)
    )
    assert numbers("dispatcher", D, "duplicates") == []
    Ticket.objects.filter(pk=first.pk).update(registered_at=timezone.now())
    assert set(numbers("dispatcher", D, "duplicates")) == {first.number, second.number}
    # Merged into the first: the second is no longer open, and the first has no partner left.
    act("dispatcher", second.number, "merge", into=first.number)
    assert numbers("dispatcher", D, "duplicates") == []


def test_queues_are_ordered_by_their_clock():
    normal = register(title="一般")
    emergency = register(title="特急", urgency="emergency")  # 30 minutes to dispatch
    later = register(title="后登记")
    # Pretend the last one came in long ago: its dispatch deadline is the earliest.
    Clock.objects.filter(ticket=later, kind="dispatch").update(
        due_at=timezone.now() - timedelta(days=3)
    )
    assert numbers("dispatcher", D, "to_dispatch") == [
        later.number,
        emergency.number,
        normal.number,
    ]


def test_wrong_role_and_unknown_queue():
    handler = User.objects.get(username="jiangan-handler")
    with pytest.raises(Forbidden):
        queues.queue_tickets(handler, D, "to_dispatch")
    with pytest.raises(Forbidden):
        queues.queue_counts(handler, D)
    with pytest.raises(NotFound):
        queues.queue_tickets(handler, H, "to_dispatch")


def test_counts_match_the_lists():
    ticket_in("dispatched")
    ticket_in("in_progress")
    user = User.objects.get(username="jiangan-handler")
    counts = queues.queue_counts(user, H)
    assert counts == {"to_accept": 1, "in_progress": 1, "replied": 0}


def test_caller_history_is_for_the_centre_only():
    earlier = register(citizen={"name": "赵", "phone": "13955556666"})
    agent = User.objects.get(username="agent")
    assert [t.number for t in queues.caller_history(agent, "139-5555-6666")] == [earlier.number]
    assert [t.number for t in queues.caller_history(agent, "+86 139 5555 6666")] == [earlier.number]
    assert queues.caller_history(agent, "12") == []
    with pytest.raises(Forbidden):
        queues.caller_history(User.objects.get(username="jiangan-handler"), "13955556666")
    # A district agent finds only what the district may see.
    district = User.objects.get(username="jianghan-centre-agent")
    assert queues.caller_history(district, "13955556666") == []


@translation.override("zh-hans")
def test_time_left_label():
    now = timezone.now()
    assert queues.time_left_label(queues.clock_time_left(now, None, "working_days")) == ""
    late = queues.clock_time_left(now, now - timedelta(days=10), "working_days")
    assert queues.time_left_label(late).startswith("超期") and late.late
    assert queues.time_left_label(queues.clock_time_left(now, now, "working_days")) == "已到期"
    soon = queues.clock_time_left(now, now + timedelta(minutes=20), "minutes")
    assert (
        queues.time_left_label(soon) == "剩余 20 分钟"
        or queues.time_left_label(soon) == "剩余 19 分钟"
    )
