"""Reads of the insight app: similar tickets for a ticket, category suggestions for a text.

Candidates come from what the viewer may see (``tickets_visible_to``): tickets sharing title
fingerprints (most shared first), tickets from the same phone (centre roles only: units never
match by the complainant), and the newest tickets of the same region and category in the
window. ``similar.find_similar`` scores them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.db import row_datetime
from hotline.orgs.models import Category, Level, Region, RegionAlias, Unit
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.selectors import (
    ticket_get_visible,
    tickets_visible_to,
    visible_ticket_check,
)
from hotline.tickets.workflow import OPEN_STATUSES as OPEN

from . import classifier, replycheck, routing
from .models import DispatchRecord, HotSpotSnapshot, RoutingRule, TicketSignature
from .place import Place, PlaceIndex, RegionNode
from .similar import (
    DEFAULT_WINDOW,
    DUPLICATE_THRESHOLD,
    LSH_LIMIT,
    PLACE_WINDOW,
    REPEAT_WINDOW,
    Match,
    TicketText,
    find_similar,
    ticket_keys,
)
from .text import normalize_phone

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
    ticket, query: TicketText, visible: tuple[str, list] | None, window: timedelta
) -> tuple[str, list]:
    """One statement for every candidate row. Three sources, each limited: the tickets sharing
    the most title keys, the newest of the same phone, the newest of the same region and
    category in the window; each restricted to the tickets the viewer may see (``visible``: an
    SQL test of the ticket id ``{column}`` and its parameters, ``visible_ticket_check``; None:
    every ticket) and without the ticket itself. The rows come joined to their region and
    category codes. ("", []) when the ticket has nothing to match by."""
    qn = connection.ops.quote_name
    tickets = qn(Ticket._meta.db_table)

    def restricted(column: str, params: list, *, where: str = " AND") -> str:
        # A check per candidate (a few index probes), never a join with everything the viewer
        # may see: a test under CASE is not turned into a semi-join, so the plan cannot build
        # the district's whole visible set (tens of thousands of tickets), as a database
        # without planner statistics did for "IN (visible)" (2.8 s instead of ms).
        if visible is None:
            return ""
        params.extend(visible[1])
        return f"{where} CASE WHEN {visible[0].replace('{column}', column)} THEN 1 ELSE 0 END = 1"

    sources: list[str] = []
    params: list = []
    keys = ticket_keys(query)
    if keys:
        params += [*keys, ticket.pk]
        sources.append(
            f"SELECT s.ticket_id AS id FROM {qn(TicketSignature._meta.db_table)} s"
            f" WHERE s.key IN ({', '.join(['%s'] * len(keys))}) AND s.ticket_id <> %s"
            " GROUP BY s.ticket_id"
            # Once per ticket sharing keys, not once per shared key.
            + restricted("s.ticket_id", params, where=" HAVING")
            + " ORDER BY COUNT(*) DESC, s.ticket_id DESC LIMIT %s"
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
    if ticket.region_id:
        # The same region and category; a ticket not yet categorised (most, until dispatch)
        # against the others not yet categorised: both use ticket_region_cat_time.
        same_category = "b.category_id = %s" if ticket.category_id else "b.category_id IS NULL"
        params += [
            ticket.region_id,
            *([ticket.category_id] if ticket.category_id else []),
            connection.ops.adapt_datetimefield_value(ticket.registered_at - window),
            connection.ops.adapt_datetimefield_value(ticket.registered_at + window),
            ticket.pk,
        ]
        sources.append(
            f"SELECT b.id FROM {tickets} b WHERE b.region_id = %s AND {same_category}"
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
    sql, params = _candidate_statement(ticket, query, visible_ticket_check(user), window)
    return _scored(sql, params, query, sees_all=sees_all, window=window, limit=limit)


def _scored(
    sql: str,
    params: list,
    query: TicketText,
    *,
    sees_all: bool,
    window: timedelta,
    limit: int,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
) -> list[tuple[Match, SimilarTicket]]:
    """Run the candidate statement and score its rows against ``query``."""
    if not sql:
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A plan of a few index probes, whatever the planner guesses: on a freshly written
            # database without statistics it guesses 16 keys at 1.3 million rows, and compiled
            # the plan with JIT and started parallel workers (100-250 ms instead of 10).
            cursor.execute(
                "SELECT set_config('jit', 'off', true),"
                " set_config('max_parallel_workers_per_gather', '0', true)"
            )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shown = {}
    candidates = []
    for pk, number_, status, title, content, phone, region, category, address, at in rows:
        at = row_datetime(at)
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
    query, candidates = _with_issue_and_place(query, candidates)
    matches = find_similar(
        query, candidates, window=window, limit=limit, duplicate_threshold=duplicate_threshold
    )
    return [(m, shown[m.ticket]) for m in matches]


@dataclass(frozen=True)
class _Draft:
    """A ticket being typed at the intake screen, as the candidate statement reads one."""

    citizen_phone: str
    registered_at: datetime
    pk: int = 0
    region_id: int | None = None
    category_id: int | None = None


# Text typed at intake is short and rough: a lower bar than for a registered ticket's
# duplicates, since the agent only gets a list to look at.
DRAFT_THRESHOLD = 0.5


def similar_to_text(
    user, *, title: str = "", content: str, phone: str = "", limit: int = 10
) -> list[tuple[Match, SimilarTicket]]:
    """Open tickets ``user`` may see that look like the text being typed at intake (and, for
    the roles that may match by phone, the same caller's), best first; the same finder as
    ``similar_for``. Two statements at most whatever the ticket count."""
    sees_all = grants_for(user).sees_all
    now = timezone.now()
    phone = normalize_phone(phone) if sees_all and phone else ""
    query = TicketText(id=0, title=title, content=content, phone=phone, time=now)
    visible_qs = tickets_visible_to(user).filter(status__in=list(OPEN))
    visible_sql, visible_params = visible_qs.values("pk").query.sql_with_params()
    visible = (
        f"EXISTS (SELECT 1 FROM ({visible_sql}) v WHERE v.pk = {{column}})",
        [*visible_params],
    )
    sql, params = _candidate_statement(
        _Draft(citizen_phone=phone, registered_at=now), query, visible, DEFAULT_WINDOW
    )
    return _scored(
        sql,
        params,
        query,
        sees_all=sees_all,
        window=DEFAULT_WINDOW,
        limit=limit,
        duplicate_threshold=DRAFT_THRESHOLD,
    )


ENRICH_LIMIT = 100


def _with_issue_and_place(
    query: TicketText, candidates: list[TicketText]
) -> tuple[TicketText, list[TicketText]]:
    """The issue (the catalogue leaf set, else the one the text names) and the place (a
    street or finer) of the query and of the candidates that could be a repeat or a duplicate
    by them: the same phone within the repeat window, or within the place window. At most
    ``ENRICH_LIMIT`` candidates, the nearest in time first."""
    rt = _routing_parts().router

    def topic(t: TicketText) -> str:
        if t.category in rt.by_code:
            return t.category
        return rt.topic(f"{t.title}|{t.content[:HISTORY_TEXT]}") or ""

    def place(t: TicketText) -> str:
        found = rt.places.resolve(text=t.title, address=t.address, region=t.region or None)
        if found is None or found.level in ("city", "district"):
            return ""
        return found.region

    query = replace(query, topic=topic(query), place=place(query))
    if not query.topic:
        return query, candidates
    phone = normalize_phone(query.phone)
    near = sorted(
        (c for c in candidates if c.time is not None and query.time is not None),
        key=lambda c: abs(c.time - query.time),  # type: ignore[operator]
    )[:ENRICH_LIMIT]
    enriched: dict = {}
    for cand in near:
        apart = abs(cand.time - query.time)  # type: ignore[operator]
        if phone and normalize_phone(cand.phone) == phone and apart <= REPEAT_WINDOW:
            enriched[cand.id] = replace(cand, topic=topic(cand))
        elif query.place and apart <= PLACE_WINDOW and place(cand) == query.place:
            enriched[cand.id] = replace(cand, topic=topic(cand), place=query.place)
    return query, [enriched.get(c.id, c) for c in candidates]


# Regions that name a place (``_with_issue_and_place``: a street or finer, not a whole district).
PLACE_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID)
LEAF_LEVEL = 3


def same_place_and_issue() -> Q:
    """Tickets with another open ticket at the same place (their region, a street or finer) on
    the same issue (their catalogue leaf) registered at most ``PLACE_WINDOW`` apart: the
    candidate duplicates by place and leaf of ``similar.find_similar``, from the stored
    region and leaf, as one filter (the dispatcher's 疑似重复待并单 queue; the ticket's page
    lists them with the text's own place and issue too). Uses ticket_region_cat_time."""
    near = Ticket.objects.filter(
        region_id=OuterRef("region_id"),
        category_id=OuterRef("category_id"),
        registered_at__gte=OuterRef("registered_at") - PLACE_WINDOW,
        registered_at__lte=OuterRef("registered_at") + PLACE_WINDOW,
        status__in=list(OPEN),
    ).exclude(pk=OuterRef("pk"))
    return Q(region__level__in=PLACE_LEVELS, category__level=LEAF_LEVEL) & Q(Exists(near))


# --- suggestions -----------------------------------------------------------------------------

_catalogue_lock = threading.Lock()
_catalogue_cache: dict[str, object] = {}
HISTORY_LIMIT = 5000
HISTORY_TEXT = 200


@dataclass(frozen=True, slots=True)
class RoutingParts:
    """What the router needs, which changes rarely: cached per process for
    ``CATALOGUE_SECONDS`` (and dropped at once in this process when an admin edits the
    catalogue, a region, an alias or a routing rule)."""

    leaves: list[routing.LeafInfo]
    places: PlaceIndex
    district_units: dict[str, str]
    unit_names: dict[str, str]
    parents: dict[str, str | None]
    history: routing.History
    router: routing.Router  # with the active routing rules


def routing_changed() -> None:
    """Forget the cached catalogue, places and history (after an admin's edit)."""
    with _catalogue_lock:
        _catalogue_cache.clear()


def _history_examples() -> list[tuple[str, str]]:
    """The city's own dispatch history: the newest tickets a dispatcher sent on, with the leaf
    they were finally filed under."""
    rows = (
        Ticket.objects.filter(category__level=3, unit__isnull=False)
        .order_by("-id")
        .values_list("title", "content", "category__code")[:HISTORY_LIMIT]
    )
    return [(f"{title}|{content[:HISTORY_TEXT]}", code) for title, content, code in rows]


def _routing_parts() -> RoutingParts:
    with _catalogue_lock:
        now = time.monotonic()
        if now - _catalogue_cache.get("at", -CATALOGUE_SECONDS) < CATALOGUE_SECONDS:  # type: ignore[operator]
            return _catalogue_cache["value"]  # type: ignore[return-value]
        cats = {
            c.pk: c for c in Category.objects.filter(active=True).select_related("default_unit")
        }
        leaves, parents = [], {}
        for cat in cats.values():
            parent = cats.get(cat.parent_id) if cat.parent_id else None
            parents[cat.code] = parent.code if parent else None
            if cat.level != 3:
                continue
            names, node = [], cat
            while node is not None:
                names.append(node.name)
                node = cats.get(node.parent_id) if node.parent_id else None
            leaves.append(
                routing.LeafInfo(
                    code=cat.code,
                    names=tuple(reversed(names)),
                    owner=cat.owner,
                    unit=cat.default_unit.code if cat.default_unit_id else None,
                    keywords=routing.split_words(cat.keywords),
                )
            )
        aliases: dict[int, list[str]] = {}
        for region_id, name in RegionAlias.objects.values_list("region_id", "name"):
            aliases.setdefault(region_id, []).append(name)
        regions = list(Region.objects.select_related("parent"))
        places = PlaceIndex(
            RegionNode(
                code=r.code,
                name=r.name,
                level=r.level,
                parent=r.parent.code if r.parent else None,
                lat=r.lat,
                lon=r.lon,
                aliases=tuple(aliases.get(r.pk, ())),
            )
            for r in regions
        )
        district_units = dict(
            Unit.objects.filter(
                active=True, level=Level.DISTRICT, region__level=Level.DISTRICT
            ).values_list("region__code", "code")
        )
        unit_names = dict(Unit.objects.filter(active=True).values_list("code", "name"))
        history = routing.History(_history_examples())
        value = RoutingParts(
            leaves=leaves,
            places=places,
            district_units=district_units,
            unit_names=unit_names,
            parents=parents,
            history=history,
            router=routing.Router(
                leaves,
                places=places,
                district_units=district_units,
                rules=_rules(),
                history=history,
                unit_names=unit_names,
                category_parents=parents,
            ),
        )
        _catalogue_cache.update(at=now, value=value)
        return value


def _rules() -> list[routing.Rule]:
    """The active routing rules (cached with the catalogue; an admin's edit drops the cache,
    so the next suggestion in that process follows it, and the others within a minute)."""
    return [
        routing.Rule(
            id=r.pk,
            name=r.name,
            priority=r.priority,
            category=r.category.code if r.category else None,
            region=r.region.code if r.region else None,
            keywords=routing.split_words(r.keywords),
            urgency=r.urgency,
            unit=r.unit.code if r.unit else None,
        )
        for r in RoutingRule.objects.filter(active=True).select_related(
            "category", "region", "unit"
        )
    ]


def router() -> routing.Router:
    """The router: catalogue, places, history and rules (cached per process)."""
    return _routing_parts().router


@dataclass(frozen=True, slots=True)
class Suggested:
    model: str | None
    place: Place | None
    items: list[dict]
    district_name: str = ""  # the name of the place's district


def suggest_for(
    text: str,
    *,
    title: str | None = None,
    address: str = "",
    region: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    urgency: str = "",
    top: int = 3,
) -> Suggested:
    """The top catalogue leaves for a ticket, each with the unit that should get it, a
    calibrated confidence and the reasons in words; and the place the ticket was resolved to.
    No model in use: no suggestions (the card and the API say so)."""
    model = classifier.load_current()
    if model is None:
        return Suggested(None, None, [])
    rt = router()
    body = classifier.model_text(title, text) if title else classifier.model_text(text)
    proba = dict(zip(model.labels, (float(p) for p in model.predict_proba([body])[0]), strict=True))
    place = rt.places.resolve(
        text=f"{title or ''} {text}", address=address or "", region=region, lat=lat, lon=lon
    )
    items = []
    for s in rt.suggest(body, class_proba=proba, place=place, urgency=urgency, top=top):
        items.append(
            {
                "category": s.category,
                "category_name": s.category_name,
                "class": s.category_name.split("/", 1)[0],
                "unit": s.unit,
                "unit_name": rt.unit_name(s.unit) if s.unit else None,
                "confidence": s.confidence,
                "reasons": list(s.reasons),
                "rule": s.rule,
                "basis": s.basis,  # the same as facts (not in the API: its reasons say it)
            }
        )
    district = rt.places.nodes.get(place.district) if place and place.district else None
    return Suggested(classifier.current_name(), place, items, district.name if district else "")


def suggestions(
    text: str,
    *,
    title: str | None = None,
    address: str = "",
    region: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    urgency: str = "",
    top: int = 3,
) -> tuple[str | None, list[dict]]:
    """The model in use and the top suggestions for a ticket (see ``suggest_for``)."""
    out = suggest_for(
        text,
        title=title,
        address=address,
        region=region,
        lat=lat,
        lon=lon,
        urgency=urgency,
        top=top,
    )
    return out.model, out.items


def ticket_suggestions(ticket) -> tuple[str | None, list[dict]]:
    """The suggestions for a registered ticket: its text, address, region, map point, urgency."""
    out = ticket_suggest_for(ticket)
    return out.model, out.items


def ticket_suggest_for(ticket) -> Suggested:
    """``suggest_for`` a registered ticket, with the place its address and text resolved to."""
    return suggest_for(
        ticket.content,
        title=ticket.title or None,
        address=ticket.address,
        region=ticket.region.code if ticket.region else None,
        lat=ticket.lat,
        lon=ticket.lon,
        urgency=ticket.urgency,
    )


# --- acceptance of the suggestions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Acceptance:
    key: str  # a leaf's code or a rule's id
    name: str
    dispatches: int
    accepted: int  # the first suggestion's unit was the one chosen
    in_top3: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.accepted / self.dispatches, 2) if self.dispatches else None


def acceptance_by_leaf() -> list[Acceptance]:
    """Per suggested leaf: how many dispatches, how often its unit was the one chosen."""
    from django.db.models import Count, Q

    rows = (
        DispatchRecord.objects.exclude(suggested_category="")
        .values("suggested_category")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(accepted=True)),
            top3=Count("id", filter=Q(unit_in_top3=True)),
        )
        .order_by("-n", "suggested_category")
    )
    names = dict(
        Category.objects.filter(code__in=[r["suggested_category"] for r in rows]).values_list(
            "code", "name"
        )
    )
    return [
        Acceptance(
            r["suggested_category"],
            names.get(r["suggested_category"], r["suggested_category"]),
            r["n"],
            r["ok"],
            r["top3"],
        )
        for r in rows
    ]


