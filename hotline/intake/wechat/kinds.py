"""The kind of a WeChat request (DESIGN 3: consultation, help, complaint, report, suggestion,
praise) from the citizen's own words. Pure: no ORM, no settings.

A small keyword rule, not a model: the platform's classifier (hotline/insight) predicts the
catalogue's category, not the kind, and the insight app is a sibling intake may not import.
Each kind has cue words with weights; the kind with the highest score wins, ties go to the
kind earlier in ``ORDER`` (the more serious), no cue means a complaint (most of what reaches
12345 by WeChat). Politeness ("请尽快处理，谢谢") is not praise: thanks count only without any
complaint cue. The citizen sees the kind in the confirmation and can change it by replying
its name (``kind_named``); the dispatcher can still correct it as for any intake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAMES = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
}
ORDER = ("report", "help", "complaint", "suggestion", "consultation", "praise")
DEFAULT = "complaint"

# (pattern, weight) per kind.
CUES: dict[str, list[tuple[str, int]]] = {
    "report": [
        (r"举报|检举|揭发|实名举报", 3),
        (
            r"违法|违规|非法|涉嫌|偷排|偷倒|私排|黑作坊|无证经营|传销|诈骗|赌博|贪污|受贿|吃回扣|套取",
            2,
        ),
    ],
    "help": [
        (r"求助|求救|救救|帮帮|帮忙|救助|求援", 3),
        (
            r"被困|困在|走失|找不到(家|人|孩子|老人)|摔倒|晕倒|无家可归|生活困难|没钱(看病|吃饭)|急需|怎么办才好",
            2,
        ),
    ],
    "complaint": [
        (r"投诉|反映|举证", 2),
        (
            r"扰民|噪音|噪声|拖欠|欠薪|不作为|乱收费|推诿|态度(恶劣|差)|不处理|没人管|无人管|脏乱|占道|漏水|停水|停电|堵塞|异味|臭味|违停|坏了|不亮|损坏",
            2,
        ),
        (r"一直|多次|至今|几天了|好几", 1),
    ],
    "suggestion": [
        (r"建议|提议|倡议|呼吁|意见", 3),
        (
            r"希望(能|可以|政府|有关|相关)|能否(增设|增加|设置|开通|延长)|可否|是否可以考虑|应该(增加|增设|设置)|最好(能|可以)",
            2,
        ),
    ],
    "consultation": [
        (r"咨询|请问|问一下|想问|想了解|了解一下", 3),
        (
            r"怎么(办|申请|办理|缴|交|查)|如何(办|申请|办理|缴|交|查)|需要(哪些|什么)(材料|手续|证件)|在哪里?(办|交|领)|什么时候|多少钱|能不能(办|申请)|政策|条件是",
            2,
        ),
        (r"[?？]\s*$", 1),
    ],
    "praise": [
        (r"表扬|点赞|赞扬|致谢|锦旗|感谢信|好评|为.{1,20}点赞", 3),
        (r"感谢|谢谢|辛苦了|及时解决|热心|很负责|认真负责|效率(很)?高", 1),
    ],
}
_COMPILED = {kind: [(re.compile(p), w) for p, w in cues] for kind, cues in CUES.items()}


@dataclass(frozen=True)
class Guess:
    kind: str
    cues: tuple[str, ...]  # the words that decided it, for the dispatcher's eye


def kind_guess(text: str) -> Guess:
    """The kind ``text`` reads as, and the cue words found."""
    scores: dict[str, int] = {}
    found: dict[str, list[str]] = {}
    for kind, cues in _COMPILED.items():
        for pattern, weight in cues:
            for match in pattern.finditer(text):
                scores[kind] = scores.get(kind, 0) + weight
                found.setdefault(kind, []).append(match.group(0).strip() or match.group(0))
    if scores.get("complaint") and "praise" in scores:
        # "请尽快处理，谢谢": thanks beside a complaint are politeness, not praise.
        scores["praise"] -= sum(1 for word in found["praise"] if re.fullmatch(r"感谢|谢谢", word))
    best = max(ORDER, key=lambda kind: (scores.get(kind, 0), -ORDER.index(kind)))
    if scores.get(best, 0) <= 0:
        return Guess(DEFAULT, ())
    return Guess(best, tuple(dict.fromkeys(found[best])))


_NAMED = re.compile(r"^(?:改为|改成|类型[:：]?|是)?\s*(咨询|求助|投诉|举报|建议|表扬)$")


def kind_named(answer: str) -> str | None:
    """The kind a reply names ("咨询", "改为举报", "类型：建议"), or None."""
    found = _NAMED.match(answer.strip().rstrip("。.!！"))
    if not found:
        return None
    return next(kind for kind, name in NAMES.items() if name == found.group(1))
