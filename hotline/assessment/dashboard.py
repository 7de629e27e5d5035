"""Reads of the leaders' dashboard (docs/assessment.md, "Dashboard").

Every figure is a count of the assessment (selectors.py) for the scope unit — the city's root
unit, or a district a district leader leads — or a part of one (a day, a channel, a kind, a
category of the month's ``received``), and each comes with the list of its tickets:
``drill()`` answers the same question as a queryset, so a figure always equals its list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.errors import BadInput, Forbidden
from hotline.insight.selectors import hot_spot_snapshot
from hotline.insight.services import HOT_SPOT_WINDOWS, hot_spots_refresh
from hotline.orgs.models import Category, Level, Unit
from hotline.tickets.models import Clock, Ticket
from hotline.tickets.workflow import CHANNELS, KINDS
from hotline.workcal.calc import SHANGHAI

from . import formulas, regionmap, selectors, setcounts
from .selectors import Period, Scope

TREND_MONTHS = 12
TOP_UNITS = 10
HOTSPOT_WINDOWS = HOT_SPOT_WINDOWS
EXTRA_METRICS = ("warning_red", "warning_yellow", "hotspot")


# --- scope and period -------------------------------------------------------------------------


def root_unit() -> Unit:
    unit = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if unit is None:
        raise BadInput("scope", "the org tree is empty")
    return unit


def scope_for(user, code: str | None) -> Unit:
    """The unit whose figures the dashboard shows: ``code`` if the user may read it (403
    otherwise), else the city for those who read every scope, else the user's own unit."""
    if code:
        unit = selectors.unit_by_code(code)
        if unit.parent_id is None:
            selectors.check_scope(user, None)
        else:
            selectors.check_scope(user, unit)
        return unit
    if selectors.may_read_all(user):
        return root_unit()
    own = selectors._own_paths(user)
    if not own:
        raise Forbidden("this role may not read the dashboard")
    return Unit.objects.filter(path__in=own).order_by("path").first()  # type: ignore[return-value]


def period_for(month: str | None, now: datetime) -> Period:
    if not month:
        month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    return selectors.month_period(month, now)


def _ranked_scope(unit: Unit) -> Unit | None:
    """The scope argument of the ranking: None (the city's assessed units) for the root."""
    return None if unit.parent_id is None else unit


def _previous_months(label: str, n: int) -> list[str]:
    year, month = selectors.parse_month(label)
    out = []
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


# --- the tickets behind a figure ---------------------------------------------------------------


@dataclass(frozen=True)
class Drill:
    """What a figure counts: a metric of the scope in a month, optionally narrowed."""

    scope: str
    month: str
    metric: str
    day: str = ""
    week: str = ""  # the Monday of a week (within the month)
    channel: str = ""
    kind: str = ""
    category: str = ""
    unit: str = ""  # a unit in the scope: the metric of that unit instead
    window: str = ""  # hot spots: days
    rank: str = ""  # hot spots: rank
    snapshot: str = ""  # hot spots: the snapshot shown (insight.models.HotSpotSnapshot)

    def url(self) -> str:
        params = {k: v for k, v in self.__dict__.items() if v}
        return reverse("assessment:dashboard_tickets") + "?" + urlencode(params)


def _with_reach(qs: QuerySet, scope: Scope) -> QuerySet:
    first = (
        selectors._lead_in(scope)
        .filter(ticket=OuterRef("pk"))
        .order_by("assigned_at")
        .values("assigned_at")[:1]
    )
    return qs.annotate(reached_at=Subquery(first))


def _category_roots() -> tuple[dict[int, Category], dict[int, int]]:
    cats = {c.pk: c for c in Category.objects.only("code", "name", "parent_id", "level")}
    return cats, setcounts.category_roots()


def _day_bounds(text: str, field: str) -> tuple[datetime, datetime]:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(field, "YYYY-MM-DD") from None
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def open_warnings(scope: Scope, now: datetime, level: str) -> QuerySet[Ticket]:
    """Tickets with a clock of a unit of the scope running now past its yellow line (``yellow``)
    or its deadline (``red``)."""
    clocks = Clock.objects.filter(
        ticket=OuterRef("pk"),
        stopped_at__isnull=True,
        unit__path__startswith=scope.path,
        yellow_at__lte=now,
    )
    red = clocks.filter(due_at__lte=now)
    if level == "red":
        return Ticket.objects.filter(Exists(red))
    return Ticket.objects.filter(Exists(clocks.filter(due_at__gt=now))).exclude(Exists(red))


