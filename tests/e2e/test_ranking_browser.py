"""The public ranking pages in a real browser: a published month, a unit's page, and a number
on it leading (after a leader logs in) to the tickets behind it. Screenshots go to
``$HOTLINE_TEST_OUTPUT/screenshots``."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from hotline.accounts.models import User
from hotline.assessment.services import assessment_publish
from hotline.orgs.models import Category
from tests.assessment.october import MONTH, history_lines

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def test_a_leader_follows_a_number_to_its_tickets(
    browser, page, console_log, live_server, reseeded, screenshot_dir, tmp_path
):
    category = (
        Category.objects.filter(level=3, time_limit=15, utility=False).order_by("code").first()
    )
    path = tmp_path / "october.jsonl"
    path.write_text("\n".join(history_lines(category.code)), encoding="utf-8")
    call_command("import_history", str(path), stdout=StringIO(), stderr=StringIO())
    assessment_publish(actor=User.objects.get(username="supervisor"), month=MONTH)
    base = live_server.url

    page.goto(f"{base}/ranking/")
    page.click(f"a[href='/ranking/{MONTH}/']")
    page.wait_for_url(f"{base}/ranking/{MONTH}/")
    assert page.locator("table.ranking tbody tr").count() >= 90
    page.screenshot(path=str(screenshot_dir / "ranking-month.png"), full_page=True)

    page.click("text=市住房和城乡建设局")
    page.wait_for_url(re.compile(r".*/units/housing/.*"))
    assert page.locator("h1").inner_text() == "市住房和城乡建设局"
    page.screenshot(path=str(screenshot_dir / "ranking-unit.png"), full_page=True)

    page.locator("table.figures tr", has_text="受理量").locator("a").click()
    page.wait_for_url(re.compile(r".*/console/login/.*"))
    page.fill("#id_username", "leader")
    page.fill("#id_password", "demo")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/received/.*"))
    assert page.locator("table.ranking tbody tr").count() == 4
    page.screenshot(path=str(screenshot_dir / "ranking-tickets.png"), full_page=True)

    mobile = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = mobile.new_page()
    phone.goto(f"{base}/ranking/{MONTH}/")
    phone.screenshot(path=str(screenshot_dir / "ranking-month-phone.png"), full_page=False)
    mobile.close()
    assert console_log.csp_violations() == []
