"""import_history: tickets with their timelines, replayed at their own times by the named users."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.intake.history import LineError, parse_record
from hotline.tickets.models import Clock, Ticket, TicketEvent

NOW = datetime.fromisoformat("2026-12-01T00:00:00+08:00")


def line(source_id, registered_at="2026-10-12T09:00:00+08:00", events=(), **fields):
    record = {
        "source_id": source_id,
        "registered_at": registered_at,
        "channel": "phone",
        "kind": "complaint",
        "title": f"历史工单{source_id}",
        "content": "楼下工地夜间施工噪音很大。",
        "events": list(events),
        **fields,
    }
    return json.dumps(record, ensure_ascii=False)


def ev(action, actor, at, **fields):
    return {"action": action, "actor": actor, "at": at, **fields}


LIFE = [
    ev("dispatch", "dispatcher", "2026-10-12T09:30:00+08:00", unit="jiangan"),
    ev("forward", "jiangan-dispatcher", "2026-10-12T10:00:00+08:00", unit="jiangan-01"),
    ev("accept", "jiangan-01-handler", "2026-10-12T11:00:00+08:00"),
    ev(
        "reply",
        "jiangan-01-handler",
        "2026-10-14T16:00:00+08:00",
        text="已处理",
        outcome="resolved",
    ),
    ev("follow_up", "callback", "2026-10-15T10:00:00+08:00", satisfaction="satisfied"),
]


def run(tmp_path, *lines, user="integration"):
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_history", str(path), "--user", user, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_ticket_is_replayed_at_its_own_times_by_the_named_users(tmp_path):
    out, err = run(tmp_path, line("A1", events=LIFE))
    assert out.strip().splitlines()[-1] == "imported=1 failed=0"
    assert "100% 1/1" in err  # the progress bar
    ticket = Ticket.objects.get(idempotency_key__endswith=":history:A1")
    assert ticket.number.startswith("20261012") and ticket.status == "closed"
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
    assert [(e.action, e.actor_name, e.at.isoformat()) for e in events] == [
        ("register", "integration", "2026-10-12T01:00:00+00:00"),
        ("dispatch", "dispatcher", "2026-10-12T01:30:00+00:00"),
        ("forward", "jiangan-dispatcher", "2026-10-12T02:00:00+00:00"),
        ("accept", "jiangan-01-handler", "2026-10-12T03:00:00+00:00"),
        ("reply", "jiangan-01-handler", "2026-10-14T08:00:00+00:00"),
        ("follow_up", "callback", "2026-10-15T02:00:00+00:00"),
    ]
    # The platform's own clocks: the handling deadline is 5 working days from the dispatch.
    handle = Clock.objects.get(ticket=ticket, kind="handle")
    assert handle.due_at.isoformat() == "2026-10-19T01:30:00+00:00"
    assert handle.met is True and handle.stop_reason == "replied"
    transfer = Clock.objects.get(ticket=ticket, kind="transfer", unit__code="jiangan")
    assert transfer.met is True and transfer.stop_reason == "forwarded"


def test_a_rerun_imports_nothing_twice(tmp_path):
    run(tmp_path, line("A1", events=LIFE), line("A2"))
    out, _ = run(tmp_path, line("A1", events=LIFE), line("A2"), line("A3"))
    assert out.strip().splitlines() == ["skipped=2 (already imported)", "imported=1 failed=0"]
    assert Ticket.objects.filter(idempotency_key__contains=":history:").count() == 3


def test_a_failing_line_leaves_nothing_of_its_ticket_and_is_reported(tmp_path):
    late_wrong_state = [
        *LIFE[:2],
        ev(
            "reply", "jiangan-01-handler", "2026-10-12T12:00:00+08:00", text="x", outcome="resolved"
        ),
    ]
    before = (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count())
    out, err = run(
        tmp_path,
        line("B1", events=late_wrong_state),  # reply before accept: 409 in the lifecycle
        "{not json",
        line("B3", events=[ev("dispatch", "nobody", "2026-10-12T09:30:00+08:00", unit="jiangan")]),
        line(
            "B4", events=[ev("dispatch", "dispatcher", "2026-10-12T09:30:00+08:00", unit="nowhere")]
        ),
        line("B5", events=[ev("accept", "jiangan-handler", "2026-10-12T08:00:00+08:00")]),
        line("B6", kind="rumour"),
        line("B7", events=[ev("merge", "dispatcher", "2026-10-12T09:30:00+08:00", into="ZZZ")]),
        line("B8", events=[ev("dispatch", "agent", "2026-10-12T09:30:00+08:00", unit="jiangan")]),
        line("B9", registered_at="2026-10-12 09:00"),
    )
    assert out.strip().splitlines()[-1] == "imported=0 failed=9"
    assert (Ticket.objects.count(), TicketEvent.objects.count(), Clock.objects.count()) == before
    assert "line 1: events[2] reply: reply is not allowed on a ticket that is dispatched" in err
    assert "line 2: not JSON" in err
    assert "line 3: events[0].actor: no active user 'nobody'" in err
    assert "line 4: events[0] dispatch: unit: no active unit with code 'nowhere'" in err
    assert "line 5: events[0].at: earlier than the event before it" in err
    assert "line 6: register: kind: must be one of" in err
    assert "line 7: events[0] merge: into: no imported ticket with source_id 'ZZZ'" in err
    assert "line 8: events[0] dispatch: dispatch needs one of the roles" in err
    assert "line 9: registered_at: '2026-10-12 09:00' has no UTC offset" in err


def test_good_lines_around_a_bad_one_are_imported(tmp_path):
    out, err = run(tmp_path, line("C1"), "[]", line("C3"))
    assert out.strip().splitlines()[-1] == "imported=2 failed=1"
    assert "line 2: not a JSON object" in err


def test_a_merge_names_an_earlier_lines_source_id(tmp_path):
    target = line("M1", events=[LIFE[0]])
    dup = line(
        "M2",
        registered_at="2026-10-12T09:10:00+08:00",
        events=[ev("merge", "dispatcher", "2026-10-12T09:40:00+08:00", into="M1")],
    )
    out, _ = run(tmp_path, target, dup)
    assert out.strip().splitlines()[-1] == "imported=2 failed=0"
    first = Ticket.objects.get(idempotency_key__endswith=":history:M1")
    merged = Ticket.objects.get(idempotency_key__endswith=":history:M2")
    assert merged.status == "merged" and merged.merged_into == first


def test_registered_by_names_the_first_responder(tmp_path):
    run(tmp_path, line("R1", registered_by="agent"))
    ticket = Ticket.objects.get(idempotency_key__endswith=":history:R1")
    assert ticket.registered_by.username == "agent"


def test_an_unknown_importing_user_or_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no active user"):
        run(tmp_path, line("X"), user="ghost")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_history", str(tmp_path / "missing.jsonl"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"registered_at": "2026-10-01T00:00:00+08:00"}', "source_id: required"),
        ('{"source_id": "a"}', "registered_at: an ISO 8601 time"),
        ('{"source_id": "a", "registered_at": "2027-01-01T00:00:00+08:00"}', "in the future"),
        (
            '{"source_id": "a", "registered_at": "2026-10-01T00:00:00+08:00", "events": {}}',
            "events: must be a list",
        ),
        (
            '{"source_id": "a", "registered_at": "2026-10-01T00:00:00+08:00", "events": [{"actor": "x", "at": "2026-10-02T00:00:00+08:00"}]}',
            "events[0].action: required",
        ),
        (
            '{"source_id": "a", "registered_at": "2026-10-01T00:00:00+08:00", "events": [{"action": "accept", "at": "2026-10-02T00:00:00+08:00"}]}',
            "events[0].actor: required",
        ),
    ],
)
def test_parse_record_refuses_malformed_lines(text, reason):
    with pytest.raises(LineError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        parse_record(text, now=NOW)


def test_parse_record_keeps_the_ticket_fields_and_event_fields():
    record = parse_record(line("P1", events=LIFE, urgency="urgent"), now=NOW)
    assert record.source_id == "P1" and record.ticket["urgency"] == "urgent"
    assert "events" not in record.ticket and "source_id" not in record.ticket
    assert record.events[0].fields == {"unit": "jiangan"}
    assert record.events[3].fields == {"text": "已处理", "outcome": "resolved"}
