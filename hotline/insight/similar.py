"""Repeats and duplicates: candidate retrieval and scoring (pure, no ORM).

* A **repeat** (重复投诉) is the same citizen raising the same issue again: same phone number
  (or citizen id) and similar text.
* A **duplicate** is another citizen reporting the same event: similar text, and, when both
  tickets have them, the same region, and a time within the window.

Scoring: the text similarity of two tickets is the larger of the Jaccard similarities of their
character 3-shingles over the titles and over the heads of the contents (first
``CONTENT_CHARS`` characters); a shared address adds ``ADDRESS_BONUS``. A candidate becomes a
match at ``DUPLICATE_THRESHOLD`` (another citizen) or ``REPEAT_THRESHOLD`` (the same citizen: a
lower bar, because the citizen is already known). Thresholds were chosen on the developer data
(see docs/insight.md).

Retrieval without scanning every ticket: MinHash over the title's shingles (``NUM_PERM``
permutations) cut into ``BANDS`` bands; a band's hash is one integer key. Tickets sharing any
key are candidates. The keys are what a database table stores, one row per (key, ticket), with
an index on key; :class:`SimilarIndex` is the in-memory version used by tests and the benchmark.
Candidates by phone and by region + category + time window come from ordinary indexed columns.
At most ``LSH_LIMIT`` LSH candidates are scored, those sharing the most keys first (in SQL:
``GROUP BY ticket_id ORDER BY COUNT(*) DESC LIMIT 200``), which bounds the query time.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from .text import char_shingles, normalize, normalize_phone

SHINGLE = 3
CONTENT_CHARS = 200
NUM_PERM = 48
BANDS = 16
ROWS = NUM_PERM // BANDS
DUPLICATE_THRESHOLD = 0.9
REPEAT_THRESHOLD = 0.5
ADDRESS_BONUS = 0.1
DEFAULT_WINDOW = timedelta(days=365)
# The same citizen on the same issue (the same catalogue leaf) inside this window is a repeat
# whatever the wording; other citizens on the same issue at the same place inside
# PLACE_WINDOW are candidate duplicates of one event.
REPEAT_WINDOW = timedelta(days=30)
PLACE_WINDOW = timedelta(days=7)
SAME_ISSUE_SCORE = 0.6
# At most this many LSH candidates are scored, those sharing the most band keys first.
LSH_LIMIT = 200

_PRIME = (1 << 61) - 1
_MASK32 = (1 << 32) - 1
_rng = np.random.RandomState(20200101)
_PERM_A = _rng.randint(1, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_PERM_B = _rng.randint(0, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)


@dataclass(frozen=True, slots=True)
class TicketText:
    """What the finder needs to know about a ticket (a query or a candidate)."""

    id: str | int
    title: str = ""
    content: str = ""
    phone: str = ""
    citizen: str = ""  # citizen / user id when known
    region: str = ""
    category: str = ""
    address: str = ""
    time: datetime | None = None
    topic: str = ""  # the issue: a catalogue leaf's code (set or suggested), when known
    place: str = ""  # the place: a region code at street level or finer, when known


@dataclass(frozen=True, slots=True)
class Match:
    ticket: str | int
    kind: str  # "repeat" (same citizen) or "duplicate" (another citizen, same event)
    score: float  # 0..1
    reasons: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------ shingles and MinHash


def _title_key(t: TicketText) -> str:
    return normalize(t.title) or normalize(t.content)[:60]


def _stable_hash(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")


def minhash(shingles: Iterable[str]) -> np.ndarray:
    """``NUM_PERM`` minimum hashes of the shingle set (stable across processes)."""
    hs = np.fromiter((_stable_hash(s) for s in shingles), dtype=np.uint64)
    if hs.size == 0:
        return np.full(NUM_PERM, _MASK32, dtype=np.uint64)
    # (a*x + b) mod p, keep 32 bits; x < 2**32 and a < 2**31, so a*x fits in 64 bits.
    vals = (hs[None, :] * _PERM_A[:, None] + _PERM_B[:, None]) % np.uint64(_PRIME)
    return (vals & np.uint64(_MASK32)).min(axis=1)


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 63-bit integer per band (fits a BIGINT column); the band number is mixed in,
    so keys of different bands never collide by construction."""
    keys = []
    for b in range(BANDS):
        chunk = signature[b * ROWS : (b + 1) * ROWS].astype("<u8").tobytes()
        digest = hashlib.blake2b(bytes([b]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little") & ((1 << 63) - 1))
    return keys


def ticket_keys(t: TicketText) -> list[int]:
    """The band keys to store for a ticket (empty when it has no text)."""
    key = _title_key(t)
    if not key:
        return []
    return band_keys(minhash(char_shingles(key, SHINGLE)))


# ------------------------------------------------------------------ scoring


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class _Prepared:
    __slots__ = ("t", "title", "content", "phone", "address")

    def __init__(self, t: TicketText):
        self.t = t
        self.title = char_shingles(t.title, SHINGLE)
        self.content = char_shingles(normalize(t.content)[:CONTENT_CHARS], SHINGLE)
        self.phone = normalize_phone(t.phone)
        self.address = normalize(t.address)


def _same_citizen(q: _Prepared, c: _Prepared) -> bool:
    if q.phone and len(q.phone) >= 7 and q.phone == c.phone and "*" not in q.t.phone:
        return True
    return bool(q.t.citizen) and q.t.citizen == c.t.citizen


def score_pair(query: TicketText, candidate: TicketText) -> tuple[float, list[str]]:
    """Text similarity (0..1) of two tickets and the reasons behind it."""
    return _score(_Prepared(query), _Prepared(candidate))


def _score(q: _Prepared, c: _Prepared) -> tuple[float, list[str]]:
    reasons = []
    s_title = jaccard(q.title, c.title)
    s_content = jaccard(q.content, c.content)
    score = max(s_title, s_content)
    if s_title >= s_content and s_title > 0:
        reasons.append(f"title similarity {s_title:.2f}")
    elif s_content > 0:
        reasons.append(f"content similarity {s_content:.2f}")
    if q.address and c.address and (q.address in c.address or c.address in q.address):
        score = min(1.0, score + ADDRESS_BONUS)
        reasons.append("same address")
    return score, reasons


def find_similar(
    query: TicketText,
    candidates: Iterable[TicketText],
    *,
    window: timedelta | None = DEFAULT_WINDOW,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    repeat_threshold: float = REPEAT_THRESHOLD,
    limit: int = 20,
    repeat_window: timedelta = REPEAT_WINDOW,
    place_window: timedelta = PLACE_WINDOW,
) -> list[Match]:
    """Possible repeats and duplicates of ``query`` among ``candidates``, best first.

    A candidate from the same citizen (phone or citizen id) is a ``repeat`` when its score
    reaches ``repeat_threshold``; from another citizen, a ``duplicate`` when it reaches
    ``duplicate_threshold``. Candidates in another region than the query's (both known) are
    never duplicates; candidates further than ``window`` in time (both known) are skipped.
    The query itself (same id) is ignored.

    Whatever the wording: the same citizen on the same ``topic`` (catalogue leaf) within
    ``repeat_window`` is a repeat; another citizen on the same topic at the same ``place``
    within ``place_window`` is a candidate duplicate (both scored at least
    ``SAME_ISSUE_SCORE``). Candidates without a topic or place are judged by text alone.
    """
    q = _Prepared(query)
    out = []
    for cand in candidates:
        if cand.id == query.id or _apart(query, cand, window):
            continue
        c = _Prepared(cand)
        score, reasons = _score(q, c)
        same_issue = bool(query.topic) and query.topic == cand.topic
        if _same_citizen(q, c):
            match = _as_repeat(
                query, cand, score, reasons, same_issue, repeat_threshold, repeat_window
            )
        else:
            match = _as_duplicate(
                query, cand, score, reasons, same_issue, duplicate_threshold, place_window
            )
        if match is not None:
            out.append(match)
    out.sort(key=lambda m: (-m.score, str(m.ticket)))
    return out[:limit]


def _within(a: TicketText, b: TicketText, window: timedelta) -> bool:
    """Both times known and at most ``window`` apart (unknown times: not close enough)."""
    return a.time is not None and b.time is not None and abs(a.time - b.time) <= window


def _apart(a: TicketText, b: TicketText, window: timedelta | None) -> bool:
    """Both times known and further than ``window`` apart (no window: never)."""
    if window is None or a.time is None or b.time is None:
        return False
    return abs(a.time - b.time) > window


def _as_repeat(
    query: TicketText,
    cand: TicketText,
    score: float,
    reasons: list[str],
    same_issue: bool,
    threshold: float,
    window: timedelta,
) -> Match | None:
    """A candidate from the same citizen: a repeat by wording, or by topic within ``window``."""
    if score >= threshold:
        return Match(cand.id, "repeat", round(score, 4), ("same citizen", *reasons))
    if same_issue and _within(query, cand, window):
        return Match(
            cand.id,
            "repeat",
            round(max(score, SAME_ISSUE_SCORE), 4),
            ("same citizen", "same issue", *reasons),
        )
    return None


def _as_duplicate(
    query: TicketText,
    cand: TicketText,
    score: float,
    reasons: list[str],
    same_issue: bool,
    threshold: float,
    window: timedelta,
) -> Match | None:
    """A candidate from another citizen, in the same region when both are known: a duplicate
    by wording, or by topic at the same place within ``window``."""
    if query.region and cand.region and query.region != cand.region:
        return None
    if score >= threshold:
        if query.region and query.region == cand.region:
            reasons.append("same region")
        return Match(cand.id, "duplicate", round(score, 4), tuple(reasons))
    if same_issue and query.place and query.place == cand.place and _within(query, cand, window):
        return Match(
            cand.id,
            "duplicate",
            round(max(score, SAME_ISSUE_SCORE), 4),
            ("same place", "same issue", *reasons),
        )
    return None


# ------------------------------------------------------------------ in-memory index


class SimilarIndex:
    """Candidate retrieval by MinHash-LSH band keys, phone, and region + category.

    The same lookups a database does with a ``(key, ticket_id)`` table indexed on key and
    indexed phone / (region, category, created) columns on the ticket table.
    """

    def __init__(self) -> None:
        self.tickets: dict[str | int, TicketText] = {}
        self.by_key: dict[int, list[str | int]] = defaultdict(list)
        self.by_phone: dict[str, list[str | int]] = defaultdict(list)
        self.by_block: dict[tuple[str, str], list[str | int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self.tickets)

    def add(self, t: TicketText, keys: Sequence[int] | None = None) -> None:
        self.tickets[t.id] = t
        for k in ticket_keys(t) if keys is None else keys:
            self.by_key[k].append(t.id)
        phone = normalize_phone(t.phone)
        if phone and "*" not in t.phone:
            self.by_phone[phone].append(t.id)
        if t.region and t.category:
            self.by_block[(t.region, t.category)].append(t.id)

    def candidates(
        self,
        query: TicketText,
        *,
        window: timedelta | None = DEFAULT_WINDOW,
        block_limit: int = 200,
        lsh_limit: int = LSH_LIMIT,
    ) -> list[TicketText]:
        """LSH candidates (at most ``lsh_limit``, those sharing the most band keys first: the
        share of shared keys estimates the similarity), then same-phone tickets, then the
        newest ``block_limit`` of the same region and category within the window."""
        hits: dict[str | int, int] = defaultdict(int)
        for k in ticket_keys(query):
            for i in self.by_key.get(k, ()):
                hits[i] += 1
        hits.pop(query.id, None)
        ranked = sorted(hits, key=lambda i: -hits[i])[:lsh_limit]
        ids: dict[str | int, None] = dict.fromkeys(ranked)
        phone = normalize_phone(query.phone)
        if phone:
            for i in self.by_phone.get(phone, ()):
                ids[i] = None
        if query.region and query.category:
            block = self.by_block.get((query.region, query.category), [])
            recent = [
                i
                for i in reversed(block)
                if window is None
                or query.time is None
                or self.tickets[i].time is None
                or abs(self.tickets[i].time - query.time) <= window
            ]
            for i in recent[:block_limit]:
                ids[i] = None
        ids.pop(query.id, None)
        return [self.tickets[i] for i in ids]

    def similar(self, query: TicketText, **kwargs) -> list[Match]:
        window = kwargs.get("window", DEFAULT_WINDOW)
        return find_similar(query, self.candidates(query, window=window), **kwargs)