def hotspots(scope: Scope, now: datetime, days: int, snapshot: int | None = None):
    """The hot spots among the scope's tickets registered in the last ``days`` days: the
    worker's newest snapshot (``insight.services.hot_spots_refresh``, every 10 minutes), or
    one computed and kept now when there is no fresh one; snapshot ``snapshot`` for a link from
    a page shown earlier (None when it is gone)."""
    found = hot_spot_snapshot(scope.unit, days, now=now, pk=snapshot)
    if found is None and snapshot is None:
        found = hot_spots_refresh(scope.unit, days, now=now)
    return found


def drill(user, params, now: datetime) -> tuple[Unit, Period, str, QuerySet[Ticket]]:
    """The tickets behind one figure of the dashboard (``params``: the query string of
    ``Drill.url``). Checks the scope like the dashboard; a unit outside the scope is 404."""
    scope_unit = scope_for(user, params.get("scope") or None)
    period = period_for(params.get("month") or None, now)
    metric = params.get("metric") or ""
    code = params.get("unit") or ""
    if code:
        unit = selectors.unit_by_code(code, "unit")
        if not unit.path.startswith(scope_unit.path):
            raise BadInput("unit", "not in the scope")
        scope_unit = unit
    scope = Scope(scope_unit)
    if metric in ("warning_red", "warning_yellow"):
        qs = open_warnings(scope, now, metric.removeprefix("warning_"))
    elif metric == "hotspot":
        window, rank = params.get("window") or "", params.get("rank") or ""
        if not window.isdigit() or int(window) not in HOTSPOT_WINDOWS:
            raise BadInput("window", "7 or 30")
        snap = params.get("snapshot") or ""
        found = hotspots(scope, now, int(window), int(snap) if snap.isdigit() else None)
        spots = {str(s["rank"]): s for s in (found.spots if found else [])}
        if rank not in spots:
            raise BadInput("rank", "no such hot spot now")
        qs = Ticket.objects.filter(pk__in=spots[rank]["ids"])
    else:
        qs = _metric_narrowed(scope, period, metric, params)
    return scope_unit, period, metric, qs


def _metric_narrowed(scope: Scope, period: Period, metric: str, params) -> QuerySet[Ticket]:
    qs = selectors.metric_tickets(scope, period, metric)
    if metric == "received" and params.get("day"):
        start, end = _day_bounds(params["day"], "day")
        qs = _with_reach(qs, scope).filter(reached_at__gte=start, reached_at__lt=end)
    if metric == "received" and params.get("week"):
        start, _end = _day_bounds(params["week"], "week")
        end = start + timedelta(days=7)
        qs = _with_reach(qs, scope).filter(reached_at__gte=start, reached_at__lt=end)
    if params.get("channel"):
        qs = qs.filter(channel=params["channel"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("category"):
        cats, roots = _category_roots()
        root = next((pk for pk, c in cats.items() if c.code == params["category"]), None)
        if root is None:
            raise BadInput("category", "no such category")
        qs = qs.filter(category__in=[pk for pk, r in roots.items() if r == root])
    return qs


# --- the dashboard's figures --------------------------------------------------------------------


def _volume(groups: setcounts.CohortGroups, period: Period, base: Drill) -> dict:
    """Received per day and per week, by channel (``groups``: setcounts.cohort_groups)."""
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, channel, n in groups.by_day_channel:
        by_day[day.isoformat()][channel] += n
    days = []
    day = period.start.astimezone(SHANGHAI).date()
    last = (period.end - timedelta(seconds=1)).astimezone(SHANGHAI).date()
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    channels = sorted({c for per in by_day.values() for c in per})
    series = [
        {
            "channel": ch,
            "name": _(CHANNELS.get(ch, ch)),
            "data": [
                {
                    "value": by_day.get(d, {}).get(ch, 0),
                    "url": _replace(base, metric="received", day=d, channel=ch).url(),
                }
                for d in days
            ],
        }
        for ch in channels
    ]
    # Weeks from Monday; the first and last week are cut to the month.
    weeks = sorted({_monday(d) for d in days})
    by_week: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d, per in by_day.items():
        for ch, n in per.items():
            by_week[_monday(d)][ch] += n
    weekly_series = [
        {
            "channel": ch,
            "name": _(CHANNELS.get(ch, ch)),
            "data": [
                {
                    "value": by_week.get(w, {}).get(ch, 0),
                    "url": _replace(base, metric="received", week=w, channel=ch).url(),
                }
                for w in weeks
            ],
        }
        for ch in channels
    ]
    return {
        "days": days,
        "series": series,
        "totals": [sum(by_day.get(d, {}).values()) for d in days],
        "weeks": weeks,
        "weekly_series": weekly_series,
    }


def _monday(day: str) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def _replace(base: Drill, **changes) -> Drill:
    return Drill(**{**base.__dict__, **changes})


def _breakdowns(groups: setcounts.CohortGroups, base: Drill) -> dict:
    """Received by channel, kind and top-level category (``groups``: setcounts.cohort_groups)."""
    channels: dict[str, int] = defaultdict(int)
    for _day, channel, n in groups.by_day_channel:
        channels[channel] += n
    kinds = dict(groups.by_kind)
    cats = {c.pk: c for c in Category.objects.only("code", "name", "parent_id", "level")}
    by_root: dict[int | None, int] = defaultdict(int)
    for root, n in groups.by_category:
        by_root[root if root in cats else None] += n
    categories = [
        {
            "code": cats[pk].code,
            "name": cats[pk].name,
            "value": n,
            "url": _replace(base, metric="received", category=cats[pk].code).url(),
        }
        for pk, n in sorted(
            ((pk, n) for pk, n in by_root.items() if pk is not None),
            key=lambda kv: (-kv[1], cats[kv[0]].code),  # type: ignore[index]
        )
    ]
    return {
        "channels": [
            {
                "code": c,
                "name": _(CHANNELS.get(c, c)),
                "value": n,
                "url": _replace(base, metric="received", channel=c).url(),
            }
            for c, n in sorted(channels.items(), key=lambda kv: -kv[1])
        ],
        "kinds": [
            {
                "code": k,
                "name": _(KINDS.get(k, k)),
                "value": n,
                "url": _replace(base, metric="received", kind=k).url(),
            }
            for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])
        ],
        "categories": categories,
        "uncategorised": by_root.get(None, 0),
    }


