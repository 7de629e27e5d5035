"""Which hotline centre holds a ticket, and what a centre's roles may reach (DESIGN section 2:
the city's 市长专线 and each district's 区长专线 on one platform).

A ticket waits at the centre that registered it; a dispatch hands it to the deepest centre
whose tree holds the unit it went to (the city dispatching to a district makes it a 转办件 of
that district's centre); a send-back returns it to the centre that dispatched it; a district
passes it up to the city with ``pass_up``. ``None`` stands for the city's centre.
"""

from __future__ import annotations

from hotline.accounts.roles import Role
from hotline.accounts.selectors import Grants
from hotline.orgs.models import HotlineCentre, Unit
from hotline.orgs.selectors import centre_ancestry, centres_all

from .models import Ticket


def centre_covering(unit: Unit) -> HotlineCentre | None:
    """The deepest active centre whose tree holds ``unit``."""
    best = None
    for centre in centres_all():
        if unit.path.startswith(centre.covers.path):
            if best is None or len(centre.covers.path) > len(best.covers.path):
                best = centre
    return best


def ancestry(ticket: Ticket) -> list[int]:
    """The ticket's centre and the centres above it, nearest first."""
    return centre_ancestry(ticket.centre_id)


def acting_centres(grants: Grants, chain: list[int], role: Role) -> list[HotlineCentre | None]:
    """The centres of ``chain`` whose ``role`` the actor holds, nearest first; the city's
    centre too when the actor holds the role city-wide."""
    by_id = {c.pk: c for c in centres_all()}
    acting: list[HotlineCentre | None] = [
        by_id[c] for c in chain if role in grants.by_centre.get(c, ()) and c in by_id
    ]
    if role in grants.city_roles:
        roots = [by_id[c] for c in chain if c in by_id and by_id[c].parent_id is None]
        acting.append(roots[0] if roots else None)
    return acting


def in_centre_tree(unit: Unit, acting: list[HotlineCentre | None]) -> bool:
    """Whether a centre the actor acts for may send a ticket to ``unit``: a unit of its tree
    other than its own (the city's centre, or None for it, reaches every unit)."""
    for centre in acting:
        if centre is None or centre.parent_id is None:
            return True
        if unit.path.startswith(centre.covers.path) and unit.pk != centre.unit_id:
            return True
    return False


def clock_unit(centre: HotlineCentre | None) -> Unit | None:
    """The unit a centre's own clocks (dispatch) run for: a district centre's unit, so its
    leaders get the warnings; None for the city's centre (warned as the centre)."""
    if centre is None or centre.parent_id is None:
        return None
    return centre.unit