def acceptance_by_rule() -> list[Acceptance]:
    """Per routing rule that chose the first suggestion's unit (and "no rule": the owner)."""
    from django.db.models import Count, Q

    rows = (
        DispatchRecord.objects.exclude(suggested_unit="")
        .values("rule_id", "rule__name")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(accepted=True)),
            top3=Count("id", filter=Q(unit_in_top3=True)),
        )
        .order_by("-n", "rule_id")
    )
    return [
        Acceptance(
            str(r["rule_id"] or ""),
            r["rule__name"] or "（无规则：分类归属）",
            r["n"],
            r["ok"],
            r["top3"],
        )
        for r in rows
    ]


def training_examples(limit: int | None = None) -> tuple[list[str], list[str]]:
    """Texts and first-level category names of the tickets whose category a dispatcher set,
    newest first (``limit``: the newest N only): what the suggestion model learns from."""
    qs = (
        Ticket.objects.exclude(category=None)
        .select_related("category__parent__parent")
        .only(
            "title",
            "content",
            "category__name",
            "category__level",
            "category__parent__name",
            "category__parent__level",
            "category__parent__parent__name",
        )
        .order_by("-id")
    )
    texts, labels = [], []
    for t in qs[:limit] if limit else qs.iterator(chunk_size=2000):
        node = t.category
        while node is not None and node.parent_id is not None and node.level > 1:
            node = node.parent
        if node is not None:
            texts.append(classifier.model_text(t.title, t.content))
            labels.append(node.name)
    return texts, labels


