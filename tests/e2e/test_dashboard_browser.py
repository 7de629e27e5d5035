"""The leaders' dashboard in a real browser: the charts draw (ECharts, served by the platform),
the region map shows the districts, and a leader clicks a unit's number and lands on the tickets
behind it. Screenshots go to ``$HOTLINE_TEST_OUTPUT/screenshots``."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from hotline.orgs.models import Category
from tests.assessment.october import MONTH, history_lines

pytestmark = [pytest.mark.e2e, pytest.mark.transactional]


def test_a_leader_reads_the_dashboard_and_follows_a_number(
    browser, page, console_log, live_server, reseeded, screenshot_dir, tmp_path
):
    category = (
        Category.objects.filter(level=3, time_limit=15, utility=False).order_by("code").first()
    )
    path = tmp_path / "october.jsonl"
    path.write_text("\n".join(history_lines(category.code)), encoding="utf-8")
    call_command("import_history", str(path), stdout=StringIO(), stderr=StringIO())
    base = live_server.url

    page.goto(f"{base}/console/login/?next=/ranking/dashboard/%3Fmonth%3D{MONTH}")
    page.fill("#id_username", "leader")
    page.fill("#id_password", "demo")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r".*/ranking/dashboard/.*"))
    page.wait_for_selector("#dashboard[data-ready=true]", timeout=60_000)
    # every chart drew into its canvas
    for chart in ("volume", "channels", "kinds", "categories", "trend", "map", "overdue"):
        page.wait_for_selector(f"#chart-{chart} canvas")
    assert page.locator("#dash-figures a[data-metric=received] .v").inner_text() != ""
    assert "示意图" in page.locator("#map-note").inner_text()
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)

    # a unit's number in the table of the units with the most overdue tickets
    link = page.locator("#table-overdue tbody tr").first.locator("td").nth(3).locator("a")
    expected = int(link.inner_text())
    link.click()
    page.wait_for_url(re.compile(r".*/ranking/dashboard/tickets/.*metric=overdue.*"))
    assert page.locator("#drill tbody tr").count() == expected
    assert f"共 {expected} 件" in page.locator("#drill-count").inner_text()
    page.screenshot(path=str(screenshot_dir / "dashboard-tickets.png"), full_page=True)

    # the same dashboard in English, through the console's language switch
    page.goto(f"{base}/ranking/dashboard/?month={MONTH}")
    page.click("form.langswitch button[value=en]")
    page.wait_for_selector("#dashboard[data-ready=true]", timeout=60_000)
    assert page.locator("h1").inner_text().startswith("Leaders' dashboard")
    assert page.locator("#t-top_overdue").inner_text() == "Units with the most overdue tickets"
    page.wait_for_selector("#chart-map canvas")
    page.screenshot(path=str(screenshot_dir / "dashboard-en.png"), full_page=True)
    assert console_log.csp_violations() == []
