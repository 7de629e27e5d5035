"""The citizen portal in a real browser at a phone's width (390 px): a citizen submits a
request with a photo, reads the ticket number, looks the ticket up with the code sent by SMS
(read from the outbox), and rates the unit's reply from the signed link. An XSS payload typed
into every field runs nowhere; nothing is wider than the screen; the CSP refuses nothing.
Screenshots go to ``$HOTLINE_TEST_OUTPUT/screenshots/portal-*.png``."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from hotline.intake.portal import services
from hotline.notifications.models import Outbox
from hotline.tickets.models import Ticket
from tests.e2e.conftest import ConsoleLog
from tests.factories import act

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]

WIDTH = 390
PHONE = "13912345678"
XSS = '<img src=x onerror="window.__xss=1">'


def code_for(phone: str) -> str:
    row = Outbox.objects.filter(template="portal_code", recipient=phone).order_by("-pk").first()
    assert row is not None
    return row.params["code"]


def fits(page, name: str, screenshot_dir) -> None:
    """Nothing wider than the phone's screen; the screenshot saved for a look."""
    page.screenshot(path=str(screenshot_dir / f"portal-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width} px wide on a {WIDTH} px screen"
    wide = page.evaluate(
        """(w) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > w + 0.5)
            .map(e => e.tagName + (e.id ? '#' + e.id : ''))""",
        WIDTH,
    )
    assert wide == [], f"{name}: elements past the right edge: {wide}"
    assert page.evaluate("window.__xss") is None, "an injected script ran"


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    # Generous: the first request imports the URL conf (the console pulls in scikit-learn).
    context.set_default_timeout(60_000)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    try:
        yield page
    finally:
        context.close()


def test_citizen_submits_looks_up_and_rates_on_a_phone(
    phone_page, live_server, reseeded, screenshot_dir, tmp_path
):
    page, base = phone_page, live_server.url
    log = ConsoleLog(page)
    photo = tmp_path / "street.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 120, 160)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    # The staff login leads citizens to the portal.
    page.goto(f"{base}/")
    page.click("#citizen-portal")
    page.wait_for_url(f"{base}/portal/")
    fits(page, "1-home", screenshot_dir)

    # Submit: confirm the phone with the SMS code, then the request with a photo.
    page.click("#go-submit")
    page.fill("#id_phone", PHONE)
    fits(page, "2-phone", screenshot_dir)
    with page.expect_navigation():
        page.click("#send-code")
    assert page.inner_text("#phone") == PHONE
    page.fill("#id_code", code_for(PHONE))
    page.select_option("#id_kind", "complaint")
    page.fill("#id_title", "路灯不亮 " + XSS[:40])
    page.fill("#id_content", "大智路小区门口的路灯坏了一周，晚上很黑，请尽快修好。" + XSS)
    page.select_option("#id_region", "jiangan-01")
    page.fill("#id_address", "大智路 12 号 " + XSS)
    page.fill("#id_name", "张" + XSS[:20])
    page.set_input_files("#id_photos", str(photo))
    assert "已选择 1 张照片" in page.inner_text("#photo-count")
    fits(page, "3-form", screenshot_dir)
    with page.expect_navigation():
        page.click("#submit")
    number = page.inner_text("#ticket-number").strip()
    assert re.fullmatch(r"\d{13}", number)
    fits(page, "4-done", screenshot_dir)
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "web" and ticket.portal_photos.count() == 1
    ack = Outbox.objects.get(ticket=ticket, kind="acknowledgement")
    assert ack.recipient == PHONE and ack.params["number"] == number

    # Look it up with the number and a code sent to the ticket's phone.
    page.click("text=查询进度")
    assert page.input_value("#id_number") == number
    with page.expect_navigation():
        page.click("#send-code")
    page.fill("#id_code", code_for(PHONE))
    fits(page, "5-lookup", screenshot_dir)
    with page.expect_navigation():
        page.click("#verify")
    assert page.inner_text("#ticket-status") == "已受理，等待分派"
    assert XSS in page.inner_text("#ticket-content")  # shown as text, never as markup
    assert page.locator("#ticket-content img").count() == 0
    assert page.locator(".photos img").count() == 1
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") == 1200
    fits(page, "6-ticket", screenshot_dir)

    # The unit replies (through the services); the citizen gets the follow-up link by SMS.
    act("dispatcher", number, "dispatch", unit="jiangan")
    act("jiangan-handler", number, "accept")
    act("jiangan-handler", number, "comment", text="内部备注：先别告诉市民")
    act("jiangan-handler", number, "reply", text="路灯已于今日修复。" + XSS, outcome="resolved")
    assert services.follow_up_send(ticket=Ticket.objects.get(number=number))
    link = Outbox.objects.get(ticket__number=number, kind="follow_up").params["link"]
    page.reload()
    assert page.inner_text("#ticket-status") == "承办单位已答复，等待您的评价"
    assert "路灯已于今日修复" in page.inner_text("#ticket-reply")
    assert "内部备注" not in page.inner_text("body")
    assert "派单员" not in page.inner_text("body")
    fits(page, "7-replied", screenshot_dir)

    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.check("input[value=satisfied]")
    page.fill("#id_note", "修得很快，谢谢 " + XSS)
    fits(page, "8-rate", screenshot_dir)
    with page.expect_navigation():
        page.click("#rate-submit")
    assert number in page.inner_text("#rated")
    fits(page, "9-rated", screenshot_dir)
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.satisfaction == "satisfied"

    # The same link again: refused, nothing changes.
    page.goto(base + "/" + link.split("://", 1)[1].split("/", 1)[1])
    assert "已使用" in page.inner_text("#message")

    # The staff console shows the same fields escaped too.
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", "demo")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.goto(f"{base}/console/tickets/{number}/")
    assert XSS in page.inner_text("body")
    page.screenshot(path=str(screenshot_dir / "portal-10-console.png"), full_page=True)
    assert page.evaluate("window.__xss") is None, "an injected script ran in the console"

    assert page.dialogs == []
    assert log.csp_violations() == []
