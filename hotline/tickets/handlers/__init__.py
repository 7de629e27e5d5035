"""The handlers of the ticket actions, by who acts: the centre, the unit holding the ticket,
the follow-up and review, anyone and the system. A handler gets the locked ticket (``Context``),
checks and applies the action's fields, and returns the event's data; the transition function
(``..transition``) has already checked state, role and guards against the table.

``supervise`` is handled by the supervision app, which keeps the orders (registered through
``..extensions``)."""

from __future__ import annotations

from ..extensions import handler_register
from . import centre, followup, system, unit

BUILTIN = {**centre.HANDLERS, **unit.HANDLERS, **followup.HANDLERS, **system.HANDLERS}


def handlers_register_builtin() -> None:
    for action, handler in BUILTIN.items():
        handler_register(action, handler)
