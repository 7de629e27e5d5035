"""The insight endpoints as the hotline's staff meet them: similar tickets and suggestions."""

from __future__ import annotations

import pytest

from hotline.insight import classifier
from hotline.insight.models import TicketSignature
from tests.factories import act, register

TITLE = "江岸区大智路路灯不亮"


def numbers(response, kind=None):
    assert response.status_code == 200, response.json()
    return {i["number"] for i in response.json()["items"] if kind is None or i["kind"] == kind}


def test_registration_stores_the_title_fingerprint():
    t = register(title=TITLE)
    assert TicketSignature.objects.filter(ticket=t).count() == 16


def test_same_event_from_another_citizen_is_a_duplicate_and_same_citizen_a_repeat(api):
    first = register(
        title=TITLE,
        content="大智路与中山大道路口路灯连续三晚不亮",
        region="jiangan-01",
        citizen={"name": "甲", "phone": "13800000001"},
    )
    other_citizen = register(
        title=TITLE,
        content="大智路与中山大道路口路灯连续三晚不亮",
        region="jiangan-01",
        citizen={"name": "乙", "phone": "13800000002"},
    )
    same_citizen = register(
        title="江岸区大智路路灯又不亮了",
        content="大智路与中山大道路口路灯连续三晚不亮，之前反映过",
        region="jiangan-01",
        citizen={"name": "甲", "phone": "13800000001"},
    )
    unrelated = register(
        title="学校乱收补课费",
        content="某中学强制收取补课费",
        citizen={"name": "丙", "phone": "13800000003"},
    )
    response = api("dispatcher").get(f"tickets/{first.number}/similar")
    assert other_citizen.number in numbers(response, "duplicate")
    assert same_citizen.number in numbers(response, "repeat")
    assert unrelated.number not in numbers(response)
    assert first.number not in numbers(response)
    item = next(i for i in response.json()["items"] if i["number"] == other_citizen.number)
    assert 0.9 <= item["score"] <= 1 and item["status"] == "registered"


def test_same_region_and_category_finds_a_differently_titled_report_within_the_window(api):
    """The title fingerprints miss it (other words in the title); the newest tickets of the same
    region and category catch it by content, but only inside the window (a year)."""
    from datetime import timedelta

    from hotline.orgs.models import Category
    from hotline.tickets.models import Ticket

    leaf = Category.objects.filter(level=3, active=True).order_by("code").first().code
    content = "大智路与中山大道路口的三盏路灯已经连续一周晚上不亮，行人过马路很危险"
    same = {"region": "jiangan-01", "category": leaf, "content": content}
    first = register(title="路口太黑了", citizen={"name": "甲", "phone": "13800000011"}, **same)
    near = register(
        title="晚上过马路看不见", citizen={"name": "乙", "phone": "13800000012"}, **same
    )
    old = register(title="夜里没有灯", citizen={"name": "丙", "phone": "13800000013"}, **same)
    Ticket.objects.filter(pk=old.pk).update(registered_at=first.registered_at - timedelta(days=400))
    found = numbers(api("dispatcher").get(f"tickets/{first.number}/similar"), "duplicate")
    assert near.number in found
    assert old.number not in found
    item = next(
        i
        for i in api("dispatcher").get(f"tickets/{first.number}/similar").json()["items"]
        if i["number"] == near.number
    )
    assert any(r.startswith("content similarity") for r in item["reasons"])


def test_a_unit_only_gets_candidates_it_may_see(api):
    mine = register(title=TITLE, content="路灯不亮", region="jiangan-01")
    seen = register(title=TITLE, content="路灯不亮", region="jiangan-01")
    unseen = register(title=TITLE, content="路灯不亮", region="jiangan-01")
    act("dispatcher", mine.number, "dispatch", unit="jiangan")
    act("dispatcher", seen.number, "dispatch", unit="jiangan")
    act("dispatcher", unseen.number, "dispatch", unit="hanyang")
    found = numbers(api("jiangan-handler").get(f"tickets/{mine.number}/similar"))
    assert seen.number in found and unseen.number not in found
    assert api("hanyang-handler").get(f"tickets/{mine.number}/similar").status_code == 404


def test_units_never_learn_that_a_confidential_complainant_is_the_same_citizen(api):
    phone = {"name": "丁", "phone": "13800000009", "confidential": True}
    a = register(title="举报某餐馆违规排污", content="某餐馆夜间向雨水管排放油污", citizen=phone)
    b = register(
        title="举报某餐馆违规排污问题",
        content="某餐馆夜间向雨水管排放油污，至今未处理",
        citizen=phone,
    )
    for t in (a, b):
        act("dispatcher", t.number, "dispatch", unit="jiangan")
    reasons = [
        r
        for i in api("jiangan-handler").get(f"tickets/{a.number}/similar").json()["items"]
        for r in i["reasons"]
    ]
    assert "same citizen" not in reasons
    assert b.number in numbers(api("dispatcher").get(f"tickets/{a.number}/similar"), "repeat")


