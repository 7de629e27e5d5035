"""The golden path across roles, each from its own queue, in a real browser (Debian's chromium):
the agent registers a call from the intake screen; the dispatcher dispatches it from the
dispatch queue with a copy to the discipline office; the district forwards it to a street; the
street's handler, on a phone, accepts and replies with a photo; the voice follow-up gets no
answer, so the callback agent takes it from the callback queue and records "dissatisfied"; the
evaluator orders a redo from their reviews; the handler replies again; the callback agent
records "satisfied". The inspector sees the copy, and the auditor sees every step in the audit
log. A screenshot of every page on the way goes to ``$HOTLINE_TEST_OUTPUT/screenshots``
(golden-*.png)."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from PIL import Image

from hotline.accounts.models import User
from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import ReviewAssignment
from hotline.feedback.reviews import reviews_assign
from hotline.feedback.voice import voice_follow_ups_start, voice_result_record
from hotline.tickets.models import Attachment, Ticket, TicketEvent
from tests.factories import EvaluatorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]

PHONE = 390
STREET = "jiangan-01"  # 江岸区大智街道办事处


class Walk:
    """One browser context per role (desktop, or a phone for the grid worker), screenshots
    numbered in the order taken."""

    def __init__(self, browser, base: str, shots):
        self.browser, self.base, self.shots = browser, base, shots
        self.n = 0
        self.errors: list[str] = []

    def sign_in(self, username: str, *, phone: bool = False):
        size = {"width": PHONE, "height": 844} if phone else {"width": 1366, "height": 900}
        context = self.browser.new_context(
            locale="zh-CN", viewport=size, is_mobile=phone, has_touch=phone
        )
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{self.base}/console/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo")
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")
        return page

    def shot(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.shots / f"golden-{self.n:02d}-{name}.png"), full_page=True)
        if page.viewport_size and page.viewport_size["width"] == PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, name


def status_of(page) -> str:
    return page.inner_text("#ticket-status").strip()


def settle(page) -> None:
    """Let the page's own look-ups finish (the intake panels, the reply check) before a form
    goes up: the test server's in-memory SQLite locks a table while another request writes."""
    page.wait_for_load_state("networkidle")


