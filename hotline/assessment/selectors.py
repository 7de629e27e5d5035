"""Reads of the assessment: each count of DESIGN section 7 as one condition on a unit's cohort
(docs/assessment.md), counted with one aggregate query per unit and listed with the same
condition for the drill-down, so that a count always equals its list.

Every condition looks at events, clocks and assignments up to the cut-off only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractHour, ExtractMinute, ExtractSecond, TruncDate
from django.db.models.lookups import LessThan

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.feedback.models import CheckItem, SpotSample, SpotScore
from hotline.insight.models import RepeatCheck
from hotline.orgs.models import Unit
from hotline.supervision.models import Accountability, SupervisionOrder
from hotline.tickets.models import Clock, Ticket, TicketAssignment, TicketEvent
from hotline.workcal.calc import SHANGHAI
from hotline.workcal.selectors import get_calendar

from . import formulas, setcounts
from .models import Publication, PublishedTicket, RuleSet, UnitFact

SATISFIED = ("satisfied", "basically_satisfied")


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive
    cut_off: datetime
    label: str

    @property
    def last_reach(self) -> datetime:
        return min(self.end, self.cut_off)


def parse_month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in text.split("-"))
        if len(text) != 7 or not 1 <= month <= 12 or year < 2000:
            raise ValueError
    except ValueError:
        raise BadInput("month", "YYYY-MM") from None
    return year, month


def month_period(text: str, cut_off: datetime) -> Period:
    year, month = parse_month(text)
    start, end = formulas.month_bounds(year, month, SHANGHAI)
    return Period(start, end, cut_off, text)


def range_period(first, last, cut_off: datetime) -> Period:
    if first is None:
        raise BadInput("from", "required, YYYY-MM-DD")
    if last is None:
        raise BadInput("to", "required, YYYY-MM-DD")
    if last < first:
        raise BadInput("to", "before from")
    if (last - first).days > 366:
        raise BadInput("to", "a range of at most 367 days")
    start, end = formulas.days_bounds(first, last, SHANGHAI)
    return Period(start, end, cut_off, f"{first.isoformat()}/{last.isoformat()}")


# --- the cohort and its conditions ----------------------------------------------------------


class Scope:
    """A unit and its sub-tree (属地管理): the unit answers for what reached any unit under it."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.path = unit.path
        self.codes = list(
            Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True)
        )


def _events(action: str, period: Period, **filters) -> QuerySet:
    return TicketEvent.objects.filter(
        ticket=OuterRef("pk"), action=action, at__lte=period.cut_off, **filters
    )


def _lead_in(scope: Scope) -> QuerySet:
    return TicketAssignment.objects.filter(
        role=TicketAssignment.LEAD, unit__path__startswith=scope.path
    )


def cohort(scope: Scope, period: Period) -> QuerySet[Ticket]:
    """Tickets that first reached the sub-tree in the period (up to the cut-off), less those
    merged into another ticket and those a unit of the sub-tree validly sent back."""
    reached = (
        _lead_in(scope)
        .filter(assigned_at__gte=period.start, assigned_at__lt=period.last_reach)
        .values("ticket_id")
    )
    earlier = _lead_in(scope).filter(ticket=OuterRef("pk"), assigned_at__lt=period.start)
    valid_send_back = _events(
        "dispatch",
        period,
        data__send_back__ruling="valid",
        data__send_back__unit__in=scope.codes,
    )
    return Ticket.objects.filter(pk__in=reached).filter(
        ~Exists(earlier), ~Exists(_events("merge", period)), ~Exists(valid_send_back)
    )


def _first_in_scope(kind: str, scope: Scope) -> QuerySet:
    """The ticket's first clock of ``kind`` run by a unit of the sub-tree."""
    clocks = Clock.objects.filter(
        ticket=OuterRef("pk"), kind=kind, unit__path__startswith=scope.path
    )
    before = Clock.objects.filter(
        ticket=OuterRef("ticket"), kind=kind, unit__path__startswith=scope.path
    ).filter(
        Q(started_at__lt=OuterRef("started_at"))
        | Q(started_at=OuterRef("started_at"), pk__lt=OuterRef("pk"))
    )
    return clocks.filter(~Exists(before))


