"""The overseeing roles in a real browser: a leader signs a ticket (领导签批) from its page, the
supervision office finds it in its home, the discipline inspection office sees the copies sent
to it, and the auditor filters the audit log down to the signing. Screenshots of each home go to
``$HOTLINE_TEST_OUTPUT/screenshots``."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.tickets.services import acting_at
from tests.factories import act, register

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def login(page, base: str, username: str, home: str) -> None:
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.goto(f"{base}{home}")


def logout(page) -> None:
    page.click("form.logout button")
    page.wait_for_url(re.compile(r".*/console/login/.*"))


def test_leader_signs_supervisor_follows_auditor_sees_it(
    page, console_log, live_server, reseeded, screenshot_dir
):
    base = live_server.url
    shot = screenshot_dir
    # A ticket in jiangan's hands, copied to the discipline office, and an older one gone red.
    ticket = register(
        title="汉口江滩护栏破损",
        content="江滩三号码头附近护栏破损多日，游客很多，存在坠落风险，媒体已经报道。",
        citizen={"name": "刘先生", "phone": "13700002222"},
    )
    act("dispatcher", ticket.number, "dispatch", unit="jiangan", copy_to=["discipline"])
    act("jiangan-handler", ticket.number, "accept")
    with acting_at(timezone.now() - timedelta(days=10)):
        late = act(
            "dispatcher", register(title="积水长期未处理").number, "dispatch", unit="jiangan"
        )

    # The city's leader: the month's figures, then the ticket's page and its sign form.
    login(page, base, "leader", "/console/leader/")
    assert "本月概况" in page.inner_text("h1")
    assert page.locator('[data-metric="red"] .figure-value').inner_text() == "1"
    page.screenshot(path=str(shot / "oversight-leader-home.png"), full_page=True)
    page.click('[data-metric="red"]')
    page.wait_for_url(re.compile(r".*/console/leader/tickets/red/"))
    assert late.number in page.inner_text("table")
    page.goto(f"{base}/console/tickets/{ticket.number}/")
    box = page.locator("#action-sign")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("textarea[name=instruction]").fill("媒体曝光，请江岸区三日内整改到位并回复。")
    box.locator("input[name=days]").fill("3")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    assert "已领导签批" in page.inner_text(".messages")
    timeline = page.inner_text("#timeline")
    assert "领导签批" in timeline and "媒体曝光，请江岸区三日内整改到位并回复。" in timeline
    page.screenshot(path=str(shot / "oversight-leader-signed.png"), full_page=True)
    logout(page)

    # The supervision office: the signed ticket among the open orders, marked 领导签批.
    login(page, base, "supervisor", "/console/supervision/")
    orders = page.locator("#orders")
    row = orders.locator("tr", has_text=ticket.number)
    assert "领导签批" in row.inner_text() and "媒体曝光" in row.inner_text()
    warned = page.locator("#warned").inner_text()
    assert late.number in warned and "超期" in warned
    page.screenshot(path=str(shot / "oversight-supervisor-home.png"), full_page=True)
    with page.expect_navigation():
        row.locator("a").first.click()
    assert ticket.number in page.inner_text("h1")
    logout(page)

    # The discipline inspection office: the copy, read-only.
    login(page, base, "inspector", "/console/inspection/")
    assert ticket.number in page.locator("#copies").inner_text()
    page.screenshot(path=str(shot / "oversight-inspector-home.png"), full_page=True)
    logout(page)

    # The auditor: the log filtered to the leader's ticket actions shows the signing.
    login(page, base, "auditor", "/console/audit/")
    assert page.locator('[data-chain="ok"]').count() == 1
    page.fill("#id_actor", "leader")
    page.fill("#id_action", "ticket.")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() == 1
    assert "ticket.sign" in rows.first.inner_text() and ticket.number in rows.first.inner_text()
    page.screenshot(path=str(shot / "oversight-auditor-log.png"), full_page=True)
    assert page.goto(f"{base}/console/tickets/{ticket.number}/").status == 404
    assert console_log.csp_violations() == []
