"""Reads of the feedback app. Ticket reads start from ``tickets_visible_to(user)``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Exists, F, Max, OuterRef, QuerySet, Subquery, Sum

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.tickets import workflow
from hotline.tickets.models import Clock
from hotline.tickets.selectors import tickets_visible_to

from . import spotcheck
from .models import (
    CheckItem,
    Evaluator,
    ReviewAssignment,
    SpotCheck,
    SpotSample,
    SpotScore,
    VerdictSample,
    VoiceFollowUp,
)

OVERSEERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


def review_assignments_for(user, *, evaluator: str | None = None, done: bool = False) -> QuerySet:
    """Open (or, with ``done``, finished) review assignments: an evaluator's own; supervisors
    and admins see everyone's, or one evaluator's with ``evaluator=<username>``. Oldest due
    first."""
    grants = grants_for(user)
    qs = ReviewAssignment.objects.filter(
        done_at__isnull=not done, ticket__in=tickets_visible_to(user)
    )
    if grants.roles & OVERSEERS:
        if evaluator:
            if not Evaluator.objects.filter(user__username=evaluator).exists():
                raise BadInput("evaluator", f"no evaluator {evaluator!r}")
            qs = qs.filter(evaluator__user__username=evaluator)
    elif Role.EVALUATOR in grants.roles:
        qs = qs.filter(evaluator__user=user)
    else:
        raise Forbidden("review assignments are for evaluators, supervisors and admins")
    return qs.select_related("ticket__unit", "evaluator__user").order_by(
        "due_at", "assigned_at", "pk"
    )


def verdict_sample_get(user, sample_id: int) -> VerdictSample:
    if not grants_for(user).roles & OVERSEERS:
        raise Forbidden("verdict samples are for supervisors and admins")
    sample = VerdictSample.objects.filter(pk=sample_id).first()
    if sample is None:
        raise NotFound(f"no verdict sample {sample_id}")
    return sample


CALLBACK_QUEUE_READERS = frozenset({Role.CALLBACK, Role.SUPERVISOR, Role.ADMIN})


def callback_queue(user) -> QuerySet:
    """Replied tickets the voice follow-up handed to the callback agents (no answer after the
    configured tries, an unclear key, a call that could not be placed), the follow-up clock's
    deadline first; only tickets ``user`` may see."""
    if not grants_for(user).roles & CALLBACK_QUEUE_READERS:
        raise Forbidden("the callback queue is for callback agents, supervisors and admins")
    this_reply = VoiceFollowUp.objects.filter(ticket=OuterRef("pk"), round=OuterRef("redo_count"))
    due = Clock.objects.filter(
        ticket=OuterRef("pk"), kind="follow_up", stopped_at__isnull=True
    ).order_by("-started_at")
    return (
        tickets_visible_to(user)
        .filter(status=workflow.REPLIED)
        .filter(Exists(this_reply.filter(state=VoiceFollowUp.CALLBACK)))
        .annotate(
            follow_up_due=Subquery(due.values("due_at")[:1]),
            follow_up_yellow=Subquery(due.values("yellow_at")[:1]),
            follow_up_unit=Subquery(due.values("limit_unit")[:1]),
            voice_reason=Subquery(this_reply.values("reason")[:1]),
            voice_attempts=Subquery(this_reply.values("attempts")[:1]),
        )
        .select_related("unit")
        .order_by(F("follow_up_due").asc(nulls_last=True), "replied_at", "pk")
    )


SPOT_READERS = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.LEADER})


# --- spot checks ----------------------------------------------------------------------------------


def _weeks(date_from: date, date_to: date) -> tuple[date, date]:
    if date_to < date_from:
        raise BadInput("to", "earlier than from")
    return spotcheck.week_of(date_from), spotcheck.week_of(date_to)


def spot_results(user, *, date_from: date, date_to: date, by: str) -> list[dict]:
    """Scored results of the weeks from ``date_from`` to ``date_to`` (the weeks they fall in):
    per unit (ticket checks) or per agent (call checks). Each row ``{unit|agent, name,
    samples, scored, points, max_points, score}``; ``score`` is points / max points in %."""
    if not grants_for(user).roles & SPOT_READERS:
        raise Forbidden("spot-check results are for supervisors, leaders and admins")
    if by not in ("unit", "agent"):
        raise BadInput("by", "unit or agent")
    first, last = _weeks(date_from, date_to)
    kind = CheckItem.CASE if by == "unit" else CheckItem.CALL
    key = "unit__code" if by == "unit" else "agent"
    samples = SpotSample.objects.filter(week__gte=first, week__lte=last, kind=kind)
    counts = {
        row[key]: row
        for row in samples.values(key).annotate(samples=Count("pk"), name_=_name(by)).order_by(key)
    }
    scored = {
        row[f"sample__{key}"]: row
        for row in SpotScore.objects.filter(sample__in=samples)
        .values(f"sample__{key}")
        .annotate(
            scored=Count("sample", distinct=True),
            points=Sum("points"),
            max_points=Sum("item__max_points"),
        )
        .order_by(f"sample__{key}")
    }
    rows = []
    for group, row in counts.items():
        s = scored.get(group, {})
        points, max_points = s.get("points") or 0, s.get("max_points") or 0
        rows.append(
            {
                by: group,
                "name": row["name_"],
                "samples": row["samples"],
                "scored": s.get("scored", 0),
                "points": points,
                "max_points": max_points,
                "score": spotcheck.percent(points, max_points),
            }
        )
    return rows


def _name(by: str):
    return Max("unit__name") if by == "unit" else Max("agent")


def unit_spot_scores(date_from: date, date_to: date) -> dict[str, dict]:
    """For the assessment: per unit code, the case spot checks of the weeks from ``date_from``
    to ``date_to``: ``{samples, scored, points, max_points, score}`` (score in %, None when
    nothing was scored). The unit is the one that replied to the ticket; a rule that assesses a
    unit on its sub-tree sums its descendants' points and max points."""
    first, last = _weeks(date_from, date_to)
    samples = SpotSample.objects.filter(week__gte=first, week__lte=last, kind=CheckItem.CASE)
    out: dict[str, dict] = {}
    for row in samples.values("unit__code").annotate(n=Count("pk")).order_by("unit__code"):
        out[row["unit__code"]] = {
            "samples": row["n"],
            "scored": 0,
            "points": 0,
            "max_points": 0,
            "score": None,
        }
    for scored in (
        SpotScore.objects.filter(sample__in=samples)
        .values("sample__unit__code")
        .annotate(
            scored=Count("sample", distinct=True),
            points=Sum("points"),
            max_points=Sum("item__max_points"),
        )
        .order_by("sample__unit__code")
    ):
        entry = out[scored["sample__unit__code"]]
        entry.update(
            scored=scored["scored"], points=scored["points"], max_points=scored["max_points"]
        )
        entry["score"] = spotcheck.percent(scored["points"], scored["max_points"])
    return out


