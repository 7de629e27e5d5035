"""Warnings: yellow and red at their moments, to the right people, each exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.core.models import PeriodicRun
from hotline.core.scheduler import Job, scheduler_tick
from hotline.notifications.models import Outbox
from hotline.orgs.models import Unit
from hotline.supervision.warnings import warnings_due, warnings_scan
from hotline.tickets import services
from hotline.tickets.models import TicketEvent
from tests.factories import act, register

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def dispatched_to_hanyang():
    """Registered Monday 2026-03-02 09:00, dispatched 10:00 (accept due Tue 10:00, handling due Mon 03-09 10:00)."""
    with services.acting_at(at(2026, 3, 2, 9, 0)):
        t = register()
    with services.acting_at(at(2026, 3, 2, 10, 0)):
        act("dispatcher", t.number, "dispatch", unit="hanyang")
    return t


def notices(ticket):
    return sorted(
        Outbox.objects.filter(ticket=ticket)
        .exclude(kind="acknowledgement")
        .values_list("kind", "recipient")
    )


def test_yellow_then_red_each_once_to_the_right_leaders():
    t = dispatched_to_hanyang()
    hanyang = Unit.objects.get(code="hanyang")
    # Tuesday 08:00: the accept clock (due 10:00, yellow at 80 %) is yellow.
    assert warnings_scan(now=at(2026, 3, 3, 8, 0)) == 1
    assert notices(t) == sorted(
        [("yellow", hanyang.deputy_leader_phone), ("accept_reminder", hanyang.contact_phone)]
    )
    assert warnings_scan(now=at(2026, 3, 3, 8, 30)) == 0  # nothing twice
    # Tuesday 11:00: accept is overdue: red to the principal leader.
    assert warnings_scan(now=at(2026, 3, 3, 11, 0)) == 1
    assert ("red", hanyang.principal_leader_phone) in notices(t)
    assert warnings_scan(now=at(2026, 3, 3, 12, 0)) == 0
    warns = list(TicketEvent.objects.filter(ticket=t, action="warn").order_by("seq"))
    assert [(e.actor_name, e.data["clock"], e.data["warning"]) for e in warns] == [
        ("system", "accept", "yellow"),
        ("system", "accept", "red"),
    ]


def test_handling_clock_yellow_sends_a_voice_reminder():
    t = dispatched_to_hanyang()
    with services.acting_at(at(2026, 3, 2, 11, 0)):
        act("hanyang-handler", t.number, "accept")
    warnings_scan(now=at(2026, 3, 6, 11, 0))  # 4th working day passed: handling yellow
    kinds = [k for k, _ in notices(t)]
    assert (
        "voice_reminder" in kinds
        and Outbox.objects.get(ticket=t, kind="voice_reminder").channel == "voice"
    )


def test_a_stopped_clock_is_not_warned():
    t = dispatched_to_hanyang()
    with services.acting_at(at(2026, 3, 2, 11, 0)):
        act("hanyang-handler", t.number, "accept")
        act("hanyang-handler", t.number, "reply", text="已处理", outcome="resolved")
    assert all(level == "yellow" or True for _, level in warnings_due(at(2026, 3, 20, 9, 0)))
    warnings_scan(now=at(2026, 3, 20, 9, 0))
    # Only the follow-up clock (the centre's) can still warn; the unit's clocks stopped.
    assert {e.data["clock"] for e in TicketEvent.objects.filter(ticket=t, action="warn")} <= {
        "follow_up"
    }


def test_a_leader_without_a_phone_is_logged_and_others_still_go(caplog):
    t = dispatched_to_hanyang()
    Unit.objects.filter(code="hanyang").update(deputy_leader_phone="")
    warnings_scan(now=at(2026, 3, 3, 8, 0))
    assert [k for k, _ in notices(t) if _] == ["accept_reminder"]
    from hotline.notifications.services import outbox_deliver_due

    outbox_deliver_due(now=at(2026, 3, 3, 8, 1))
    failed = Outbox.objects.get(ticket=t, kind="yellow")
    assert (
        failed.recipient == "" and failed.status == "failed" and "no recipient" in failed.last_error
    )
    assert Outbox.objects.get(ticket=t, kind="accept_reminder").status == "sent"
    event = TicketEvent.objects.get(ticket=t, action="warn")
    assert event.data["missing_phone"] == ["汉阳区人民政府 分管领导"]
    assert "has no phone" in caplog.text


def test_an_overdue_clock_gets_red_only():
    t = dispatched_to_hanyang()
    warnings_scan(now=at(2026, 3, 4, 9, 0))
    assert [k for k, _ in notices(t) if k in ("yellow", "red")] == ["red"]


def test_the_scheduler_fires_each_job_once_per_period():
    fired = []
    job = Job("probe", 60, "unused")
    now = at(2026, 3, 2, 9, 0, 30)
    assert scheduler_tick(now=now, jobs=(job,), enqueue=fired.append) == ["probe"]
    # A second scheduler in the same minute does nothing; the next minute fires again.
    assert scheduler_tick(now=now + timedelta(seconds=20), jobs=(job,), enqueue=fired.append) == []
    assert scheduler_tick(now=now + timedelta(seconds=40), jobs=(job,), enqueue=fired.append) == [
        "probe"
    ]
    assert len(fired) == 2 and PeriodicRun.objects.filter(job="probe").count() == 2


def test_a_backlog_is_sent_earliest_moment_first_and_a_skipped_yellow_is_said():
    late = (
        dispatched_to_hanyang()
    )  # accept yellow Tue 03-03 05:48 (80 % of a working day), red 10:00
    from hotline.supervision.warnings import warnings_due

    # At Tuesday 09:00 the accept clock is yellow; limit 1 must still pick it although nothing is red.
    assert warnings_due(at(2026, 3, 3, 9, 0), limit=1)[0][1] == "yellow"
    # Nobody scanned until Wednesday: only red goes, and the event says the yellow was skipped.
    warnings_scan(now=at(2026, 3, 4, 9, 0))
    event = TicketEvent.objects.get(ticket=late, action="warn", data__clock="accept")
    assert event.data["warning"] == "red" and event.data["yellow_skipped"] is True


def test_the_periodic_task_works_through_a_backlog_in_batches():
    from unittest import mock

    from hotline.supervision.warnings import warnings_scan_until_done

    tickets = [dispatched_to_hanyang() for _ in range(3)]
    with mock.patch("hotline.supervision.warnings.timezone.now", return_value=at(2026, 3, 3, 8, 0)):
        assert warnings_scan_until_done(batch=1) == 3
    assert TicketEvent.objects.filter(ticket__in=tickets, action="warn").count() == 3


def test_one_failing_warning_does_not_hold_back_the_others(caplog):
    from unittest import mock

    from hotline.supervision import warnings

    tickets = [dispatched_to_hanyang() for _ in range(3)]
    bad = tickets[1]
    real = warnings.notices_for

    def notices_or_crash(clock, level, unit):
        if clock.ticket_id == bad.pk:
            raise RuntimeError("template store unreachable")
        return real(clock, level, unit)

    with mock.patch.object(warnings, "notices_for", notices_or_crash):
        assert warnings_scan(now=at(2026, 3, 3, 8, 0)) == 2
    assert notices(bad) == [] and not TicketEvent.objects.filter(ticket=bad, action="warn")
    assert bad.clocks.get(kind="accept").yellow_warned_at is None  # not claimed: still due
    assert all(notices(t) for t in (tickets[0], tickets[2]))
    assert "template store unreachable" in caplog.text
    # Once the fault is gone the next scan sends it, and only it.
    assert warnings_scan(now=at(2026, 3, 3, 8, 5)) == 1
    assert [k for k, _ in notices(bad)] == ["accept_reminder", "yellow"]


def test_a_crash_while_recording_the_warning_leaves_no_claim_and_no_message():
    from unittest import mock

    from hotline.supervision import warnings

    t = dispatched_to_hanyang()
    with mock.patch.object(warnings, "ticket_transition", side_effect=RuntimeError("disk full")):
        assert warnings_scan(now=at(2026, 3, 3, 8, 0)) == 0
    assert notices(t) == [] and t.clocks.get(kind="accept").yellow_warned_at is None
    assert warnings_due(at(2026, 3, 3, 8, 0)) != []
    assert warnings_scan(now=at(2026, 3, 3, 8, 0)) == 1


def test_a_batch_of_warnings_writes_each_on_its_own_timeline_with_an_intact_chain():
    tickets = [dispatched_to_hanyang() for _ in range(5)]
    assert warnings_scan(now=at(2026, 3, 3, 8, 0)) == 5
    for t in tickets:
        t.refresh_from_db()
        last = t.events.order_by("-seq").first()
        assert last.action == "warn" and t.last_seq == last.seq and t.last_hash == last.hash
    from tests.tickets.test_integrity import run_verify

    code, out = run_verify()
    assert code == 0, out
