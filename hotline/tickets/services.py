"""Writes to tickets: the public entry points, each implemented in its own module.

- ``ticket_register`` (``registration``): a new ticket, with everything that hangs on it.
- ``ticket_transition`` (``transition``): every later change, through the transition table
  (``workflow``) and the action handlers (``handlers``), in one transaction under the row lock.
- ``ticket_allowed_actions``: what a viewer may do now, asked of the same table.
- ``tickets_reclock``: deadlines that waited for a calendar year, as ticket changes.
- ``acting_at``: take actions at a past moment (history import, the demo).
- ``citizen_reveal`` / ``may_reveal`` (``disclosure``): the complainant in full, with a reason,
  written to the audit log.

Apps above ``tickets`` take part in a change through ``extensions``, never by being imported
here.
"""

from __future__ import annotations

from .disclosure import citizen_reveal, may_reveal
from .registration import (
    Registration,
    may_register,
    registration_validate,
    ticket_register,
    ticket_registered_with_key,
)
from .timeline import acting_at
from .transition import ticket_allowed_actions, ticket_transition, tickets_reclock

__all__ = [
    "Registration",
    "acting_at",
    "citizen_reveal",
    "may_reveal",
    "may_register",
    "registration_validate",
    "ticket_allowed_actions",
    "ticket_register",
    "ticket_registered_with_key",
    "ticket_transition",
    "tickets_reclock",
]
