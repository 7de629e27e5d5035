"""The timeline is append-only and hash-chained; verify_timeline finds tampering."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from hotline.tickets.models import TicketEvent
from tests.factories import ticket_in


def run_verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_timeline", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue()


def test_clean_timelines_verify():
    ticket_in("closed")
    code, out = run_verify()
    assert code == 0 and out.strip().splitlines()[-1] == "broken=0"


def test_an_edited_event_row_is_caught():
    ticket = ticket_in("closed")
    victim = TicketEvent.objects.filter(ticket=ticket, action="reply").get()
    with connection.cursor() as cursor:  # someone edits the database behind the application's back
        cursor.execute(
            "UPDATE tickets_ticketevent SET data = %s WHERE id = %s",
            ['{"outcome": "resolved", "text": "改过的回复"}', victim.pk],
        )
    code, out = run_verify()
    assert code == 1
    assert f"BROKEN {ticket.number} at event {victim.seq}: event altered" in out
    assert out.strip().splitlines()[-1] == "broken=1"


def test_a_deleted_last_event_is_caught():
    ticket = ticket_in("replied")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM tickets_ticketevent WHERE ticket_id = %s AND seq = %s",
            [ticket.pk, ticket.last_seq],
        )
    code, out = run_verify()
    assert code == 1 and ticket.number in out


def test_the_application_cannot_update_or_delete_events():
    ticket = ticket_in("dispatched")
    event = TicketEvent.objects.filter(ticket=ticket).first()
    event.data = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(ticket=ticket).update(data={})
    with pytest.raises(PermissionError):
        TicketEvent.objects.filter(ticket=ticket).delete()
