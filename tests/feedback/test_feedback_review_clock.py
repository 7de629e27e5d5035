"""The review clock of a dissatisfied ticket: started by the follow-up that sends it to review,
stopped by the verdict, warned yellow and red exactly once through the warning scanner, by SMS
to the assigned evaluator (and, red or unassigned, the evaluators' coordinators), naming the
ticket's number and never the complainant."""

from __future__ import annotations

import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import Evaluator, ReviewAssignment
from hotline.feedback.reviews import reviews_assign
from hotline.notifications.models import Outbox
from hotline.notifications.templates import render
from hotline.supervision.warnings import warnings_scan
from hotline.tickets import services
from hotline.tickets.models import Clock, TicketEvent
from tests.factories import JUDGEMENTS, EvaluatorFactory, ReviewAssignmentFactory, act, register

SH = ZoneInfo("Asia/Shanghai")
COMPLAINANT = {"name": "欧阳娜娜", "phone": "13912345678"}


def at(*args):
    return datetime(*args, tzinfo=SH)


def evaluator(name, phone, *, coordinator=False):
    return EvaluatorFactory(user__username=name, user__phone=phone, coordinator=coordinator)


def dissatisfied_on_monday():
    """Followed up dissatisfied on Monday 2026-03-02 10:00: the review clock (5 working days)
    turns yellow on Friday 03-06 10:00 and red on Monday 03-09 10:00."""
    with services.acting_at(at(2026, 3, 2, 9, 0)):
        t = register(title="欧阳娜娜家门口漏水", citizen=COMPLAINANT)
        act("dispatcher", t.number, "dispatch", unit="hanyang")
        act("hanyang-handler", t.number, "accept")
        act("hanyang-handler", t.number, "reply", text="已处理", outcome="resolved")
    with services.acting_at(at(2026, 3, 2, 10, 0)):
        t = act("callback", t.number, "follow_up", satisfaction="dissatisfied")
    return t


def review_rows(ticket):
    return sorted(
        Outbox.objects.filter(ticket=ticket, kind__startswith="review").values_list(
            "kind", "recipient"
        )
    )


def test_the_dissatisfied_follow_up_starts_the_review_clock_and_the_assignment_follows_it():
    t = dissatisfied_on_monday()
    clock = Clock.objects.get(ticket=t, kind="review")
    assert clock.started_at == at(2026, 3, 2, 10, 0) and clock.unit is None
    assert clock.due_at == at(2026, 3, 9, 10, 0)
    assert at(2026, 3, 2, 10, 0) < clock.yellow_at < clock.due_at
    event = TicketEvent.objects.filter(ticket=t, action="follow_up").get()
    assert datetime.fromisoformat(event.data["review_due_at"]) == clock.due_at
    evaluator("ev-a", "13700000001")
    reviews_assign(actor=SYSTEM, seed=3, now=at(2026, 3, 3, 9, 0))
    row = ReviewAssignment.objects.get(ticket=t)
    assert (row.yellow_at, row.due_at) == (clock.yellow_at, clock.due_at)


def test_yellow_to_the_evaluator_red_also_to_the_coordinator_each_written_once():
    t = dissatisfied_on_monday()
    evaluator("ev-a", "13700000001")
    evaluator("ev-lead", "13700000009", coordinator=True)
    # ev-lead is a coordinator who also reviews: seed the draw so that ev-a gets the ticket.
    ReviewAssignmentFactory(
        ticket=t,
        evaluator=Evaluator.objects.get(user__username="ev-a"),
        assigned_at=at(2026, 3, 2, 11, 0),
    )
    clock = Clock.objects.get(ticket=t, kind="review")
    before_yellow = at(2026, 3, 6, 9, 0)
    assert clock.yellow_at > before_yellow
    assert warnings_scan(now=before_yellow) == 0

    after_yellow = at(2026, 3, 6, 11, 0)
    assert warnings_scan(now=after_yellow) == 1
    assert warnings_scan(now=after_yellow) == 0  # the scanner again: nothing twice
    assert review_rows(t) == [("review_yellow", "13700000001")]

    after_red = at(2026, 3, 9, 11, 0)
    assert warnings_scan(now=after_red) == 1
    assert warnings_scan(now=after_red) == 0
    assert review_rows(t) == [
        ("review_overdue", "13700000009"),
        ("review_red", "13700000001"),
        ("review_yellow", "13700000001"),
    ]
    warns = TicketEvent.objects.filter(ticket=t, action="warn").order_by("seq")
    assert [(e.data["clock"], e.data["warning"], e.data["unit"]) for e in warns] == [
        ("review", "yellow", None),
        ("review", "red", None),
    ]
    clock.refresh_from_db()
    assert clock.yellow_warned_at == after_yellow and clock.red_warned_at == after_red


