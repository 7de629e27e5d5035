"""A district's own hotline (区长专线) in a real browser: 江汉's centre agent takes a call, its
dispatcher dispatches inside the district, a street replies, the district's callback agent
closes it; the city's leader sees it among the city's tickets. Screenshots go to
``$HOTLINE_TEST_OUTPUT/screenshots``."""

from __future__ import annotations

import re

import pytest

from hotline.tickets.models import Ticket
from tests.e2e.test_console_browser import login, logout, open_action, status_of, take

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def test_a_district_centre_walks_its_own_ticket_from_call_to_reply(
    page, console_log, live_server, reseeded, screenshot_dir
):
    base = live_server.url

    # 江汉's agent registers the call at the district's own line.
    login(page, base, "jianghan-centre-agent")
    page.goto(f"{base}/console/tickets/new/")
    page.fill("#id_title", "汉正街夜市油烟扰民")
    page.fill("#id_content", "汉正街夜市烧烤油烟很大，晚上十点后仍在营业，影响居民休息。")
    page.fill("#id_address", "江汉区汉正街")
    page.fill("#id_citizen_phone", "13912345678")
    with page.expect_navigation():
        page.click("form.register-form button[type=submit]")
    number = re.search(r"/console/tickets/(\d+)/$", page.url).group(1)
    assert status_of(page) == "待派单"
    assert page.inner_text("#centre") == "江汉区区长专线"
    page.screenshot(path=str(screenshot_dir / "centre-registered.png"), full_page=True)
    logout(page, base)

    # Its dispatcher sees it in the list and dispatches it to a street of the district: the
    # unit picker offers the district's tree only.
    login(page, base, "jianghan-centre-dispatcher")
    page.goto(f"{base}/console/tickets/")
    assert number in page.inner_text("table.tickets")
    page.goto(f"{base}/console/tickets/{number}/")
    box = open_action(page, "dispatch")
    offered = box.locator("#id_dispatch_unit option").all_inner_texts()
    assert any("民族街道" in o for o in offered)
    assert not any("武昌" in o or "住房" in o for o in offered)
    assert open_action(page, "pass_up").is_visible()
    page.select_option("#id_dispatch_unit", "jianghan-01")
    page.screenshot(path=str(screenshot_dir / "centre-dispatch.png"), full_page=True)
    take(page, "dispatch")
    assert status_of(page) == "待签收"
    logout(page, base)

    # The street accepts and replies.
    login(page, base, "jianghan-01-handler")
    page.goto(f"{base}/console/tickets/{number}/")
    take(page, "accept")
    open_action(page, "reply")
    page.fill("#id_reply_text", "已联系市场监管所现场检查，夜市摊点已加装油烟净化设备并限时经营。")
    page.select_option("#id_reply_outcome", "resolved")
    take(page, "reply")
    assert status_of(page) == "待回访"
    logout(page, base)

    # The district's callback agent calls the citizen back.
    login(page, base, "jianghan-centre-callback")
    page.goto(f"{base}/console/tickets/{number}/")
    page.select_option("#id_follow_up_satisfaction", "satisfied")
    take(page, "follow_up")
    assert status_of(page) == "已办结"
    page.screenshot(path=str(screenshot_dir / "centre-closed.png"), full_page=True)
    logout(page, base)

    # Another district's centre does not see it; the city's leader does.
    login(page, base, "wuchang-centre-dispatcher")
    assert number not in page.inner_text("main")
    response = page.goto(f"{base}/console/tickets/{number}/")
    assert response.status == 404
    page.goto(f"{base}/console/")
    logout(page, base)
    login(page, base, "leader")
    page.goto(f"{base}/console/tickets/")
    assert number in page.inner_text("table.tickets")
    page.screenshot(path=str(screenshot_dir / "centre-leader-list.png"), full_page=True)

    ticket = Ticket.objects.get(number=number)
    assert (ticket.registered_centre.unit.code, ticket.status) == ("jianghan", "closed")
    assert list(ticket.events.order_by("seq").values_list("actor_name", flat=True)) == [
        "jianghan-centre-agent",
        "jianghan-centre-dispatcher",
        "jianghan-01-handler",
        "jianghan-01-handler",
        "jianghan-centre-callback",
    ]
    assert console_log.csp_violations() == []
