"""The feedback pages in a real browser: a callback agent works the queue the voice follow-up
filled, an evaluator records a structured verdict, a supervisor scores a spot check.
Screenshots go to ``$HOTLINE_TEST_OUTPUT/screenshots``."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import CheckItem
from hotline.feedback.reviews import reviews_assign
from hotline.feedback.voice import voice_follow_ups_start, voice_result_record
from hotline.tickets.models import Ticket, TicketEvent
from tests.e2e.test_console_browser import login, open_action, status_of, take
from tests.factories import EvaluatorFactory, ticket_in

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def test_callback_agent_works_the_queue(page, console_log, live_server, reseeded, screenshot_dir):
    base = live_server.url
    t = ticket_in("replied")
    with transaction.atomic():
        assert voice_follow_ups_start() == 1
    integration = User.objects.get(username="integration")
    for attempt in (1, 2, 3):
        voice_result_record(
            actor=integration,
            data={
                "call_id": f"e2e-{attempt}",
                "message_key": f"voice-follow-up:{t.number}:0:{attempt}",
                "answered": False,
                "digit": None,
            },
        )
    login(page, base, "callback")
    page.goto(f"{base}/console/callback-queue/")
    row = page.locator("#callback-queue tr", has_text=t.number)
    assert "多次未接通" in row.inner_text() and "3" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "callback-queue.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a").first.click()
    page.select_option("#id_follow_up_satisfaction", "basically_satisfied")
    page.fill("#id_follow_up_note", "人工回访，市民基本满意")
    take(page, "follow_up")
    assert status_of(page) == "已办结"
    page.goto(f"{base}/console/callback-queue/")
    assert "没有待人工回访的工单" in page.inner_text("#callback-queue")
    assert console_log.csp_violations() == []


def test_evaluator_records_a_structured_verdict(
    page, console_log, live_server, reseeded, screenshot_dir
):
    base = live_server.url
    EvaluatorFactory(
        user__username="ev-browser", kind="volunteer", sub_kind="deputy", units=["hanyang"]
    )
    t = ticket_in("under_review")
    assert reviews_assign(actor=SYSTEM, seed=1)["assigned"] == 1
    login(page, base, "ev-browser")
    page.goto(f"{base}/console/reviews/")
    row = page.locator("#reviews tr", has_text=t.number)
    assert "正常" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "reviews.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a").first.click()
    open_action(page, "review")
    page.select_option("#id_review_verdict", "redo")
    answers = {
        "complaint_reasonable": ("true", "噪音扰民属实"),
        "complaint_lawful": ("true", "诉求符合噪声污染防治法"),
        "process_compliant": ("false", "未到现场核实即答复"),
        "result_lawful": ("true", "答复内容不违法"),
    }
    for name, (value, note) in answers.items():
        page.select_option(f"#id_review_{name}", value)
        page.fill(f"#id_review_{name}_note", note)
    page.fill("#id_review_note", "过程不合规，需重办")
    page.screenshot(path=str(screenshot_dir / "review-form.png"), full_page=True)
    take(page, "review")
    assert status_of(page) == "办理中"
    event = TicketEvent.objects.get(ticket__number=t.number, action="review")
    assert event.data["judgements"]["process_compliant"] == {
        "value": False,
        "note": "未到现场核实即答复",
    }
    assert event.actor_name == "ev-browser"
    page.screenshot(path=str(screenshot_dir / "review-done.png"), full_page=True)
    assert console_log.csp_violations() == []


def test_supervisor_scores_a_spot_check(page, console_log, live_server, reseeded, screenshot_dir):
    base = live_server.url
    if not CheckItem.objects.filter(kind="case").exists():  # a flushed database: the checklist
        for position, text in enumerate(["核实了事实", "说明了依据", "写明了结果"], start=1):
            CheckItem.objects.create(kind="case", text=text, max_points=10, position=position)
    t = ticket_in("closed")
    login(page, base, "supervisor")
    page.goto(f"{base}/console/spot-checks/")
    page.fill("#id_day", timezone.localdate().isoformat())
    page.fill("#id_seed", "7")
    with page.expect_navigation():
        page.click("#draw-form button[type=submit]")
    row = page.locator("#samples tr", has_text=t.number)
    assert "工单质检" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "spot-check.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a.button").click()
    items = list(CheckItem.objects.filter(kind="case", active=True))
    for item in items:
        page.fill(f"#points_{item.pk}", "8")
    page.screenshot(path=str(screenshot_dir / "spot-score.png"), full_page=True)
    with page.expect_navigation():
        page.click("#score-form button[type=submit]")
    row = page.locator("#samples tr", has_text=t.number)
    assert f"{8 * len(items)} / {10 * len(items)}" in row.inner_text()
    page.goto(f"{base}/console/spot-results/")
    assert "80.0" in page.inner_text("#results")
    page.screenshot(path=str(screenshot_dir / "spot-results.png"), full_page=True)
    assert Ticket.objects.get(pk=t.pk).status == "closed"
    assert console_log.csp_violations() == []
