"""How the apps above ``tickets`` take part in a ticket's change without ``tickets`` importing
them (the layers of docs/decisions.md). Each app registers in its ``AppConfig.ready()``; the
transition function calls what is registered at named points, under the ticket's lock and in
its transaction, so a reader follows every effect from here:

- ``handler_register(action, fn)``: the handler of an action whose records another app keeps
  (supervision: ``supervise`` opens a SupervisionOrder).
- ``after_register(action, fn)``: a step run after an action's own handler; what it returns is
  added to the event's data (supervision: the referral after a third send-back or redo).
- ``registration_rows_register(fn)``: rows written with a new ticket, in the one statement that
  writes it (insight: the similar-ticket keys).
- ``urgency_detector_register(fn)``: raises the urgency of a new ticket from its text (insight:
  urgent words).
- ``warning_notices_register(clock_kind, fn)``: who the warnings of a clock kind go to, when not
  the clock's unit's leaders (feedback: the review clock warns the assigned evaluator and, when
  red, the evaluators' coordinators). The warning scanner (supervision) asks it under the
  ticket's lock.
- ``changed_register(fn)``: told the ids of the tickets whose records changed
  (``tickets_changed``), in the change's transaction: the transition function at its end
  (under the ticket's lock), and the writers of records about a ticket kept outside it
  (supervision: accountability records; feedback: spot-check scores; insight: repeat
  verdicts). assessment: its per-ticket facts follow every change.
- ``queue_filter_register(queue, fn)``: more tickets for a home queue, as a filter (a ``Q``
  over the ticket, run in the queue's one statement): insight adds the candidate duplicates
  by place and leaf to the dispatcher's ``duplicates``.

``check_handlers`` (a Django system check) refuses to start when an action of the table has no
handler.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from hotline.accounts.selectors import Grants

from .models import Clock, Ticket


@dataclass
class Context:
    """What a handler gets: the locked ticket (changed in place), the actor, the moment, the
    action's fields and the state the table decided."""

    ticket: Ticket
    actor: Any
    grants: Grants
    now: datetime
    data: Mapping
    new_status: str


@dataclass(frozen=True)
class WarningNotice:
    """One notification a clock's warning sends: the outbox kind (also the template's name), the
    channel, the recipient's phone, and who that is (for the log and the event when the phone is
    missing). ``tag`` tells two notices of one kind apart: the outbox key is
    ``<kind>:<clock id>[:<tag>]``."""

    kind: str
    channel: str
    recipient: str
    who: str
    tag: str = ""


Handler = Callable[[Context], dict]
RowsFactory = Callable[[Ticket], Any]  # a list of unsaved model objects or a core.db.Many
UrgencyDetector = Callable[[str], tuple[str, Sequence[str]]]

HANDLERS: dict[str, Handler] = {}
AFTER: dict[str, list[Handler]] = {}
REGISTRATION_ROWS: list[RowsFactory] = []
URGENCY_DETECTORS: list[UrgencyDetector] = []
# clock kind -> fn(ticket, clock, level) -> the notices of that warning
WarningNotices = Callable[[Ticket, Clock, str], list[WarningNotice]]
WARNING_NOTICES: dict[str, WarningNotices] = {}
# queue key -> fns returning a filter of more tickets for that queue (ORed with its own)
QueueFilter = Callable[[], Q]
QUEUE_FILTERS: dict[str, list[QueueFilter]] = {}
# fns told the ids of tickets whose records changed
TicketsChanged = Callable[[list[int]], None]
CHANGED: list[TicketsChanged] = []


def handler_register(action: str, handler: Handler) -> None:
    """Make ``handler`` the one handler of ``action`` (a second, different one is a bug)."""
    current = HANDLERS.get(action)
    if current is not None and current is not handler:
        raise RuntimeError(f"action {action!r} already has a handler: {current!r}")
    HANDLERS[action] = handler


def after_register(action: str, step: Handler) -> None:
    steps = AFTER.setdefault(action, [])
    if step not in steps:
        steps.append(step)


def registration_rows_register(factory: RowsFactory) -> None:
    if factory not in REGISTRATION_ROWS:
        REGISTRATION_ROWS.append(factory)


def urgency_detector_register(detector: UrgencyDetector) -> None:
    if detector not in URGENCY_DETECTORS:
        URGENCY_DETECTORS.append(detector)


def warning_notices_register(clock_kind: str, notices: WarningNotices) -> None:
    """Make ``notices`` say who the warnings of ``clock_kind`` go to (one per kind)."""
    current = WARNING_NOTICES.get(clock_kind)
    if current is not None and current is not notices:
        raise RuntimeError(f"clock {clock_kind!r} already has its warning notices: {current!r}")
    WARNING_NOTICES[clock_kind] = notices


def queue_filter_register(queue: str, extra: QueueFilter) -> None:
    """Let the home queue ``queue`` also hold the tickets ``extra()`` selects."""
    filters = QUEUE_FILTERS.setdefault(queue, [])
    if extra not in filters:
        filters.append(extra)


def changed_register(fn: TicketsChanged) -> None:
    if fn not in CHANGED:
        CHANGED.append(fn)


def tickets_changed(ticket_ids: Iterable[int]) -> None:
    """Tell what is registered that the records of ``ticket_ids`` changed. Call it in the
    transaction of the change, after the change."""
    ids = sorted({int(pk) for pk in ticket_ids})
    if ids:
        for fn in CHANGED:
            fn(ids)


def check_handlers(app_configs=None, **kwargs) -> list:
    """System check: every action of the transition table has its handler."""
    from django.core.checks import Error

    from .workflow import SYSTEM_ACTIONS, TICKET_ACTIONS

    missing = [a for a in (*TICKET_ACTIONS, *SYSTEM_ACTIONS) if a not in HANDLERS]
    return [
        Error(f"the ticket action {action!r} has no handler", id="tickets.E001")
        for action in missing
    ]
