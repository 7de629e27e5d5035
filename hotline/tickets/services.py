"""Writes to tickets. ``ticket_register`` creates one; ``ticket_transition`` is the one function
through which every later change goes: lock the row, look the rule up in the table, check the
actor, update, append the event, then side effects after commit."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM, Grants, grants_for
from hotline.core.chain import GENESIS, entry_hash
from hotline.core.db import Many, insert_together
from hotline.core.errors import BadInput, Conflict, Forbidden, HotlineError
from hotline.insight.models import TicketSignature
from hotline.insight.services import signature_keys
from hotline.notifications.services import outbox_row
from hotline.orgs.models import Category, Region, Unit
from hotline.supervision.services import referral_check
from hotline.workcal.calc import WORKING_DAYS, Limit

from . import clocks, policy, workflow
from .models import Clock, Ticket, TicketAssignment, TicketEvent
from .selectors import ticket_get_visible

PHONE_RE = re.compile(r"^\+?[0-9*\- ]{3,20}$")
MAX_CONTENT = 10_000
MAX_TEXT = 5_000


# --- helpers --------------------------------------------------------------------------------


_now_override: ContextVar[datetime | None] = ContextVar("hotline_now_override", default=None)


def _now() -> datetime:
    return _now_override.get() or timezone.now()


@contextmanager
def acting_at(moment: datetime):
    """Take actions as if at ``moment``: for importing history and the demo, never for live work."""
    token = _now_override.set(moment)
    try:
        yield
    finally:
        _now_override.reset(token)


def _text(data: Mapping, field: str, *, required: bool, max_len: int = MAX_TEXT) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(field, "required")
        return ""
    if not isinstance(value, str):
        raise BadInput(field, "must be a string")
    value = value.strip()
    if len(value) > max_len:
        raise BadInput(field, f"at most {max_len} characters")
    return value


def _choice(
    data: Mapping,
    field: str,
    choices: Mapping[str, str],
    *,
    required: bool,
    default: str | None = None,
) -> str | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise BadInput(field, f"required, one of {', '.join(choices)}")
        return default
    if value not in choices:
        raise BadInput(field, f"must be one of {', '.join(choices)}")
    return value


def _int(data: Mapping, field: str, *, required: bool, low: int, high: int) -> int | None:
    value = data.get(field)
    if value is None:
        if required:
            raise BadInput(field, "required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(field, "must be an integer")
    if not low <= value <= high:
        raise BadInput(field, f"must be between {low} and {high}")
    return value


def _bool(data: Mapping, field: str, *, required: bool) -> bool | None:
    value = data.get(field)
    if value is None:
        if required:
            raise BadInput(field, "required (true or false)")
        return None
    if not isinstance(value, bool):
        raise BadInput(field, "must be true or false")
    return value


def _unit(code: object, field: str) -> Unit:
    if not isinstance(code, str) or not code:
        raise BadInput(field, "a unit code is required")
    unit = Unit.objects.filter(code=code, active=True).first()
    if unit is None:
        raise BadInput(field, f"no active unit with code {code!r}")
    return unit


def _new_event(
    ticket: Ticket,
    *,
    actor,
    action: str,
    at: datetime,
    from_status: str,
    to_status: str,
    data: dict,
) -> TicketEvent:
    """Build the next hash-chained event and advance the ticket's chain head (not saved)."""
    event = TicketEvent(
        ticket=ticket,
        seq=ticket.last_seq + 1,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
        prev_hash=ticket.last_hash or GENESIS,
    )
    event.hash = entry_hash(event.prev_hash, event.chain_content(ticket.number))
    ticket.last_seq = event.seq
    ticket.last_hash = event.hash
    return event


def _append_event(ticket: Ticket, **kwargs) -> TicketEvent:
    event = _new_event(ticket, **kwargs)
    event.ticket = ticket
    event.save()
    return event


# --- registration ----------------------------------------------------------------------------


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


def _validate_registration(data: Mapping) -> dict:
    out: dict = {}
    out["channel"] = _choice(data, "channel", workflow.CHANNELS, required=True)
    out["kind"] = _choice(data, "kind", workflow.KINDS, required=True)
    out["urgency"] = _choice(data, "urgency", workflow.URGENCIES, required=False)
    out["title"] = _text(data, "title", required=False, max_len=200)
    out["content"] = _text(data, "content", required=True, max_len=MAX_CONTENT)
    out["address"] = _text(data, "address", required=False, max_len=255)
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
    return out