def _spot_failed(scope: Scope, period: Period, pass_mark: float) -> QuerySet:
    """The ticket's case spot checks (抽查, hotline.feedback) of a unit of the sub-tree (the unit
    that replied) whose checklist points, scored up to the cut-off, are below ``pass_mark`` %
    of the items' maximum."""
    scores = (
        SpotScore.objects.filter(sample=OuterRef("pk"), scored_at__lte=period.cut_off)
        .order_by()
        .values("sample")
    )
    return (
        SpotSample.objects.filter(
            ticket=OuterRef("pk"), kind=CheckItem.CASE, unit__path__startswith=scope.path
        )
        .annotate(
            _points=Subquery(scores.annotate(s=Sum("points")).values("s")),
            _max=Subquery(scores.annotate(s=Sum("item__max_points")).values("s")),
        )
        .annotate(
            _scaled=ExpressionWrapper(F("_points") * 100, output_field=FloatField()),
            _limit=ExpressionWrapper(F("_max") * float(pass_mark), output_field=FloatField()),
        )
        .filter(_max__gt=0, _scaled__lt=F("_limit"))
    )


def rules_for(period: Period) -> formulas.Rules:
    """The rule set in force for the period (its month's), or the defaults."""
    rule_set = rule_set_for(period.start)
    return rule_set.as_rules() if rule_set else DEFAULT_RULES


def conditions(scope: Scope, period: Period, rules: formulas.Rules | None = None) -> dict[str, Q]:
    """metric -> the condition a cohort ticket meets to be counted (all but ``received`` and
    ``co_handled``, which have querysets of their own). ``rules`` (default: those in force for
    the period) gives the spot checks' pass mark."""
    cut = period.cut_off
    rules = rules or rules_for(period)
    replied = Exists(_events("reply", period))
    first_reply_clock = Clock.objects.filter(
        ticket=OuterRef("pk"), kind="handle", stop_reason="replied", stopped_at__lte=cut
    ).filter(
        ~Exists(
            Clock.objects.filter(
                ticket=OuterRef("ticket"),
                kind="handle",
                stop_reason="replied",
                stopped_at__lt=OuterRef("stopped_at"),
            )
        )
    )
    running_overdue = Clock.objects.filter(
        Q(stopped_at__isnull=True) | Q(stopped_at__gt=cut),
        ticket=OuterRef("pk"),
        kind="handle",
        started_at__lte=cut,
        due_at__lte=cut,
    )
    accept = _first_in_scope("accept", scope).filter(started_at__lte=cut)
    transfers = Clock.objects.filter(
        ticket=OuterRef("pk"),
        kind="transfer",
        unit__path__startswith=scope.path,
        stop_reason="forwarded",
        stopped_at__lte=cut,
    )
    # The final rating at the cut-off: a satisfied or basically satisfied follow-up, or a
    # review finding a dissatisfied one handled properly, with no follow-up after it.
    later_follow_up = TicketEvent.objects.filter(
        ticket=OuterRef("ticket"), action="follow_up", at__lte=cut, seq__gt=OuterRef("seq")
    )
    final_good = TicketEvent.objects.filter(
        Q(action="follow_up", data__satisfaction__in=SATISFIED)
        | Q(action="review", data__verdict="proper"),
        ticket=OuterRef("pk"),
        at__lte=cut,
    ).filter(~Exists(later_follow_up))
    # The repeat detector's verdict (hotline.insight: the ticket's "possible repeats"), taken
    # once per ticket and stored. It names an earlier ticket, so what it says was already true
    # when the ticket was registered, whenever the verdict was taken.
    repeat = RepeatCheck.objects.filter(ticket=OuterRef("pk"), repeat_of__isnull=False)
    # 自办件: registered at a district centre whose tree holds the unit (the city's centre has
    # no parent); every other cohort ticket reached the unit from above (转办件).
    prefixes = [scope.path[: i + 1] for i, ch in enumerate(scope.path) if ch == "/" and i]
    own = Q(registered_centre__parent__isnull=False, registered_centre__covers__path__in=prefixes)
    return {
        "received_own": own,
        "received_transferred": ~own,
        "forwarded": Q(Exists(transfers)),
        "forwarded_late": Q(Exists(transfers.filter(met=False))),
        "accepted_on_time": Q(
            Exists(
                accept.filter(
                    stop_reason__in=("accepted", "forwarded"),
                    stopped_at__lte=cut,
                    due_at__gte=F("stopped_at"),
                )
            )
        ),
        "accept_due": Q(Exists(accept.filter(Q(stopped_at__lte=cut) | Q(due_at__lte=cut)))),
        "replied": Q(replied),
        "replied_on_time": Q(Exists(first_reply_clock.filter(met=True))),
        "overdue": ~Q(replied) & Q(Exists(running_overdue)),
        "followed_up": Q(replied) & Q(Exists(_events("follow_up", period))),
        "satisfied": Q(Exists(_events("follow_up", period))) & Q(Exists(final_good)),
        "repeats": Q(Exists(repeat)),
        "send_backs_invalid": Q(
            Exists(
                _events(
                    "dispatch",
                    period,
                    data__send_back__ruling="invalid",
                    data__send_back__unit__in=scope.codes,
                )
            )
        ),
        "red_warnings": Q(
            Exists(_events("warn", period, data__warning="red", data__unit__in=scope.codes))
        ),
        "supervision_orders": Q(
            Exists(
                SupervisionOrder.objects.filter(
                    ticket=OuterRef("pk"), unit__path__startswith=scope.path, created_at__lte=cut
                )
            )
        ),
        "accountabilities": Q(
            Exists(
                Accountability.objects.filter(
                    ticket=OuterRef("pk"), unit__path__startswith=scope.path, decided_at__lte=cut
                )
            )
        ),
        "spot_checks_failed": Q(Exists(_spot_failed(scope, period, rules.spot_pass))),
    }


