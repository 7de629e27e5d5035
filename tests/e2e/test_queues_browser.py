"""Each role's day from its own queue, in a real browser (Debian's chromium): the agent
registers a call from the intake screen (the caller's history appears as the phone is typed),
the dispatcher finds it in the dispatch queue and dispatches it with the searchable unit picker,
the handler finds it in "to accept" on a 390 px phone, accepts and replies. Screenshots of
every page on the way go to ``$HOTLINE_TEST_OUTPUT/screenshots`` (queues-*.png)."""

from __future__ import annotations

import re

import pytest

from hotline.orgs.models import Category
from hotline.tickets.models import Ticket
from tests.factories import register

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]

PHONE = 390


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def logout(page, base: str) -> None:
    page.click("form.logout button")
    page.wait_for_url(re.compile(r".*/console/login/.*"))


def status_of(page) -> str:
    return page.inner_text("#ticket-status").strip()


def test_agent_dispatcher_and_handler_from_their_queues(
    browser, live_server, reseeded, screenshot_dir
):
    base = live_server.url
    shots = screenshot_dir
    earlier = register(
        title="解放公园门口路面塌陷",
        content="解放公园正门口人行道路面塌陷一个大坑，已有老人摔倒。",
        citizen={"name": "刘先生", "phone": "13712345678"},
    )
    # Two other citizens on one leaf at one street: candidate duplicates of one event.
    leaf = Category.objects.filter(level=3, active=True).order_by("pk").first()
    same_event = [
        register(
            title=title,
            content=content,
            citizen={"name": name, "phone": phone},
            region="jiangan-01",
            category=leaf.code,
        )
        for title, content, name, phone in (
            ("大智路路灯不亮", "大智路口的路灯坏了好几天", "甲", "13700000001"),
            ("夜里没有照明", "晚上整条路一片漆黑，行人看不清", "乙", "13700000002"),
        )
    ]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The agent's home is the intake screen; typing the phone shows the caller's history.
    login(page, base, "agent")
    assert page.locator("#intake-form").is_visible()
    assert page.locator("#knowledge-panel").count() == 1
    page.fill("#id_citizen_phone", "13712345678")
    page.fill("#id_citizen_name", "刘先生")
    page.locator("#id_citizen_phone").blur()
    page.wait_for_selector(f"#caller-history-list a:has-text('{earlier.number}')")
    page.select_option("#id_channel", "phone")
    page.fill("#id_title", "解放公园门口路面塌陷")
    page.fill("#id_content", "解放公园正门口人行道路面塌陷一个大坑，已有老人摔倒，请尽快处理。")
    page.wait_for_selector(f"#similar-list a:has-text('{earlier.number}')")
    # The category picker filters as one types.
    page.fill("#id_category + .picker-search, .picker-search[aria-controls=id_category]", "路")
    page.screenshot(path=str(shots / "queues-agent-intake.png"), full_page=True)
    with page.expect_navigation():
        page.click("#intake-form button.primary")
    number = re.search(r"/console/tickets/(\d+)/$", page.url).group(1)
    assert status_of(page) == "待派单"
    logout(page, base)

    # The dispatcher finds it in the dispatch queue, by the dispatch clock, with the time left.
    login(page, base, "dispatcher")
    row = page.locator(f"#queue-to_dispatch li[data-number='{number}']")
    assert re.search(r"剩余 \d+ (个工作小时|分钟)", row.locator(".time-left").inner_text())
    page.locator("#queue-tabs a[data-queue='duplicates']").wait_for()
    page.screenshot(path=str(shots / "queues-dispatcher-home.png"), full_page=True)
    # 疑似重复待并单: the same caller's two tickets and the two of one place and leaf.
    page.goto(f"{base}/console/?queue=duplicates")
    for ticket in (earlier, *same_event):
        page.locator(f"#queue-duplicates li[data-number='{ticket.number}']").wait_for()
    assert page.locator(f"#queue-duplicates li[data-number='{number}']").count() == 1
    page.screenshot(path=str(shots / "queues-dispatcher-duplicates.png"), full_page=True)
    page.goto(f"{base}/console/")
    with page.expect_navigation():
        row.locator("a.queue-title").click()
    search = page.locator(".picker-search[aria-controls=id_dispatch_unit]")
    search.fill("江岸区人民")
    assert page.locator("#id_dispatch_unit").input_value() == "jiangan"
    page.check("#id_dispatch_copy_to_1")  # the discipline office gets a read-only copy
    page.screenshot(path=str(shots / "queues-dispatch-form.png"), full_page=True)
    box = page.locator("#action-dispatch")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert status_of(page) == "待签收"
    logout(page, base)
    context.close()

    # The handler, on a phone: "to accept" holds it; accept, then reply.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": PHONE, "height": 844}, is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(20_000)
    page = phone.new_page()
    login(page, base, "jiangan-handler")
    row = page.locator(f"#queue-to_accept li[data-number='{number}']")
    assert "签收时限" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.screenshot(path=str(shots / "queues-handler-phone.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a.queue-title").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.screenshot(path=str(shots / "queues-handler-ticket.png"), full_page=True)
    with page.expect_navigation():
        page.locator("#action-accept button[type=submit]").click()
    assert status_of(page) == "办理中"
    page.goto(f"{base}/console/?queue=in_progress")
    row = page.locator(f"#queue-in_progress li[data-number='{number}']")
    assert "办理时限" in row.inner_text()
    page.screenshot(path=str(shots / "queues-handler-in-progress.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a.queue-title").click()
    box = page.locator("#action-reply")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    page.fill("#id_reply_text", "已安排市政养护队填补塌陷路面并设置警示，现已修复。")
    page.select_option("#id_reply_outcome", "resolved")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert status_of(page) == "待回访"
    page.goto(f"{base}/console/?queue=replied")
    assert page.locator(f"#queue-replied li[data-number='{number}']").count() == 1
    page.screenshot(path=str(shots / "queues-handler-replied.png"), full_page=True)
    phone.close()

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "replied" and ticket.assignments.filter(role="copy").exists()
    assert not [e for e in errors if "Content Security Policy" in e], errors