def _detect_urgency(text: str) -> tuple[str, list[str]]:
    from hotline.insight.urgency import detect_urgency

    urgency, words = detect_urgency(text)
    return urgency, list(words)


URGENCY_ORDER = {"normal": 0, "urgent": 1, "emergency": 2}


def may_register(grants: Grants) -> bool:
    try:
        workflow.decide(
            "register", "", roles_anywhere=grants.roles, roles_at_holding_unit=frozenset()
        )
    except workflow.Refusal:
        return False
    return True


def ticket_register(*, actor, data: Mapping, idempotency_key: str | None = None) -> Registration:
    """Register a ticket. Ticket, first event, clock and outbox rows commit together; the
    number exists only once committed. A repeated ``idempotency_key`` returns the first ticket."""
    if not may_register(grants_for(actor)):
        raise Forbidden("this role may not register tickets")
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 128:
            raise BadInput("Idempotency-Key", "1 to 128 characters")
        scoped_key = f"{actor.pk}:{idempotency_key}"
        existing = Ticket.objects.filter(idempotency_key=scoped_key).first()
        if existing is not None:
            return Registration(existing, False)
    else:
        scoped_key = None
    fields = _validate_registration(data)
    text = f"{fields['title']} {fields['content']}"
    detected, words = _detect_urgency(text)
    urgency = fields.pop("urgency") or "normal"
    raised = URGENCY_ORDER[detected] > URGENCY_ORDER[urgency]
    if raised:
        urgency = detected
    now = _now()
    try:
        with transaction.atomic():
            ticket = Ticket(
                status=workflow.REGISTERED,
                urgency=urgency,
                registered_by=actor,
                registered_at=now,
                idempotency_key=scoped_key,
                **fields,
            )
            ticket.number = _allocate_number(now)
            event_data: dict = {"channel": ticket.channel, "kind": ticket.kind, "urgency": urgency}
            if ticket.category_id:
                event_data["category"] = ticket.category.code
            if raised:
                event_data["urgency_raised_by"] = words
            # The first event's hash needs the number, not the row: chain it first, so the
            # ticket and all that hangs on it can be written together.
            event = _new_event(
                ticket,
                actor=actor,
                action="register",
                at=now,
                from_status="",
                to_status=workflow.REGISTERED,
                data=event_data,
            )
            dispatch_clock = clocks.clock_new(ticket=ticket, kind="dispatch", unit=None, start=now)
            acknowledgement = []
            if ticket.citizen_phone and not ticket.citizen_anonymous:
                acknowledgement.append(
                    outbox_row(
                        kind="acknowledgement",
                        recipient=ticket.citizen_phone,
                        template="acknowledgement",
                        params={
                            "number": ticket.number,
                            "link": f"{settings.HOTLINE_PUBLIC_URL}/portal/lookup?number={ticket.number}",
                        },
                        key=f"ack:{ticket.number}",
                        ticket=ticket,
                    )
                )
            # The ticket and everything that hangs on it: one statement on PostgreSQL.
            insert_together(
                ticket,
                [
                    [event],
                    Many(TicketSignature, {"key": signature_keys(ticket=ticket)}),
                    [dispatch_clock],
                    acknowledgement,
                ],
            )
    except IntegrityError:
        if scoped_key is not None:
            existing = Ticket.objects.filter(idempotency_key=scoped_key).first()
            if existing is not None:
                return Registration(existing, False)
        raise
    return Registration(ticket, True, events=[event], clocks=[dispatch_clock])


# --- transitions -----------------------------------------------------------------------------


def _refusal_error(refusal: workflow.Refusal) -> HotlineError:
    if refusal.kind == "state":
        return Conflict(str(refusal))
    if refusal.kind == "field":
        return BadInput(refusal.field or "body", str(refusal))
    return Forbidden(str(refusal))


@dataclass
class Context:
    ticket: Ticket
    actor: object
    grants: Grants
    now: datetime
    data: Mapping
    new_status: str


Handler = Callable[[Context], dict]


def _open_clock(ticket: Ticket, kind: str):
    return ticket.clocks.filter(kind=kind, stopped_at__isnull=True).order_by("-started_at").first()


