"""Reads of the insight app: similar tickets for a ticket, category suggestions for a text.

Candidates come from what the viewer may see (``tickets_visible_to``): tickets sharing title
fingerprints (most shared first), tickets from the same phone (centre roles only: units never
match by the complainant), and the newest tickets of the same region and category in the
window. ``similar.find_similar`` scores them.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.db.models import Count, Q

from hotline.accounts.selectors import grants_for
from hotline.orgs.models import Category
from hotline.tickets.selectors import ticket_get_visible, tickets_visible_to

from . import classifier
from .models import TicketSignature
from .similar import DEFAULT_WINDOW, LSH_LIMIT, Match, TicketText, find_similar, ticket_keys

BLOCK_LIMIT = 200
PHONE_LIMIT = 100
CATALOGUE_SECONDS = 60.0


def _text_of(ticket, *, with_citizen: bool) -> TicketText:
    return TicketText(
        id=ticket.pk,
        title=ticket.title,
        content=ticket.content,
        phone=ticket.citizen_phone if with_citizen else "",
        region=ticket.region.code if ticket.region_id else "",
        category=ticket.category.code if ticket.category_id else "",
        address=ticket.address,
        time=ticket.registered_at,
    )


def similar_for(
    user, number: str, *, window: timedelta = DEFAULT_WINDOW, limit: int = 20
) -> list[tuple[Match, object]]:
    """Possible repeats and duplicates of ticket ``number`` among the tickets ``user`` may see,
    best first, each with its ticket. 404 (NotFound) when the ticket is not visible."""
    ticket = ticket_get_visible(user, number, related=("region", "category"))
    sees_all = grants_for(user).sees_all
    visible = tickets_visible_to(user).exclude(pk=ticket.pk)
    query = _text_of(ticket, with_citizen=sees_all)
    ids: dict[int, None] = {}
    keys = ticket_keys(query)
    if keys:
        shared = (
            TicketSignature.objects.filter(key__in=keys, ticket__in=visible)
            .values("ticket_id")
            .annotate(n=Count("key"))
            .order_by("-n", "-ticket_id")[:LSH_LIMIT]
        )
        ids.update(dict.fromkeys(row["ticket_id"] for row in shared))
    if query.phone:
        same_phone = visible.filter(citizen_phone=ticket.citizen_phone).order_by("-registered_at")
        ids.update(dict.fromkeys(same_phone.values_list("pk", flat=True)[:PHONE_LIMIT]))
    if ticket.region_id and ticket.category_id:
        block = visible.filter(
            Q(region_id=ticket.region_id, category_id=ticket.category_id),
            registered_at__gte=ticket.registered_at - window,
            registered_at__lte=ticket.registered_at + window,
        ).order_by("-registered_at")
        ids.update(dict.fromkeys(block.values_list("pk", flat=True)[:BLOCK_LIMIT]))
    # Score plain rows (the candidates are up to a few hundred); load whole tickets only for
    # the matches.
    rows = visible.filter(pk__in=list(ids)).values_list(
        "pk",
        "title",
        "content",
        "citizen_phone",
        "region__code",
        "category__code",
        "address",
        "registered_at",
    )
    matches = find_similar(
        query,
        (
            TicketText(
                id=pk,
                title=title,
                content=content,
                phone=phone if sees_all else "",
                region=region or "",
                category=category or "",
                address=address,
                time=registered_at,
            )
            for pk, title, content, phone, region, category, address, registered_at in rows
        ),
        window=window,
        limit=limit,
    )
    tickets = visible.select_related("region", "category", "unit").in_bulk(
        [m.ticket for m in matches]
    )
    return [(m, tickets[m.ticket]) for m in matches]


# --- suggestions -----------------------------------------------------------------------------

_catalogue_lock = threading.Lock()
_catalogue_cache: dict[str, object] = {}


def _catalogue() -> tuple[classifier.Catalogue, dict[str, str], dict[str, Category]]:
    """The catalogue as the suggester sees it (names), the unit for each class and leaf path,
    and the category for each path. Cached per process for ``CATALOGUE_SECONDS``."""
    with _catalogue_lock:
        now = time.monotonic()
        if now - _catalogue_cache.get("at", -CATALOGUE_SECONDS) < CATALOGUE_SECONDS:  # type: ignore[operator]
            return _catalogue_cache["value"]  # type: ignore[return-value]
        by_pk = {
            c.pk: c for c in Category.objects.filter(active=True).select_related("default_unit")
        }
        paths: dict[str, Category] = {}
        leaves = []
        for cat in by_pk.values():
            names, node = [], cat
            while node is not None:
                names.append(node.name)
                node = by_pk.get(node.parent_id) if node.parent_id else None
            names.reverse()
            paths["/".join(names)] = cat
            if cat.level == 3 and len(names) == 3:
                leaves.append(classifier.Leaf(*names))
        units = {path: c.default_unit.code for path, c in paths.items() if c.default_unit_id}
        value = (classifier.Catalogue(leaves), units, paths)
        _catalogue_cache.update(at=now, value=value)
        return value


def suggestions(
    text: str, *, title: str | None = None, top: int = 3
) -> tuple[str | None, list[dict]]:
    """The model in use and its top suggestions for a ticket's text, with catalogue codes."""
    model = classifier.load_current()
    if model is None:
        return None, []
    catalogue, units, paths = _catalogue()
    items = []
    for s in classifier.suggest(
        text, top, title=title, model=model, unit_map=units, catalogue=catalogue
    ):
        first = paths.get(s.category)
        leaf = paths.get(s.leaf) if s.leaf else None
        items.append(
            {
                "category": (leaf or first).code if (leaf or first) else None,
                "category_name": s.leaf or s.category,
                "class": s.category,
                "unit": s.unit,
                "confidence": s.confidence,
            }
        )
    return classifier.current_name(), items
