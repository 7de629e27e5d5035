"""insert_together: a registration's rows written in one statement read back as the ORM wrote them."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from hotline.insight.models import TicketSignature
from hotline.notifications.models import Outbox
from hotline.tickets import services
from hotline.tickets.models import Clock, Ticket, TicketEvent
from tests.factories import TICKET_DEFAULTS


def _columns(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_every_row_of_a_registration_reads_back_as_written():
    agent = get_user_model().objects.get(username="agent")
    data = {
        **TICKET_DEFAULTS,
        "title": "燃气泄漏",
        "content": "楼道里有煤气味，怀疑燃气泄漏",
        "citizen": {"name": "李女士", "phone": "13900000001"},
        "lat": 30.59,
        "lon": 114.3,
    }
    done = services.ticket_register(actor=agent, data=data)
    ticket, event, clock = done.ticket, done.events[0], done.clocks[0]
    assert ticket.pk and event.pk and clock.pk
    assert _columns(Ticket.objects.get(pk=ticket.pk)) == _columns(ticket)
    assert _columns(TicketEvent.objects.get(pk=event.pk)) == _columns(event)
    assert _columns(Clock.objects.get(pk=clock.pk)) == _columns(clock)
    ack = Outbox.objects.get(ticket=ticket)
    assert ack.idempotency_key == f"ack:{ticket.number}" and ack.params["number"] == ticket.number
    assert TicketSignature.objects.filter(ticket=ticket).count() > 0


def test_a_registration_without_a_phone_writes_no_acknowledgement():
    agent = get_user_model().objects.get(username="agent")
    data = {**TICKET_DEFAULTS, "citizen": {"name": "匿名", "anonymous": True}}
    ticket = services.ticket_register(actor=agent, data=data).ticket
    assert not Outbox.objects.filter(ticket=ticket).exists()
    assert Clock.objects.filter(ticket=ticket, kind="dispatch").count() == 1
