"""REST endpoints of the feedback app, mounted under /api/v1/ by config/api.py.

Review: ``GET /feedback/reviews`` (an evaluator's assigned tickets), ``POST
/feedback/reviews/assign`` (supervisors, admins); the verdict itself is the ticket's ``review``
action (``POST /tickets/{number}/actions/review`` with ``verdict`` and ``judgements``).
Re-checks: ``POST /feedback/verdict-samples``, ``GET /feedback/verdict-samples/{id}``,
``POST /feedback/verdict-checks/{id}``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictBool

from hotline.core.api import paginate
from hotline.workcal.calc import warning_level

from . import reviews, selectors, voice
from .models import ReviewAssignment, VerdictCheck, VerdictSample

router = Router(tags=["feedback"])


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def assignment_view(row: ReviewAssignment, now) -> dict[str, Any]:
    ticket = row.ticket
    return {
        "ticket": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "unit": ticket.unit.code if ticket.unit else None,
        "evaluator": row.evaluator.user.username,
        "round": row.round,
        "assigned_at": _iso(row.assigned_at),
        "due_at": _iso(row.due_at),
        "done_at": _iso(row.done_at),
        "warning": "none" if row.done_at else warning_level(now, row.yellow_at, row.due_at),
    }


@router.get("/feedback/reviews", response=dict[str, Any], summary="Assigned review tickets")
def list_reviews(
    request: HttpRequest,
    evaluator: str | None = None,
    done: bool = False,
    page: int | None = None,
    page_size: int | None = None,
):
    qs = selectors.review_assignments_for(request.user, evaluator=evaluator, done=done)
    now = timezone.now()
    return paginate(request, qs, page, page_size, lambda row: assignment_view(row, now))


class AssignIn(Schema):
    seed: int | None = None


@router.post(
    "/feedback/reviews/assign",
    response=dict[str, Any],
    summary="Assign the tickets under review that have no evaluator (at random, evenly)",
)
def assign(request: HttpRequest, payload: AssignIn | None = None):
    seed = payload.seed if payload is not None else None
    return reviews.reviews_assign(actor=request.user, seed=seed)


class SampleIn(Schema):
    date_from: date
    date_to: date
    size: int = 10
    seed: int | None = None


def check_view(check: VerdictCheck) -> dict[str, Any]:
    return {
        "id": check.pk,
        "ticket": check.ticket.number,
        "event_seq": check.event_seq,
        "evaluator": check.evaluator,
        "verdict": check.verdict,
        "agrees": check.agrees,
        "note": check.note,
        "checked_by": check.checked_by or None,
        "checked_at": _iso(check.checked_at),
    }


def sample_view(sample: VerdictSample) -> dict[str, Any]:
    checks = sample.checks.select_related("ticket").order_by("pk")
    return {
        "id": sample.pk,
        "seed": sample.seed,
        "date_from": sample.date_from.isoformat(),
        "date_to": sample.date_to.isoformat(),
        "size": sample.size,
        "drawn_by": sample.drawn_by,
        "drawn_at": _iso(sample.drawn_at),
        "items": [check_view(c) for c in checks],
    }


@router.post(
    "/feedback/verdict-samples",
    response={201: dict[str, Any]},
    summary="Draw a random sample of review verdicts to re-check",
)
def draw_sample(request: HttpRequest, payload: SampleIn):
    sample = reviews.verdicts_sample(
        actor=request.user,
        date_from=payload.date_from,
        date_to=payload.date_to,
        size=payload.size,
        seed=payload.seed,
    )
    return Status(201, sample_view(sample))


@router.get(
    "/feedback/verdict-samples/{sample_id}",
    response=dict[str, Any],
    summary="A sample of verdicts with the re-checks",
)
def get_sample(request: HttpRequest, sample_id: int):
    return sample_view(selectors.verdict_sample_get(request.user, sample_id))


class CheckIn(Schema):
    agrees: StrictBool | None = None
    note: str | None = None


@router.post(
    "/feedback/verdict-checks/{check_id}",
    response=dict[str, Any],
    summary="Record a supervisor's re-check of one verdict",
)
def record_check(request: HttpRequest, check_id: int, payload: CheckIn):
    check = reviews.verdict_check_record(
        actor=request.user, check_id=check_id, agrees=payload.agrees, note=payload.note
    )
    return check_view(check)


# --- voice follow-up --------------------------------------------------------------------------


class VoiceResultIn(Schema):
    call_id: str | None = None
    message_key: str | None = None
    answered: StrictBool | None = None
    digit: str | int | None = None


@router.post(
    "/feedback/voice-results",
    response=dict[str, Any],
    summary="A voice follow-up call's result from the telephony system (idempotent by call_id)",
)
def voice_result(request: HttpRequest, payload: VoiceResultIn):
    return voice.voice_result_record(actor=request.user, data=payload.model_dump())


def queue_view(ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "unit": ticket.unit.code if ticket.unit else None,
        "replied_at": _iso(ticket.replied_at),
        "follow_up_due": _iso(ticket.follow_up_due),
        "voice_attempts": ticket.voice_attempts,
        "reason": ticket.voice_reason,
    }


@router.get(
    "/feedback/callback-queue",
    response=dict[str, Any],
    summary="Tickets waiting for a callback agent, the follow-up deadline first",
)
def callback_queue(request: HttpRequest, page: int | None = None, page_size: int | None = None):
    return paginate(request, selectors.callback_queue(request.user), page, page_size, queue_view)
