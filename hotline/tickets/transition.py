"""The one function through which every change of an existing ticket goes:
lock the row, read the facts the rules need, ask the table (``workflow.decide``) with the actor's
roles, run the action's handler and the steps other apps registered after it
(``extensions``), update only the changed columns and append the hash-chained event, all in
one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction

from hotline.accounts.roles import Role
from hotline.accounts.selectors import SYSTEM, Grants, grants_for
from hotline.core.errors import BadInput, Conflict, Forbidden, HotlineError
from hotline.core.uploads import CleanFile
from hotline.orgs.models import Unit

from . import attachments as files
from . import centres, clocks, extensions, workflow
from .extensions import Context
from .handlers.common import has_children, open_clock
from .models import Ticket
from .selectors import ticket_get_visible
from .timeline import event_append, now


def _refusal_error(refusal: workflow.Refusal) -> HotlineError:
    if refusal.kind == "state":
        return Conflict(str(refusal))
    if refusal.kind == "field":
        return BadInput(refusal.field or "body", str(refusal))
    return Forbidden(str(refusal))


def _named_unit(data: Mapping | None) -> Unit | None:
    code = (data or {}).get("unit")
    if not isinstance(code, str) or not code:
        return None
    return Unit.objects.filter(code=code).first()


def facts_of(
    ticket: Ticket,
    *,
    at,
    grants: Grants,
    chain: list[int],
    data: Mapping | None = None,
    wanted: frozenset[str] = workflow.ALL_FACTS,
) -> workflow.Facts:
    """What the table's guards need to know of ``ticket`` at ``at``: its extension, holder,
    deadline and centre (``chain``: its centre and those above), and the unit the action's
    ``unit`` field names, seen from the centres the actor acts for. Only the ``wanted`` facts
    are read (each may cost a query); the others keep their defaults, which no guard reads."""
    facts: dict[str, object] = {"extension_status": ticket.extension_status}
    if "holder_has_children" in wanted:
        facts["holder_has_children"] = ticket.unit is not None and has_children(ticket.unit)
    if "before_handle_deadline" in wanted:
        handle = open_clock(ticket, "handle") if ticket.status == workflow.IN_PROGRESS else None
        facts["before_handle_deadline"] = (
            handle is not None and handle.due_at is not None and at < handle.due_at
        )
    named = _named_unit(data) if wanted & {"named_unit_kind", "named_unit_in_centre_tree"} else None
    if named is not None:
        facts["named_unit_kind"] = named.kind
        acting = centres.acting_centres(grants, chain, Role.DISPATCHER)
        facts["named_unit_in_centre_tree"] = centres.in_centre_tree(named, acting)
    if "centre_has_parent" in wanted:
        facts["centre_has_parent"] = len(chain) > 1
    if "held_by_centre" in wanted:
        centre = ticket.centre
        facts["held_by_centre"] = ticket.unit_id is None or (
            centre is not None and ticket.unit_id == centre.unit_id
        )
    return workflow.Facts(**facts)  # type: ignore[arg-type]


def ticket_transition(
    *,
    actor,
    number: str,
    action: str,
    data: Mapping | None = None,
    locked: Ticket | None = None,
    attachments: Sequence[CleanFile] = (),
) -> Ticket:
    """Take ``action`` on ticket ``number`` as ``actor``. The only writer of existing tickets.

    Raises NotFound (not visible), Forbidden (role), Conflict (state), BadInput (fields);
    on any error nothing is written.

    ``locked`` is for a caller that already holds the ticket row's lock in its own transaction
    (the warning scanner locks a batch of tickets at once): the row is not read again and no
    savepoint is taken, so an error rolls back the caller's whole transaction.

    ``attachments``: files checked by content (``hotline.core.uploads.attachment_clean``) for
    the actions that take them (reply, comment), stored with the action's event.
    """
    data = data or {}
    if action not in extensions.HANDLERS:
        known = ", ".join(extensions.HANDLERS)
        raise BadInput("action", f"unknown action {action!r}; one of {known}")
    grants = grants_for(actor)
    if locked is not None:
        if not transaction.get_connection().in_atomic_block or locked.number != number:
            raise HotlineError("locked must be the ticket, locked in the current transaction")
        if actor is not SYSTEM:
            ticket_get_visible(actor, number)
        return _transition_locked(
            locked, actor=actor, grants=grants, action=action, data=data, attachments=attachments
        )
    with transaction.atomic():
        visible = ticket_get_visible(actor, number)
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("unit", "category", "send_back_unit", "centre")
            .get(pk=visible.pk)
        )
        return _transition_locked(
            ticket, actor=actor, grants=grants, action=action, data=data, attachments=attachments
        )


_TICKET_COLUMNS = tuple(
    f.attname for f in Ticket._meta.concrete_fields if f.attname not in ("id", "updated_at")
)


def _transition_locked(
    ticket: Ticket,
    *,
    actor,
    grants,
    action: str,
    data: Mapping,
    attachments: Sequence[CleanFile] = (),
) -> Ticket:
    """The body of ticket_transition once the row is locked. Writes one event and updates only
    the columns the action changed."""
    at = now()
    rule = workflow.TABLE[action]
    wanted = rule.facts_needed
    # The centre's chain costs a query: read it for the actions that need it (not for warn).
    chain = centres.ancestry(ticket) if rule.scope == workflow.CENTRE or wanted else []
    try:
        new_status = workflow.decide(
            action,
            ticket.status,
            roles_anywhere=grants.roles,
            roles_at_holding_unit=grants.roles_at(ticket.unit_id),
            roles_at_centre=grants.roles_at_centres(chain),
            facts=facts_of(ticket, at=at, grants=grants, chain=chain, data=data, wanted=wanted),
            data=data,
        )
    except workflow.Refusal as refusal:
        raise _refusal_error(refusal) from None
    files.attachments_check(action, attachments)
    before = {name: getattr(ticket, name) for name in _TICKET_COLUMNS}
    from_status = ticket.status
    ctx = Context(
        ticket=ticket, actor=actor, grants=grants, now=at, data=data, new_status=new_status
    )
    event_data = extensions.HANDLERS[action](ctx)
    for step in extensions.AFTER.get(action, ()):
        event_data.update(step(ctx))
    if attachments:
        # The names join the hash-chained event; the rows carry each file's digest.
        event_data["attachments"] = [file.name for file in attachments]
    ticket.status = new_status
    if new_status == workflow.CLOSED and ticket.closed_at is None:
        ticket.closed_at = at
    if new_status in workflow.OPEN_STATUSES:
        ticket.closed_at = None
    event = event_append(
        ticket,
        actor=actor,
        action=action,
        at=at,
        from_status=from_status,
        to_status=new_status,
        data=event_data,
    )
    files.attachments_store(ticket, event, attachments, actor=actor, at=at)
    changed = [name for name in _TICKET_COLUMNS if getattr(ticket, name) != before[name]]
    ticket.save(update_fields=[*changed, "updated_at"])
    if new_status == workflow.CLOSED:
        clocks.clocks_stop(ticket=ticket, at=at, reason="closed")
    extensions.tickets_changed([ticket.pk])
    return ticket


def ticket_allowed_actions(ticket: Ticket, grants: Grants) -> list[str]:
    """Actions the viewer could take now (for the console's buttons): the table asked, action by
    action, with the ticket's facts."""
    chain = centres.ancestry(ticket)
    facts = facts_of(ticket, at=now(), grants=grants, chain=chain)
    at_centre = grants.roles_at_centres(chain)
    return [
        action
        for action in workflow.TICKET_ACTIONS
        if workflow.allowed(
            action,
            ticket.status,
            roles_anywhere=grants.roles,
            roles_at_holding_unit=grants.roles_at(ticket.unit_id),
            roles_at_centre=at_centre,
            facts=facts,
        )
    ]


def tickets_reclock(year: int | None = None) -> int:
    """Give the clocks that waited for a calendar year their deadlines, one ticket at a time,
    each under its lock and on its timeline as a ``reclock`` event by the system. Registered
    with the calendar service (``calendar_on_year_confirmed``). Returns the tickets changed."""
    changed = 0
    for number in clocks.tickets_with_pending_clocks():
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("unit", "category", "send_back_unit")
                .get(number=number)
            )
            if not clocks.clocks_computable(clocks.clocks_pending(ticket)):
                continue
            ticket_transition(actor=SYSTEM, number=number, action="reclock", locked=ticket)
            changed += 1
    return changed
