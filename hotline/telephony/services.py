"""Writes of the telephony app: call records (idempotent by call id) and call-ticket links."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.tickets.selectors import ticket_get_visible

from .models import CallRecord, CallTicket
from .records import Call, RecordError, records_clean

# Who may post call records: the telephony system's integration user, admins, and the platform
# itself (the import_calls command).
POSTERS = frozenset({Role.ADMIN, Role.INTEGRATION, Role.SYSTEM})
# Who may link a call to a ticket registered from it.
LINKERS = frozenset({Role.AGENT, Role.ADMIN, Role.SYSTEM})
MAX_BATCH = 500  # about 130 KB of JSON: well within the body cap (HOTLINE_MAX_BODY)


class RecordBadInput(BadInput):
    """A bad record: 400 naming the field, with the record's index in a batch."""

    def __init__(self, field: str, message: str, index: int | None):
        super().__init__(field, message)
        self.index = index

    def as_dict(self) -> dict:
        body = super().as_dict()
        if self.index is not None:
            body["index"] = self.index
        return body


def _bad(exc: RecordError) -> RecordBadInput:
    index = None
    if exc.field.startswith("["):
        index = int(exc.field[1 : exc.field.index("]")])
    return RecordBadInput(exc.field, exc.message, index)


def _row(call: Call) -> CallRecord:
    return CallRecord(
        call_id=call.call_id,
        line=call.line,
        caller=call.caller,
        queued_at=call.queued_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        agent=call.agent or "",
        outcome=call.outcome,
        recording_ref=call.recording_ref,
        wait_us=call.wait_us,
    )


def require_poster(actor) -> None:
    if not grants_for(actor).roles & POSTERS:
        raise Forbidden("only admins and the telephony integration may post call records")


def calls_store(*, actor, calls: Iterable[Call]) -> dict:
    """Store validated calls; a call id already stored is left as it is (the first record wins,
    so a re-sent batch changes nothing). Returns ``{"created", "existing"}``."""
    require_poster(actor)
    unique: dict[str, Call] = {}
    for call in calls:
        unique.setdefault(call.call_id, call)
    total = 0
    created = 0
    ids = list(unique)
    with transaction.atomic():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            known = set(
                CallRecord.objects.filter(call_id__in=chunk).values_list("call_id", flat=True)
            )
            rows = [_row(unique[i]) for i in chunk if i not in known]
            # ON CONFLICT DO NOTHING: a concurrent post of the same call id is not an error.
            CallRecord.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
            total += len(chunk)
    return {"created": created, "existing": total - created}


def calls_record(*, actor, body: object) -> dict:
    """``POST /api/v1/calls``: one record or a list. The whole batch is validated before anything
    is written: one bad record writes nothing (400 naming ``[index].field``)."""
    require_poster(actor)
    limit = int(getattr(settings, "HOTLINE_CALLS_MAX_BATCH", MAX_BATCH))
    try:
        calls = records_clean(body, max_records=limit)
    except RecordError as exc:
        raise _bad(exc) from None
    return calls_store(actor=actor, calls=calls)


def call_ticket_link(*, actor, call_id: str, number: str) -> CallTicket:
    """Record that ticket ``number`` was registered from call ``call_id`` (idempotent)."""
    if not grants_for(actor).roles & LINKERS:
        raise Forbidden("only agents and admins link calls to tickets")
    call = CallRecord.objects.filter(call_id=call_id).first()
    if call is None:
        raise NotFound(f"no call {call_id}")
    if not isinstance(number, str) or not number:
        raise BadInput("ticket", "a ticket number is required")
    try:
        ticket = ticket_get_visible(actor, number)
    except NotFound:
        raise BadInput("ticket", f"no ticket {number}") from None
    link, _ = CallTicket.objects.get_or_create(
        call=call, ticket=ticket, defaults={"linked_by": getattr(actor, "username", "system")}
    )
    return link