def co_handled(scope: Scope, period: Period) -> QuerySet[Ticket]:
    """Tickets a unit of the sub-tree was named co-unit (协办) of in the period (not merged)."""
    named = TicketAssignment.objects.filter(
        role=TicketAssignment.CO,
        unit__path__startswith=scope.path,
        assigned_at__gte=period.start,
        assigned_at__lt=period.last_reach,
    ).values("ticket_id")
    return Ticket.objects.filter(pk__in=named).exclude(Exists(_events("merge", period)))


def fact_conditions(
    scope: Scope, period: Period, rules: formulas.Rules | None = None
) -> dict[str, Q]:
    """``conditions`` over the facts (models.UnitFact of the unit and its TicketFact), for a
    cut-off now (setcounts.facts_usable): the same words as setcounts._fact_conds."""
    cut = period.cut_off
    rules = rules or rules_for(period)
    prefixes = [scope.path[: i + 1] for i, ch in enumerate(scope.path) if ch == "/" and i]
    own = Q(centre__parent__isnull=False, centre__covers__path__in=prefixes)
    spot = LessThan(
        ExpressionWrapper(F("spot_points") * 100, output_field=FloatField()),
        ExpressionWrapper(F("spot_max") * float(rules.spot_pass), output_field=FloatField()),
    )
    return {
        "received_own": own,
        "received_transferred": ~own,
        "forwarded": Q(fwd=True),
        "forwarded_late": Q(late=True),
        "accepted_on_time": Q(
            accept_started_at__lte=cut,
            accept_stop_reason__in=("accepted", "forwarded"),
            accept_stopped_at__lte=cut,
            accept_due_at__gte=F("accept_stopped_at"),
        ),
        "accept_due": Q(accept_started_at__lte=cut)
        & (Q(accept_stopped_at__lte=cut) | Q(accept_due_at__lte=cut)),
        "replied": Q(replied=True),
        "replied_on_time": Q(on_time=True),
        "overdue": Q(replied=False, running_due_at__lte=cut),
        "followed_up": Q(replied=True, followed=True),
        "satisfied": Q(satisfied=True),
        "repeats": Q(repeated=True),
        "send_backs_invalid": Q(sb_invalid=True),
        "red_warnings": Q(red=True),
        "supervision_orders": Q(sup=True),
        "accountabilities": Q(acc=True),
        "spot_checks_failed": Q(spot_max__gt=0) & Q(spot),
    }