def _trend(scope: Scope, period: Period, base: Drill) -> list[dict]:
    """The last 12 months at today's cut-off, in one query (setcounts.monthly_counts)."""
    out = []
    months = _previous_months(period.label, TREND_MONTHS)
    periods = [selectors.month_period(month, period.cut_off) for month in months]
    monthly = setcounts.monthly_counts(scope.unit.pk, periods, selectors.rules_for(period))
    for month, counts in zip(months, monthly, strict=True):
        rates = formulas.rates(counts)
        drill_month = _replace(base, month=month)
        out.append(
            {
                "month": month,
                "received": counts["received"],
                "replied_on_time": counts["replied_on_time"],
                "satisfied": counts["satisfied"],
                "due": formulas.due(counts),
                "followed_up": counts["followed_up"],
                "on_time_rate": rates["on_time_rate"],
                "satisfaction_rate": rates["satisfaction_rate"],
                "completion_rate": rates["completion_rate"],
                "urls": {
                    m: _replace(drill_month, metric=m).url()
                    for m in ("received", "replied_on_time", "satisfied", "followed_up")
                },
            }
        )
    return out


def _unit_row(row: dict, base: Drill) -> dict:
    keep = (
        "unit",
        "name",
        "received",
        "overdue",
        "replied",
        "satisfied",
        "score",
        "rank",
        "band",
        "on_time_rate",
        "satisfaction_rate",
        "completion_rate",
    )
    return {
        **{k: row.get(k) for k in keep},
        "urls": {
            m: _replace(base, unit=row["unit"], metric=m).url()
            for m in ("received", "overdue", "replied", "satisfied")
        },
    }


def _map(scope_unit: Unit, rows: list[dict], base: Drill) -> dict:
    """The regions of the units one level under the scope (the city: its districts), each
    coloured by a figure of its unit."""
    below: dict[str, str] = {Level.CITY: Level.DISTRICT, Level.DISTRICT: Level.STREET}
    child_level = below.get(scope_unit.level, Level.COMMUNITY)
    units = list(
        Unit.objects.filter(
            path__startswith=scope_unit.path, level=child_level, region__isnull=False
        )
        .exclude(pk=scope_unit.pk)
        .select_related("region")
        .order_by("code")
    )
    by_code = {r["unit"]: r for r in rows}
    regions = [(u.code, u.region) for u in units if u.region is not None]
    sites = [regionmap.Site(code, r.name, r.lat, r.lon) for code, r in regions]
    geo = regionmap.schematic_map(sites)
    data = []
    for code, region in regions:
        row = by_code.get(code)
        if row is None:
            continue
        unit_row = _unit_row(row, base)
        data.append({**unit_row, "unit_name": unit_row["name"], "name": code, "label": region.name})
    return {"geojson": geo, "regions": data, "schematic": True}


def _scope_and_ranking(scope_unit: Unit, period: Period) -> tuple[dict, list[dict]]:
    """The scope unit's counts and the live ranking of the units it ranks (selectors.
    live_rows), computed together set-based (selectors.set_rows)."""
    rules = selectors.rules_for(period)
    units = list(selectors.assessed_units(_ranked_scope(scope_unit)))
    rows = selectors.set_rows([*units, scope_unit], period, rules)
    counts = {name: rows[-1][name] for name in formulas.METRICS}
    return counts, formulas.rank(rows[:-1], rules)


