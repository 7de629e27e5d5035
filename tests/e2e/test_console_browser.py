"""The staff console, the admin and the API docs in a real browser (Debian's chromium through
Playwright). A ticket goes from registration to closure through the console's forms, each step
by the role that takes it; screenshots of the key pages go to
``$HOTLINE_TEST_OUTPUT/screenshots`` (default ``test-output/screenshots``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.tickets.models import Ticket
from hotline.tickets.services import acting_at
from tests.factories import act, register

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("form.stack button[type=submit]")
    # The user's home: /console/, or the page of their role (the callback agents' queue …).
    page.wait_for_url(lambda url: url.startswith(f"{base}/console/") and "/login/" not in url)


def logout(page, base: str) -> None:
    page.click("form.logout button")
    page.wait_for_url(re.compile(r".*/console/login/.*"))


def open_action(page, action: str):
    """Unfold the form of ``action`` on a ticket's page (the main one is open already)."""
    box = page.locator(f"#action-{action}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def take(page, action: str) -> None:
    """Submit the form of ``action`` on a ticket's page and wait for the page it leads to."""
    box = open_action(page, action)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def status_of(page) -> str:
    return page.inner_text("#ticket-status").strip()


def test_ticket_from_registration_to_closure(
    page, console_log, live_server, reseeded, screenshot_dir, tiny_model
):
    base = live_server.url
    # Another citizen reported the same lamp this morning: the dispatcher will see it as the
    # same event.
    earlier = register(
        title="大智路路灯不亮",
        content="大智路与中山大道路口的路灯连续三晚不亮，夜间行人很不安全。",
        citizen={"name": "王女士", "phone": "13900001111"},
    )
    # An older ticket, dispatched to jiangan ten days ago and never accepted: red in the list.
    with acting_at(timezone.now() - timedelta(days=10)):
        overdue = act(
            "dispatcher", register(title="积水长期未处理").number, "dispatch", unit="jiangan"
        )

    # Everything needs a login.
    page.goto(f"{base}/")
    page.wait_for_url(re.compile(r".*/console/login/\?next=.*"))
    assert "工作人员登录" in page.inner_text("body")
    page.screenshot(path=str(screenshot_dir / "login.png"), full_page=True)

    # The agent registers a ticket through the form.
    login(page, base, "agent")
    assert "话务员小李" in page.inner_text("header")
    page.goto(f"{base}/console/tickets/new/")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "大智路路灯不亮")
    page.fill("#id_content", "大智路与中山大道路口的路灯连续三晚不亮，夜间行人很不安全。")
    page.fill("#id_address", "江岸区大智路与中山大道路口")
    page.fill("#id_citizen_name", "陈先生")
    page.fill("#id_citizen_phone", "13812345678")
    page.screenshot(path=str(screenshot_dir / "register.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.register-form button[type=submit]")
    number = re.search(r"/console/tickets/(\d+)/$", page.url).group(1)
    assert status_of(page) == "待派单"
    assert f"已登记工单 {number}" in page.inner_text(".messages")
    assert Ticket.objects.get(number=number).registered_by.username == "agent"
    logout(page, base)

    # The dispatcher dispatches it to 江岸区.
    login(page, base, "dispatcher")
    page.goto(f"{base}/console/tickets/")  # the list (the home is the dispatch queue)
    assert number in page.inner_text("table.tickets")
    page.goto(f"{base}/console/tickets/{number}/")
    assert "13812345678" in page.inner_text("#citizen-phone")  # the centre sees the complainant
    suggestions = page.inner_text("#suggestions")
    assert "城乡建设" in suggestions  # trained on 小区路灯不亮 and the like
    # Each suggestion says in Chinese how its unit was chosen, and where the ticket is.
    assert "工单地点" in suggestions and "江岸区" in suggestions and "把握" in suggestions
    assert "未命中派单规则" in suggestions
    page.locator("#suggestions").screenshot(path=str(screenshot_dir / "suggestions.png"))
    similar = page.inner_text("#similar")
    assert earlier.number in similar and "同一事件" in similar
    page.select_option("#id_dispatch_unit", "jiangan")
    page.screenshot(path=str(screenshot_dir / "detail-actions.png"), full_page=True)
    take(page, "dispatch")
    assert status_of(page) == "待签收"
    assert page.inner_text("#holding-unit") == "江岸区人民政府"
    logout(page, base)

    # jiangan-handler finds it in the list, accepts and replies; the complainant is masked.
    login(page, base, "jiangan-handler")
    page.goto(f"{base}/console/tickets/")
    row = page.locator("table.tickets tr", has_text=number)
    assert "待签收" in row.inner_text() and "江岸区人民政府" in row.inner_text()
    assert row.locator(".badge").get_attribute("data-warning") in ("none", "yellow", "red")
    red = page.locator("table.tickets tr", has_text=overdue.number)
    assert (
        red.locator(".badge").get_attribute("data-warning") == "red" and "红灯" in red.inner_text()
    )
    page.screenshot(path=str(screenshot_dir / "list.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a").first.click()
    assert page.inner_text("#citizen-phone") == "138****5678"
    take(page, "accept")
    assert status_of(page) == "办理中"
    open_action(page, "reply")
    page.fill("#id_reply_text", "已联系路灯管理所更换损坏的灯具，路灯已恢复照明。")
    page.select_option("#id_reply_outcome", "resolved")
    page.screenshot(path=str(screenshot_dir / "detail-handler.png"), full_page=True)
    take(page, "reply")
    assert status_of(page) == "待回访"
    logout(page, base)

    # The callback agent follows up: satisfied, closed.
    login(page, base, "callback")
    page.goto(f"{base}/console/tickets/{number}/")
    page.select_option("#id_follow_up_satisfaction", "satisfied")
    page.fill("#id_follow_up_note", "市民表示满意")
    take(page, "follow_up")
    assert status_of(page) == "已办结"
    timeline = page.inner_text("#timeline")
    for label in ("登记", "派单", "签收", "回复", "回访"):
        assert label in timeline
    # People by their names (the usernames only for a login without one).
    for actor in ("话务员小李", "派单员小王", "江岸区人民政府承办人", "回访员小张"):
        assert actor in timeline
    assert "jiangan-handler" not in timeline
    assert "待回访 → 已办结" in timeline
    page.screenshot(path=str(screenshot_dir / "detail.png"), full_page=True)

    # The language switch: English, then back to Chinese.
    with page.expect_navigation():
        page.click("form.langswitch button[value=en]")
    assert status_of(page) == "Closed" and "Timeline" in page.inner_text("body")
    page.screenshot(path=str(screenshot_dir / "detail-en.png"), full_page=True)
    with page.expect_navigation():
        page.click("form.langswitch button[value=zh-hans]")
    assert status_of(page) == "已办结"

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == "closed" and ticket.satisfaction == "satisfied"
    assert list(ticket.events.order_by("seq").values_list("action", flat=True)) == [
        "register",
        "dispatch",
        "accept",
        "reply",
        "follow_up",
    ]
    assert console_log.csp_violations() == []
    assert not [m for m in console_log.messages if m.startswith(("error", "pageerror"))]


def test_admin_and_api_docs_render(page, console_log, live_server, reseeded, screenshot_dir):
    base = live_server.url
    page.goto(f"{base}/admin/")
    page.wait_for_url(re.compile(r".*/admin/login/.*"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo")
    with page.expect_navigation():
        page.click("input[type=submit]")
    body = page.inner_text("body")
    assert "系统管理" in body and "工单" in body
    page.screenshot(path=str(screenshot_dir / "admin.png"), full_page=True)
    assert console_log.csp_violations() == []

    console_log.clear()
    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "Hotline API" in page.inner_text(".swagger-ui .info")
    page.wait_for_selector(".opblock-tag", timeout=30_000)
    assert "tickets" in page.inner_text(".swagger-ui")
    page.screenshot(path=str(screenshot_dir / "api-docs.png"), full_page=True)
    assert console_log.csp_violations() == [], console_log.csp_violations()
