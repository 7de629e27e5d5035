"""Hot spots: clusters of similar tickets by topic and place over a time window (pure).

1. Messages in the window are represented by TF-IDF of character 2-3-grams of the title and
   the head of the detail (``HEAD_CHARS``), l2-normalised.
2. Two messages are linked when their cosine similarity reaches ``LINK_THRESHOLD`` and they do
   not name different places (a place is a pseudonymised district such as ``A5区`` or a named
   estate, road, village...; see :func:`places`). Clusters are the connected components.
3. Each cluster with at least ``min_size`` messages gets a heat index (documented in
   docs/insight.md)::

       heat = 2·ln(1+U) + ln(1+N−U) + 0.5·ln(1+likes) − 0.5·ln(1+dislikes) + clip(ln g, −1, 1)

   N messages, U distinct citizens, likes/dislikes summed where present, and growth
   g = (messages in the newer half of the cluster's window + 1) / (older half + 1), the window
   being the hot-spot window (or the cluster's own span when no window is given).
   Distinct citizens weigh most: one citizen posting 90 times is one voice.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .text import normalize

HEAD_CHARS = 200
LINK_THRESHOLD = 0.5
PLACE_THRESHOLD = 0.2
_DISTRICT = re.compile(r"[a-z]\d{0,2}(?:市|区|县|州)")
_NAMED = re.compile(
    r"([\u4e00-\u9fff\da-z]{2,6}?(?:小区|花园|家园|公寓|新城|广场|大厦|苑|园|城|府|湾|庭|"
    r"街道|大道|路|街|巷|村|镇|乡|社区|学校|中学|小学|幼儿园|医院|公司|市场|工业园|园区))"
)
_STOP_PLACES = {
    "西地省",
    "小区",
    "公司",
    "学校",
    "医院",
    "市场",
    "道路",
    "马路",
    "城市",
    "街道",
    "社区",
    "农村",
    "物业公司",
    "开发商",
    "政府",
}


@dataclass(frozen=True, slots=True)
class HotMessage:
    id: str | int
    title: str
    detail: str = ""
    user: str = ""
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0


@dataclass(slots=True)
class HotSpot:
    rank: int
    heat: float
    place: str
    topic: str  # the most central message's title
    count: int
    citizens: int
    likes: int
    dislikes: int
    growth: float
    start: datetime | None
    end: datetime | None
    message_ids: list = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # titles of up to 3 central messages


def places(text: str) -> list[str]:
    """Place names in a text: districts like ``a5区`` and named places like ``魅力之城小区``."""
    t = normalize(text)
    found = _DISTRICT.findall(t)
    for m in _NAMED.findall(_DISTRICT.sub("|", t)):
        m = _DISTRICT.sub("", m).lstrip("在于和与的对")
        if len(m) >= 3 and m not in _STOP_PLACES:
            found.append(m)
    return found


def heat_index(count: int, citizens: int, likes: int, dislikes: int, growth: float) -> float:
    return (
        2.0 * math.log1p(citizens)
        + math.log1p(max(0, count - citizens))
        + 0.5 * math.log1p(max(0, likes))
        - 0.5 * math.log1p(max(0, dislikes))
        + max(-1.0, min(1.0, math.log(max(growth, 1e-9))))
    )


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _named(ps: Sequence[str]) -> set[str]:
    return {p for p in ps if not _DISTRICT.fullmatch(p)}


def _compatible(pa: list[str], pb: list[str]) -> bool:
    """False when both name places and share none (different estates, different districts)."""
    da = {p for p in pa if _DISTRICT.fullmatch(p)}
    db = {p for p in pb if _DISTRICT.fullmatch(p)}
    if da and db and not da & db:
        return False
    return True


def _in_window(
    messages: Sequence[HotMessage], window: timedelta | None, end: datetime | None
) -> tuple[list[HotMessage], datetime | None]:
    """The messages whose time lies in ``(end - window, end]`` (all when no window), and the
    window's end (the latest message time unless given)."""
    if window is None:
        return list(messages), end
    times = [m.time for m in messages if m.time]
    end = end or (max(times) if times else None)
    start = end - window if end else None
    return [m for m in messages if m.time and start < m.time <= end], end


def _shares_place(a: set[str], b: set[str]) -> bool:
    """The same named place, or one a longer form of the other (4 characters or more)."""
    return bool(a & b) or any(len(x) >= 4 and (x in y or y in x) for x in a for y in b)


