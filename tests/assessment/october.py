"""October 2026, built with import_history, holding every edge case of the assessment: the
National Day holidays (1-7 October) and the make-up working Saturday (10 October) included."""

from __future__ import annotations

import json
from datetime import datetime

from tests.factories import JUDGEMENTS

MONTH = "2026-10"
# A cut-off while the last evening's 15-working-day ticket is not yet due.
EARLY_CUT_OFF = datetime.fromisoformat("2026-11-20T00:00:00+08:00")


def at(day: str, time: str) -> str:
    return f"2026-{day}T{time}:00+08:00"


def ev(action, actor, moment, **fields):
    return {"action": action, "actor": actor, "at": moment, **fields}


def reply(actor, moment):
    return ev("reply", actor, moment, text="已处理完毕", outcome="resolved")


def follow(moment, satisfaction="satisfied"):
    return ev("follow_up", "callback", moment, satisfaction=satisfaction)


def history_lines(complex_category: str) -> list[str]:
    lines = []

    def ticket(source_id, registered, events, *, phone=None, title=None, **fields):
        lines.append(
            json.dumps(
                {
                    "source_id": source_id,
                    "registered_at": registered,
                    "channel": "phone",
                    "kind": "complaint",
                    "title": title or f"测试诉求{source_id}号关于{source_id * 2}",
                    "content": f"诉求内容{source_id}",
                    "citizen": {
                        "name": "市民",
                        "phone": phone or f"138{int(source_id[1:]):08d}",
                    },
                    "events": events,
                    **fields,
                },
                ensure_ascii=False,
            )
        )

    D = "dispatcher"
    # A forward on time, the street accepts and replies on time, satisfied.
    ticket(
        "T01",
        at("10-12", "09:00"),
        [
            ev("dispatch", D, at("10-12", "09:30"), unit="jiangan"),
            ev("forward", "jiangan-dispatcher", at("10-12", "10:00"), unit="jiangan-01"),
            ev("accept", "jiangan-01-handler", at("10-12", "11:00")),
            reply("jiangan-01-handler", at("10-14", "16:00")),
            follow(at("10-15", "10:00")),
        ],
        phone="13900000001",
        title="小区门口下水道堵塞污水外溢",
    )
    # A late forward (and so a late acceptance by the district), basically satisfied.
    ticket(
        "T02",
        at("10-12", "09:05"),
        [
            ev("dispatch", D, at("10-12", "09:30"), unit="jiangan"),
            ev("forward", "jiangan-dispatcher", at("10-13", "15:00"), unit="jiangan-01"),
            ev("accept", "jiangan-01-handler", at("10-13", "16:00")),
            reply("jiangan-01-handler", at("10-15", "16:00")),
            follow(at("10-16", "10:00"), "basically_satisfied"),
        ],
    )
    # A street dispatched to directly; the community below gets it forwarded late.
    ticket(
        "T03",
        at("10-13", "08:40"),
        [
            ev("dispatch", D, at("10-13", "09:00"), unit="jiangan-02"),
            ev("forward", "jiangan-02-dispatcher", at("10-14", "09:00"), unit="jiangan-02-01"),
            ev("accept", "jiangan-02-01-handler", at("10-14", "10:00")),
            reply("jiangan-02-01-handler", at("10-16", "10:00")),
            follow(at("10-19", "10:00")),
        ],
    )
    # Accepted late by a company; replied on time.
    ticket(
        "T04",
        at("10-13", "08:30"),
        [
            ev("dispatch", D, at("10-13", "09:00"), unit="water"),
            ev("accept", "water-handler", at("10-15", "10:00")),
            reply("water-handler", at("10-16", "10:00")),
            follow(at("10-19", "11:00")),
        ],
    )
    # A send-back ruled valid: the ticket leaves housing's cohort and goes to water's.
    ticket(
        "T05",
        at("10-14", "08:30"),
        [
            ev("dispatch", D, at("10-14", "09:00"), unit="housing"),
            ev("send_back", "housing-handler", at("10-14", "10:00"), reason="不属于本单位职责"),
            ev("dispatch", D, at("10-14", "11:00"), unit="water"),
            ev("accept", "water-handler", at("10-14", "14:00")),
            reply("water-handler", at("10-15", "14:00")),
        ],
    )
    # A send-back ruled invalid: back to the district, which then handles it.
    ticket(
        "T06",
        at("10-14", "08:35"),
        [
            ev("dispatch", D, at("10-14", "09:00"), unit="jiangan"),
            ev("send_back", "jiangan-handler", at("10-14", "10:00"), reason="不归我们管"),
            ev("dispatch", D, at("10-14", "11:00"), unit="jiangan"),
            ev("accept", "jiangan-handler", at("10-14", "13:00")),
            reply("jiangan-handler", at("10-16", "13:00")),
            follow(at("10-19", "09:00")),
        ],
    )
    # An extension approved: replied after the first deadline but before the extended one.
    ticket(
        "T07",
        at("10-15", "08:30"),
        [
            ev("dispatch", D, at("10-15", "09:00"), unit="housing"),
            ev("accept", "housing-handler", at("10-15", "10:00")),
            ev(
                "request_extension",
                "housing-handler",
                at("10-19", "10:00"),
                days=5,
                reason="需协调",
            ),
            ev("decide_extension", D, at("10-19", "11:00"), approve=True),
            reply("housing-handler", at("10-26", "10:00")),
            follow(at("10-27", "10:00"), "dissatisfied"),
            ev(
                "review",
                "evaluator",
                at("10-28", "10:00"),
                verdict="proper",
                note="处置得当",
                judgements=JUDGEMENTS,
            ),
        ],
    )
    # Replied late by one hour: the make-up Saturday (10 October) counts as a working day.
    ticket(
        "T08",
        at("10-08", "08:30"),
        [
            ev("dispatch", D, at("10-08", "09:00"), unit="housing"),
            ev("accept", "housing-handler", at("10-08", "10:00")),
            reply("housing-handler", at("10-14", "10:00")),
            follow(at("10-15", "10:00"), "dissatisfied"),
            ev(
                "review",
                "evaluator",
                at("10-16", "10:00"),
                verdict="redo",
                note="未整改",
                judgements=JUDGEMENTS,
            ),
            reply("housing-handler", at("10-19", "10:00")),
            follow(at("10-20", "10:00")),
        ],
    )
    # Still open and overdue at the cut-off, with a supervision order.
    ticket(
        "T09",
        at("10-20", "08:30"),
        [
            ev("dispatch", D, at("10-20", "09:00"), unit="housing"),
            ev("accept", "housing-handler", at("10-20", "10:00")),
            ev("supervise", "supervisor", at("10-28", "10:00"), note="请加快办理"),
        ],
    )
    # Redo upheld twice: the final rating is dissatisfied, under review at the cut-off.
    ticket(
        "T10",
        at("10-16", "08:30"),
        [
            ev("dispatch", D, at("10-16", "09:00"), unit="jiangan"),
            ev("accept", "jiangan-handler", at("10-16", "10:00")),
            reply("jiangan-handler", at("10-19", "10:00")),
            follow(at("10-20", "10:00"), "dissatisfied"),
            ev(
                "review",
                "evaluator",
                at("10-21", "10:00"),
                verdict="redo",
                note="未解决",
                judgements=JUDGEMENTS,
            ),
            reply("jiangan-handler", at("10-23", "10:00")),
            follow(at("10-26", "10:00"), "dissatisfied"),
        ],
    )
    # Merges: the duplicate was dispatched to housing, then merged into T11 (out of the cohort).
    ticket(
        "T11",
        at("10-21", "08:30"),
        [
            ev("dispatch", D, at("10-21", "09:00"), unit="jiangan", co_units=["water"]),
        ],
    )
    ticket(
        "T12",
        at("10-21", "08:40"),
        [
            ev("dispatch", D, at("10-21", "09:05"), unit="housing"),
            ev("merge", D, at("10-21", "10:00"), into="T11"),
        ],
    )
    # The last evening of the month (a Saturday), a complex matter (15 working days),
    # accepted and replied in November.
    ticket(
        "T13",
        at("10-31", "20:00"),
        [
            ev("dispatch", D, at("10-31", "21:00"), unit="housing"),
            ev("accept", "housing-handler", at("11-02", "09:00")),
        ],
        category=complex_category,
    )
    ticket(
        "T14",
        at("10-31", "20:30"),
        [
            ev("dispatch", D, at("10-31", "21:30"), unit="jiangan-01"),
            ev("accept", "jiangan-01-handler", at("11-02", "09:00")),
            reply("jiangan-01-handler", at("11-03", "09:00")),
            follow(at("11-04", "09:00")),
        ],
    )
    # A repeat: the same citizen, the same issue as T01, again.
    ticket(
        "T15",
        at("10-22", "09:00"),
        [
            ev("dispatch", D, at("10-22", "09:30"), unit="jiangan-01"),
            ev("accept", "jiangan-01-handler", at("10-22", "10:00")),
            reply("jiangan-01-handler", at("10-23", "10:00")),
        ],
        phone="13900000001",
        title="小区门口下水道堵塞污水外溢",
    )
    # Reached the district in September, the street in October: in the street's October
    # cohort only. Dispatched during the holidays.
    ticket(
        "T16",
        "2026-09-30T15:00:00+08:00",
        [
            ev("dispatch", D, "2026-09-30T16:00:00+08:00", unit="jiangan"),
            ev("forward", "jiangan-dispatcher", at("10-03", "10:00"), unit="jiangan-03"),
            ev("accept", "jiangan-03-handler", at("10-08", "09:00")),
            reply("jiangan-03-handler", at("10-09", "09:00")),
        ],
    )
    # Reached in November: in no October cohort. Never reached: invalid.
    ticket("T17", at("11-01", "00:10"), [ev("dispatch", D, at("11-01", "00:30"), unit="housing")])
    ticket(
        "T18",
        at("10-20", "09:00"),
        [ev("invalidate", "agent", at("10-20", "09:10"), reason="测试")],
    )
    # A send-back not yet ruled on at the cut-off: still the district's.
    ticket(
        "T19",
        at("10-23", "09:00"),
        [
            ev("dispatch", D, at("10-23", "09:30"), unit="jiangan-02"),
            ev("send_back", "jiangan-02-handler", at("10-23", "10:00"), reason="非本辖区"),
        ],
    )
    # Sent back invalidly by a street, re-dispatched to the same street and replied late.
    ticket(
        "T20",
        at("10-09", "09:00"),
        [
            ev("dispatch", D, at("10-09", "09:30"), unit="jiangan-03"),
            ev("send_back", "jiangan-03-handler", at("10-09", "10:00"), reason="非本辖区"),
            ev("dispatch", D, at("10-09", "11:00"), unit="jiangan-03"),
            ev("accept", "jiangan-03-handler", at("10-12", "11:00")),
            reply("jiangan-03-handler", at("10-20", "11:00")),
            follow(at("10-21", "11:00"), "basically_satisfied"),
        ],
    )
    return lines
