"""Automated voice follow-up end to end, with a fake voice gateway standing in for the
telephony system: reply, call, key press, and the callback queue."""

from __future__ import annotations

import pytest
from django.db import transaction

from hotline.feedback.models import VoiceFollowUp
from hotline.feedback.voice import voice_follow_ups_start, voice_follow_ups_sweep
from hotline.notifications.gateways import Gateway, Message, PermanentError
from hotline.notifications.models import Outbox
from hotline.notifications.services import outbox_deliver_due
from hotline.tickets.models import TicketEvent
from tests.factories import ticket_in


class FakeVoiceGateway(Gateway):
    """Places no call: remembers the messages, as the telephony system would receive them."""

    name = "fake-voice"

    def __init__(self, fail: bool = False):
        self.calls: list[Message] = []
        self.fail = fail

    def send(self, message: Message) -> str:
        if self.fail:
            raise PermanentError("number does not exist")
        self.calls.append(message)
        return f"fake:{message.key}"


@pytest.fixture
def phone():
    return FakeVoiceGateway()


def deliver(gateway, *, later=False):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now() + (timedelta(hours=1) if later else timedelta(0))
    return outbox_deliver_due(now=now, gateways={"voice": gateway})


def result(api, message, call_id, *, answered=True, digit=None):
    body = {"call_id": call_id, "message_key": message.key, "answered": answered, "digit": digit}
    return api("integration").post("feedback/voice-results", body)


def follow_ups(number):
    return TicketEvent.objects.filter(ticket__number=number, action="follow_up").count()


def start_and_call(phone):
    with transaction.atomic():
        started = voice_follow_ups_start()
    deliver(phone)
    return started


def test_key_1_closes_as_satisfied_and_a_key_reported_twice_is_one_follow_up(api, phone):
    t = ticket_in("replied")
    assert start_and_call(phone) == 1
    assert start_and_call(phone) == 0  # one follow-up per reply
    (message,) = phone.calls
    assert message.channel == "voice" and message.recipient == "13800001111"
    assert t.number in message.text and "按1" in message.text
    row = Outbox.objects.get(idempotency_key=message.key)
    assert row.kind == "follow_up" and row.ticket_id == t.pk
    response = result(api, message, "call-1", digit="1")
    assert response.status_code == 200
    assert response.json() == {
        "call_id": "call-1",
        "ticket": t.number,
        "effect": "followed_up",
        "state": "done",
        "attempts": 1,
    }
    t.refresh_from_db()
    assert t.status == "closed" and t.satisfaction == "satisfied"
    event = TicketEvent.objects.get(ticket=t, action="follow_up")
    assert event.actor_name == "system" and event.data["satisfaction"] == "satisfied"
    # The same call id again: the same answer. Another call id with a key: a duplicate.
    assert result(api, message, "call-1", digit="1").json()["effect"] == "followed_up"
    assert result(api, message, "call-1b", digit="3").json()["effect"] == "duplicate"
    assert follow_ups(t.number) == 1
    t.refresh_from_db()
    assert t.status == "closed" and t.satisfaction == "satisfied"


@pytest.mark.parametrize(
    "digit, status, satisfaction",
    [("2", "closed", "basically_satisfied"), ("3", "under_review", "dissatisfied")],
)
def test_keys_2_and_3(api, phone, digit, status, satisfaction):
    t = ticket_in("replied")
    start_and_call(phone)
    assert result(api, phone.calls[0], f"c-{digit}", digit=digit).json()["effect"] == "followed_up"
    t.refresh_from_db()
    assert t.status == status and t.satisfaction == satisfaction


def test_three_unanswered_tries_put_the_ticket_in_the_callback_queue(api, phone):
    t = ticket_in("replied")
    start_and_call(phone)
    first = phone.calls[-1]
    assert result(api, first, "n-1", answered=False).json()["effect"] == "retry"
    deliver(phone)  # the retry waits: nothing due yet
    assert len(phone.calls) == 1
    deliver(phone, later=True)
    second = phone.calls[-1]
    assert second.key != first.key
    assert result(api, second, "n-2", answered=False).json()["effect"] == "retry"
    deliver(phone, later=True)
    third = phone.calls[-1]
    answer = result(api, third, "n-3", answered=False).json()
    assert answer["effect"] == "callback" and answer["attempts"] == 3
    assert len(phone.calls) == 3
    t.refresh_from_db()
    assert t.status == "replied" and follow_ups(t.number) == 0
    queue = api("callback").get("feedback/callback-queue").json()
    assert [item["number"] for item in queue["items"]] == [t.number]
    assert queue["items"][0]["reason"] == "no_answer" and queue["items"][0]["follow_up_due"]
    # A late answer of the first call changes nothing.
    assert result(api, first, "n-1-late", digit="1").json()["effect"] == "duplicate"
    # The callback agent follows up by hand; the ticket leaves the queue.
    assert api("callback").act(t.number, "follow_up", satisfaction="satisfied").status_code == 200
    assert api("callback").get("feedback/callback-queue").json()["count"] == 0


def test_an_unclear_key_goes_to_the_callback_queue_ordered_by_the_follow_up_deadline(api, phone):
    older = ticket_in("replied")
    newer = ticket_in("replied")
    start_and_call(phone)
    by_ticket = {m.ticket: m for m in phone.calls}
    assert result(api, by_ticket[newer.number], "u-1", digit="9").json()["effect"] == "callback"
    assert result(api, by_ticket[older.number], "u-2", digit=None).json()["effect"] == "callback"
    queue = api("callback").get("feedback/callback-queue").json()["items"]
    assert [item["number"] for item in queue] == [older.number, newer.number]
    assert {item["reason"] for item in queue} == {"unclear_key"}


def test_a_call_that_cannot_be_placed_goes_to_the_callback_queue(api):
    t = ticket_in("replied")
    broken = FakeVoiceGateway(fail=True)
    start_and_call(broken)
    assert voice_follow_ups_sweep() == 1
    assert VoiceFollowUp.objects.get(ticket=t).reason == "call_failed"
    assert api("callback").get("feedback/callback-queue").json()["count"] == 1


def test_no_phone_or_anonymous_is_not_called(phone):
    ticket_in("replied", citizen={"name": "匿名"})
    ticket_in("replied", citizen={"phone": "13800002222", "anonymous": True})
    assert start_and_call(phone) == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"message_key": "voice-follow-up:1:0:1", "answered": True}, "call_id"),
        ({"call_id": "x", "message_key": "sms:1", "answered": True}, "message_key"),
        ({"call_id": "x", "message_key": "voice-follow-up:1:0:1"}, "answered"),
        (
            {"call_id": "x", "message_key": "voice-follow-up:209901010001:0:1", "answered": True},
            "message_key",
        ),
    ],
)
def test_bad_results_name_the_field(api, body, field):
    response = api("integration").post("feedback/voice-results", body)
    assert response.status_code == 400 and response.json()["field"] == field


def test_who_may_post_results_and_read_the_queue(api, phone):
    ticket_in("replied")
    start_and_call(phone)
    body = {"call_id": "w-1", "message_key": phone.calls[0].key, "answered": True, "digit": "1"}
    for username in ("agent", "callback", "evaluator"):
        assert api(username).post("feedback/voice-results", body).status_code == 403
    assert api("jiangan-handler").get("feedback/callback-queue").status_code == 403
    assert api("supervisor").get("feedback/callback-queue").status_code == 200
