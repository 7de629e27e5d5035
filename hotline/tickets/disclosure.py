"""Showing a complainant's name and phone in full (DESIGN section 10): masked for units by
default (``serializers.citizen_view``); revealing them needs a role that may, and a reason, and
is written to the audit log.

Who may reveal, on a ticket they can see:

- the hotline centre's agents, dispatchers and callback agents, at the ticket's centre or one
  above it (a district centre's staff see its tickets masked like a unit; the city's centre
  already sees the complainant, and a reveal by it is logged all the same);
- the handler of the unit holding the ticket, unless the complainant asked for confidentiality,
  is anonymous, or the ticket is a report (举报): those are never shown to a unit, which may be
  the one complained about.

Nobody else: unit leaders, sub-dispatchers, a unit that held the ticket before, the offices'
inspectors, supervisors, evaluators and leaders work without the phone number.
"""

from __future__ import annotations

from hotline.accounts.roles import Role
from hotline.accounts.selectors import Grants, grants_for
from hotline.core.audit import audit_record
from hotline.core.errors import BadInput, Forbidden

from . import centres
from .models import Ticket
from .selectors import ticket_get_visible

REVEAL_ACTION = "ticket.reveal"
CENTRE_REVEALERS = frozenset({Role.AGENT, Role.DISPATCHER, Role.CALLBACK})
UNIT_REVEALERS = frozenset({Role.HANDLER})
MAX_REASON = 500


def shielded_from_units(ticket: Ticket) -> bool:
    """The complainant is never shown to a unit on this ticket."""
    return ticket.citizen_confidential or ticket.citizen_anonymous or ticket.kind == "report"


def may_reveal(ticket: Ticket, grants: Grants) -> bool:
    """Whether the viewer may ask to see the complainant of ``ticket`` in full."""
    if grants.roles_at_centres(centres.ancestry(ticket)) & CENTRE_REVEALERS:
        return True
    if shielded_from_units(ticket):
        return False
    return bool(grants.roles_at(ticket.unit_id) & UNIT_REVEALERS)


def reveal_reason_clean(reason: object) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise BadInput("reason", "required: why the full name and phone are needed")
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise BadInput("reason", f"at most {MAX_REASON} characters")
    return reason


def citizen_reveal(*, actor, number: str, reason: object) -> dict:
    """The complainant's name and phone of ticket ``number`` in full, logged in the audit log
    with the reason. NotFound (not visible), Forbidden (may not reveal), BadInput ``reason``."""
    ticket = ticket_get_visible(actor, number, related=("centre",))
    if not may_reveal(ticket, grants_for(actor)):
        raise Forbidden("this role may not see the complainant of this ticket in full")
    reason = reveal_reason_clean(reason)
    audit_record(
        actor=actor,
        action=REVEAL_ACTION,
        target=ticket.number,
        reason=reason,
        data={"fields": ["name", "phone"]},
    )
    return {"name": ticket.citizen_name, "phone": ticket.citizen_phone}
