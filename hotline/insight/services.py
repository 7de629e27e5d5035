"""Writes of the insight app: the similar-ticket fingerprints, written with the ticket, and
the record of what was suggested when a ticket was dispatched."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.core.db import Many
from hotline.core.errors import BadInput
from hotline.tickets import extensions
from hotline.tickets.models import Ticket

from . import classifier
from .hotspots import HotMessage, HotSpot, hot_spots
from .models import DispatchRecord, HotSpotSnapshot, RepeatCheck, TicketSignature
from .selectors import reply_check_of
from .similar import TicketText, ticket_keys
from .urgency import detect_urgency

log = logging.getLogger("hotline.insight")


def signature_keys(*, ticket) -> list[int]:
    """The distinct band keys of a ticket's title."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return list(dict.fromkeys(keys))


def signature_rows(ticket) -> Many:
    """The ``TicketSignature`` rows of a new ticket, for its registration to insert in the same
    statement (registered with ``hotline.tickets.extensions``)."""
    return Many(TicketSignature, {"key": signature_keys(ticket=ticket)})


def urgency_detect(text: str) -> tuple[str, list[str]]:
    """Urgent words in a new ticket's text, from ``settings.HOTLINE_URGENT_WORDS`` or the
    defaults (registered with ``hotline.tickets.extensions``)."""
    return detect_urgency(text, getattr(settings, "HOTLINE_URGENT_WORDS", None))


def dispatch_record(*, ticket, actor, unit, at) -> DispatchRecord:
    """Record what the suggester proposes for ``ticket`` beside the ``unit`` the dispatcher
    chose (run by the dispatch, in its transaction). A failing suggester records no suggestion
    and never stops the dispatch."""
    from . import selectors

    items: list[dict] = []
    try:
        with transaction.atomic():  # a savepoint: a failed read must not poison the dispatch
            _model, items = selectors.ticket_suggestions(ticket)
    except Exception:
        log.exception("suggestions failed while recording the dispatch of %s", ticket.number)
        items = []
    top = items[0] if items else {}
    units = [i.get("unit") for i in items]
    return DispatchRecord.objects.create(
        ticket=ticket,
        at=at,
        actor=getattr(actor, "username", "") or "",
        suggested=[
            {k: i.get(k) for k in ("category", "unit", "confidence", "rule")} for i in items
        ],
        suggested_category=top.get("category") or "",
        suggested_unit=top.get("unit") or "",
        rule_id=top.get("rule"),
        chosen_unit=unit.code,
        chosen_category=ticket.category.code if ticket.category_id else "",
        accepted=bool(top) and top.get("unit") == unit.code,
        unit_in_top3=unit.code in units[:3],
    )


def reply_checked(ctx) -> dict:
    """The step after a reply (registered with ``hotline.tickets.extensions``): the reply
    check's score goes on the reply's event, so a weak reply is flagged to the dispatcher
    (``selectors.weak_replies_for``) and the score stays with the round it belongs to."""
    check = reply_check_of(ctx.ticket, ctx.ticket.reply_text, at=ctx.now)
    return {"check_score": check.score, "check_ok": check.ok}


def dispatch_recorded(ctx) -> dict:
    """The step after a dispatch (registered with ``hotline.tickets.extensions``): what was
    suggested beside what the dispatcher chose. Adds nothing to the event."""
    dispatch_record(ticket=ctx.ticket, actor=ctx.actor, unit=ctx.ticket.unit, at=ctx.now)
    return {}


# --- the suggestion model ---------------------------------------------------------------------


TOO_FEW_CLASSES = "need labelled examples of at least two categories"


class ModelKept(Exception):
    """The model in use stays: too few examples, or the retrained one did not do better."""


@dataclass(frozen=True)
class Trained:
    version: str
    path: str
    train_size: int
    classes: int
    seconds: float
    scores: str  # the comparison with the model in use (``if_better``), else ""


