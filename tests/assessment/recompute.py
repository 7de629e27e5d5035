"""A plain, separate implementation of the counts of docs/assessment.md, straight from each
ticket's timeline: deadlines are worked out again from the events with the working-day
arithmetic (not read from the clock rows), repeats asked of the repeat detector itself (the
ticket's "possible repeats", hotline.insight), not read from the stored verdicts. Used only by
the tests, to check the service's database aggregates."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import SpotSample
from hotline.insight.selectors import similar_for
from hotline.orgs.models import Unit
from hotline.supervision.models import Accountability
from hotline.tickets.models import Ticket
from hotline.workcal.calc import add_working_days, add_working_hours, working_days_between
from hotline.workcal.selectors import get_calendar

SATISFIED = ("satisfied", "basically_satisfied")


def _handle_days(ticket) -> float:
    category = ticket.category
    if category is not None and category.time_limit and category.time_limit_unit == "working_days":
        return float(category.time_limit)
    return 5.0


def ticket_facts(ticket: Ticket, events: list, sub_tree: set[str], start, end, cut_off) -> dict:
    """Everything about one ticket for one sub-tree, or {} when it is not in the cohort."""
    cal = get_calendar()
    events = [e for e in events if e.at <= cut_off]
    reaches = [
        e.at for e in events if e.action in ("dispatch", "forward") and e.data["unit"] in sub_tree
    ]
    facts: dict = {}
    co = [
        e
        for e in events
        if e.action == "dispatch"
        and set(e.data.get("co_units", [])) & sub_tree
        and start <= e.at < min(end, cut_off)
    ]
    merged = any(e.action == "merge" for e in events)
    facts["co_handled"] = bool(co) and not merged
    if not reaches or not (start <= min(reaches) < min(end, cut_off)) or merged:
        return facts
    if any(
        e.action == "dispatch"
        and e.data.get("send_back", {}).get("unit") in sub_tree
        and e.data["send_back"]["ruling"] == "valid"
        for e in events
    ):
        return facts
    facts["received"] = True
    first_reach = min(reaches)

    # Transfers: every forward from a unit of the sub-tree, judged against 2 working hours from
    # the moment that unit got the ticket.
    got = {}
    forwards = []
    for e in events:
        if e.action == "forward" and e.data["from_unit"] in sub_tree:
            due = add_working_hours(cal, got[e.data["from_unit"]], 2)
            forwards.append(e.at <= due)
        if e.action in ("dispatch", "forward"):
            got[e.data["unit"]] = e.at
    facts["forwarded"] = bool(forwards)
    facts["forwarded_late"] = not all(forwards)

    # Acceptance: the first time a unit of the sub-tree got the ticket, until it accepted,
    # forwarded, sent back or replied.
    index = next(
        i
        for i, e in enumerate(events)
        if e.action in ("dispatch", "forward") and e.data["unit"] in sub_tree
    )
    accept_due = add_working_days(cal, events[index].at, 1)
    end_event = next(
        (e for e in events[index + 1 :] if e.action in ("accept", "forward", "send_back", "merge")),
        None,
    )
    facts["accept_due"] = end_event is not None or accept_due <= cut_off
    facts["accepted_on_time"] = (
        end_event is not None
        and end_event.action in ("accept", "forward")
        and end_event.at <= accept_due
    )

    # Handling: the deadline as the events move it.
    due = None
    first_reply_on_time = None
    for e in events:
        if e.action == "dispatch":
            due = add_working_days(cal, e.at, _handle_days(ticket))
        elif e.action == "decide_extension" and e.data["approve"]:
            due = add_working_days(cal, due, e.data["days"])
        elif e.action in ("send_back", "merge"):
            due = None
        elif e.action == "review" and e.data["verdict"] == "redo":
            due = add_working_days(cal, e.at, _handle_days(ticket))
        elif e.action == "reply":
            if first_reply_on_time is None:
                first_reply_on_time = e.at <= due
            due = None
    replies = [e for e in events if e.action == "reply"]
    facts["replied"] = bool(replies)
    facts["replied_on_time"] = bool(first_reply_on_time)
    facts["overdue"] = not replies and due is not None and due <= cut_off
    follow_ups = [e for e in events if e.action == "follow_up"]
    facts["followed_up"] = bool(replies and follow_ups)
    if follow_ups:
        last = follow_ups[-1]
        proper = any(
            e.action == "review" and e.data["verdict"] == "proper" and e.seq > last.seq
            for e in events
        )
        facts["satisfied"] = last.data["satisfaction"] in SATISFIED or proper
    facts["send_backs_invalid"] = any(
        e.action == "dispatch"
        and e.data.get("send_back", {}).get("unit") in sub_tree
        and e.data["send_back"]["ruling"] == "invalid"
        for e in events
    )
    facts["red_warnings"] = any(
        e.action == "warn" and e.data["warning"] == "red" and e.data["unit"] in sub_tree
        for e in events
    )
    facts["supervision_orders"] = any(
        e.action == "supervise" and e.data["unit"] in sub_tree for e in events
    )
    if replies:
        facts["handling_days"] = working_days_between(cal, first_reach, replies[0].at)
    return facts


def recompute(unit: Unit, start: datetime, end: datetime, cut_off: datetime) -> dict:
    sub_tree = {u.code for u in Unit.objects.all() if u.path.startswith(unit.path)}
    counts = dict.fromkeys(
        (
            "received",
            "forwarded",
            "forwarded_late",
            "accepted_on_time",
            "accept_due",
            "replied",
            "replied_on_time",
            "overdue",
            "followed_up",
            "satisfied",
            "repeats",
            "send_backs_invalid",
            "co_handled",
            "red_warnings",
            "supervision_orders",
            "accountabilities",
            "spot_checks_failed",
        ),
        0,
    )
    tickets = list(Ticket.objects.select_related("category").prefetch_related("events"))
    handling = []
    for ticket in tickets:
        events = sorted(ticket.events.all(), key=lambda e: e.seq)
        facts = ticket_facts(ticket, events, sub_tree, start, end, cut_off)
        counts["co_handled"] += facts.get("co_handled", False)
        if not facts.get("received"):
            continue
        for name in counts:
            if name not in ("co_handled", "repeats", "accountabilities", "spot_checks_failed"):
                counts[name] += bool(facts.get(name))
        if ticket.citizen_phone and any(
            match.kind == "repeat"
            and ticket.registered_at - timedelta(days=365)
            <= other.registered_at
            < ticket.registered_at
            for match, other in similar_for(SYSTEM, ticket.number, limit=50)
        ):
            counts["repeats"] += 1
        if any(
            a.ticket_id == ticket.pk and a.unit.code in sub_tree and a.decided_at <= cut_off
            for a in Accountability.objects.select_related("unit")
        ):
            counts["accountabilities"] += 1
        if any(
            sample.unit.code in sub_tree
            and 100 * sum(s.points for s in sample.scores.all() if s.scored_at <= cut_off)
            < 60 * sum(s.item.max_points for s in sample.scores.all() if s.scored_at <= cut_off)
            for sample in SpotSample.objects.filter(ticket=ticket, kind="case")
            .select_related("unit")
            .prefetch_related("scores__item")
        ):
            counts["spot_checks_failed"] += 1  # the default pass mark, 60 %
        if "handling_days" in facts:
            handling.append(facts["handling_days"])
    counts["avg_handling_days"] = (
        float(Decimal(str(sum(handling) / len(handling))).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if handling
        else None
    )
    return counts
