"""REST endpoints of the feedback app, mounted under /api/v1/ by config/api.py.

Review: ``GET /feedback/reviews`` (an evaluator's assigned tickets), ``POST
/feedback/reviews/assign`` (supervisors, admins); the verdict itself is the ticket's ``review``
action (``POST /tickets/{number}/actions/review`` with ``verdict`` and ``judgements``).
Re-checks: ``POST /feedback/verdict-samples``, ``GET /feedback/verdict-samples/{id}``,
``POST /feedback/verdict-checks/{id}``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictBool

from hotline.core.api import paginate
from hotline.core.errors import BadInput
from hotline.workcal.calc import warning_level

from . import reviews, selectors, spotchecks, voice
from .exports import spot_results_xlsx
from .models import ReviewAssignment, SpotCheck, SpotSample, VerdictCheck, VerdictSample

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


# --- spot checks ------------------------------------------------------------------------------


class DrawIn(Schema):
    day: date
    seed: int | None = None
    calls_per_line: int | None = None
    tickets_per_unit: int | None = None


def spot_sample_view(sample: SpotSample) -> dict[str, Any]:
    scores = sorted(sample.scores.all(), key=lambda s: s.item_id)
    return {
        "id": sample.pk,
        "kind": sample.kind,
        "call": sample.call.call_id if sample.call is not None else None,
        "line": sample.line or None,
        "agent": sample.agent or None,
        "ticket": sample.ticket.number if sample.ticket is not None else None,
        "unit": sample.unit.code if sample.unit is not None else None,
        "scores": [
            {"item": s.item_id, "points": s.points, "note": s.note, "scored_by": s.scored_by}
            for s in scores
        ],
    }


def spot_check_view(check: SpotCheck) -> dict[str, Any]:
    samples = check.samples.select_related("call", "ticket", "unit").prefetch_related("scores")
    return {
        "id": check.pk,
        "week": check.week.isoformat(),
        "seed": check.seed,
        "calls_per_line": check.calls_per_line,
        "tickets_per_unit": check.tickets_per_unit,
        "drawn_by": check.drawn_by,
        "drawn_at": _iso(check.drawn_at),
        "items": [
            spot_sample_view(s) for s in samples.order_by("kind", "line", "unit__code", "pk")
        ],
    }


@router.post(
    "/feedback/spot-checks",
    response={201: dict[str, Any]},
    summary="Draw the week's spot checks (calls per line, handled tickets per unit)",
)
def draw_spot_check(request: HttpRequest, payload: DrawIn):
    check = spotchecks.spot_check_draw(
        actor=request.user,
        day=payload.day,
        seed=payload.seed,
        calls_per_line=payload.calls_per_line,
        tickets_per_unit=payload.tickets_per_unit,
    )
    return Status(201, spot_check_view(check))


@router.get("/feedback/spot-checks/{check_id}", response=dict[str, Any], summary="A spot check")
def get_spot_check(request: HttpRequest, check_id: int):
    return spot_check_view(selectors.spot_check_get(request.user, check_id))


@router.get("/feedback/checklist", response=dict[str, Any], summary="The spot-check checklist")
def get_checklist(request: HttpRequest, kind: str | None = None):
    selectors.spot_require_reader(request.user)
    items = selectors.checklist(kind)
    return {
        "items": [
            {"id": i.pk, "kind": i.kind, "text": i.text, "max_points": i.max_points} for i in items
        ]
    }


class ScoreIn(Schema):
    scores: list[dict[str, Any]] | None = None


@router.post(
    "/feedback/spot-samples/{sample_id}/scores",
    response=dict[str, Any],
    summary="Score one spot-check sample on the checklist",
)
def score_sample(request: HttpRequest, sample_id: int, payload: ScoreIn):
    sample = spotchecks.spot_scores_record(
        actor=request.user, sample_id=sample_id, scores=payload.scores
    )
    return spot_sample_view(sample)


@router.get(
    "/feedback/spot-results",
    response=dict[str, Any],
    summary="Spot-check results per unit or per agent; ?format=xlsx for Excel",
)
def spot_results(request: HttpRequest, by: str = "unit", format: str | None = None):
    date_from = _date_param(request, "from")
    date_to = _date_param(request, "to")
    rows = selectors.spot_results(request.user, date_from=date_from, date_to=date_to, by=by)
    if format == "xlsx":
        title = f"抽查结果 {date_from.isoformat()} 至 {date_to.isoformat()}"
        response = HttpResponse(
            spot_results_xlsx(rows, by=by, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="spot-results-{by}.xlsx"'
        return response
    if format not in (None, "", "json"):
        raise BadInput("format", "json or xlsx")
    return {"items": rows}


def _date_param(request: HttpRequest, name: str) -> date:
    value = request.GET.get(name)
    if not value:
        raise BadInput(name, "required, a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(name, "a date YYYY-MM-DD") from None