def _assign(ctx: Context, unit: Unit, role: str, via: str) -> TicketAssignment:
    """Record that the ticket went to ``unit`` by the event being written now."""
    return TicketAssignment.objects.create(
        ticket=ctx.ticket,
        unit=unit,
        role=role,
        via=via,
        assigned_at=ctx.now,
        event_seq=ctx.ticket.last_seq + 1,
    )


def _has_children(unit: Unit) -> bool:
    return Unit.objects.filter(parent=unit, active=True).exists()


def _start_unit_clocks(ctx: Context, unit: Unit) -> None:
    clocks.clock_start(ticket=ctx.ticket, kind="accept", unit=unit, start=ctx.now)
    if _has_children(unit):
        clocks.clock_start(ticket=ctx.ticket, kind="transfer", unit=unit, start=ctx.now)


COPY_TARGETS = {"supervision": "HOTLINE_SUPERVISION_UNIT", "discipline": "HOTLINE_DISCIPLINE_UNIT"}


def _copy_to_offices(ctx: Context) -> list[str]:
    """Read-only copies (转交) to the supervision and discipline offices, when the category or
    the dispatcher (``copy_to``) asks for them."""
    asked = ctx.data.get("copy_to") or []
    if not isinstance(asked, list) or any(a not in COPY_TARGETS for a in asked):
        raise BadInput("copy_to", f"a list of {', '.join(COPY_TARGETS)}")
    category = ctx.ticket.category
    targets = set(asked)
    if category is not None and category.copy_to_supervision:
        targets.add("supervision")
    if category is not None and category.copy_to_discipline:
        targets.add("discipline")
    wanted = [getattr(settings, COPY_TARGETS[t], t) for t in sorted(targets)]
    copied = []
    for unit in Unit.objects.filter(code__in=wanted, active=True):
        if not ctx.ticket.assignments.filter(unit=unit, role=TicketAssignment.COPY).exists():
            _assign(ctx, unit, TicketAssignment.COPY, "copy")
            copied.append(unit.code)
    return copied


def _dispatch(ctx: Context) -> dict:
    unit = _unit(ctx.data.get("unit"), "unit")
    if unit.kind in ("centre", "office"):
        raise BadInput(
            "unit", "tickets are dispatched to handling units, not to the centre or an office"
        )
    co_codes = ctx.data.get("co_units") or []
    if not isinstance(co_codes, list) or not all(isinstance(c, str) for c in co_codes):
        raise BadInput("co_units", "a list of unit codes")
    co_units = []
    for code in dict.fromkeys(co_codes):
        co = _unit(code, "co_units")
        if co.pk == unit.pk:
            raise BadInput("co_units", "the lead unit cannot also be a co-unit")
        co_units.append(co)
    approve = _bool(ctx.data, "approve", required=False)
    note = _text(ctx.data, "note", required=False)
    ticket = ctx.ticket
    data: dict = {"unit": unit.code, "co_units": [c.code for c in co_units]}
    if note:
        data["note"] = note
    if ticket.send_back_unit_id:
        # Re-dispatch after a send-back: the dispatcher rules on it. Sending it back to the same
        # unit means the send-back was not justified, unless the dispatcher says otherwise.
        valid = approve if approve is not None else ticket.send_back_unit_id != unit.pk
        data["send_back"] = {
            "unit": ticket.send_back_unit.code,
            "ruling": "valid" if valid else "invalid",
        }
        ticket.send_back_unit = None
        ticket.send_back_reason = ""
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("dispatch",), reason="dispatched", judge=True
    )
    ticket.unit = unit
    _assign(ctx, unit, TicketAssignment.LEAD, "dispatch")
    for co in co_units:
        _assign(ctx, co, TicketAssignment.CO, "dispatch")
    _start_unit_clocks(ctx, unit)
    clocks.clock_start(ticket=ticket, kind="handle", unit=unit, start=ctx.now)
    copies = _copy_to_offices(ctx)
    if copies:
        data["copied_to"] = copies
    return data


def _forward(ctx: Context) -> dict:
    ticket = ctx.ticket
    unit = _unit(ctx.data.get("unit"), "unit")
    holder = ticket.unit
    if holder is None or not holder.is_ancestor_of(unit):
        raise BadInput(
            "unit", f"{unit.code} is not below {holder.code if holder else 'the holding unit'}"
        )
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("transfer",), reason="forwarded", judge=True
    )
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("accept",), reason="forwarded")
    ticket.assignments.filter(unit=holder, role=TicketAssignment.LEAD, active=True).update(
        active=False
    )
    _assign(ctx, unit, TicketAssignment.LEAD, "forward")
    ticket.unit = unit
    _start_unit_clocks(ctx, unit)
    data = {"from_unit": holder.code, "unit": unit.code}
    note = _text(ctx.data, "note", required=False)
    if note:
        data["note"] = note
    return data