def _fact_tickets(
    scope: Scope, period: Period, metric: str, rules: formulas.Rules | None
) -> QuerySet[Ticket]:
    """``metric_tickets`` from the facts: the unit's fact rows of the cohort (first reach in
    the period, not validly sent back, not merged) meeting the metric's condition."""
    rows = UnitFact.objects.filter(
        unit_id=scope.unit.pk,
        reached_at__gte=period.start,
        reached_at__lt=period.last_reach,
        sb_valid=False,
        merged=False,
    )
    if metric != "received":
        conds = fact_conditions(scope, period, rules)
        if metric not in conds:
            raise BadInput("metric", f"one of {', '.join(formulas.METRICS)}")
        rows = rows.filter(conds[metric])
    return Ticket.objects.filter(pk__in=rows.values("fact_id"))


def metric_tickets(
    scope: Scope, period: Period, metric: str, rules: formulas.Rules | None = None
) -> QuerySet[Ticket]:
    """The tickets behind one count (the drill-down): from the facts when the cut-off is now
    and they are ready (setcounts.facts_usable), else from the events."""
    if metric == "co_handled":
        return co_handled(scope, period)
    if setcounts.facts_usable(period):
        return _fact_tickets(scope, period, metric, rules)
    if metric == "received":
        return cohort(scope, period)
    conds = conditions(scope, period, rules)
    if metric not in conds:
        raise BadInput("metric", f"one of {', '.join(formulas.METRICS)}")
    return cohort(scope, period).filter(conds[metric])


def _seconds(field: str):
    return ExpressionWrapper(
        ExtractHour(field, tzinfo=SHANGHAI) * 3600
        + ExtractMinute(field, tzinfo=SHANGHAI) * 60
        + ExtractSecond(field, tzinfo=SHANGHAI),
        output_field=IntegerField(),
    )


def _day_groups(qs: QuerySet, field: str) -> list[tuple]:
    rows = (
        qs.annotate(_day=TruncDate(field, tzinfo=SHANGHAI), _secs=_seconds(field))
        .values("_day")
        .annotate(n=Count("pk"), secs=Sum("_secs"))
        .values_list("_day", "n", "secs")
    )
    return [(day, n, int(secs or 0)) for day, n, secs in rows]


def avg_handling_days(scope: Scope, period: Period, replied_count: int) -> float | None:
    """Working days from the ticket first reaching the sub-tree to its first reply, averaged
    over the replied cohort tickets; summed in the database per day (see docs)."""
    if not replied_count:
        return None
    qs = metric_tickets(scope, period, "replied").annotate(
        reached_at=Subquery(
            _lead_in(scope)
            .filter(ticket=OuterRef("pk"))
            .order_by("assigned_at")
            .values("assigned_at")[:1]
        ),
        first_reply=Subquery(
            TicketEvent.objects.filter(ticket=OuterRef("pk"), action="reply")
            .order_by("seq")
            .values("at")[:1]
        ),
    )
    cal = get_calendar()
    index = formulas.working_day_index(cal.days)
    try:
        replies = formulas.working_days_total(_day_groups(qs, "first_reply"), cal.days, index)
        reaches = formulas.working_days_total(_day_groups(qs, "reached_at"), cal.days, index)
    except KeyError as exc:
        from hotline.core.errors import CalendarMissing

        raise CalendarMissing(exc.args[0].year) from None
    return formulas.round2((replies - reaches) / replied_count)


