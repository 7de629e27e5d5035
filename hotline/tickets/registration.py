"""Registering a ticket: the number is allocated inside the transaction, and the ticket, its first
event, its dispatch clock, the acknowledgement to the citizen and the rows other apps add
(``extensions.registration_rows_register``) are written together, in one statement on
PostgreSQL. The number exists only once committed; a repeated idempotency key returns the
first ticket."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hotline.accounts.selectors import Grants, grants_for
from hotline.core.db import insert_together
from hotline.core.errors import BadInput, Forbidden, HotlineError
from hotline.notifications.services import outbox_row
from hotline.orgs.models import Category, HotlineCentre, Region
from hotline.orgs.selectors import centres_all

from . import centres, clocks, extensions, workflow
from .choices import URGENCY_ORDER, Urgency
from .models import Clock, Ticket, TicketEvent
from .search import ticket_search_text
from .timeline import event_new, now
from .validation import MAX_CONTENT, PHONE_RE, choice_field, text_field


@dataclass
class Registration:
    ticket: Ticket
    created: bool
    # What a new registration wrote besides the ticket row, so the caller can show the
    # ticket without reading it back.
    events: list[TicketEvent] = dc_field(default_factory=list)
    clocks: list[Clock] = dc_field(default_factory=list)


def _allocate_number(at: datetime) -> str:
    """Next number of the local day. The row stays locked until the transaction ends, so
    numbers are consecutive and a rolled-back registration leaves no gap."""
    day = timezone.localtime(at).date()
    table = "tickets_ticketsequence"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    if last > 99_999:
        raise HotlineError("daily ticket sequence exhausted")
    return f"{day:%Y%m%d}{last:05d}"


def _validate_point(data: Mapping, out: dict) -> None:
    lat, lon = data.get("lat"), data.get("lon")
    for field, value, bound in (("lat", lat, 90), ("lon", lon, 180)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadInput(field, "must be a number")
            if not -bound <= value <= bound:
                raise BadInput(field, f"must be between -{bound} and {bound}")
    if (lat is None) != (lon is None):
        raise BadInput("lon" if lon is None else "lat", "lat and lon go together")
    out["lat"], out["lon"] = lat, lon


def _validate_codes(data: Mapping, out: dict) -> None:
    region = data.get("region")
    out["region"] = None
    if region not in (None, ""):
        out["region"] = Region.objects.filter(code=region).first()
        if out["region"] is None:
            raise BadInput("region", f"no region with code {region!r}")
    category = data.get("category")
    out["category"] = None
    if category not in (None, ""):
        out["category"] = Category.objects.filter(code=category, active=True).first()
        if out["category"] is None:
            raise BadInput("category", f"no category with code {category!r}")


def _validate_citizen(data: Mapping, out: dict) -> None:
    citizen = data.get("citizen") or {}
    if not isinstance(citizen, Mapping):
        raise BadInput("citizen", "must be an object")
    name = citizen.get("name") or ""
    phone = citizen.get("phone") or ""
    if not isinstance(name, str) or len(name) > 64:
        raise BadInput("citizen.name", "a string of at most 64 characters")
    if not isinstance(phone, str) or (phone and not PHONE_RE.match(phone)):
        raise BadInput("citizen.phone", "digits, +, - or spaces, 3 to 20 characters")
    for flag in ("anonymous", "confidential"):
        if citizen.get(flag) is not None and not isinstance(citizen.get(flag), bool):
            raise BadInput(f"citizen.{flag}", "must be true or false")
    out["citizen_name"] = name.strip()
    out["citizen_phone"] = phone.replace(" ", "")
    out["citizen_anonymous"] = bool(citizen.get("anonymous"))
    out["citizen_confidential"] = bool(citizen.get("confidential"))


def registration_validate(data: Mapping) -> dict:
    """The fields of a new ticket, checked; ``BadInput`` names the first wrong one."""
    out: dict = {}
    out["channel"] = choice_field(data, "channel", workflow.CHANNELS, required=True)
    out["kind"] = choice_field(data, "kind", workflow.KINDS, required=True)
    out["urgency"] = choice_field(data, "urgency", workflow.URGENCIES, required=False)
    out["title"] = text_field(data, "title", required=False, max_len=200)
    out["content"] = text_field(data, "content", required=True, max_len=MAX_CONTENT)
    out["address"] = text_field(data, "address", required=False, max_len=255)
    _validate_point(data, out)
    _validate_codes(data, out)
    _validate_citizen(data, out)
    return out


def _detect_urgency(text: str, stated: str) -> tuple[str, list[str]]:
    """The urgency after the registered detectors read the text: raised, never lowered.
    Returns it with the words that raised it (empty when not raised)."""
    urgency, words = stated, []
    for detector in extensions.URGENCY_DETECTORS:
        detected, found = detector(text)
        if URGENCY_ORDER[detected] > URGENCY_ORDER[urgency]:
            urgency, words = detected, list(found)
    return urgency, words


def may_register(grants: Grants) -> bool:
    try:
        workflow.decide(
            "register", "", roles_anywhere=grants.roles, roles_at_holding_unit=frozenset()
        )
    except workflow.Refusal:
        return False
    return True


def _registering_centre(grants: Grants, code: object) -> HotlineCentre | None:
    """The centre a new ticket is registered at: the one named by ``centre`` (a district's own
    line, portal entry or mailbox), else the district centre where the actor holds a centre
    role, else the city's. A district's staff register only at their own centres."""
    active = {c.code: c for c in centres_all()}
    own = [c for c in active.values() if c.pk in grants.by_centre]
    city = next((c for c in active.values() if c.parent_id is None), None)
    if code in (None, ""):
        return own[0] if own else city
    centre = active.get(code) if isinstance(code, str) else None
    if centre is None:
        raise BadInput("centre", f"no hotline centre {code!r}; one of {', '.join(sorted(active))}")
    if own and not grants.city_roles and centre not in own:
        raise BadInput("centre", "a district centre registers its own tickets only")
    return centre


def _acknowledgement(ticket: Ticket) -> list:
    if not ticket.citizen_phone or ticket.citizen_anonymous:
        return []
    centre = ticket.registered_centre
    line = f"{centre.name} {centre.phone}" if centre is not None else "12345热线"
    return [
        outbox_row(
            kind="acknowledgement",
            recipient=ticket.citizen_phone,
            template="acknowledgement",
            params={
                "line": line,
                "number": ticket.number,
                "link": f"{settings.HOTLINE_PUBLIC_URL}/portal/lookup?number={ticket.number}",
            },
            key=f"ack:{ticket.number}",
            ticket=ticket,
        )
    ]


def _existing(scoped_key: str | None) -> Ticket | None:
    if scoped_key is None:
        return None
    return Ticket.objects.filter(idempotency_key=scoped_key).first()


def ticket_registered_with_key(*, actor, idempotency_key: str) -> Ticket | None:
    """The ticket ``actor`` registered with ``idempotency_key`` (committed), or None: for a
    channel that must answer a retry before it can call ``ticket_register`` again."""
    return _existing(f"{actor.pk}:{idempotency_key}")


def ticket_register(*, actor, data: Mapping, idempotency_key: str | None = None) -> Registration:
    """Register a ticket. Ticket, first event, clock and outbox rows commit together; the
    number exists only once committed. A repeated ``idempotency_key`` returns the first ticket."""
    grants = grants_for(actor)
    if not may_register(grants):
        raise Forbidden("this role may not register tickets")
    scoped_key = None
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 128:
            raise BadInput("Idempotency-Key", "1 to 128 characters")
        scoped_key = f"{actor.pk}:{idempotency_key}"
        existing = _existing(scoped_key)
        if existing is not None:
            return Registration(existing, False)
    fields = registration_validate(data)
    centre = _registering_centre(grants, data.get("centre"))
    stated = fields.pop("urgency") or Urgency.NORMAL
    urgency, words = _detect_urgency(f"{fields['title']} {fields['content']}", stated)
    at = now()
    try:
        with transaction.atomic():
            ticket = Ticket(
                status=workflow.REGISTERED,
                urgency=urgency,
                registered_by=actor,
                registered_at=at,
                idempotency_key=scoped_key,
                registered_centre=centre,
                centre=centre,
                **fields,
            )
            ticket.search_text = ticket_search_text(ticket.title, ticket.content, ticket.address)
            ticket.number = _allocate_number(at)
            event_data: dict = {"channel": ticket.channel, "kind": ticket.kind, "urgency": urgency}
            if ticket.category_id:
                event_data["category"] = ticket.category.code
            if centre is not None:
                event_data["centre"] = centre.code
            if words:
                event_data["urgency_raised_by"] = words
            # The first event's hash needs the number, not the row: chain it first, so the
            # ticket and all that hangs on it can be written together.
            event = event_new(
                ticket,
                actor=actor,
                action="register",
                at=at,
                from_status="",
                to_status=workflow.REGISTERED,
                data=event_data,
            )
            dispatch_clock = clocks.clock_new(
                ticket=ticket, kind="dispatch", unit=centres.clock_unit(centre), start=at
            )
            extra = [factory(ticket) for factory in extensions.REGISTRATION_ROWS]
            # The ticket and everything that hangs on it: one statement on PostgreSQL.
            insert_together(ticket, [[event], *extra, [dispatch_clock], _acknowledgement(ticket)])
    except IntegrityError:
        existing = _existing(scoped_key)
        if existing is not None:
            return Registration(existing, False)
        raise
    return Registration(ticket, True, events=[event], clocks=[dispatch_clock])
