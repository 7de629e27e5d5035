"""Reads of the insight app: similar tickets for a ticket, category suggestions for a text.

Candidates come from what the viewer may see (``tickets_visible_to``): tickets sharing title
fingerprints (most shared first), tickets from the same phone (centre roles only: units never
match by the complainant), and the newest tickets of the same region and category in the
window. ``similar.find_similar`` scores them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline.accounts.selectors import grants_for
from hotline.orgs.models import Category, Region
from hotline.tickets.models import Ticket
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


@dataclass(frozen=True, slots=True)
class SimilarTicket:
    """What a list of similar tickets shows of each one."""

    id: int
    number: str
    status: str
    title: str
    registered_at: datetime


_CANDIDATE_COLUMNS = (
    "t.id, t.number, t.status, t.title, t.content, t.citizen_phone, r.code, c.code, t.address,"
    " t.registered_at"
)


def _candidate_statement(
    ticket, query: TicketText, visible: tuple[str, tuple] | None, window: timedelta
) -> tuple[str, list]:
    """One statement for every candidate row. Three sources, each limited: the tickets sharing
    the most title keys, the newest of the same phone, the newest of the same region and
    category in the window; each restricted to the ``visible`` ids (an SQL subquery and its
    parameters; None: every ticket) and without the ticket itself. The rows come joined to
    their region and category codes. ("", []) when the ticket has nothing to match by."""
    qn = connection.ops.quote_name
    tickets = qn(Ticket._meta.db_table)

    def restricted(column: str, params: list) -> str:
        if visible is None:
            return ""
        params.extend(visible[1])
        return f" AND {column} IN ({visible[0]})"

    sources: list[str] = []
    params: list = []
    keys = ticket_keys(query)
    if keys:
        params += [*keys, ticket.pk]
        sources.append(
            f"SELECT s.ticket_id AS id FROM {qn(TicketSignature._meta.db_table)} s"
            f" WHERE s.key IN ({', '.join(['%s'] * len(keys))}) AND s.ticket_id <> %s"
            + restricted("s.ticket_id", params)
            + " GROUP BY s.ticket_id ORDER BY COUNT(*) DESC, s.ticket_id DESC LIMIT %s"
        )
        params.append(LSH_LIMIT)
    if query.phone:
        params += [ticket.citizen_phone, ticket.pk]
        sources.append(
            f"SELECT p.id FROM {tickets} p WHERE p.citizen_phone = %s AND p.id <> %s"
            + restricted("p.id", params)
            + " ORDER BY p.registered_at DESC LIMIT %s"
        )
        params.append(PHONE_LIMIT)
    if ticket.region_id and ticket.category_id:
        params += [
            ticket.region_id,
            ticket.category_id,
            connection.ops.adapt_datetimefield_value(ticket.registered_at - window),
            connection.ops.adapt_datetimefield_value(ticket.registered_at + window),
            ticket.pk,
        ]
        sources.append(
            f"SELECT b.id FROM {tickets} b WHERE b.region_id = %s AND b.category_id = %s"
            " AND b.registered_at >= %s AND b.registered_at <= %s AND b.id <> %s"
            + restricted("b.id", params)
            + " ORDER BY b.registered_at DESC LIMIT %s"
        )
        params.append(BLOCK_LIMIT)
    if not sources:
        return "", []
    # Each source is a CTE: SQLite allows LIMIT there but not inside a compound SELECT.
    names = [f"src{i}" for i in range(len(sources))]
    ctes = ", ".join(f"{name} AS ({sql})" for name, sql in zip(names, sources, strict=True))
    union = " UNION ALL ".join(f"SELECT id FROM {name}" for name in names)
    sql = (
        f"WITH {ctes} SELECT {_CANDIDATE_COLUMNS} FROM {tickets} t"
        f" LEFT JOIN {qn(Region._meta.db_table)} r ON r.id = t.region_id"
        f" LEFT JOIN {qn(Category._meta.db_table)} c ON c.id = t.category_id"
        f" WHERE t.id IN ({union})"
    )
    return sql, params


def _aware(value) -> datetime:
    """A timestamp read through a plain cursor: SQLite gives naive UTC (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def similar_for(
    user, number: str, *, window: timedelta = DEFAULT_WINDOW, limit: int = 20
) -> list[tuple[Match, SimilarTicket]]:
    """Possible repeats and duplicates of ticket ``number`` among the tickets ``user`` may see,
    best first, each with what a list shows of it. 404 (NotFound) when the ticket is not
    visible. Two queries: the ticket, then every candidate row in one statement (this is on
    the dispatcher's screen for every new ticket, with millions of tickets behind it)."""
    ticket = ticket_get_visible(user, number, related=("region", "category"))
    sees_all = grants_for(user).sees_all
    query = _text_of(ticket, with_citizen=sees_all)
    visible = None if sees_all else tickets_visible_to(user).values("pk").query.sql_with_params()
    sql, params = _candidate_statement(ticket, query, visible, window)
    if not sql:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shown = {}
    candidates = []
    for pk, number_, status, title, content, phone, region, category, address, at in rows:
        at = _aware(at)
        shown[pk] = SimilarTicket(pk, number_, status, title, at)
        candidates.append(
            TicketText(
                id=pk,
                title=title,
                content=content,
                phone=phone if sees_all else "",
                region=region or "",
                category=category or "",
                address=address,
                time=at,
            )
        )
    matches = find_similar(query, candidates, window=window, limit=limit)
    return [(m, shown[m.ticket]) for m in matches]


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