def test_the_sms_names_the_ticket_number_never_the_complainant():
    t = dissatisfied_on_monday()
    evaluator("ev-a", "13700000001")
    evaluator("ev-lead", "13700000009", coordinator=True)
    ReviewAssignmentFactory(
        ticket=t,
        evaluator=Evaluator.objects.get(user__username="ev-a"),
        assigned_at=at(2026, 3, 2, 11, 0),
    )
    warnings_scan(now=at(2026, 3, 6, 11, 0))
    warnings_scan(now=at(2026, 3, 9, 11, 0))
    rows = list(Outbox.objects.filter(ticket=t, kind__startswith="review"))
    assert len(rows) == 3
    for row in rows:
        text = render(row.template, row.params)
        assert t.number in text and "评价时限" in text
        for secret in ("欧阳", "娜娜", "13912345678", "漏水"):
            assert secret not in text and secret not in str(row.params)
    assert "2026-03-09 10:00" in render("review_red", rows[0].params)


def test_unassigned_yellow_goes_to_the_coordinators_and_a_missing_one_shows():
    t = dissatisfied_on_monday()
    assert warnings_scan(now=at(2026, 3, 6, 11, 0)) == 1
    # Nobody on the roster: a row without a recipient, and the event says who was missing.
    assert review_rows(t) == [("review_unassigned", "")]
    warn = TicketEvent.objects.get(ticket=t, action="warn")
    assert warn.data["missing_phone"] == ["评价员协调人"] and warn.data["notified"] == []

    other = dissatisfied_on_monday()
    evaluator("ev-lead", "13700000009", coordinator=True)
    evaluator("ev-lead-2", "13700000008", coordinator=True)
    assert warnings_scan(now=at(2026, 3, 6, 11, 0)) == 1
    assert review_rows(other) == [
        ("review_unassigned", "13700000008"),
        ("review_unassigned", "13700000009"),
    ]


def test_the_verdict_stops_the_review_clock_and_nothing_warns_after_it():
    t = dissatisfied_on_monday()
    evaluator("ev-lead", "13700000009", coordinator=True)
    with services.acting_at(at(2026, 3, 4, 15, 0)):
        act(
            "evaluator",
            t.number,
            "review",
            verdict="redo",
            note="未到现场",
            judgements=copy.deepcopy(JUDGEMENTS),
            days=5,
        )
    clock = Clock.objects.get(ticket=t, kind="review")
    assert clock.stopped_at == at(2026, 3, 4, 15, 0)
    assert clock.stop_reason == "reviewed" and clock.met is True
    warnings_scan(now=at(2026, 3, 9, 11, 0))  # the redo's handling clock may warn, not review
    assert review_rows(t) == []
    assert not TicketEvent.objects.filter(ticket=t, action="warn", data__clock="review").exists()


def test_a_second_dissatisfied_follow_up_after_a_redo_starts_a_new_review_clock():
    t = dissatisfied_on_monday()
    with services.acting_at(at(2026, 3, 3, 9, 0)):
        act(
            "evaluator",
            t.number,
            "review",
            verdict="redo",
            note="未到现场",
            judgements=copy.deepcopy(JUDGEMENTS),
        )
        act("hanyang-handler", t.number, "reply", text="已重新处理", outcome="resolved")
        act("callback", t.number, "follow_up", satisfaction="dissatisfied")
    kinds = list(
        Clock.objects.filter(ticket=t, kind="review")
        .order_by("started_at")
        .values_list("stopped_at", flat=True)
    )
    assert len(kinds) == 2 and kinds[0] is not None and kinds[1] is None
