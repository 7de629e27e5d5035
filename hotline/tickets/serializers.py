"""Rendering tickets for the API and the console, with the complainant masked as DESIGN 10 says."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from hotline.accounts.selectors import Grants
from hotline.core.formatting import iso, mask_name, mask_phone
from hotline.orgs.models import HotlineCentre

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


def ticket_view(
    ticket: Ticket, grants: Grants, *, timeline: bool = False, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    open_clocks = clocks.open_clocks(ticket)
    deadlines: dict[str, str | None] = {}
    for clock in open_clocks:
        deadlines[clock.kind] = iso(clock.due_at)
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
        "region": ticket.region.code if ticket.region_id else None,
        "category": ticket.category.code if ticket.category_id else None,
        "citizen": citizen_view(ticket, grants),
        "unit": ticket.unit.code if ticket.unit_id else None,
        "centre": _centre_code(ticket.centre),
        "registered_centre": _centre_code(ticket.registered_centre),
        "registered_at": iso(ticket.registered_at),
        "deadlines": deadlines,
        "warning": clocks.ticket_warning(ticket, now),
        "extension": {"status": ticket.extension_status or None, "days": ticket.extension_days},
        "reply": {
            "text": ticket.reply_text,
            "outcome": ticket.reply_outcome or None,
            "at": iso(ticket.replied_at),
        }
        if ticket.replied_at
        else None,
        "satisfaction": ticket.satisfaction or None,
        "review_verdict": ticket.review_verdict or None,
        "redo_count": ticket.redo_count,
        "send_back_count": ticket.send_back_count,
        "merged_into": ticket.merged_into.number if ticket.merged_into_id else None,
        "closed_at": iso(ticket.closed_at),
    }
    if timeline:
        assignments = list(ticket.assignments.all())
        body["co_units"] = sorted({a.unit.code for a in assignments if a.role == "co" and a.active})
        body["registered_by"] = ticket.registered_by.username if ticket.registered_by_id else None
        body["clocks"] = [
            {
                "kind": c.kind,
                "unit": c.unit.code if c.unit_id else None,
                "started_at": iso(c.started_at),
                "yellow_at": iso(c.yellow_at),
                "due_at": iso(c.due_at),
                "stopped_at": iso(c.stopped_at),
                "met": c.met,
                "pending_calendar": c.pending_calendar,
            }
            for c in ticket.clocks.all()
        ]
        body["timeline"] = [event_view(e) for e in ticket.events.all()]
    return body