def test_suggest_gives_top_three_with_catalogue_codes_and_units(api, tiny_model):
    response = api("agent").post(
        "suggest", {"text": "公司拖欠我三个月工资一直不发", "title": "拖欠工资"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["model"].startswith("suggest-")
    items = body["items"]
    assert len(items) == 3 and items[0]["class"] == "劳动和社会保障"
    assert items[0]["category"].startswith("C") and items[0]["unit"] == "hrss"
    confidences = [i["confidence"] for i in items]
    assert confidences == sorted(confidences, reverse=True) and 0 < sum(confidences) <= 1.0001


def test_suggest_without_a_trained_model_says_so(api, settings, tmp_path):
    settings.HOTLINE_MODEL_DIR = tmp_path
    classifier._cache.clear()
    assert api("dispatcher").post("suggest", {"text": "路灯不亮"}).json() == {
        "model": None,
        "place": None,
        "items": [],
    }


def test_suggest_refuses_other_roles_and_bad_input(api):
    assert api("jiangan-handler").post("suggest", {"text": "路灯不亮"}).status_code == 403
    empty = api("agent").post("suggest", {"text": "  "})
    assert empty.status_code == 400 and empty.json()["field"] == "text"
    missing = api("agent").post("suggest", {})
    assert missing.status_code == 400 and "text" in missing.json()["detail"]


def test_retraining_learns_from_the_dispatchers_final_categories(settings, tmp_path):
    from hotline.insight.tasks import insight_retrain
    from hotline.orgs.models import Category

    settings.HOTLINE_MODEL_DIR = tmp_path
    roads = Category.objects.filter(level=3, parent__parent__name="城乡建设").first()
    wages = Category.objects.filter(level=3, parent__parent__name="劳动和社会保障").first()
    for i in range(6):
        register(title=f"路灯不亮{i}", content="小区门口路灯坏了很久", category=roads.code)
        register(title=f"拖欠工资{i}", content="公司拖欠工资三个月不发", category=wages.code)
    result = insight_retrain.enqueue()
    name = result.return_value
    assert name.startswith("suggest-") and classifier.current_name(tmp_path) == f"{name}.pkl"
    model = classifier.load_current(tmp_path)
    assert set(model.labels) == {"城乡建设", "劳动和社会保障"}
    classifier._cache.clear()


def test_retraining_without_history_keeps_the_model_and_says_why(settings, tmp_path, caplog):
    from hotline.insight.tasks import insight_retrain

    settings.HOTLINE_MODEL_DIR = tmp_path
    assert insight_retrain.enqueue().return_value is None
    assert classifier.current_name(tmp_path) is None and "retraining skipped" in caplog.text


def _history(*batches):
    """Register tickets oldest first: each batch is (count, title, first-level class)."""
    from hotline.orgs.models import Category

    for count, title, first in batches:
        leaf = Category.objects.filter(level=3, parent__parent__name=first).first()
        for i in range(count):
            register(title=f"{title}{i}", content=title, category=leaf.code)


def test_weekly_retraining_keeps_a_model_that_does_better_on_the_newest_tickets(tiny_model, caplog):
    """A few dozen tickets must not undo a model trained on far more: the newest tickets
    include a class the history has not taught yet, which the model in use knows."""
    from hotline.insight.tasks import insight_retrain

    before = classifier.current_name(tiny_model)
    _history(
        (8, "小区路灯不亮", "城乡建设"),
        (8, "拖欠工资不发", "劳动和社会保障"),
        (2, "小区路灯不亮了", "城乡建设"),
        (2, "学校乱收费问题", "教育文体"),
    )
    assert insight_retrain.enqueue().return_value is None
    assert classifier.current_name(tiny_model) == before
    assert "kept the model in use: on the newest 4 tickets" in caplog.text


def test_weekly_retraining_replaces_a_model_that_does_worse_on_the_newest_tickets(tiny_model):
    """The history teaches a class the model in use never saw (环境保护): the retrained model
    wins on the newest tickets and takes over."""
    from hotline.insight.tasks import insight_retrain

    before = classifier.current_name(tiny_model)
    _history(
        (8, "小区路灯不亮", "城乡建设"),
        (8, "工厂排放废气", "环境保护"),
        (2, "小区路灯不亮了", "城乡建设"),
        (2, "工厂排放废气严重", "环境保护"),
    )
    name = insight_retrain.enqueue().return_value
    assert name and classifier.current_name(tiny_model) == f"{name}.pkl" != before
    assert "环境保护" in classifier.load_current(tiny_model).labels


def test_if_better_is_for_the_database_history_only(tiny_model):
    from django.core.management import CommandError, call_command

    before = classifier.current_name(tiny_model)
    with pytest.raises(CommandError, match="without --data"):
        call_command("insight_train", "--if-better", "--data", "any.csv")
    assert classifier.current_name(tiny_model) == before