def reached_paths(period: Period) -> list[str]:
    """Paths of the units a ticket reached (lead or co-unit) in the period: a unit none of
    whose sub-tree is among them has an empty cohort and nothing co-handled."""
    return list(
        TicketAssignment.objects.filter(
            role__in=(TicketAssignment.LEAD, TicketAssignment.CO),
            assigned_at__gte=period.start,
            assigned_at__lt=period.last_reach,
        )
        .values_list("unit__path", flat=True)
        .distinct()
    )


def has_activity(scope: Scope, paths: list[str]) -> bool:
    return any(path.startswith(scope.path) for path in paths)


ZERO_COUNTS = dict.fromkeys(formulas.METRICS, 0)


def unit_counts(
    scope: Scope,
    period: Period,
    paths: list[str] | None = None,
    rules: formulas.Rules | None = None,
    metrics: tuple[str, ...] | None = None,
) -> dict:
    """Every count of one unit: one aggregate query over the cohort, one for co-handled.
    ``metrics`` keeps only those counts (a glance at a few figures, the leaders' home)."""
    wanted = formulas.METRICS if metrics is None else metrics
    if paths is not None and not has_activity(scope, paths):
        return {name: 0 for name in wanted}
    conds = conditions(scope, period, rules)
    aggregates = {name: Count("pk", filter=cond) for name, cond in conds.items() if name in wanted}
    counts = cohort(scope, period).aggregate(received=Count("pk"), **aggregates)
    if "co_handled" in wanted:
        counts["co_handled"] = co_handled(scope, period).count()
    return {name: counts[name] for name in wanted}


def unit_row(
    unit: Unit, period: Period, rules: formulas.Rules, paths: list[str] | None = None
) -> dict:
    scope = Scope(unit)
    counts = unit_counts(scope, period, paths, rules)
    return {
        "unit": unit.code,
        "name": unit.name,
        **counts,
        "avg_handling_days": avg_handling_days(scope, period, counts["replied"]),
        **formulas.row_finish(counts, rules),
    }


def assessed_units(scope_unit: Unit | None) -> QuerySet[Unit]:
    units = Unit.objects.filter(assessed=True, active=True)
    if scope_unit is not None:
        units = units.filter(path__startswith=scope_unit.path).exclude(pk=scope_unit.pk)
    return units.order_by("code")


# --- rule sets and publications ---------------------------------------------------------------

DEFAULT_RULES = formulas.Rules(
    version=0, weights=formulas.DEFAULT_WEIGHTS, points=formulas.DEFAULT_POINTS
)


def rule_set_for(period_start: datetime) -> RuleSet | None:
    return (
        RuleSet.objects.filter(effective_from__lte=period_start.date())
        .order_by("-effective_from", "-version")
        .first()
    )


def set_rows(units: list[Unit], period: Period, rules: formulas.Rules) -> list[dict]:
    """``unit_row`` of every unit of ``units`` at once: the same counts, set-based (setcounts:
    two queries whatever the number of units, instead of four per unit)."""
    ids = [unit.pk for unit in units]
    counts, days = setcounts.counts_of(ids, period, rules)
    return [
        {
            "unit": unit.code,
            "name": unit.name,
            **counts[unit.pk],
            "avg_handling_days": days[unit.pk],
            **formulas.row_finish(counts[unit.pk], rules),
        }
        for unit in units
    ]


def live_rows(period: Period, scope_unit: Unit | None = None) -> tuple[list[dict], formulas.Rules]:
    """The ranking of the assessed units of the scope, computed now (set-based)."""
    rules = rules_for(period)
    rows = set_rows(list(assessed_units(scope_unit)), period, rules)
    return formulas.rank(rows, rules), rules


