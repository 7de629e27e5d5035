"""The demo's call records: every line of the demo city (the 12345 市长专线 and each district's
区长专线) over the last weeks, so that the answer-rate pages show real-looking figures (the
report: a 15-second answer rate of about 98 %). Stored through ``calls_store`` like any posted
record. Idempotent and stable: a call's id and values come from its line, day and position
(a generator seeded with ``"<seed>:<line>:<day>"``), so running again adds only the calls of
the days (and hours) that have passed since, and changes none."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.orgs.models import HotlineCentre
from hotline.tickets.models import Ticket, TicketEvent

from .models import CallTicket
from .records import SHANGHAI, Call
from .services import call_ticket_link, calls_store

# Calls offered in an hour of the day (Asia/Shanghai), relative: busy mornings and evenings.
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 1, 2, 4, 9, 12, 12, 10, 7, 8, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2]
ABANDONED = 0.010  # the caller hung up in the queue
CALLBACK = 0.003  # the caller left the queue asking to be called back
SLOW = 0.007  # answered, but after more than 15 seconds
TRANSFERRED = 0.05  # of the answered calls


@dataclass(frozen=True)
class Line:
    number: str  # the line as the telephony system names it
    agent: str  # the login that answers it
    weekday: int  # calls offered on a working day
    weekend: int


def demo_lines() -> list[Line]:
    lines = []
    for centre in HotlineCentre.objects.filter(active=True).select_related("unit"):
        if centre.parent_id is None:
            lines.append(Line(centre.phone, "agent", 160, 100))
        else:
            lines.append(Line(centre.phone, f"{centre.unit.code}-centre-agent", 12, 6))
    return sorted(lines, key=lambda line: line.number)


def _caller(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def day_calls(line: Line, day: date, seed: int) -> list[Call]:
    """All the calls of one line on one local day (the same every time)."""
    rng = random.Random(f"{seed}:{line.number}:{day.isoformat()}")
    count = line.weekday if day.weekday() < 5 else line.weekend
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    key = line.number.replace("-", "")
    calls = []
    for n, hour in enumerate(sorted(hours), start=1):
        queued = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI) + timedelta(
            seconds=rng.randrange(3600)
        )
        roll = rng.random()
        talk = timedelta(seconds=rng.randrange(60, 600))
        if roll < ABANDONED + CALLBACK:
            outcome = "abandoned" if roll < ABANDONED else "callback"
            answered, agent = None, None
            ended = queued + timedelta(seconds=rng.randrange(20, 120))
        else:
            wait = rng.uniform(16, 60) if roll < ABANDONED + CALLBACK + SLOW else rng.uniform(2, 14)
            answered = queued + timedelta(seconds=round(wait, 3))
            ended = answered + talk
            agent = line.agent
            outcome = "transferred" if rng.random() < TRANSFERRED else "answered"
        call_id = f"demo-{key}-{day:%Y%m%d}-{n:04d}"
        calls.append(
            Call(
                call_id=call_id,
                line=line.number,
                caller=_caller(rng),
                queued_at=queued,
                answered_at=answered,
                ended_at=ended,
                agent=agent,
                outcome=outcome,
                recording_ref=f"rec/{call_id}.wav" if answered else "",
            )
        )
    return calls


def ticket_calls(since: datetime) -> list[tuple[Call, str]]:
    """A call for each phone ticket registered since ``since`` that has none: from the
    citizen's phone on the line of the centre that registered it, answered by the agent who
    registered it, and the ticket's number to link it to."""
    tickets = (
        Ticket.objects.filter(channel="phone", registered_at__gte=since)
        .exclude(citizen_phone="")
        .exclude(pk__in=CallTicket.objects.values("ticket_id"))
        .select_related("registered_centre")
        .order_by("registered_at")
    )
    agents = dict(
        TicketEvent.objects.filter(ticket__in=tickets, seq=1).values_list("ticket_id", "actor_name")
    )
    out = []
    for ticket in tickets:
        centre = ticket.registered_centre
        answered = ticket.registered_at - timedelta(minutes=4)
        call = Call(
            call_id=f"demo-ticket-{ticket.number}",
            line=centre.phone if centre is not None else "12345",
            caller=ticket.citizen_phone,
            queued_at=answered - timedelta(seconds=6),
            answered_at=answered,
            ended_at=ticket.registered_at + timedelta(minutes=1),
            agent=agents.get(ticket.pk) or None,
            outcome="answered",
            recording_ref=f"rec/demo-ticket-{ticket.number}.wav",
        )
        out.append((call, ticket.number))
    return out


def build_calls(*, days: int = 28, now: datetime | None = None, seed: int = 12345) -> int:
    """The calls of the last ``days`` local days up to ``now`` (ended before it), and a call
    linked to each phone ticket registered in those days (the call it was registered from).
    Returns how many calls were new."""
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    calls = [
        call
        for line in demo_lines()
        for offset in range(days - 1, -1, -1)
        for call in day_calls(line, today - timedelta(days=offset), seed)
        if call.ended_at <= now
    ]
    start = datetime(today.year, today.month, today.day, tzinfo=SHANGHAI) - timedelta(days - 1)
    linked = [(call, number) for call, number in ticket_calls(start) if call.ended_at <= now]
    created = calls_store(actor=SYSTEM, calls=[*calls, *(call for call, _ in linked)])["created"]
    for call, number in linked:
        call_ticket_link(actor=SYSTEM, call_id=call.call_id, number=number)
    return created
