"""The ticket page's presenters (hotline.console.presenters), function by function: values in
words, names for codes, the reply check's reasons in the console's language."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from django.utils import translation

from hotline.console import presenters
from hotline.console.presenters import Names, field_label, show_value
from hotline.insight.replycheck import check_reply

NAMES = Names(
    units={"jiangan": "江岸区人民政府", "hanyang": "汉阳区人民政府"},
    centres={"jianghan": "江汉区区长专线"},
    categories={"A-01": "城乡建设 / 市政设施 / 路灯"},
    people={"evaluator": "第三方评价员"},
)


def test_codes_become_names_and_choices_labels():
    assert show_value("unit", "jiangan", NAMES) == "江岸区人民政府"
    assert show_value("co_units", ["jiangan", "hanyang"], NAMES) == "江岸区人民政府、汉阳区人民政府"
    assert show_value("co_units", [], NAMES) == "—"
    assert show_value("unit", "gone", NAMES) == "未知单位"
    assert show_value("centre", "jianghan", NAMES) == "江汉区区长专线"
    assert show_value("category", "A-01", NAMES) == "城乡建设 / 市政设施 / 路灯"
    assert show_value("verdict", "redo", NAMES) == "重办"
    assert show_value("referred", "redos", NAMES) == "三次重办"
    assert show_value("notified", ["yellow", "wecom_red"], NAMES) == "黄灯短信、工作群红灯提醒"
    assert show_value("approve", False, NAMES) == "否"
    assert show_value("note", None, NAMES) == "—"
    assert show_value("send_back", {"unit": "jiangan", "ruling": "invalid"}, NAMES) == (
        "退单单位：江岸区人民政府；裁定：退单不成立"
    )
    assignment = {"evaluator": "evaluator", "on_time": True, "due_at": None}
    assert (
        show_value("assignment", assignment, NAMES) == "评价员：第三方评价员；按时：是；截止时间：—"
    )


def test_times_are_local_to_the_minute():
    moment = datetime(2026, 12, 1, 1, 30, tzinfo=UTC).isoformat()
    assert show_value("due_at", moment, NAMES) == "2026-12-01 09:30"
    clocks = [{"kind": "handle", "unit": "jiangan", "due_at": moment}]
    assert show_value("clocks", clocks, NAMES) == "办理时限 江岸区人民政府 2026-12-01 09:30"


def test_an_unknown_key_is_never_shown_and_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="hotline.console"):
        assert field_label("brand_new_key") == "其他信息"
    assert "brand_new_key" in caplog.text
    assert show_value("verdict", "brand_new_value", NAMES) == "其他"


def test_labels_follow_the_language():
    with translation.override("en"):
        assert show_value("verdict", "redo", NAMES) == "Redo"
        assert field_label("from_centre") == "Previous hotline centre"


def test_every_reason_of_the_reply_check_is_worded():
    asked = datetime(2026, 1, 1, tzinfo=UTC)
    reasons = set()
    for text, replied in (
        ("已收悉", asked + timedelta(days=40)),
        ("随便写点什么内容" * 5, None),
    ):
        reasons |= set(check_reply("小区路灯不亮", text, asked, replied).reasons)
    worded = presenters.reply_check_reasons(sorted(reasons))
    assert len(worded) == len(reasons) >= 5
    assert all(re.search(r"[\u4e00-\u9fff]", r) and not re.search(r"[A-Za-z]", r) for r in worded)
    assert "其他不足" not in worded
    assert "回复用时（天） 40" in worded
