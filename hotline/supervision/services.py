"""Writes of supervision: accountability records, automatic referrals."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.audit import audit_record
from hotline.core.errors import BadInput, Forbidden
from hotline.orgs.models import Unit
from hotline.tickets import extensions
from hotline.tickets.selectors import ticket_get_visible

from .models import Accountability, Referral

REFERRAL_AT = 3
ACCOUNTABILITY_ROLES = frozenset({Role.SUPERVISOR, Role.INSPECTOR})


def referral_check(*, ticket, at, event_seq: int) -> str | None:
    """Called by the transition function after a send-back or a redo: the third of either puts
    the ticket in the supervision office's queue (once per reason). Returns the reason."""
    for reason, count in (
        (Referral.SEND_BACKS, ticket.send_back_count),
        (Referral.REDOS, ticket.redo_count),
    ):
        if (
            count >= REFERRAL_AT
            and not Referral.objects.filter(ticket=ticket, reason=reason).exists()
        ):
            Referral.objects.create(
                ticket=ticket, reason=reason, created_at=at, event_seq=event_seq
            )
            return reason
    return None


def accountability_record(*, actor, data: Mapping) -> Accountability:
    """Record that a unit (and optionally a named person) was held responsible over a ticket."""
    if not grants_for(actor).roles & ACCOUNTABILITY_ROLES:
        raise Forbidden("accountability is recorded by the supervision and discipline offices")
    number = data.get("ticket")
    if not isinstance(number, str) or not number:
        raise BadInput("ticket", "a ticket number is required")
    try:
        ticket = ticket_get_visible(actor, number)
    except Exception:
        raise BadInput("ticket", f"no ticket {number!r}") from None
    code = data.get("unit")
    unit = Unit.objects.filter(code=code).first() if isinstance(code, str) else None
    if unit is None:
        raise BadInput("unit", f"no unit with code {code!r}")
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput("reason", "required")
    measure = data.get("measure")
    if measure not in Accountability.MEASURES:
        raise BadInput("measure", f"one of {', '.join(Accountability.MEASURES)}")
    person = data.get("person") or ""
    if not isinstance(person, str) or len(person) > 64:
        raise BadInput("person", "a name of at most 64 characters")
    with transaction.atomic():
        record = Accountability.objects.create(
            ticket=ticket,
            unit=unit,
            person=person.strip(),
            reason=reason.strip()[:5000],
            measure=measure,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="accountability.record",
            target=ticket.number,
            data={"unit": unit.code, "measure": measure, "id": record.pk},
        )
        extensions.tickets_changed([ticket.pk])
    return record
