"""The words a ticket is found by (title, content and address: never the citizen's name or
phone, so a confidential ticket or a report cannot be found by its complainant) and the
backfill of existing rows."""

from __future__ import annotations

from collections.abc import Iterator

from hotline.core.textsearch import index_text

TABLE = "tickets_ticket"
BATCH = 2_000


def ticket_search_text(title: str, content: str, address: str) -> str:
    return index_text(title, content, address)


def _batches(model, since: int = 0) -> Iterator[list]:
    last = since
    while True:
        rows = list(
            model.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "title", "content", "address", "search_text")[:BATCH]
        )
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def tickets_reindex(model=None, *, only_missing: bool = False) -> int:
    """Recompute ``search_text`` of every ticket (or of those without one), in batches;
    returns how many rows changed. ``model`` lets a migration pass its historical model."""
    if model is None:
        from .models import Ticket as model
    changed = 0
    for rows in _batches(model):
        dirty = []
        for row in rows:
            if only_missing and row.search_text:
                continue
            text = ticket_search_text(row.title, row.content, row.address)
            if text != row.search_text:
                row.search_text = text
                dirty.append(row)
        if dirty:
            model.objects.bulk_update(dirty, ["search_text"])
            changed += len(dirty)
    return changed