def model_train(
    *,
    texts: list[str],
    labels: list[str],
    source: str,
    split: bool = False,
    model_dir: str | None = None,
    activate: bool = True,
    if_better: bool = False,
) -> Trained:
    """Train the category suggestion model on ``texts``/``labels`` and save it (the one in use
    when ``activate``). With ``if_better`` the newest 20 % are held out first and the model is
    kept only if a challenger trained on the rest scores at least the model in use's macro-F1
    on them; otherwise ``ModelKept`` says why with both scores."""
    if len(set(labels)) < 2:
        raise BadInput("labels", TOO_FEW_CLASSES)
    scores = ""
    current = classifier.load_current(model_dir) if if_better else None
    if current is not None:
        try:
            verdict = classifier.challenge(current, texts, labels)
        except ValueError as error:  # too few examples left to train a challenger
            raise ModelKept(f"kept the model in use: {error}") from error
        scores = (
            f"on the newest {verdict.holdout} tickets, macro-F1 of the model in use "
            f"{verdict.current_f1:.4f}, retrained {verdict.challenger_f1:.4f}"
        )
        if not verdict.challenger_wins:
            raise ModelKept(f"kept the model in use: {scores}")
    model = classifier.train(texts, labels)
    model.info = {"source": source, "split": split}
    path = classifier.save_model(model, model_dir, make_current=activate)
    return Trained(
        model.version, str(path), model.train_size, len(model.labels), model.train_seconds, scores
    )


def model_retrain() -> Trained:
    """The weekly retraining: from the dispatchers' final choices in the database, kept only if
    it does at least as well as the model in use on the newest tickets (``ModelKept`` else)."""
    from .selectors import training_examples

    texts, labels = training_examples()
    try:
        return model_train(texts=texts, labels=labels, source="database", if_better=True)
    except BadInput as error:
        raise ModelKept(f"kept the model in use: {TOO_FEW_CLASSES}") from error


# A repeat (重复投诉) repeats an earlier ticket of the same citizen registered at most this long
# before it (DESIGN section 7's repeat rate; the detector's own window).
REPEAT_LOOKBACK = timedelta(days=365)


def repeat_verdict(ticket: Ticket) -> RepeatCheck:
    """The detector's verdict on ``ticket`` (not saved): the best-scored ``repeat`` among the
    possible repeats the ticket's page lists (``selectors.similar_for``, as the platform sees
    them), registered before it and at most REPEAT_LOOKBACK earlier."""
    from .selectors import similar_for

    check = RepeatCheck(ticket=ticket)
    if not ticket.citizen_phone:
        return check  # the detector knows a citizen by the phone only
    for match, other in similar_for(SYSTEM, ticket.number, limit=50):
        apart = ticket.registered_at - other.registered_at
        if match.kind == "repeat" and timedelta(0) < apart <= REPEAT_LOOKBACK:
            check.repeat_of_id = other.id
            check.score = match.score
            check.reasons = list(match.reasons)
            break  # best first
    return check


def repeats_check(*, limit: int = 500, now: datetime | None = None) -> int:
    """Take the detector's verdict on up to ``limit`` tickets that have none, the newest first
    (so the current month is right first while a backlog is worked through). Returns how many
    were checked. Safe to run in several processes: a verdict is written once per ticket."""
    now = now or timezone.now()
    pending = list(
        Ticket.objects.filter(repeat_check__isnull=True)
        .select_related("region", "category")
        .order_by("-registered_at", "-pk")[:limit]
    )
    checks = []
    for ticket in pending:
        check = repeat_verdict(ticket)
        check.checked_at = now
        checks.append(check)
    with transaction.atomic():
        RepeatCheck.objects.bulk_create(checks, ignore_conflicts=True)
        # A verdict of no repeat counts as none taken: only the repeats change a count.
        extensions.tickets_changed(c.ticket_id for c in checks if c.repeat_of_id is not None)
    return len(checks)


