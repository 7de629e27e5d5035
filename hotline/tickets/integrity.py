"""Checking the hash chains of ticket timelines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hotline.core.chain import GENESIS, entry_hash

from .models import Ticket, TicketEvent


@dataclass
class Break:
    number: str
    seq: int | None
    reason: str


def timeline_breaks(batch: int = 2000) -> Iterator[Break]:
    """Yield every ticket whose timeline does not verify: an edited, removed or reordered event."""
    last_pk = 0
    while True:
        tickets = list(
            Ticket.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "number", "last_seq", "last_hash")[:batch]
        )
        if not tickets:
            return
        last_pk = tickets[-1][0]
        events: dict[int, list[TicketEvent]] = {}
        for event in TicketEvent.objects.filter(ticket_id__in=[t[0] for t in tickets]).order_by(
            "ticket_id", "seq"
        ):
            events.setdefault(event.ticket_id, []).append(event)
        for pk, number, last_seq, last_hash in tickets:
            problem = _check(number, events.get(pk, []), last_seq, last_hash)
            if problem:
                yield problem


def _check(number: str, events: list[TicketEvent], last_seq: int, last_hash: str) -> Break | None:
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return Break(number, expected_seq, "missing event")
        if event.prev_hash != prev:
            return Break(number, event.seq, "chain broken")
        if entry_hash(prev, event.chain_content(number)) != event.hash:
            return Break(number, event.seq, "event altered")
        prev = event.hash
    if len(events) != last_seq or (events and prev != last_hash):
        return Break(number, last_seq, "events missing at the end")
    return None