def publication_get(month: str, version: int) -> Publication:
    year, mon = parse_month(month)
    publication = Publication.objects.filter(
        month=formulas.month_bounds(year, mon, SHANGHAI)[0].date(), version=version
    ).first()
    if publication is None:
        raise NotFound(f"no version {version} of {month}")
    return publication


def published_rows(publication: Publication, scope_unit: Unit | None) -> list[dict]:
    """The frozen rows of the units in scope, ranked with the frozen rules."""
    wanted = set(assessed_units(scope_unit).values_list("code", flat=True))
    rules = formulas.Rules.from_dict(publication.rules)
    rows = [dict(row) for row in publication.rows if row["unit"] in wanted]
    return formulas.rank(rows, rules)


def published_tickets(publication: Publication, unit: Unit, metric: str) -> QuerySet[Ticket]:
    if metric not in formulas.METRICS:
        raise BadInput("metric", f"one of {', '.join(formulas.METRICS)}")
    ids = PublishedTicket.objects.filter(publication=publication, unit=unit, metric=metric).values(
        "ticket_id"
    )
    return Ticket.objects.filter(pk__in=ids)


def publications(month: str | None = None) -> QuerySet[Publication]:
    qs = Publication.objects.select_related("published_by")
    if month:
        year, mon = parse_month(month)
        qs = qs.filter(month=formulas.month_bounds(year, mon, SHANGHAI)[0].date())
    return qs.order_by("-month", "-version")


# --- who may read ---------------------------------------------------------------------------

READ_ALL = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
READ_OWN = frozenset({Role.LEADER, Role.UNIT_LEADER})


def unit_by_code(code: str, field: str = "scope") -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise BadInput(field, f"no unit with code {code!r}")
    return unit


def _own_paths(user) -> list[str]:
    grants = grants_for(user)
    units = [uid for uid, roles in grants.by_unit.items() if roles & READ_OWN]
    return list(Unit.objects.filter(pk__in=units).values_list("path", flat=True))


def may_read_all(user) -> bool:
    grants = grants_for(user)
    return grants.sees_all and bool(grants.roles & READ_ALL)


def check_scope(user, scope_unit: Unit | None) -> None:
    """Leaders of the city, supervisors and admins read every scope; a unit's leader (or a
    district's leader) reads the scope of its own unit and of the units under it."""
    if may_read_all(user):
        return
    paths = _own_paths(user)
    if not paths:
        raise Forbidden("this role may not read the assessment")
    if scope_unit is None or not any(scope_unit.path.startswith(p) for p in paths):
        raise Forbidden("a unit's leader reads the scope of its own unit (?scope=<its code>)")


def check_unit(user, unit: Unit) -> None:
    if may_read_all(user):
        return
    if not any(unit.path.startswith(p) for p in _own_paths(user)):
        raise NotFound(f"no assessed unit {unit.code!r} for this user")


# --- the public pages -------------------------------------------------------------------------


def published_months() -> list[Publication]:
    """The latest version of every published month, newest month first."""
    latest: dict = {}
    for publication in Publication.objects.only(
        "month", "version", "published_at", "note"
    ).order_by("-month", "-version"):
        latest.setdefault(publication.month, publication)
    return list(latest.values())


def publication_latest(month: str, version: int | None = None) -> Publication:
    if version is not None:
        return publication_get(month, version)
    year, mon = parse_month(month)
    publication = (
        Publication.objects.filter(month=formulas.month_bounds(year, mon, SHANGHAI)[0].date())
        .order_by("-version")
        .first()
    )
    if publication is None:
        raise NotFound(f"{month} is not published")
    return publication


def unit_trend(code: str, months: int = 12) -> list[dict]:
    """The unit's published rows (latest version of each month), oldest first."""
    trend = []
    for publication in published_months()[:months]:
        rows = {r["unit"]: r for r in published_rows(publication, None)}
        if code in rows:
            trend.append({"month": publication.month, "version": publication.version, **rows[code]})
    return list(reversed(trend))