def _link(X, T, place_lists: list[list[str]], threshold: float) -> list[list[int]]:
    """Groups of messages linked by similar text (whole or title) or a shared named place,
    never across different districts: the connected components, in order of first member."""
    named = [_named(p) for p in place_lists]
    uf = _UnionFind(X.shape[0])
    step = 1000
    for lo in range(0, X.shape[0], step):
        sim_full = (X[lo : lo + step] @ X.T).toarray()
        sim_title = (T[lo : lo + step] @ T.T).toarray()
        rows, cols = np.nonzero((sim_full >= PLACE_THRESHOLD) | (sim_title >= threshold))
        for i, b in zip(rows.tolist(), cols.tolist(), strict=True):
            a = lo + i
            if a >= b or not _compatible(place_lists[a], place_lists[b]):
                continue
            text_sim = max(sim_full[i, b], sim_title[i, b])
            if text_sim >= threshold or _shares_place(named[a], named[b]):
                uf.union(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(X.shape[0]):
        groups.setdefault(uf.find(i), []).append(i)
    return list(groups.values())


def _growth(times: list[datetime], window: timedelta | None, end: datetime | None) -> float:
    """Messages in the second half of the window (or of the group's span) over the first,
    each plus one; 1.0 when nothing is known."""
    if not times:
        return 1.0
    mid = end - window / 2 if window is not None and end is not None else None
    if mid is None:
        mid = times[0] + (times[-1] - times[0]) / 2
    newer = sum(1 for t in times if t > mid)
    return (newer + 1) / (len(times) - newer + 1)


def _place_name(place_lists: Sequence[list[str]]) -> str:
    """The district (if named) and up to two named places, most mentioned first, equals in
    order of first mention (never set order, which changes between runs); named places as
    common as the first are kept ("伊景园" + "滨河苑"); a name inside a longer tied one is the
    same place ("东六路" in "星沙东六路")."""
    pc = Counter(p for ps in place_lists for p in dict.fromkeys(ps))
    ranked = sorted(pc, key=lambda p: -pc[p])
    districts = [p for p in ranked if _DISTRICT.fullmatch(p)]
    return "".join([d.upper() for d in districts[:1]] + _top_named(ranked, pc)) or "—"


def _top_named(ranked: list[str], pc: Counter) -> list[str]:
    named = [p for p in ranked if not _DISTRICT.fullmatch(p)]
    if not named:
        return []
    tied = [p for p in named if pc[p] == pc[named[0]]]
    return [p for p in tied if not any(p != q and p in q for q in tied)][:2]


def _spot(ms: list[HotMessage], sub, place_lists, window, end) -> HotSpot:
    """One group of messages as a hot spot (rank set by the caller)."""
    citizens = len({m.user or f"#{m.id}" for m in ms})
    likes = sum(max(0, m.likes) for m in ms)
    dislikes = sum(max(0, m.dislikes) for m in ms)
    times = sorted(m.time for m in ms if m.time)
    growth = _growth(times, window, end)
    heat = heat_index(len(ms), citizens, likes, dislikes, growth)
    centre = np.asarray(sub.mean(axis=0)).ravel()
    order = np.argsort(-(sub @ centre))
    return HotSpot(
        rank=0,
        heat=round(heat, 3),
        place=_place_name(place_lists),
        topic=ms[int(order[0])].title.strip(),
        count=len(ms),
        citizens=citizens,
        likes=likes,
        dislikes=dislikes,
        growth=round(growth, 3),
        start=times[0] if times else None,
        end=times[-1] if times else None,
        message_ids=[m.id for m in ms],
        examples=[ms[int(k)].title.strip() for k in order[:3]],
    )


def hot_spots(
    messages: Sequence[HotMessage],
    window: timedelta | None = None,
    *,
    end: datetime | None = None,
    top: int = 10,
    min_size: int = 2,
    threshold: float = LINK_THRESHOLD,
) -> list[HotSpot]:
    """The ``top`` hot spots among ``messages``, hottest first.

    ``window`` keeps messages whose time lies in ``(end − window, end]``; ``end`` defaults to the
    latest message time. Messages without a time are kept only when no window is given.
    """
    messages, end = _in_window(messages, window, end)
    if len(messages) < min_size:
        return []
    texts = [normalize(m.title) + "|" + normalize(m.detail)[:HEAD_CHARS] for m in messages]
    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=1, dtype=np.float32
    )
    X = vec.fit_transform(texts)
    T = vec.transform([normalize(m.title) for m in messages])
    place_lists = [places(m.title) for m in messages]
    spots = [
        _spot(
            [messages[i] for i in members],
            X[members],
            [place_lists[i] for i in members],
            window,
            end,
        )
        for members in _link(X, T, place_lists, threshold)
        if len(members) >= min_size
    ]
    spots.sort(key=lambda s: (-s.heat, -s.count, str(s.topic)))
    for r, s in enumerate(spots[:top], start=1):
        s.rank = r
    return spots[:top]