# Hot spots (DESIGN section 8), as the leaders' dashboard shows them.
HOT_SPOT_WINDOWS = (7, 30)  # days
HOT_SPOT_TICKETS = 3000  # the newest tickets of a window that hot spots are sought among
HOT_SPOT_TOP = 5
# Snapshots older than this are deleted by the next refresh of their scope and window; a link
# from a page shown before then still lists its tickets.
HOT_SPOT_KEEP = timedelta(days=1)


def _scope_tickets(unit):
    """The tickets that reached ``unit``'s sub-tree as lead (all of them for the city's root)."""
    from hotline.tickets.models import TicketAssignment

    if unit.parent_id is None:
        return Ticket.objects.all()
    lead = TicketAssignment.objects.filter(
        role=TicketAssignment.LEAD, unit__path__startswith=unit.path, ticket=OuterRef("pk")
    )
    return Ticket.objects.filter(Exists(lead))


def hot_spots_refresh(unit, days: int, *, now: datetime | None = None) -> HotSpotSnapshot:
    """Find the hot spots among the newest ``HOT_SPOT_TICKETS`` tickets of ``unit``'s scope
    registered in the last ``days`` days (merged ones left out) and keep them as a snapshot,
    with the ids of each spot's tickets; older snapshots of the scope and window past
    ``HOT_SPOT_KEEP`` are deleted."""
    now = now or timezone.now()
    rows = (
        _scope_tickets(unit)
        .filter(
            registered_at__gt=now - timedelta(days=days),
            registered_at__lte=now,
            merged_into__isnull=True,
        )
        .order_by("-registered_at")
        .values_list("pk", "title", "content", "citizen_phone", "registered_at")[
            :HOT_SPOT_TICKETS
        ]
    )
    messages = [
        HotMessage(id=pk, title=title or content[:30], detail=content[:200], user=phone, time=at)
        for pk, title, content, phone, at in rows
    ]
    titles = {int(m.id): m.title for m in messages}
    spots = hot_spots(messages, timedelta(days=days), end=now, top=HOT_SPOT_TOP)
    kept = [_spot_row(spot, titles) for spot in spots]
    with transaction.atomic():
        snapshot = HotSpotSnapshot.objects.create(
            unit=unit, days=days, computed_at=now, spots=kept
        )
        HotSpotSnapshot.objects.filter(
            unit=unit, days=days, computed_at__lt=now - HOT_SPOT_KEEP
        ).delete()
    return snapshot


def _spot_row(spot: HotSpot, titles: dict[int, str]) -> dict:
    ids = [int(pk) for pk in spot.message_ids]
    # the ticket of each example title (the cluster's most central messages); several tickets
    # may share a title: each example names a different one
    examples: list[dict] = []
    for title in spot.examples:
        used = {e["id"] for e in examples}
        pk = next(
            (pk for pk in ids if pk not in used and titles[pk].strip() == title.strip()), None
        )
        if pk is not None:
            examples.append({"id": pk, "title": title})
    return {
        "rank": spot.rank,
        "topic": spot.topic,
        "place": spot.place,
        "heat": round(spot.heat, 2),
        "growth": round(spot.growth, 2),
        "count": spot.count,
        "citizens": spot.citizens,
        "examples": examples,
        "ids": ids,
    }


def hot_spots_refresh_all(*, now: datetime | None = None) -> int:
    """Refresh the hot spots of the scopes the leaders' dashboard opens on (the city's root and
    its districts) for every window; returns how many snapshots were written."""
    from hotline.orgs.models import Level, Unit

    now = now or timezone.now()
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        return 0
    scopes = [root, *Unit.objects.filter(path__startswith=root.path, level=Level.DISTRICT)]
    for unit in scopes:
        for days in HOT_SPOT_WINDOWS:
            hot_spots_refresh(unit, days, now=now)
    return len(scopes) * len(HOT_SPOT_WINDOWS)