# --- reply check ------------------------------------------------------------------------------

REPLY_PASS_SCORE = replycheck.PASS_SCORE


def _complaint_text(ticket: Ticket) -> str:
    """What the reply check compares a reply to: the title (or the head of the content) and
    the content."""
    return f"{ticket.title or ticket.content[:60]}|{ticket.content}"


def _asked_at(ticket: Ticket) -> datetime:
    """When the round being answered began: the latest handling clock's start (a redo starts a
    new one), else the registration."""
    handle = ticket.clocks.filter(kind="handle").order_by("-started_at").first()
    return handle.started_at if handle is not None else ticket.registered_at


def reply_check_of(ticket: Ticket, text: str | None = None, *, at: datetime | None = None):
    """The reply check of ``text`` (the ticket's current reply when None) answering ``ticket``,
    as if replied ``at`` (the reply's moment, else now). Pure but for the clock's start."""
    reply = ticket.reply_text if text is None else text
    replied_at = at or ticket.replied_at or timezone.now()
    return replycheck.check_reply(
        _complaint_text(ticket), reply or "", _asked_at(ticket), replied_at
    )


def reply_check_for(user, number: str, text: str):
    """Check a draft reply to ticket ``number`` before it goes out (NotFound when the user may
    not see the ticket)."""
    return reply_check_of(ticket_get_visible(user, number), text, at=timezone.now())


