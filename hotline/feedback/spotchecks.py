"""Weekly spot checks (抽查, DESIGN section 7), the writes: random samples of calls per line and
of handled tickets per unit, and the supervisors' scores on the configurable checklist. The
reads (results per unit and per agent, ``unit_spot_scores`` for the assessment) are in
``selectors``."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Conflict, Forbidden, NotFound
from hotline.tickets import extensions, workflow
from hotline.tickets.models import Ticket

from . import spotcheck
from .models import CheckItem, SpotCheck, SpotSample, SpotScore

# The call records a spot check samples: the model the sample's foreign key names ("telephony.
# CallRecord"); the telephony app sits beside this one, so it is not imported.
CallRecord: Any = SpotSample._meta.get_field("call").related_model
CHECKERS = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM})
HANDLED = (workflow.REPLIED, workflow.UNDER_REVIEW, workflow.CLOSED)


def _week_range(monday: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(monday, time.min, tzinfo=tz)
    return start, start + timedelta(days=7)


def _size(value: int | None, setting: str, default: int, field: str) -> int:
    size = int(getattr(settings, setting, default)) if value is None else value
    if isinstance(size, bool) or not 0 <= size <= 100:
        raise BadInput(field, "between 0 and 100")
    return size


def spot_check_draw(
    *,
    actor,
    day: date,
    seed: int | None = None,
    calls_per_line: int | None = None,
    tickets_per_unit: int | None = None,
) -> SpotCheck:
    """Draw the spot checks of ``day``'s week (Monday to Sunday, Asia/Shanghai): answered calls
    queued that week, ``calls_per_line`` per line (default ``HOTLINE_SPOT_CALLS_PER_LINE``, 3),
    and tickets replied that week, ``tickets_per_unit`` per replying unit (default
    ``HOTLINE_SPOT_TICKETS_PER_UNIT``, 2). Calls and tickets already drawn that week are left
    out, so none is checked twice in a week; the same seed over the same candidates draws the
    same sample."""
    if not grants_for(actor).roles & CHECKERS:
        raise Forbidden("only supervisors and admins draw spot checks")
    per_line = _size(calls_per_line, "HOTLINE_SPOT_CALLS_PER_LINE", 3, "calls_per_line")
    per_unit = _size(tickets_per_unit, "HOTLINE_SPOT_TICKETS_PER_UNIT", 2, "tickets_per_unit")
    seed = random.SystemRandom().randrange(2**62) if seed is None else seed
    monday = spotcheck.week_of(day)
    low, high = _week_range(monday)
    try:
        with transaction.atomic():
            taken = SpotSample.objects.filter(week=monday)
            calls = (
                CallRecord.objects.filter(
                    queued_at__gte=low, queued_at__lt=high, answered_at__isnull=False
                )
                .exclude(pk__in=taken.filter(call__isnull=False).values("call_id"))
                .values_list("pk", "line", "agent")
            )
            by_line: dict[str, list[int]] = {}
            agents: dict[int, str] = {}
            for pk, line, agent in calls:
                by_line.setdefault(line, []).append(pk)
                agents[pk] = agent
            tickets = (
                Ticket.objects.filter(
                    replied_at__gte=low,
                    replied_at__lt=high,
                    status__in=HANDLED,
                    unit__isnull=False,
                )
                .exclude(pk__in=taken.filter(ticket__isnull=False).values("ticket_id"))
                .values_list("pk", "unit_id")
            )
            by_unit: dict[str, list[int]] = {}
            for pk, holder in tickets:
                by_unit.setdefault(str(holder), []).append(pk)
            drawn = SpotCheck.objects.create(
                week=monday,
                seed=seed,
                calls_per_line=per_line,
                tickets_per_unit=per_unit,
                drawn_by=getattr(actor, "username", "system"),
            )
            rows = []
            for line, picked in spotcheck.draw(by_line, per_line, seed=seed).items():
                rows += [
                    SpotSample(
                        draw=drawn,
                        week=monday,
                        kind=CheckItem.CALL,
                        call_id=pk,
                        line=line,
                        agent=agents[pk],
                    )
                    for pk in picked
                ]
            for unit_id, picked in spotcheck.draw(by_unit, per_unit, seed=seed).items():
                rows += [
                    SpotSample(
                        draw=drawn,
                        week=monday,
                        kind=CheckItem.CASE,
                        ticket_id=pk,
                        unit_id=int(unit_id),
                    )
                    for pk in picked
                ]
            SpotSample.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict("another draw of this week took some of these; draw again") from None
    return drawn


def spot_check_weekly(*, actor, today: date | None = None) -> SpotCheck | None:
    """The scheduled draw: last week's, once (None when it was drawn already)."""
    today = today or timezone.localdate()
    last_monday = spotcheck.week_of(today) - timedelta(days=7)
    if SpotCheck.objects.filter(week=last_monday, drawn_by="system").exists():
        return None
    return spot_check_draw(actor=actor, day=last_monday)


def _score_entry(
    where: str, entry: object, items: dict, given: dict, kind: str
) -> tuple[Any, int, str]:
    """One ``{item, points, note}`` of the scores: an active item of the sample's kind not
    scored yet, whole points within the item's maximum, a short note."""
    if not isinstance(entry, dict):
        raise BadInput(where, "an object {item, points, note}")
    item_id = entry.get("item")
    if item_id not in items:
        raise BadInput(f"{where}.item", f"not an active {kind} checklist item")
    if item_id in given:
        raise BadInput(f"{where}.item", "scored twice")
    points = entry.get("points")
    if isinstance(points, bool) or not isinstance(points, int):
        raise BadInput(f"{where}.points", "required, an integer")
    if not 0 <= points <= items[item_id].max_points:
        raise BadInput(f"{where}.points", f"between 0 and {items[item_id].max_points}")
    note = entry.get("note") or ""
    if not isinstance(note, str) or len(note) > 500:
        raise BadInput(f"{where}.note", "a string of at most 500 characters")
    return item_id, points, note.strip()


def spot_scores_record(*, actor, sample_id: int, scores: object) -> SpotSample:
    """A supervisor's scores for one sample: ``[{item, points, note?}]`` covering every active
    checklist item of the sample's kind. Scoring again replaces the earlier scores."""
    if not grants_for(actor).roles & (CHECKERS - {Role.SYSTEM}):
        raise Forbidden("only supervisors and admins score spot checks")
    sample = SpotSample.objects.filter(pk=sample_id).first()
    if sample is None:
        raise NotFound(f"no spot-check sample {sample_id}")
    items = {i.pk: i for i in CheckItem.objects.filter(kind=sample.kind, active=True)}
    if not isinstance(scores, list) or not scores:
        raise BadInput("scores", "a list of {item, points, note}")
    given: dict[int, tuple[int, str]] = {}
    for index, entry in enumerate(scores):
        item_id, points, note = _score_entry(f"scores[{index}]", entry, items, given, sample.kind)
        given[item_id] = (points, note)
    missing = sorted(set(items) - set(given))
    if missing:
        raise BadInput("scores", f"every checklist item must be scored; missing item {missing[0]}")
    now = timezone.now()
    with transaction.atomic():
        SpotScore.objects.filter(sample=sample).delete()
        SpotScore.objects.bulk_create(
            SpotScore(
                sample=sample,
                item_id=item_id,
                points=points,
                note=note,
                scored_by=actor.username,
                scored_at=now,
            )
            for item_id, (points, note) in given.items()
        )
        if sample.ticket_id is not None:
            extensions.tickets_changed([sample.ticket_id])
    return sample