def spot_require_reader(user) -> None:
    if not grants_for(user).roles & SPOT_READERS:
        raise Forbidden("spot checks are for supervisors, leaders and admins")


def spot_check_get(user, check_id: int) -> SpotCheck:
    spot_require_reader(user)
    check = SpotCheck.objects.filter(pk=check_id).first()
    if check is None:
        raise NotFound(f"no spot check {check_id}")
    return check


def checklist(kind: str | None = None) -> Sequence[CheckItem]:
    qs = CheckItem.objects.filter(active=True)
    if kind:
        if kind not in (CheckItem.CALL, CheckItem.CASE):
            raise BadInput("kind", "call or case")
        qs = qs.filter(kind=kind)
    return list(qs)


def spot_checks_recent(user, limit: int = 20) -> list[SpotCheck]:
    spot_require_reader(user)
    return list(SpotCheck.objects.order_by("-week", "-pk")[:limit])


def spot_sample_get(user, sample_id: int) -> SpotSample:
    spot_require_reader(user)
    sample = (
        SpotSample.objects.filter(pk=sample_id)
        .select_related("call", "ticket", "unit", "draw")
        .prefetch_related("scores")
        .first()
    )
    if sample is None:
        raise NotFound(f"no spot-check sample {sample_id}")
    return sample