def _the_only_root(unit: Unit) -> bool:
    return (
        unit.parent_id is None
        and not Unit.objects.filter(parent__isnull=True).exclude(pk=unit.pk).exists()
    )


def warning_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """``open_warnings(scope, now, level).count()`` for ``red`` and ``yellow`` in one read of the
    running clocks (the clock_running_yellow_unit index) instead of probing every ticket: per
    ticket with a clock past its yellow line, whether one is past its deadline (red) or none
    is (yellow)."""
    clocks = Clock.objects.filter(stopped_at__isnull=True, yellow_at__lte=now)
    if _the_only_root(scope.unit):
        # Every unit is under it: a clock of any unit (not the centre's), read from the index
        # alone (clock_running_yellow_unit holds the ticket, the deadline and the unit).
        clocks = clocks.filter(unit__isnull=False)
    else:
        clocks = clocks.filter(unit__path__startswith=scope.path)
    per_ticket = clocks.values("ticket_id").annotate(
        red=Max(Case(When(due_at__lte=now, then=Value(1)), default=Value(0)))
    )
    totals = per_ticket.aggregate(tickets=Count("ticket_id"), reds=Sum("red"))
    red = int(totals["reds"] or 0)
    return {"red": red, "yellow": int(totals["tickets"] or 0) - red}


def dashboard_data(user, scope_code: str | None, month: str | None, now: datetime) -> dict:
    scope_unit = scope_for(user, scope_code)
    period = period_for(month, now)
    scope = Scope(scope_unit)
    base = Drill(scope=scope_unit.code, month=period.label, metric="received")
    counts, rows = _scope_and_ranking(scope_unit, period)
    rates = formulas.rates(counts)
    ranked = [r for r in rows if r.get("rank")]
    ranked.sort(key=lambda r: (r["rank"], r["unit"]))
    by_overdue = sorted((r for r in rows if r["overdue"]), key=lambda r: (-r["overdue"], r["unit"]))
    warnings = warning_counts(scope, now)
    groups = setcounts.cohort_groups(scope_unit.pk, period)
    return {
        "scope": {"code": scope_unit.code, "name": scope_unit.name},
        "month": period.label,
        "cut_off": now.astimezone(SHANGHAI).isoformat(),
        "figures": {
            "counts": {
                m: {"value": counts[m], "url": _replace(base, metric=m).url()}
                for m in (
                    "received",
                    "replied",
                    "replied_on_time",
                    "overdue",
                    "satisfied",
                    "followed_up",
                    "repeats",
                    "forwarded_late",
                )
            },
            "rates": rates,
        },
        "volume": _volume(groups, period, base),
        "breakdowns": _breakdowns(groups, base),
        "trend": _trend(scope, period, base),
        "top_overdue": [_unit_row(r, base) for r in by_overdue[:TOP_UNITS]],
        "ranking": {
            "best": [_unit_row(r, base) for r in ranked[:TOP_UNITS]],
            # the last five, none of them among the best shown
            "worst": [_unit_row(r, base) for r in ranked[max(TOP_UNITS, len(ranked) - 5) :][::-1]],
        },
        "warnings": {
            level: {"value": n, "url": _replace(base, metric=f"warning_{level}").url()}
            for level, n in warnings.items()
        },
        "hotspots": {str(days): _hotspot_rows(scope, now, days, base) for days in HOTSPOT_WINDOWS},
        "map": _map(scope_unit, rows, base),
    }


def _hotspot_rows(scope: Scope, now: datetime, days: int, base: Drill) -> list[dict]:
    found = hotspots(scope, now, days)
    spots = found.spots if found else []
    ids = [e["id"] for s in spots for e in s["examples"]]
    numbers = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "number"))
    snapshot = str(found.pk) if found else ""
    return [
        {
            **{k: s[k] for k in ("rank", "topic", "place", "heat", "growth", "count", "citizens")},
            "examples": [
                {"number": numbers.get(e["id"]), "title": e["title"]} for e in s["examples"]
            ],
            "computed_at": timezone.localtime(found.computed_at).isoformat() if found else None,
            "url": _replace(
                base, metric="hotspot", window=str(days), rank=str(s["rank"]), snapshot=snapshot
            ).url(),
        }
        for s in spots
    ]


def scopes_for(user) -> list[Unit]:
    """The scopes the user may choose: the city and its districts, or the user's own units."""
    if selectors.may_read_all(user):
        root = root_unit()
        districts = Unit.objects.filter(path__startswith=root.path, level=Level.DISTRICT)
        return [root, *districts.order_by("code")]
    return list(Unit.objects.filter(path__in=selectors._own_paths(user)).order_by("path"))