def _accept(ctx: Context) -> dict:
    clocks.clocks_stop(
        ticket=ctx.ticket, at=ctx.now, kinds=("accept",), reason="accepted", judge=True
    )
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, kinds=("transfer",), reason="accepted")
    return {"unit": ctx.ticket.unit.code}


def _send_back(ctx: Context) -> dict:
    reason = _text(ctx.data, "reason", required=True)
    ticket = ctx.ticket
    unit = ticket.unit
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("accept", "transfer", "handle"), reason="sent_back"
    )
    ticket.assignments.filter(active=True).exclude(role=TicketAssignment.COPY).update(active=False)
    ticket.send_back_unit = unit
    ticket.send_back_reason = reason
    ticket.send_back_count += 1
    ticket.unit = None
    ticket.extension_status = ""
    ticket.extension_days = None
    clocks.clock_start(ticket=ticket, kind="dispatch", unit=None, start=ctx.now)
    data = {"unit": unit.code, "reason": reason}
    referred = referral_check(ticket=ticket, at=ctx.now, event_seq=ticket.last_seq + 1)
    if referred:
        data["referred"] = referred
    return data


def _request_extension(ctx: Context) -> dict:
    days = _int(ctx.data, "days", required=True, low=1, high=policy.MAX_EXTENSION_DAYS)
    reason = _text(ctx.data, "reason", required=True)
    ticket = ctx.ticket
    if ticket.extension_status:
        raise Conflict("an extension was already asked for on this ticket (at most once)")
    clock = _open_clock(ticket, "handle")
    if clock is None or clock.due_at is None or ctx.now >= clock.due_at:
        raise Conflict("an extension must be asked before the handling deadline")
    ticket.extension_status = "requested"
    ticket.extension_days = days
    return {"days": days, "reason": reason, "due_at": clock.due_at.isoformat()}


def _decide_extension(ctx: Context) -> dict:
    approve = _bool(ctx.data, "approve", required=True)
    note = _text(ctx.data, "note", required=False) or _text(ctx.data, "reason", required=False)
    ticket = ctx.ticket
    if ticket.extension_status != "requested":
        raise Conflict("no extension request is waiting for a decision")
    data: dict = {"approve": approve, "days": ticket.extension_days}
    if note:
        data["note"] = note
    if approve:
        clock = _open_clock(ticket, "handle")
        if clock is None:
            raise Conflict("the ticket has no running handling clock")
        new = clocks.clock_extend(clock=clock, days=ticket.extension_days, at=ctx.now)
        data["due_at"] = new.due_at.isoformat() if new.due_at else None
        ticket.extension_status = "approved"
    else:
        ticket.extension_status = "refused"
    return data


def _reply(ctx: Context) -> dict:
    text = _text(ctx.data, "text", required=True)
    outcome = _choice(ctx.data, "outcome", workflow.OUTCOMES, required=True)
    ticket = ctx.ticket
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("handle",), reason="replied", judge=True)
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("accept", "transfer"), reason="replied")
    ticket.reply_text = text
    ticket.reply_outcome = outcome
    ticket.replied_at = ctx.now
    if ticket.extension_status == "requested":
        ticket.extension_status = "withdrawn"
    clocks.clock_start(ticket=ticket, kind="follow_up", unit=None, start=ctx.now)
    return {"unit": ticket.unit.code if ticket.unit else None, "outcome": outcome, "text": text}


def _follow_up(ctx: Context) -> dict:
    satisfaction = _choice(ctx.data, "satisfaction", workflow.SATISFACTIONS, required=True)
    note = _text(ctx.data, "note", required=False)
    ticket = ctx.ticket
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("follow_up",), reason="followed_up", judge=True
    )
    ticket.satisfaction = satisfaction
    ticket.followed_up_at = ctx.now
    ticket.review_verdict = ""
    data = {"satisfaction": satisfaction, "unit": ticket.unit.code if ticket.unit else None}
    if note:
        data["note"] = note
    return data


