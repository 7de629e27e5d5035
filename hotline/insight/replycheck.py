"""Reply check: does a unit's reply answer the complaint, completely and in time? (pure)

Score 0-100 = 40 × relevance + 40 × completeness + 20 × timeliness, each part in 0..1:

* relevance: share of the complaint title's distinctive character pairs (place and subject
  words; generic words such as 关于/问题/请求 removed) that the reply repeats, scaled so that
  half of them count as full relevance; a reply that names none of the complaint gets 0.
* completeness: one third each for a result (已处理, 已整改, 经核实…), a reason or basis
  (因为, 根据…规定, 原因…) and who to contact (电话, 联系, a phone number, 窗口…).
* timeliness: 1 within ``ON_TIME_DAYS`` days, falling linearly to 0 at ``LATE_DAYS``;
  0.5 when a time is missing.

A reply shorter than ``MIN_CHARS`` characters, or one that only acknowledges receipt, is
capped at 30. ``ok`` is score ≥ ``PASS_SCORE``. Every lost point has a reason in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .text import normalize

ON_TIME_DAYS = 5
LATE_DAYS = 60
MIN_CHARS = 30
PASS_SCORE = 60
WEIGHTS = {"relevance": 40, "completeness": 40, "timeliness": 20}

_RESULT = re.compile(
    r"已(?:经)?(?:处理|解决|整改|修复|完成|落实|办理|清理|拆除|安排|责令|查处|督促|协调|处罚|立案|"
    r"恢复|疏通|更换|维修|停止|关停|取缔|纳入|发放|补发|退还|启动|开工|进场|回复)|"
    r"经(?:核实|调查|查|了解|现场)|处理(?:结果|意见|情况)|现答复如下|现回复如下|"
    r"(?:将|拟|计划)于?\d|预计|目前|整改到位|已按|责令"
)
_REASON = re.compile(
    r"因为|由于|原因|根据|按照|依据|依照|规定|政策|条例|办法|文件|属于|不符合|符合|鉴于|所以|因此"
)
_CONTACT = re.compile(r"电话|联系|咨询|热线|窗口|地址|办公室|\d{3,4}-?\d{7,8}|1[3-9]\d{9}|\d{8}")
_ACK_ONLY = re.compile(r"^(?:.{0,20})(?:已收悉|收到|已转|已交|转交|转至|转办).{0,40}$")
_GENERIC = set(
    "关于 问题 请求 要求 建议 反映 投诉 举报 咨询 希望 为何 什么 何时 怎么 如何 能否 是否 "
    "可以 一下 领导 政府 相关 部门 解决 处理 严重 情况 我们 你们 这个 一个 还是 没有 不能 "
    "a市 西地 地省".split()
)


@dataclass(frozen=True, slots=True)
class ReplyCheck:
    score: int  # 0..100
    ok: bool
    relevance: float
    completeness: float
    timeliness: float
    reasons: tuple[str, ...] = field(default=())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def relevance(complaint: str, reply: str) -> float:
    """0..1: how much of the complaint's title (or head) the reply speaks to."""
    head = normalize(complaint).split("|", 1)[0][:60]
    r = normalize(reply)
    grams = {g for g in _bigrams(head) if g not in _GENERIC and not re.fullmatch(r"[\W\d]+", g)}
    if not grams or not r:
        return 0.0
    share = sum(1 for g in grams if g in r) / len(grams)
    return min(1.0, share / 0.5)


def check_reply(
    complaint: str,
    reply: str,
    asked_at: datetime | None = None,
    replied_at: datetime | None = None,
) -> ReplyCheck:
    """Score a unit's ``reply`` to a ``complaint`` (title, or title + "|" + detail)."""
    reasons: list[str] = []
    r = normalize(reply)
    rel = relevance(complaint, reply)
    if rel < 0.5:
        reasons.append(f"does not speak to the complaint (relevance {rel:.2f})")
    parts = {
        "a result": bool(_RESULT.search(r)),
        "a reason or basis": bool(_REASON.search(r)),
        "who to contact": bool(_CONTACT.search(r)),
    }
    comp = sum(parts.values()) / 3
    for name, present in parts.items():
        if not present:
            reasons.append(f"missing {name}")
    if asked_at and replied_at:
        days = (replied_at - asked_at).total_seconds() / 86400
        if days <= ON_TIME_DAYS:
            timely = 1.0
        else:
            timely = max(0.0, 1 - (days - ON_TIME_DAYS) / (LATE_DAYS - ON_TIME_DAYS))
            reasons.append(f"replied after {days:.0f} days")
    else:
        timely = 0.5
        reasons.append("reply time unknown")
    score = (
        WEIGHTS["relevance"] * rel + WEIGHTS["completeness"] * comp + WEIGHTS["timeliness"] * timely
    )
    if len(r) < MIN_CHARS or _ACK_ONLY.match(r):
        score = min(score, 30)
        reasons.insert(0, "only acknowledges receipt or is too short")
    score_i = round(score)
    return ReplyCheck(
        score=score_i,
        ok=score_i >= PASS_SCORE,
        relevance=round(rel, 3),
        completeness=round(comp, 3),
        timeliness=round(timely, 3),
        reasons=tuple(reasons),
    )
