"""Dispatch suggestions as dispatchers and admins meet them: the leaf, the place, the unit
that owns it, the rule that chose it, and the record of what the dispatcher chose."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.accounts.models import User
from hotline.insight import routing, selectors
from hotline.insight.models import DispatchRecord, RoutingRule
from hotline.orgs.models import Category, Owner, Region, RegionAlias, Unit
from tests.factories import act, register
from tests.insight.routing_cases import CASES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_routing():
    selectors.routing_changed()
    yield
    selectors.routing_changed()


def suggest(api, **body):
    response = api("dispatcher").post("suggest", body)
    assert response.status_code == 200, response.json()
    return response.json()


def leaf_named(name: str) -> Category:
    return Category.objects.filter(level=3, name=name).order_by("code").first()


def test_the_water_cut_in_jiangan_goes_to_the_water_company(api, tiny_model):
    body = suggest(api, text="大智路小区停水三天", address="江岸区大智路")
    best = body["items"][0]
    assert best["category"] == leaf_named("自来水供应").code
    assert best["unit"] == "water" and best["unit"] != "housing"
    assert body["place"]["district"] == "jiangan" and body["place"]["via"] == "address"
    assert any("停水" in r for r in best["reasons"])
    assert set(best) >= {"category", "unit", "confidence", "reasons"}


@pytest.mark.parametrize(
    ("text", "leaf", "unit"),
    [
        ("江汉区万松园停电三个小时", "电力供应", "power"),
        ("汉阳钟家村家里没水了", "自来水供应", "water"),
        ("新洲邾城天然气开通申请一个月没人来装", "燃气供应", "gas"),
        ("青山区小区暖气片一点都不热，供暖温度太低", "冬季采暖", "heating"),
    ],
)
def test_every_utility_goes_to_its_company_wherever_it_is(api, tiny_model, text, leaf, unit):
    best = suggest(api, text=text)["items"][0]
    assert (best["category"], best["unit"]) == (leaf_named(leaf).code, unit)
    assert Unit.objects.get(code=unit).kind == "company"


def test_a_place_owned_suggestion_names_the_district_of_the_place(api, tiny_model):
    body = suggest(api, text="钟家村小区楼下每天晚上广场舞噪音太吵")
    best = body["items"][0]
    assert Category.objects.get(code=best["category"]).owner == Owner.PLACE
    assert best["unit"] == "hanyang"
    assert any(r.startswith("属地: 汉阳区") for r in best["reasons"])


def test_a_map_point_wins_over_the_text(api, tiny_model):
    # 钟家村 is in 汉阳; the point is in 江岸 (the demo's district centres).
    body = suggest(api, text="钟家村小区楼下广场舞噪音太吵", lat=30.62, lon=114.31)
    assert body["place"]["district"] == "jiangan" and body["place"]["via"] == "point"
    assert body["items"][0]["unit"] == "jiangan"


def test_an_alias_added_in_the_admin_places_the_next_suggestion(api, tiny_model, admin_client):
    text = "幸福里小区楼下广场舞噪音太吵"
    assert suggest(api, text=text)["place"] is None
    region = Region.objects.get(code="qiaokou-01")
    response = admin_client.post(
        reverse("admin:orgs_regionalias_add"), {"region": region.pk, "name": "幸福里"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RegionAlias.objects.filter(region=region, name="幸福里").exists()
    body = suggest(api, text=text)
    assert body["place"]["region"] == "qiaokou-01" and body["items"][0]["unit"] == "qiaokou"


def test_a_rule_added_in_the_admin_changes_the_next_suggestion(api, tiny_model, admin_client):
    text, address = "工地夜间施工噪音太吵，凌晨还在打桩", "江岸区一元路"
    before = suggest(api, text=text, address=address)["items"][0]
    assert before["unit"] == "jiangan"  # noise belongs to the district of the place
    response = admin_client.post(
        reverse("admin:insight_routingrule_add"),
        {
            "name": "工地噪音归住建局",
            "active": "on",
            "priority": "30",
            "category": Category.objects.get(code=before["category"]).pk,
            "region": "",
            "keywords": "工地 打桩",
            "urgency": "",
            "unit": Unit.objects.get(code="housing").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = suggest(api, text=text, address=address)["items"][0]
    assert after["unit"] == "housing" and after["category"] == before["category"]
    assert any("rule «工地噪音归住建局» (priority 30)" in r for r in after["reasons"])
    assert any("words 工地、打桩" in r for r in after["reasons"])
    # Without the rule's words, the owner decides again.
    quiet = suggest(api, text="楼下广场舞噪音太吵", address=address)["items"][0]
    assert quiet["unit"] == "jiangan" and quiet["rule"] is None


def test_a_disabled_rule_no_longer_decides(api, tiny_model):
    rule = RoutingRule.objects.get(name="工地扬尘归住建局")
    body = {"text": "纸坊这边的工地扬尘太大，也不洒水", "address": "江夏区纸坊"}
    if not leaf_named("大气污染"):
        pytest.skip("the built-in catalogue has its own leaves")
    assert suggest(api, **body)["items"][0]["unit"] == "housing"
    RoutingRule.objects.filter(pk=rule.pk).update(active=False)
    selectors.routing_changed()  # what the admin's save does
    assert suggest(api, **body)["items"][0]["unit"] == "ecology"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "停水", "region": "nowhere"}, "region"),
        ({"text": "停水", "urgency": "soon"}, "urgency"),
        ({"text": "停水", "lat": 30.6}, "lon"),
        ({"text": "停水", "lat": 130.6, "lon": 114.3}, "lat"),
        ({"text": "停水", "address": "路" * 256}, "address"),
        ({"text": "停水", "title": "水" * 201}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, tiny_model, body, field):
    response = api("dispatcher").post("suggest", body)
    assert response.status_code == 400 and response.json()["field"] == field


def test_every_dispatch_records_the_suggestion_and_the_choice(tiny_model):
    ticket = register(title="停水", content="大智路小区停水三天", address="江岸区大智路")
    act("dispatcher", ticket.number, "dispatch", unit="water")
    record = DispatchRecord.objects.get(ticket=ticket)
    assert record.suggested_unit == "water" and record.chosen_unit == "water"
    assert record.accepted and record.unit_in_top3 and record.actor == "dispatcher"
    assert record.suggested_category == leaf_named("自来水供应").code
    other = register(title="停水", content="大智路小区停水三天", address="江岸区大智路")
    act("dispatcher", other.number, "dispatch", unit="jiangan")
    record = DispatchRecord.objects.get(ticket=other)
    assert record.chosen_unit == "jiangan" and not record.accepted
    by_leaf = {row.key: row for row in selectors.acceptance_by_leaf()}
    water = by_leaf[leaf_named("自来水供应").code]
    assert (water.dispatches, water.accepted, water.rate) == (2, 1, 50.0)


def test_a_dispatch_without_a_model_is_recorded_without_a_suggestion():
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    record = DispatchRecord.objects.get(ticket=ticket)
    assert record.suggested == [] and record.chosen_unit == "jiangan" and not record.accepted


def test_admins_see_acceptance_per_leaf_and_per_rule(tiny_model, admin_client):
    ticket = register(title="停水", content="大智路小区停水三天", address="江岸区大智路")
    act("dispatcher", ticket.number, "dispatch", unit="water")
    page = admin_client.get(reverse("admin:insight_dispatchrecord_changelist")).content.decode()
    assert "采纳率" in page and "自来水供应" in page and "100.0" in page
    assert "无规则" in page
    rules = admin_client.get(reverse("admin:insight_routingrule_changelist")).content.decode()
    assert "工地扬尘归住建局" in rules or "燃气紧急情况归燃气集团" in rules


def test_history_of_dispatched_tickets_teaches_a_leaf(api, tiny_model):
    deed = leaf_named("房产证登记、办理") or Category.objects.filter(level=3).last()
    text = "楼上卫生间往我家天花板滴水，找了好几次都推脱"
    for i in range(3):
        t = register(title=f"楼上卫生间往我家滴水{i}", content=text, category=deed.code)
        act("dispatcher", t.number, "dispatch", unit="fangguan")
    selectors.routing_changed()
    items = suggest(api, text=text)["items"]
    assert items[0]["category"] == deed.code
    assert any("dispatchers filed" in r for r in items[0]["reasons"])


@pytest.fixture
def admin_client(client):
    root = User.objects.create_superuser(username="routing-root", password="pw")
    client.force_login(root)
    return client


def test_the_labelled_set_meets_the_targets():
    """The team's labelled messages (tests/insight/routing_cases.py) over the seeded city,
    routed without a model: names, keywords, places, owners and the demo rules."""
    if Category.objects.filter(level=3).count() < 100:
        pytest.skip("the labelled set is written for the TipDM catalogue (../shared/data)")
    rt = selectors.router()
    ev = routing.Evaluation()
    utilities = {
        c.code: c.default_unit.code for c in Category.objects.filter(level=3, utility=True)
    }
    districts = {r.code: r.name for r in Region.objects.filter(level="district")}
    territorial = 0
    for leaf, unit, address, text in CASES:
        place = rt.places.resolve(text=text, address=address)
        got = rt.suggest(text, place=place)
        ev.add(leaf, unit, got)
        for s in got:
            # Every utility goes to its company; every 属地 suggestion names the district.
            if s.category in utilities:
                assert s.unit == utilities[s.category], (text, s)
            said = [r for r in s.reasons if r.startswith("属地: ")]
            if said:
                territorial += 1
                assert place is not None and s.unit == place.district, (text, s)
                assert said[0].startswith(f"属地: {districts[place.district]} ")
    assert territorial >= 30
    assert ev.n >= 150 and len(ev.per_leaf) >= 30
    assert ev.rate("unit_top1") >= 0.90
    assert ev.rate("unit_top3") >= 0.97
    assert ev.rate("leaf_top3") >= 0.90


def test_two_water_cut_calls_from_one_phone_a_minute_apart_are_a_repeat(api):
    from datetime import timedelta

    from hotline.tickets.models import Ticket

    phone = {"name": "王女士", "phone": "13900007777"}
    first = register(
        title="小区停水", content="大智路小区停水三天了", address="江岸区大智路", citizen=phone
    )
    second = register(title="", content="家里又没水了，到底什么时候来水", citizen=phone)
    Ticket.objects.filter(pk=first.pk).update(
        registered_at=second.registered_at - timedelta(minutes=1)
    )
    items = api("dispatcher").get(f"tickets/{second.number}/similar").json()["items"]
    match = next(i for i in items if i["number"] == first.number)
    assert match["kind"] == "repeat" and "same issue" in match["reasons"]
    back = api("dispatcher").get(f"tickets/{first.number}/similar").json()["items"]
    assert any(i["number"] == second.number and i["kind"] == "repeat" for i in back)


def test_other_citizens_on_the_same_issue_at_the_same_place_are_candidate_duplicates(api):
    first = register(
        title="停水",
        content="大智路小区停水三天了",
        region="jiangan-01",
        citizen={"name": "甲", "phone": "13900008881"},
    )
    neighbour = register(
        title="没水",
        content="我们楼一早上都没水，水龙头一滴都没有",
        region="jiangan-01",
        citizen={"name": "乙", "phone": "13900008882"},
    )
    elsewhere = register(
        title="没水",
        content="我们楼一早上都没水",
        region="hanyang-01",
        citizen={"name": "丙", "phone": "13900008883"},
    )
    items = api("dispatcher").get(f"tickets/{first.number}/similar").json()["items"]
    found = {i["number"]: i for i in items}
    assert found[neighbour.number]["kind"] == "duplicate"
    assert found[neighbour.number]["reasons"][:2] == ["same place", "same issue"]
    assert elsewhere.number not in found
