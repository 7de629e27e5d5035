"""Importing a previous platform's tickets with their whole timelines (DESIGN section 9,
``import_history``).

One JSON object a line: the fields of ``POST /api/v1/tickets`` plus ``source_id`` (the old
platform's id, unique), ``registered_at`` (ISO 8601 with offset), optionally ``registered_by``
(a username; default: the importing user) and ``events``, a list of ``{action, actor, at,
...fields}`` with the fields of the action (``into`` of a merge names another line's
``source_id``).

``parse_record`` is pure (shape, times, order). ``history_import`` registers the ticket through
``ticket_register`` and replays each event through ``ticket_transition`` as the named user at
the event's own time (``acting_at``), all in one transaction: a line that fails leaves nothing
of its ticket. A ticket is imported once: its registration carries the idempotency key
``history:<source_id>``, and ``imported_sources`` finds the lines already imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hotline.core.errors import HotlineError

KEY_PREFIX = "history:"
MAX_SOURCE_ID = 100
# The platform makes its own warnings from the replayed clocks: history's are not replayed.
SKIPPED_ACTIONS = frozenset({"warn"})
EVENT_KEYS = ("action", "actor", "at")


class LineError(Exception):
    """Why a line was not imported (the command reports it with the line number)."""


@dataclass(frozen=True)
class Event:
    index: int
    action: str
    actor: str
    at: datetime
    fields: dict


@dataclass(frozen=True)
class Record:
    source_id: str
    registered_at: datetime
    registered_by: str | None
    ticket: dict  # the fields of POST /api/v1/tickets
    events: tuple[Event, ...]


def _moment(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise LineError(f"{where}: an ISO 8601 time with offset is required")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LineError(f"{where}: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise LineError(f"{where}: {value!r} has no UTC offset")
    return moment


def _object(line: str) -> dict:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(raw, dict):
        raise LineError("not a JSON object")
    return raw


def _source_id(raw: dict) -> str:
    source_id = raw.get("source_id")
    if not isinstance(source_id, str | int) or isinstance(source_id, bool) or source_id == "":
        raise LineError("source_id: required (a string)")
    source_id = str(source_id)
    if len(source_id) > MAX_SOURCE_ID:
        raise LineError(f"source_id: at most {MAX_SOURCE_ID} characters")
    return source_id


def _event(index: int, item: object, previous: datetime, now: datetime) -> Event:
    """One item of ``events``: action, actor and a time not before ``previous`` nor after
    ``now``."""
    where = f"events[{index}]"
    if not isinstance(item, dict):
        raise LineError(f"{where}: must be an object")
    action, actor = item.get("action"), item.get("actor")
    if not isinstance(action, str) or not action:
        raise LineError(f"{where}.action: required")
    if not isinstance(actor, str) or not actor:
        raise LineError(f"{where}.actor: required (a username)")
    at = _moment(item.get("at"), f"{where}.at")
    if at < previous:
        raise LineError(f"{where}.at: earlier than the event before it")
    if at > now:
        raise LineError(f"{where}.at: in the future")
    fields = {k: v for k, v in item.items() if k not in EVENT_KEYS}
    return Event(index, action, actor, at, fields)


def _events(raw: dict, registered_at: datetime, now: datetime) -> tuple[Event, ...]:
    events_raw = raw.get("events", [])
    if not isinstance(events_raw, list):
        raise LineError("events: must be a list")
    events = []
    previous = registered_at
    for index, item in enumerate(events_raw):
        event = _event(index, item, previous, now)
        previous = event.at
        events.append(event)
    return tuple(events)


def parse_record(line: str, *, now: datetime) -> Record:
    """The record of one line, or LineError. Pure: checks shape, times and their order."""
    raw = _object(line)
    source_id = _source_id(raw)
    registered_at = _moment(raw.get("registered_at"), "registered_at")
    if registered_at > now:
        raise LineError("registered_at: in the future")
    registered_by = raw.get("registered_by")
    if registered_by is not None and not isinstance(registered_by, str):
        raise LineError("registered_by: a username")
    events = _events(raw, registered_at, now)
    ticket = {
        k: v
        for k, v in raw.items()
        if k not in ("source_id", "registered_at", "registered_by", "events")
    }
    return Record(source_id, registered_at, registered_by, ticket, events)


def idempotency_key(source_id: str) -> str:
    return f"{KEY_PREFIX}{source_id}"


def imported_sources() -> dict[str, str]:
    """source_id -> ticket number of every line imported so far (by any importing user)."""
    from hotline.tickets.models import Ticket

    found = {}
    rows = Ticket.objects.filter(idempotency_key__contains=f":{KEY_PREFIX}").values_list(
        "idempotency_key", "number"
    )
    for key, number in rows:
        _, _, source_id = (key or "").partition(f":{KEY_PREFIX}")
        found[source_id] = number
    return found


def _reason(exc: HotlineError) -> str:
    detail = exc.detail
    if isinstance(detail, Mapping):
        return "; ".join(f"{field}: {message}" for field, message in detail.items())
    return str(detail)


def history_import(*, actor, record: Record, known: Mapping[str, str], users: dict) -> str:
    """Register ``record``'s ticket and replay its events; return the new ticket's number.

    ``known`` maps the source ids already imported to ticket numbers (for merges); ``users``
    caches usernames to users. One transaction: on any error (LineError) nothing is written.
    """
    from hotline.accounts.models import User
    from hotline.tickets.services import acting_at, ticket_register, ticket_transition

    def user(username: str, where: str):
        if username not in users:
            users[username] = User.objects.filter(username=username, is_active=True).first()
        if users[username] is None:
            raise LineError(f"{where}: no active user {username!r}")
        return users[username]

    registrar = user(record.registered_by, "registered_by") if record.registered_by else actor
    with transaction.atomic():
        try:
            with acting_at(record.registered_at):
                registration = ticket_register(
                    actor=registrar,
                    data=record.ticket,
                    idempotency_key=idempotency_key(record.source_id),
                )
        except HotlineError as exc:
            raise LineError(f"register: {_reason(exc)}") from None
        if not registration.created:
            raise LineError(f"source_id {record.source_id!r} was already imported")
        number = registration.ticket.number
        for event in record.events:
            if event.action in SKIPPED_ACTIONS:
                continue
            where = f"events[{event.index}] {event.action}"
            data = dict(event.fields)
            if event.action == "merge":
                into = data.get("into")
                if not isinstance(into, str | int) or str(into) not in known:
                    raise LineError(f"{where}: into: no imported ticket with source_id {into!r}")
                data["into"] = known[str(into)]
            acting = user(event.actor, f"events[{event.index}].actor")
            try:
                with acting_at(event.at):
                    ticket_transition(actor=acting, number=number, action=event.action, data=data)
            except HotlineError as exc:
                raise LineError(f"{where}: {_reason(exc)}") from None
    return number


def now() -> datetime:
    return timezone.now()