WEAK_REPLY_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})


def weak_replies_for(user):
    """Replied tickets waiting for the follow-up whose reply scored below the pass mark of the
    reply check when it went out (recorded on the reply's event), for the dispatchers' queue;
    oldest reply first. Empty for the other roles. Two queries whatever the page size: the
    tickets, with their holding unit joined."""
    if not grants_for(user).roles & WEAK_REPLY_ROLES:
        return Ticket.objects.none()
    weak = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), action="reply", at=OuterRef("replied_at"), data__check_ok=False
    )
    return (
        tickets_visible_to(user)
        .filter(status="replied")
        .filter(Exists(weak))
        .select_related("unit")
        .order_by("replied_at", "pk")
    )


# The dashboard shows a snapshot at most this old; the worker refreshes them every 10 minutes.
HOT_SPOT_FRESH = timedelta(minutes=15)


def hot_spot_snapshot(unit, days: int, *, now: datetime, pk: int | None = None):
    """The hot spots of ``unit``'s scope over ``days`` days: snapshot ``pk`` when given (a link
    from a page shown earlier: None if it is not of this scope and window), else the newest one
    computed at most ``HOT_SPOT_FRESH`` before ``now`` (None if there is none)."""
    snapshots = HotSpotSnapshot.objects.filter(unit=unit, days=days)
    if pk is not None:
        return snapshots.filter(pk=pk).first()
    return (
        snapshots.filter(computed_at__gt=now - HOT_SPOT_FRESH, computed_at__lte=now)
        .order_by("-computed_at", "-pk")
        .first()
    )
