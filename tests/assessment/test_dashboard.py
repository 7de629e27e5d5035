"""The leaders' dashboard: its numbers are the assessment's, each number's link lists exactly
that many tickets, and a district leader reads only the district."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from october import MONTH

from hotline.accounts.models import User
from hotline.assessment import dashboard, formulas, selectors
from hotline.orgs.models import Unit

# The end of October: the cut-off of every figure, and the end of the hot-spot windows.
NOW = datetime.fromisoformat("2026-10-31T23:00:00+08:00")


def _count_at(client: Client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    return int(re.search(r'id="drill-count">\D*(\d+)', page.content.decode()).group(1))


def _params(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def leader():
    return User.objects.get(username="leader")


def test_the_city_figures_are_the_assessment_counts_of_the_root_unit(october, leader):
    body = dashboard.dashboard_data(leader, None, MONTH, NOW)
    root = Unit.objects.get(code="wuhan")
    period = selectors.month_period(MONTH, NOW)
    counts = selectors.unit_counts(selectors.Scope(root), period)
    assert body["scope"]["code"] == "wuhan"
    for metric, figure in body["figures"]["counts"].items():
        assert figure["value"] == counts[metric], metric
    assert body["figures"]["rates"] == formulas.rates(counts)
    assert counts["received"] > 0
    # The volume by day and channel adds up to received; so do channels, kinds.
    assert sum(body["volume"]["totals"]) == counts["received"]
    assert (
        sum(p["value"] for s in body["volume"]["weekly_series"] for p in s["data"])
        == (counts["received"])
    )
    assert sum(r["value"] for r in body["breakdowns"]["channels"]) == counts["received"]
    assert sum(r["value"] for r in body["breakdowns"]["kinds"]) == counts["received"]
    # The ranking rows are the live ranking's rows; the trend's last month is this month.
    rows, _ = selectors.live_rows(period, None)
    by_code = {r["unit"]: r for r in rows}
    for row in body["top_overdue"] + body["ranking"]["best"]:
        for key in ("received", "overdue", "score", "rank"):
            assert row[key] == by_code[row["unit"]][key], (row["unit"], key)
    assert [r["overdue"] for r in body["top_overdue"]] == sorted(
        (r["overdue"] for r in rows if r["overdue"]), reverse=True
    )[: dashboard.TOP_UNITS]
    last = body["trend"][-1]
    assert last["month"] == MONTH and last["received"] == counts["received"]
    assert last["on_time_rate"] == formulas.rates(counts)["on_time_rate"]
    # The map: the 16 districts, each with its unit's received.
    regions = body["map"]["regions"]
    assert len(body["map"]["geojson"]["features"]) == 16
    assert {r["name"] for r in regions} >= {"jiangan"}
    assert all(r["received"] == by_code[r["unit"]]["received"] for r in regions)


def test_every_number_lists_as_many_tickets(october, leader, client):
    body = dashboard.dashboard_data(leader, None, MONTH, NOW)
    client.force_login(leader)
    figures = [(f["url"], f["value"]) for f in body["figures"]["counts"].values()]
    figures += [
        (p["url"], p["value"]) for s in body["volume"]["series"] for p in s["data"] if p["value"]
    ]
    figures += [
        (p["url"], p["value"])
        for s in body["volume"]["weekly_series"]
        for p in s["data"]
        if p["value"]
    ]
    for key in ("channels", "kinds", "categories"):
        figures += [(r["url"], r["value"]) for r in body["breakdowns"][key]]
    figures += [(r["urls"]["overdue"], r["overdue"]) for r in body["top_overdue"]]
    figures += [(r["urls"]["received"], r["received"]) for r in body["ranking"]["best"]]
    figures += [(r["urls"]["received"], r["received"]) for r in body["map"]["regions"]]
    assert len(figures) > 20
    for url, value in figures:
        # the drill-down page is computed "now": the month is over, only the cut-off differs,
        # so compare with the selector at the same cut-off
        scope, period, metric, qs = dashboard.drill(leader, _params(url), NOW)
        assert qs.count() == value, url
    # and the page shows that count
    url, value = (
        body["figures"]["counts"]["received"]["url"],
        body["figures"]["counts"]["received"]["value"],
    )
    assert _count_at(client, url) == value


def test_the_json_endpoint_and_the_page(october, leader, client):
    client.force_login(leader)
    page = client.get("/ranking/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "echarts.min.js" in html and "dashboard.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    src = re.search(r'data-src="([^"]+)"', html).group(1).replace("&amp;", "&")
    data = client.get(src)
    assert data.status_code == 200
    body = data.json()
    assert body["scope"]["code"] == "wuhan"
    assert body["labels"]["received"] == "受理量"


def test_a_district_leader_reads_the_district_only(october, client):
    district_leader = User.objects.get(username="jiangan-leader")
    client.force_login(district_leader)
    # without a scope: the district itself
    body = dashboard.dashboard_data(district_leader, None, MONTH, NOW)
    assert body["scope"]["code"] == "jiangan"
    counts = selectors.unit_counts(
        selectors.Scope(Unit.objects.get(code="jiangan")), selectors.month_period(MONTH, NOW)
    )
    assert body["figures"]["counts"]["received"]["value"] == counts["received"] > 0
    assert {r["unit"] for r in body["top_overdue"] + body["ranking"]["best"]} <= {
        u.code for u in Unit.objects.filter(path__startswith="/") if u.code.startswith("jiangan-")
    }
    assert client.get(f"/ranking/dashboard/data/?scope=jiangan&month={MONTH}").status_code == 200
    other = client.get(f"/ranking/dashboard/data/?scope=hongshan&month={MONTH}")
    assert other.status_code == 403 and other.json()["error"] == "forbidden"
    assert client.get(f"/ranking/dashboard/data/?scope=wuhan&month={MONTH}").status_code == 403
    assert client.get("/ranking/dashboard/?scope=hongshan").status_code == 403
    drill = f"/ranking/dashboard/tickets/?scope=hongshan&month={MONTH}&metric=received"
    assert client.get(drill).status_code == 403
    # a unit outside the scope, inside an allowed scope's URL: refused
    drill = f"/ranking/dashboard/tickets/?scope=jiangan&month={MONTH}&metric=received&unit=housing"
    assert client.get(drill).status_code == 400


def test_who_may_not_read_the_dashboard(october, client):
    client.force_login(User.objects.get(username="agent"))
    assert client.get("/ranking/dashboard/").status_code == 403
    assert client.get("/ranking/dashboard/data/").status_code == 403
    anonymous = Client()
    assert anonymous.get("/ranking/dashboard/").status_code == 302
    assert anonymous.get("/ranking/dashboard/data/").status_code == 302


def test_bad_input_names_the_field(october, leader, client):
    client.force_login(leader)
    bad = client.get("/ranking/dashboard/data/?month=2026-13")
    assert bad.status_code == 400 and bad.json()["detail"] == {"month": "YYYY-MM"}
    drill = "/ranking/dashboard/tickets/?metric=nonsense&month=" + MONTH
    assert client.get(drill).status_code == 400


def test_the_drill_down_queries_do_not_grow_with_the_page(october, leader, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(leader)
    url = f"/ranking/dashboard/tickets/?scope=wuhan&month={MONTH}&metric=received"
    counts = []
    for size in (2, 50):
        dashboard_views = __import__("hotline.assessment.views", fromlist=["DRILL_PAGE"])
        dashboard_views.DRILL_PAGE = size
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    dashboard_views.DRILL_PAGE = 50
    assert counts[0] == counts[1]


def test_hot_spots_of_the_last_days(october, leader):
    from django.utils import timezone

    from tests.factories import register

    for i in range(4):
        register(
            title="魅力之城小区夜间施工噪音扰民",
            content=f"魅力之城小区旁工地夜间施工噪音很大，第{i}次反映。",
            citizen={"name": "市民", "phone": f"1380000{i:04d}"},
        )
    now = timezone.now()
    body = dashboard.dashboard_data(leader, None, MONTH, now)
    for days in ("7", "30"):
        spots = body["hotspots"][days]
        assert spots and spots[0]["count"] == 4 and spots[0]["citizens"] == 4
        assert "魅力之城" in spots[0]["topic"]
        for spot in spots:
            _scope, _period, _metric, qs = dashboard.drill(leader, _params(spot["url"]), now)
            assert qs.count() == spot["count"]
            assert {e["number"] for e in spot["examples"]} <= set(
                qs.values_list("number", flat=True)
            )


def test_the_pages_in_english(october, leader, client):
    from hotline.assessment.services import assessment_publish

    assessment_publish(actor=User.objects.get(username="supervisor"), month=MONTH)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    index = client.get("/ranking/", **english).content.decode()
    assert "Monthly assessment ranking" in index and "October 2026" in index
    month = client.get(f"/ranking/{MONTH}/", **english).content.decode()
    assert "On-time rate" in month and "Satisfaction rate" in month
    unit = client.get(f"/ranking/{MONTH}/units/housing/", **english).content.decode()
    assert "Forwarded late" in unit and "Last 12 months" in unit
    client.force_login(leader)
    page = client.get("/ranking/dashboard/", **english).content.decode()
    assert "Leaders&#x27; dashboard" in page or "Leaders' dashboard" in page
    body = client.get(f"/ranking/dashboard/data/?month={MONTH}", **english).json()
    assert body["labels"]["received"] == "Received"
    assert body["labels"]["map_note"].startswith("Schematic")
    # and Chinese by default
    assert client.get(f"/ranking/dashboard/data/?month={MONTH}").json()["labels"]["map"] == (
        "各区受理量与指标（示意图）"
    )


def test_hot_spots_show_the_workers_snapshot_and_its_links_list_its_tickets(october, leader):
    """The dashboard shows the newest snapshot (the worker's, every 10 minutes); a newer ticket
    joins at the next refresh, and a link from the page shown before still lists exactly the
    tickets it counted. A stale snapshot is recomputed on the spot; a link to a snapshot that is
    gone says so (400), never lists other tickets."""
    from datetime import timedelta

    from django.utils import timezone

    from hotline.core.errors import BadInput
    from hotline.insight.models import HotSpotSnapshot
    from hotline.insight.services import hot_spots_refresh_all
    from tests.factories import register

    def noise(n: int, start: int = 0) -> None:
        for i in range(start, start + n):
            register(
                title="魅力之城小区夜间施工噪音扰民",
                content=f"魅力之城小区旁工地夜间施工噪音很大，第{i}次反映。",
                citizen={"name": "市民", "phone": f"1380000{i:04d}"},
            )

    noise(3)
    written = hot_spots_refresh_all(now=timezone.now())
    districts = Unit.objects.filter(level="district").count()
    assert written == 2 * (1 + districts) == HotSpotSnapshot.objects.count()
    noise(2, start=3)
    now = timezone.now() + timedelta(minutes=5)
    shown = dashboard.dashboard_data(leader, None, MONTH, now)["hotspots"]["7"]
    assert shown[0]["count"] == 3  # the snapshot, not yet the two new tickets
    assert shown[0]["computed_at"].endswith("+08:00")  # shown in the city's time
    hot_spots_refresh_all(now=now)
    fresh = dashboard.dashboard_data(leader, None, MONTH, now)["hotspots"]["7"]
    assert fresh[0]["count"] == 5
    # five tickets of one title: the examples are three different tickets
    numbers = [e["number"] for e in fresh[0]["examples"]]
    assert len(numbers) == len(set(numbers)) == 3
    for spots in (shown, fresh):  # each link lists the tickets its page counted
        _scope, _period, _metric, qs = dashboard.drill(leader, _params(spots[0]["url"]), now)
        assert qs.count() == spots[0]["count"]
    # 20 minutes later without the worker: computed on the spot, then kept
    later = now + timedelta(minutes=20)
    before = HotSpotSnapshot.objects.count()
    assert dashboard.dashboard_data(leader, None, MONTH, later)["hotspots"]["7"][0]["count"] == 5
    assert HotSpotSnapshot.objects.count() == before + 2
    gone = {**_params(shown[0]["url"]), "snapshot": "999999"}
    with pytest.raises(BadInput) as err:
        dashboard.drill(leader, gone, now)
    assert err.value.field == "rank"


def test_old_hot_spot_snapshots_are_deleted_by_the_next_refresh(october):
    from datetime import timedelta

    from django.utils import timezone

    from hotline.insight.models import HotSpotSnapshot
    from hotline.insight.services import HOT_SPOT_KEEP, hot_spots_refresh

    root = Unit.objects.get(code="wuhan")
    now = timezone.now()
    old = hot_spots_refresh(root, 7, now=now - HOT_SPOT_KEEP - timedelta(minutes=1))
    kept = hot_spots_refresh(root, 7, now=now - timedelta(hours=1))
    other_window = hot_spots_refresh(root, 30, now=now - HOT_SPOT_KEEP - timedelta(minutes=1))
    hot_spots_refresh(root, 7, now=now)
    left = set(HotSpotSnapshot.objects.values_list("pk", flat=True))
    assert old.pk not in left and kept.pk in left and other_window.pk in left


def test_the_worker_refreshes_the_hot_spots():
    from hotline.runtime.jobs import JOBS

    (job,) = [j for j in JOBS if j.name == "insight_hotspots"]
    assert job.every_seconds <= 600 and job.task == "hotline.insight.tasks.insight_hotspots"


@pytest.mark.parametrize("scope", [None, "jiangan"], ids=["city", "district"])
def test_the_open_warnings_are_the_lengths_of_their_lists(october, leader, scope):
    """The city's count reads the running-clock index alone (no unit path), a district's joins
    its units: each equals the list its link opens, red and yellow, and the city's count leaves
    out the centre's own clocks as its list does."""
    from django.utils import timezone

    from hotline.tickets.models import Clock

    now = timezone.now()
    assert Clock.objects.filter(stopped_at__isnull=True, unit__isnull=True).exists()
    body = dashboard.dashboard_data(leader, scope, MONTH, now)
    assert body["warnings"]["red"]["value"] > 0
    for level in ("red", "yellow"):
        figure = body["warnings"][level]
        _scope, _period, _metric, qs = dashboard.drill(leader, _params(figure["url"]), now)
        assert qs.count() == figure["value"], level
