"""The dissatisfied-ticket query (群众评价不满意件查询) and the repeat-complaint query (重复投诉件查询):
a month's tickets of a scope, by the assessment's own conditions (selectors.conditions), so
that a list's length equals what the ranking counts:

* dissatisfied = ``followed_up`` and not ``satisfied`` (the tickets that lower the
  satisfaction rate: their final rating is dissatisfied and no review found them handled
  properly);
* repeats = ``repeats``.

Filters: a unit of the scope (its sub-tree's cohort, as in its ranking row), a district, a
top-level category. Who may read: as the dashboard (dashboard.scope_for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, QuerySet

from hotline.core.errors import BadInput
from hotline.orgs.models import Category, Level, Unit
from hotline.tickets.models import Clock, Ticket
from hotline.tickets.workflow import OPEN_STATUSES

from . import dashboard, selectors
from .selectors import Period, Scope

KINDS = ("dissatisfied", "repeats")


@dataclass(frozen=True)
class Query:
    kind: str
    scope: Unit  # the scope the reader asked for (checked)
    target: Unit  # the unit whose cohort is listed: the scope, or a unit or district in it
    period: Period
    category: Category | None


def _in_scope(scope: Unit, code: str, field: str) -> Unit:
    unit = selectors.unit_by_code(code, field)
    if not unit.path.startswith(scope.path):
        raise BadInput(field, "not in the scope")
    return unit


def query_for(user, kind: str, params, now: datetime) -> Query:
    if kind not in KINDS:
        raise BadInput("kind", "dissatisfied or repeats")
    scope = dashboard.scope_for(user, params.get("scope") or None)
    period = dashboard.period_for(params.get("month") or None, now)
    target = scope
    if params.get("district"):
        target = _in_scope(scope, params["district"], "district")
        if target.level != Level.DISTRICT:
            raise BadInput("district", "not a district")
    if params.get("unit"):
        target = _in_scope(target, params["unit"], "unit")
    category = None
    if params.get("category"):
        category = Category.objects.filter(code=params["category"]).first()
        if category is None:
            raise BadInput("category", "no such category")
    return Query(kind, scope, target, period, category)


def tickets(query: Query) -> QuerySet[Ticket]:
    scope = Scope(query.target)
    conds = selectors.conditions(scope, query.period)
    qs = selectors.cohort(scope, query.period)
    if query.kind == "dissatisfied":
        qs = qs.filter(conds["followed_up"]).exclude(conds["satisfied"])
    else:
        qs = qs.filter(conds["repeats"])
    if query.category is not None:
        qs = qs.filter(category__in=category_and_below(query.category))
    return qs


def category_and_below(category: Category) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        out.append(pk)
        todo.extend(children.get(pk, []))
    return out


def counts_by_unit(qs: QuerySet[Ticket]) -> list[tuple[str, str, int]]:
    """(code, name, count) by the unit holding each ticket now, most first."""
    rows = (
        qs.values("unit__code", "unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__code")
        .values_list("unit__code", "unit__name", "n")
    )
    return [(code or "", name or "", n) for code, name, n in rows]


def counts_by_category(qs: QuerySet[Ticket]) -> list[tuple[str, str, int]]:
    """(code, name, count) by top-level category, most first; uncategorised as ("", "", n)."""
    cats, roots = dashboard._category_roots()
    totals: dict[int | None, int] = {}
    for cat_id, n in qs.values("category").annotate(n=Count("pk")).values_list("category", "n"):
        key = roots.get(cat_id) if cat_id else None
        totals[key] = totals.get(key, 0) + n
    out = [
        (cats[pk].code if pk else "", cats[pk].name if pk else "", n) for pk, n in totals.items()
    ]
    return sorted(out, key=lambda row: (-row[2], row[0]))


def choices(query: Query) -> dict:
    """What the filters offer: the assessed units and districts of the scope, the top-level
    categories."""
    units = selectors.assessed_units(None if query.scope.parent_id is None else query.scope)
    return {
        "units": list(units.values_list("code", "name")),
        "districts": list(
            Unit.objects.filter(path__startswith=query.scope.path, level=Level.DISTRICT)
            .order_by("code")
            .values_list("code", "name")
        ),
        "categories": list(
            Category.objects.filter(parent__isnull=True)
            .order_by("code")
            .values_list("code", "name")
        ),
    }


def with_warning(qs: QuerySet[Ticket], now: datetime) -> QuerySet[Ticket]:
    """Each ticket's warning now (``warn_red``, ``warn_yellow``: a clock running past its
    deadline, or past its yellow line) and whether it is still open (``is_open``), in the
    list's own query."""
    running = Clock.objects.filter(
        ticket=OuterRef("pk"), stopped_at__isnull=True, yellow_at__lte=now
    )
    return qs.annotate(
        warn_red=Exists(running.filter(due_at__lte=now)),
        warn_yellow=Exists(running.filter(due_at__gt=now)),
        is_open=Exists(Ticket.objects.filter(pk=OuterRef("pk"), status__in=OPEN_STATUSES)),
    )