def _review(ctx: Context) -> dict:
    verdict = _choice(ctx.data, "verdict", workflow.VERDICTS, required=True)
    note = _text(ctx.data, "note", required=False)
    days = _int(ctx.data, "days", required=False, low=1, high=60)
    ticket = ctx.ticket
    from hotline.feedback.reviews import review_verdict_data  # the four judgements, assignment

    structured = review_verdict_data(ticket=ticket, actor=ctx.actor, data=ctx.data, at=ctx.now)
    ticket.review_verdict = verdict
    data: dict = {"verdict": verdict, "unit": ticket.unit.code if ticket.unit else None}
    data.update(structured)
    if note:
        data["note"] = note
    if verdict == "redo":
        ticket.redo_count += 1
        ticket.reply_text = ""
        ticket.reply_outcome = ""
        ticket.extension_status = ""
        ticket.extension_days = None
        limit = Limit(float(days), WORKING_DAYS) if days else None
        clock = clocks.clock_start(
            ticket=ticket, kind="handle", unit=ticket.unit, start=ctx.now, limit=limit
        )
        data["due_at"] = clock.due_at.isoformat() if clock.due_at else None
        data["redo"] = ticket.redo_count
        referred = referral_check(ticket=ticket, at=ctx.now, event_seq=ticket.last_seq + 1)
        if referred:
            data["referred"] = referred
    return data


def _merge(ctx: Context) -> dict:
    into = ctx.data.get("into")
    if not isinstance(into, str) or not into:
        raise BadInput("into", "the number of the ticket to merge into is required")
    ticket = ctx.ticket
    if into == ticket.number:
        raise BadInput("into", "a ticket cannot be merged into itself")
    try:
        target = ticket_get_visible(ctx.actor, into)
    except HotlineError:
        raise BadInput("into", f"no open ticket {into!r}") from None
    target = Ticket.objects.select_for_update().get(pk=target.pk)
    if target.status not in workflow.OPEN_STATUSES:
        raise BadInput("into", f"ticket {into} is {target.status}, not open")
    ticket.merged_into = target
    clocks.clocks_stop(ticket=ticket, at=ctx.now, reason="merged")
    ticket.assignments.filter(active=True).exclude(role=TicketAssignment.COPY).update(active=False)
    ticket.closed_at = ctx.now
    return {"into": target.number}


def _invalidate(ctx: Context) -> dict:
    reason = _text(ctx.data, "reason", required=True)
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, reason="invalid")
    ctx.ticket.closed_at = ctx.now
    return {"reason": reason}


def _supervise(ctx: Context) -> dict:
    from hotline.supervision.models import SupervisionOrder

    note = _text(ctx.data, "note", required=True)
    days = _int(ctx.data, "days", required=False, low=1, high=60)
    ticket = ctx.ticket
    level = ticket.supervision_orders.count() + 1
    requested = _int(ctx.data, "level", required=False, low=1, high=10)
    if requested is not None and requested != level:
        raise BadInput("level", f"this would be supervision number {level}")
    limit = Limit(float(days), WORKING_DAYS) if days else None
    clock = clocks.clock_start(
        ticket=ticket, kind="supervision", unit=ticket.unit, start=ctx.now, limit=limit
    )
    order = SupervisionOrder.objects.create(
        ticket=ticket,
        level=level,
        note=note,
        unit=ticket.unit,
        created_by=ctx.actor,
        created_at=ctx.now,
        due_at=clock.due_at,
        event_seq=ticket.last_seq + 1,
    )
    return {
        "order": order.pk,
        "level": level,
        "second": level >= 2,
        "note": note,
        "unit": ticket.unit.code if ticket.unit else None,
        "due_at": clock.due_at.isoformat() if clock.due_at else None,
    }


def _comment(ctx: Context) -> dict:
    return {"text": _text(ctx.data, "text", required=True)}


def _answer_directly(ctx: Context) -> dict:
    text = _text(ctx.data, "text", required=True)
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, reason="answered")
    ctx.ticket.reply_text = text
    ctx.ticket.reply_outcome = "explained"
    ctx.ticket.replied_at = ctx.now
    ctx.ticket.closed_at = ctx.now
    return {"text": text}


def _warn(ctx: Context) -> dict:
    """A clock crossed its yellow or red moment (the warning scanner, as the system)."""
    keys = ("clock", "warning", "unit", "due_at", "notified", "missing_phone", "yellow_skipped")
    return {key: ctx.data[key] for key in keys if key in ctx.data}