def take(page, action: str) -> None:
    box = page.locator(f"#action-{action}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    settle(page)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def open_from_queue(page, queue: str, number: str) -> None:
    row = page.locator(f"#queue-{queue} li[data-number='{number}']")
    with page.expect_navigation():
        row.locator("a.queue-title").click()


def voice_gets_no_answer(number: str, round_: int) -> None:
    """The automated voice follow-up calls three times and nobody answers: the ticket goes to
    the callback agents' queue."""
    with transaction.atomic():
        assert voice_follow_ups_start() >= 1
    integration = User.objects.get(username="integration")
    for attempt in (1, 2, 3):
        voice_result_record(
            actor=integration,
            data={
                "call_id": f"golden-{round_}-{attempt}",
                "message_key": f"voice-follow-up:{number}:{round_}:{attempt}",
                "answered": False,
                "digit": None,
            },
        )


def callback_from_queue(walk: Walk, number: str, satisfaction: str, note: str, name: str):
    page = walk.sign_in("callback")
    assert page.url.endswith("/console/callback-queue/")
    row = page.locator("#callback-queue tr", has_text=number)
    assert "多次未接通" in row.inner_text()
    walk.shot(page, f"{name}-queue")
    with page.expect_navigation():
        row.locator("a").first.click()
    page.select_option("#id_follow_up_satisfaction", satisfaction)
    page.fill("#id_follow_up_note", note)
    walk.shot(page, f"{name}-form")
    take(page, "follow_up")
    return page


def test_the_golden_path_across_roles_from_their_own_queues(
    browser, live_server, reseeded, screenshot_dir, tmp_path
):
    walk = Walk(browser, live_server.url, screenshot_dir)
    base = live_server.url

    # 1. The agent registers a call from the intake screen (the home of an agent).
    page = walk.sign_in("agent")
    assert page.locator("#intake-form").is_visible()
    page.select_option("#id_channel", "phone")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "大智路小区地下室积水发臭")
    page.fill("#id_content", "大智路小区3栋地下室积水一周，污水发臭，蚊虫很多，物业一直不处理。")
    page.fill("#id_address", "江岸区大智街道大智路小区3栋")
    page.fill("#id_citizen_name", "周女士")
    page.fill("#id_citizen_phone", "13807100001")
    page.focus("#id_title")  # the phone's look-up runs as the field is left
    settle(page)
    walk.shot(page, "agent-intake")
    page.click("#intake-form button.primary")
    try:
        page.wait_for_url(re.compile(r".*/console/tickets/\d+/$"))
    except Exception:  # say what the agent sees instead (a refusal, an error page)
        pytest.fail(f"not registered: {page.url}\n{page.inner_text('main')[:1500]}")
    number = re.search(r"/console/tickets/(\d+)/$", page.url).group(1)
    assert status_of(page) == "待派单"
    walk.shot(page, "agent-registered")
    page.context.close()

    # 2. The dispatcher: the dispatch queue, then dispatch to 江岸区 with a copy to discipline.
    page = walk.sign_in("dispatcher")
    walk.shot(page, "dispatcher-queue")
    open_from_queue(page, "to_dispatch", number)
    page.select_option("#id_dispatch_unit", "jiangan")
    page.check("#id_dispatch_copy_to_1")  # 纪检监察: a read-only copy
    walk.shot(page, "dispatcher-form")
    take(page, "dispatch")
    assert status_of(page) == "待签收"
    page.context.close()

    # 3. The district forwards it to the street it belongs to.
    page = walk.sign_in("jiangan-dispatcher")
    walk.shot(page, "district-queue")
    open_from_queue(page, "to_forward", number)
    page.select_option("#id_forward_unit", STREET)
    walk.shot(page, "district-form")
    take(page, "forward")
    assert Ticket.objects.get(number=number).unit.code == STREET
    page.context.close()

    # 4. The street's handler, on a phone: accept, then reply with a photo.
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (800, 600), (70, 110, 150)).save(photo, format="JPEG")
    page = walk.sign_in(f"{STREET}-handler", phone=True)
    walk.shot(page, "handler-queue")
    open_from_queue(page, "to_accept", number)
    take(page, "accept")
    assert status_of(page) == "办理中"
    walk.shot(page, "handler-accepted")
    box = page.locator("#action-reply")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.fill(
        "#id_reply_text", "已联系物业抽排积水并消杀，联系人：大智街道城管科，电话 027-82800000。"
    )
    page.select_option("#id_reply_outcome", "resolved")
    page.set_input_files("#id_reply_attachments", str(photo))
    walk.shot(page, "handler-reply-form")
    settle(page)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert status_of(page) == "待回访"
    assert Attachment.objects.filter(ticket__number=number).count() == 1
    walk.shot(page, "handler-replied")
    page.context.close()

    # 5. The voice follow-up gets no answer; the callback agent records "dissatisfied".
    voice_gets_no_answer(number, 0)
    page = callback_from_queue(walk, number, "dissatisfied", "市民称积水仍未抽干", "callback-1")
    assert status_of(page) == "复核中"
    page.context.close()

    # 6. The review is assigned (the scheduler's job); the evaluator orders a redo.
    EvaluatorFactory(user__username="ev-golden", kind="professional", units=["hanyang"])
    reviews_assign(actor=SYSTEM, seed=3)
    evaluator = ReviewAssignment.objects.get(ticket__number=number).evaluator.user.username
    page = walk.sign_in(evaluator)
    assert page.url.endswith("/console/reviews/")
    row = page.locator("#reviews tr", has_text=number)
    walk.shot(page, "evaluator-queue")
    with page.expect_navigation():
        row.locator("a").first.click()
    box = page.locator("#action-review")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.select_option("#id_review_verdict", "redo")
    answers = {
        "complaint_reasonable": ("true", "积水属实"),
        "complaint_lawful": ("true", "诉求合法"),
        "process_compliant": ("false", "未到现场核实"),
        "result_lawful": ("true", "答复内容不违法"),
    }
    for name, (value, note) in answers.items():
        page.select_option(f"#id_review_{name}", value)
        page.fill(f"#id_review_{name}_note", note)
    page.fill("#id_review_note", "请到现场核实并彻底处理")
    walk.shot(page, "evaluator-form")
    take(page, "review")
    assert status_of(page) == "办理中"
    page.context.close()

    # 7. The handler replies again (the first reply stays on the page, in its round).
    page = walk.sign_in(f"{STREET}-handler", phone=True)
    open_from_queue(page, "in_progress", number)
    assert "已联系物业抽排积水" in page.inner_text("body")
    box = page.locator("#action-reply")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.fill(
        "#id_reply_text", "经现场核实，已疏通排水管并抽干积水，完成消杀，联系人：大智街道城管科。"
    )
    page.select_option("#id_reply_outcome", "resolved")
    settle(page)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert status_of(page) == "待回访"
    walk.shot(page, "handler-replied-again")
    page.context.close()

    # 8. No answer again; the callback agent records "satisfied": closed.
    voice_gets_no_answer(number, 1)
    page = callback_from_queue(walk, number, "satisfied", "市民表示满意", "callback-2")
    assert status_of(page) == "已办结"
    walk.shot(page, "closed")
    page.context.close()

    # 9. The inspector sees the copy sent to the discipline office.
    page = walk.sign_in("inspector")
    assert page.url.endswith("/console/inspection/")
    assert number in page.inner_text("#copies")
    walk.shot(page, "inspector")
    page.context.close()

    # 10. The auditor sees every step of the ticket in the audit log.
    page = walk.sign_in("auditor")
    assert page.url.endswith("/console/audit/")
    page.goto(f"{base}/console/audit/?source=tickets&target={number}")
    steps = TicketEvent.objects.filter(ticket__number=number).count()
    body = page.inner_text("table.audit")
    for seq in range(1, steps + 1):
        assert f"{number}#{seq}" in body
    for label in ("登记", "派单", "转派", "签收", "回复", "回访", "第三方评价"):
        assert label in body
    walk.shot(page, "auditor")
    page.context.close()

    assert Ticket.objects.get(number=number).status == "closed"
    assert not [e for e in walk.errors if "Content Security Policy" in e], walk.errors
