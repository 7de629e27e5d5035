"""A street's grid worker on a phone (390 x 844, touch) in a real browser: signs in, finds the
ticket forwarded to the street in the list, opens it, accepts it and replies with a photo taken
on the phone (the file chooser), then opens the photo. Every page fits the screen (nothing
wider than 390 px, no sideways scrolling), the header's menu opens and signs out, the CSP
refuses nothing. Screenshots: ``$HOTLINE_TEST_OUTPUT/screenshots/phone-*.png``."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from hotline.accounts.models import User
from hotline.tickets import workflow
from hotline.tickets.models import Attachment, Ticket
from tests.e2e.conftest import ConsoleLog
from tests.factories import act, register

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]

WIDTH = 390
STREET = "jiangan-01"  # 江岸区大智街道办事处


def fits(page, name: str, screenshot_dir) -> None:
    """Nothing wider than the phone's screen; the screenshot saved for a look."""
    page.screenshot(path=str(screenshot_dir / f"phone-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width} px wide on a {WIDTH} px screen"
    wide = page.evaluate(
        """(w) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.offsetParent !== null || e.tagName === 'BODY')
            .filter(e => !e.closest('.tablewrap') || e.classList.contains('tablewrap'))
            .filter(e => e.getBoundingClientRect().right > w + 0.5)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""",
        WIDTH,
    )
    assert wide == [], f"{name}: elements past the right edge: {wide}"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(60_000)  # the first request imports the whole URL conf
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def photo_file(tmp_path, size=(1600, 1200)):
    """A phone's photo: EXIF with the maker and a GPS position. A large one is noise, which
    JPEG cannot compress: as many megabytes as a camera's."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 35.0, 0.0)}
    path = tmp_path / "IMG_20261204_0930.jpg"
    if size[0] * size[1] > 2_000_000:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (90, 140, 60))
    image.save(path, format="JPEG", quality=92, exif=exif)
    return path


def test_a_grid_worker_accepts_and_replies_with_a_photo_on_a_phone(
    phone, live_server, reseeded, screenshot_dir, tmp_path
):
    base = live_server.url
    log = ConsoleLog(phone)
    ticket = register(
        title="大智路人行道井盖破损",
        content="大智路与中山大道交叉口东侧人行道上有一个井盖破损下陷，晚上看不清，"
        "已经有老人差点绊倒，请尽快派人修复并设置警示。" * 3,
        address="江岸区大智街道大智路与中山大道交叉口",
    )
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-dispatcher", ticket.number, "forward", unit=STREET)

    phone.goto(f"{base}/console/login/")
    fits(phone, "login", screenshot_dir)
    phone.fill("#id_username", f"{STREET}-handler")
    phone.fill("#id_password", "demo")
    with phone.expect_navigation():
        phone.click("form.stack button[type=submit]")

    # The list: the ticket is there, as a card, nothing sideways.
    phone.goto(f"{base}{reverse('console:ticket_list')}")
    phone.wait_for_selector(f"a[href$='/console/tickets/{ticket.number}/']")
    fits(phone, "list", screenshot_dir)

    # The compact header: the menu opens with the user and the sign-out.
    toggle = phone.locator("button.menu-toggle")
    assert toggle.is_visible()
    assert not phone.locator("form.logout button").is_visible()
    toggle.click()
    phone.wait_for_selector("form.logout button", state="visible")
    assert "大智街道办事处承办人" in phone.inner_text("header")
    fits(phone, "menu", screenshot_dir)
    toggle.click()
    phone.wait_for_selector("form.logout button", state="hidden")

    # The ticket: accept.
    phone.locator(f"a[href$='/console/tickets/{ticket.number}/']").first.click()
    phone.wait_for_selector("#ticket-status")
    fits(phone, "ticket-dispatched", screenshot_dir)
    with phone.expect_navigation():
        phone.locator("#action-accept button[type=submit]").click()
    assert phone.inner_text("#ticket-status").strip() == workflow.STATUS_LABELS["in_progress"]
    fits(phone, "ticket-accepted", screenshot_dir)

    # Reply with a photo taken on the phone: the file chooser of the reply form.
    box = phone.locator("#action-reply")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    camera = box.locator("input[capture=environment]")
    assert camera.get_attribute("accept") == "image/*"
    box.locator("textarea[name=text]").fill("已于今日更换井盖并设置警示标志，现场照片见附件。")
    box.locator("select[name=outcome]").select_option("resolved")
    with phone.expect_file_chooser() as chooser:
        box.locator("#id_reply_attachments").click()
    # A camera's photo, bigger than the whole request may be (HOTLINE_MAX_UPLOAD): the page
    # scales it down before it goes up.
    big = photo_file(tmp_path, size=(4000, 3000))
    assert big.stat().st_size > settings.HOTLINE_MAX_UPLOAD
    chooser.value.set_files(str(big))
    fits(phone, "reply-form", screenshot_dir)
    with phone.expect_navigation():
        box.locator("button[type=submit]").click()
    assert phone.inner_text("#ticket-status").strip() == workflow.STATUS_LABELS["replied"]
    fits(phone, "ticket-replied", screenshot_dir)

    # The photo is listed and in the timeline; it opens without its EXIF.
    row = Attachment.objects.get(ticket__number=ticket.number)
    assert row.name == "IMG_20261204_0930.jpg"
    with Image.open(io.BytesIO(bytes(row.data))) as stored:
        assert not stored.getexif() and stored.size == (2048, 1536)
    assert phone.locator("#attachments img.thumb").count() == 1
    assert phone.locator("#timeline .event-attachment").count() == 1
    response = phone.request.get(f"{base}/console/tickets/{ticket.number}/attachments/{row.pk}/")
    assert response.status == 200 and response.headers["x-content-type-options"] == "nosniff"
    assert Ticket.objects.get(number=ticket.number).status == "replied"

    # Sign out through the menu.
    phone.locator("button.menu-toggle").click()
    with phone.expect_navigation():
        phone.locator("form.logout button").click()
    assert re.search(r"/console/login/", phone.url)
    assert log.csp_violations() == []


def test_the_desktop_keeps_its_header_and_shows_the_attachments(
    page, live_server, reseeded, screenshot_dir, tmp_path
):
    """The same pages on a desktop: no menu button, the header's user box and sign-out in view,
    the reply's photo listed with a thumbnail."""
    from hotline.core.uploads import attachment_clean
    from hotline.tickets import services

    base = live_server.url
    ticket = register(title="一元路路灯不亮", address="江岸区一元街道一元社区一元小区2栋")
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "accept")
    services.ticket_transition(
        actor=User.objects.get(username="jiangan-handler"),
        number=ticket.number,
        action="reply",
        data={"text": "路灯已修复。", "outcome": "resolved"},
        attachments=[
            attachment_clean(photo_file(tmp_path).read_bytes(), "路灯.jpg", max_bytes=2**23)
        ],
    )
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", "jiangan-handler")
    page.fill("#id_password", "demo")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.goto(f"{base}/console/tickets/{ticket.number}/")
    page.wait_for_selector("#attachments img.thumb")
    assert not page.locator("button.menu-toggle").is_visible()
    assert page.locator("form.logout button").is_visible()
    assert page.evaluate("document.querySelector('#attachments img.thumb').naturalWidth") > 0
    page.screenshot(path=str(screenshot_dir / "phone-desktop-ticket.png"), full_page=True)
