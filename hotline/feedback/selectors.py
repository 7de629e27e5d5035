"""Reads of the feedback app. Ticket reads start from ``tickets_visible_to(user)``."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.tickets import workflow
from hotline.tickets.models import Clock
from hotline.tickets.selectors import tickets_visible_to

from .models import Evaluator, ReviewAssignment, VerdictSample, VoiceFollowUp

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
            voice_reason=Subquery(this_reply.values("reason")[:1]),
            voice_attempts=Subquery(this_reply.values("attempts")[:1]),
        )
        .select_related("unit")
        .order_by(F("follow_up_due").asc(nulls_last=True), "replied_at", "pk")
    )
