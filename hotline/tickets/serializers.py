"""Rendering tickets for the API and the console, with the complainant masked as DESIGN 10 says."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hotline.accounts.selectors import Grants
from hotline.core.formatting import iso, mask_name, mask_phone
from hotline.orgs.models import Category, HotlineCentre, Region, Unit

from . import clocks, workflow
from .models import Ticket, TicketEvent


def _centre_code(centre: HotlineCentre | None) -> str | None:
    return centre.code if centre is not None else None


def citizen_view(ticket: Ticket, grants: Grants) -> dict:
    """The centre sees the complainant; units see a masked form; confidential tickets and
    reports (举报) never show the complainant to a unit."""
    base = {"anonymous": ticket.citizen_anonymous, "confidential": ticket.citizen_confidential}
    if grants.sees_all:
        return {**base, "name": ticket.citizen_name, "phone": ticket.citizen_phone}
    if ticket.citizen_confidential or ticket.kind == "report" or ticket.citizen_anonymous:
        return {**base, "name": "保密", "phone": ""}
    return {
        **base,
        "name": mask_name(ticket.citizen_name),
        "phone": mask_phone(ticket.citizen_phone),
    }


def event_view(event: TicketEvent) -> dict:
    return {
        "seq": event.seq,
        "action": event.action,
        "actor": event.actor_name,
        "at": iso(event.at),
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "data": event.data,
    }


def _code(related: Region | Category | Unit | None) -> str | None:
    """A related row's code, or None when the key is empty."""
    return related.code if related is not None else None


def _reply_view(ticket: Ticket) -> dict | None:
    if not ticket.replied_at:
        return None
    return {
        "text": ticket.reply_text,
        "outcome": ticket.reply_outcome or None,
        "at": iso(ticket.replied_at),
    }


def _clock_view(c) -> dict:
    return {
        "kind": c.kind,
        "unit": c.unit.code if c.unit_id else None,
        "started_at": iso(c.started_at),
        "yellow_at": iso(c.yellow_at),
        "due_at": iso(c.due_at),
        "stopped_at": iso(c.stopped_at),
        "met": c.met,
        "pending_calendar": c.pending_calendar,
    }


def _timeline_parts(ticket: Ticket) -> dict:
    """What the single-ticket view adds: co-units, registrar, every clock and the timeline."""
    assignments = list(ticket.assignments.all())
    return {
        "co_units": sorted({a.unit.code for a in assignments if a.role == "co" and a.active}),
        "registered_by": ticket.registered_by.username if ticket.registered_by_id else None,
        "clocks": [_clock_view(c) for c in ticket.clocks.all()],
        "timeline": [event_view(e) for e in ticket.events.all()],
    }


def ticket_view(
    ticket: Ticket, grants: Grants, *, timeline: bool = False, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    deadlines: dict[str, str | None] = {
        clock.kind: iso(clock.due_at) for clock in clocks.open_clocks(ticket)
    }
    body = {
        "number": ticket.number,
        "status": ticket.status,
        "status_label": workflow.STATUS_LABELS[ticket.status],
        "kind": ticket.kind,
        "channel": ticket.channel,
        "urgency": ticket.urgency,
        "title": ticket.title,
        "content": ticket.content,
        "address": ticket.address,
        "lat": ticket.lat,
        "lon": ticket.lon,
        "region": _code(ticket.region),
        "category": _code(ticket.category),
        "citizen": citizen_view(ticket, grants),
        "unit": _code(ticket.unit),
        "centre": _centre_code(ticket.centre),
        "registered_centre": _centre_code(ticket.registered_centre),
        "registered_at": iso(ticket.registered_at),
        "deadlines": deadlines,
        "warning": clocks.ticket_warning(ticket, now),
        "extension": {"status": ticket.extension_status or None, "days": ticket.extension_days},
        "reply": _reply_view(ticket),
        "satisfaction": ticket.satisfaction or None,
        "review_verdict": ticket.review_verdict or None,
        "redo_count": ticket.redo_count,
        "send_back_count": ticket.send_back_count,
        "merged_into": ticket.merged_into.number if ticket.merged_into_id else None,
        "closed_at": iso(ticket.closed_at),
    }
    if timeline:
        body.update(_timeline_parts(ticket))
    return body
