"""Hash chains for append-only logs (ticket timelines, the audit log). Pure, no ORM.

Each entry's hash covers the previous entry's hash and a canonical JSON of the entry's
content, so editing, deleting or reordering any entry breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

GENESIS = "0" * 64


def instant(value: datetime) -> str:
    """The canonical text of a moment: ISO 8601 in UTC. The database gives every moment back in
    UTC, so a moment written in another zone (history imported at Beijing time) must be hashed
    as UTC too, or its entry would no longer verify once read back."""
    return value.astimezone(UTC).isoformat()


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def canonical(content: Mapping[str, object]) -> str:
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def entry_hash(prev_hash: str, content: Mapping[str, object]) -> str:
    return hashlib.sha256((prev_hash + "|" + canonical(content)).encode()).hexdigest()


def first_break(entries: Iterable[tuple[str, str, Mapping[str, object]]]) -> int | None:
    """Given (prev_hash, hash, content) in order, return the index of the first bad entry, or None."""
    expected_prev = GENESIS
    for index, (prev_hash, stored_hash, content) in enumerate(entries):
        if prev_hash != expected_prev or entry_hash(prev_hash, content) != stored_hash:
            return index
        expected_prev = stored_hash
    return None
