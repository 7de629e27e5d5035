"""Urgent words raise a ticket's urgency at intake (pure, no ORM).

Two configurable lists: words that make a ticket an ``emergency`` (life or safety at stake
now: gas leak, fire, collapse, suicide...) and words that make it ``urgent``. Settings may
override them with ``HOTLINE_URGENT_WORDS = {"emergency": [...], "urgent": [...]}``, read by
``services.urgency_detect``, which the registration calls.
Negated mentions ("没有着火", "不是火灾") do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .text import normalize

EMERGENCY_WORDS = (
    "燃气泄漏",
    "煤气泄漏",
    "天然气泄漏",
    "漏气",
    "闻到煤气",
    "闻到燃气",
    "着火",
    "起火",
    "失火",
    "火灾",
    "爆炸",
    "坍塌",
    "倒塌",
    "塌方",
    "垮塌",
    "塌陷",
    "自杀",
    "轻生",
    "跳楼",
    "跳河",
    "割腕",
    "不想活",
    "被困",
    "困在电梯",
    "触电",
    "溺水",
    "中毒",
    "昏迷",
    "命悬一线",
    "持刀",
    "砍人",
    "绑架",
    "危化品泄漏",
    "有毒气体",
    "山体滑坡",
    "泥石流",
    "决堤",
    "溃坝",
    "塌桥",
)
URGENT_WORDS = (
    "停水",
    "停电",
    "断水",
    "断电",
    "停气",
    "水管爆裂",
    "爆管",
    "污水漫",
    "内涝",
    "积水严重",
    "电梯故障",
    "井盖丢失",
    "井盖缺失",
    "电线掉落",
    "电线裸露",
    "危房",
    "裂缝",
    "高空坠物",
    "家暴",
    "走失",
    "老人走失",
    "孩子走失",
    "食物中毒",
    "疫情",
    "传染",
    "堵塞",
    "拖欠工资",
    "讨薪",
    "无家可归",
    "暖气不热",
    "没有暖气",
)
LEVELS = ("normal", "urgent", "emergency")
_NEGATION = re.compile(r"(没有|没|并未|未|不是|不会|无|防止|预防|避免|演练|宣传)$")


DEFAULT_WORDS: Mapping[str, Iterable[str]] = {"emergency": EMERGENCY_WORDS, "urgent": URGENT_WORDS}


@lru_cache(maxsize=16)
def _normalized(word_list: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(word, its normalised form) of a word list, computed once per list."""
    return tuple((word, normalize(word)) for word in word_list)


def _hits(text: str, word_list: Iterable[str]) -> list[str]:
    found = []
    for word, w in _normalized(tuple(word_list)):
        start = 0
        while w and (i := text.find(w, start)) >= 0:
            if not _NEGATION.search(text[max(0, i - 3) : i]):
                found.append(word)
                break
            start = i + 1
    return found


def detect_urgency(
    text: str, words: Mapping[str, Iterable[str]] | None = None
) -> tuple[str, list[str]]:
    """``(urgency, matched words)`` for a ticket's text.

    ``urgency`` is ``"emergency"`` if an emergency word occurs (not negated), else
    ``"urgent"`` if an urgent word does, else ``"normal"``. ``words`` overrides the lists:
    ``{"emergency": [...], "urgent": [...]}``.
    """
    words = words or DEFAULT_WORDS
    t = normalize(text)
    emergency = _hits(t, words.get("emergency", ()))
    if emergency:
        return "emergency", emergency
    urgent = _hits(t, words.get("urgent", ()))
    if urgent:
        return "urgent", urgent
    return "normal", []


def raise_urgency(current: str, detected: str) -> str:
    """The higher of two urgencies: intake never lowers what the agent chose."""
    return max(current or "normal", detected, key=LEVELS.index)