HANDLERS: dict[str, Handler] = {
    "answer_directly": _answer_directly,
    "dispatch": _dispatch,
    "forward": _forward,
    "accept": _accept,
    "send_back": _send_back,
    "request_extension": _request_extension,
    "decide_extension": _decide_extension,
    "reply": _reply,
    "follow_up": _follow_up,
    "review": _review,
    "merge": _merge,
    "invalidate": _invalidate,
    "supervise": _supervise,
    "comment": _comment,
    "warn": _warn,
}
assert set(HANDLERS) == set(workflow.TICKET_ACTIONS) | set(workflow.SYSTEM_ACTIONS)


def ticket_transition(
    *,
    actor,
    number: str,
    action: str,
    data: Mapping | None = None,
    locked: Ticket | None = None,
) -> Ticket:
    """Take ``action`` on ticket ``number`` as ``actor``. The only writer of existing tickets.

    Raises NotFound (not visible), Forbidden (role), Conflict (state), BadInput (fields);
    on any error nothing is written.

    ``locked`` is for a caller that already holds the ticket row's lock in its own transaction
    (the warning scanner locks a batch of tickets at once): the row is not read again and no
    savepoint is taken, so an error rolls back the caller's whole transaction.
    """
    data = data or {}
    if action not in HANDLERS:
        raise BadInput("action", f"unknown action {action!r}; one of {', '.join(HANDLERS)}")
    grants = grants_for(actor)
    if locked is not None:
        if not transaction.get_connection().in_atomic_block or locked.number != number:
            raise HotlineError("locked must be the ticket, locked in the current transaction")
        if actor is not SYSTEM:
            ticket_get_visible(actor, number)
        return _transition_locked(locked, actor=actor, grants=grants, action=action, data=data)
    with transaction.atomic():
        visible = ticket_get_visible(actor, number)
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("unit", "category", "send_back_unit")
            .get(pk=visible.pk)
        )
        return _transition_locked(ticket, actor=actor, grants=grants, action=action, data=data)


_TICKET_COLUMNS = tuple(
    f.attname for f in Ticket._meta.concrete_fields if f.attname not in ("id", "updated_at")
)


def _transition_locked(ticket: Ticket, *, actor, grants, action: str, data: Mapping) -> Ticket:
    """The body of ticket_transition once the row is locked. Writes one event and updates only
    the columns the action changed."""
    try:
        new_status = workflow.decide(
            action,
            ticket.status,
            roles_anywhere=grants.roles,
            roles_at_holding_unit=grants.roles_at(ticket.unit_id),
            data=data,
        )
    except workflow.Refusal as refusal:
        raise _refusal_error(refusal) from None
    before = {name: getattr(ticket, name) for name in _TICKET_COLUMNS}
    from_status = ticket.status
    now = _now()
    ctx = Context(
        ticket=ticket, actor=actor, grants=grants, now=now, data=data, new_status=new_status
    )
    event_data = HANDLERS[action](ctx)
    ticket.status = new_status
    if new_status == workflow.CLOSED and ticket.closed_at is None:
        ticket.closed_at = now
    if new_status in workflow.OPEN_STATUSES:
        ticket.closed_at = None
    _append_event(
        ticket,
        actor=actor,
        action=action,
        at=now,
        from_status=from_status,
        to_status=new_status,
        data=event_data,
    )
    changed = [name for name in _TICKET_COLUMNS if getattr(ticket, name) != before[name]]
    ticket.save(update_fields=[*changed, "updated_at"])
    if new_status == workflow.CLOSED:
        clocks.clocks_stop(ticket=ticket, at=now, reason="closed")
    return ticket


def ticket_allowed_actions(ticket: Ticket, grants: Grants) -> list[str]:
    """Actions the viewer could take now (for the console's buttons)."""
    allowed = []
    for action in workflow.TICKET_ACTIONS:
        try:
            workflow.decide(
                action,
                ticket.status,
                roles_anywhere=grants.roles,
                roles_at_holding_unit=grants.roles_at(ticket.unit_id),
                data={"satisfaction": "satisfied", "verdict": "proper"},
            )
        except workflow.Refusal:
            continue
        if action == "comment" and not grants.roles & workflow.COMMENTERS:
            continue
        if action == "decide_extension" and ticket.extension_status != "requested":
            continue
        if action == "request_extension" and ticket.extension_status:
            continue
        if action == "forward" and (ticket.unit is None or not _has_children(ticket.unit)):
            continue
        allowed.append(action)
    return allowed
