"""Leaf ranking and unit routing over a small catalogue (pure: no database)."""

from __future__ import annotations

import pytest

from hotline.insight.place import PlaceIndex, RegionNode
from hotline.insight.routing import (
    Evaluation,
    History,
    LeafInfo,
    Router,
    RouteSuggestion,
    Rule,
    split_words,
)

PLACES = PlaceIndex(
    [
        RegionNode("wuhan", "武汉市", "city", None),
        RegionNode("jiangan", "江岸区", "district", "wuhan"),
        RegionNode("jiangan-01", "大智街道", "street", "jiangan", aliases=("大智路",)),
        RegionNode("hanyang", "汉阳区", "district", "wuhan", aliases=("钟家村",)),
    ]
)
WATER = LeafInfo("C01-01-01", ("城乡建设", "市政", "自来水供应"), "unit", "water", ("停水", "没水"))
POWER = LeafInfo("C01-01-02", ("城乡建设", "市政", "电力供应"), "unit", "power", ("停电",))
STALLS = LeafInfo("C01-01-03", ("城乡建设", "市政", "城管执法"), "place", "urban", ("占道经营",))
NOISE = LeafInfo("C02-01-01", ("环境保护", "污染", "噪音污染"), "place", "ecology", ("噪音",))
BUILD = LeafInfo("C01-02-01", ("城乡建设", "工程", "施工安全"), "unit", "housing", ("施工噪音",))
DEED = LeafInfo("C01-03-01", ("城乡建设", "房地产", "房产证登记、办理"), "unit", "fangguan")
MARRY = LeafInfo("C03-01-01", ("民政", "社会服务", "婚姻登记"), "unit", "civil")
OTHER = LeafInfo("C01-09-01", ("城乡建设", "其他", "其他"), "unit", "housing")
OTHER2 = LeafInfo("C02-09-01", ("环境保护", "其他", "其他"), "unit", "ecology")
LEAVES = [WATER, POWER, STALLS, NOISE, BUILD, DEED, MARRY, OTHER, OTHER2]
DISTRICTS = {"jiangan": "jiangan", "hanyang": "hanyang"}


def router(**kwargs) -> Router:
    return Router(LEAVES, places=PLACES, district_units=DISTRICTS, **kwargs)


def test_the_water_cut_goes_to_the_water_company_not_the_housing_bureau():
    place = PLACES.resolve(text="大智路小区停水三天", address="江岸区")
    best = router().suggest("大智路小区停水三天", place=place)[0]
    assert (best.category, best.unit) == (WATER.code, "water")
    assert any("停水" in r for r in best.reasons)
    assert any("owner" in r for r in best.reasons)


def test_a_place_owned_leaf_goes_to_the_district_of_the_place_and_says_so():
    place = PLACES.resolve(text="钟家村路口占道经营")
    best = router().suggest("钟家村路口占道经营", place=place)[0]
    assert (best.category, best.unit) == (STALLS.code, "hanyang")
    assert any("属地: 汉阳区" in r for r in best.reasons)


def test_a_place_owned_leaf_without_a_place_falls_back_to_its_default_unit():
    best = router().suggest("路口占道经营")[0]
    assert best.unit == "urban" and any("no place found" in r for r in best.reasons)


def test_a_rule_beats_the_owner_and_the_higher_priority_rule_wins():
    rules = [
        Rule(1, "噪音归住建", priority=5, category="C02", keywords=("工地",), unit="housing"),
        Rule(
            2, "大智路噪音归城管", priority=9, region="jiangan-01", keywords=("噪音",), unit="urban"
        ),
    ]
    place = PLACES.resolve(text="大智路工地噪音")
    best = router(rules=rules).suggest("大智路工地噪音", place=place)[0]
    assert best.unit == "urban" and best.rule == 2
    assert any("rule «大智路噪音归城管» (priority 9)" in r for r in best.reasons)
    assert any("words 噪音" in r for r in best.reasons)
    elsewhere = PLACES.resolve(text="钟家村工地噪音")
    best = router(rules=rules).suggest("钟家村工地噪音", place=elsewhere)[0]
    assert best.unit == "housing" and best.rule == 1


def test_a_rule_without_a_unit_sends_to_the_district_and_urgency_must_match():
    rules = [Rule(3, "紧急停水归属地", priority=1, keywords=("停水",), urgency="emergency")]
    place = PLACES.resolve(text="大智路停水")
    assert router(rules=rules).suggest("大智路停水", place=place)[0].unit == "water"
    best = router(rules=rules).suggest("大智路停水", place=place, urgency="emergency")[0]
    assert best.unit == "jiangan" and best.rule == 3


def test_the_longer_keyword_claims_its_span():
    ranked = router().rank("夜里施工噪音吵得睡不着")
    assert ranked[0][0] == BUILD  # 施工噪音 is the building site's, 噪音 inside it is not counted
    assert NOISE not in [leaf for leaf, confidence, _ in ranked if confidence > 0.2]


def test_the_same_keyword_of_two_leaves_counts_for_both():
    twin = LeafInfo("C02-01-02", ("环境保护", "污染", "施工扬尘"), "unit", "ecology", ("施工噪音",))
    ranked = Router([*LEAVES, twin], places=PLACES).rank("施工噪音")
    assert {ranked[0][0], ranked[1][0]} == {BUILD, twin}


def test_a_bare_verb_of_a_leaf_name_does_not_name_the_leaf():
    ranked = router().rank("在哪里办理婚姻登记")
    assert ranked[0][0] == MARRY


def test_the_model_narrows_to_its_class_and_unnamed_texts_get_the_generic_leaf():
    proba = {"城乡建设": 0.1, "环境保护": 0.9}
    ranked = router().rank("这个问题很久了", proba)
    assert ranked[0][0] == OTHER2
    assert any("class 环境保护 at 0.90" in r for r in ranked[0][2])


def test_confidences_are_probabilities_best_first():
    ranked = router().rank("大智路停水停电", {"城乡建设": 0.8, "环境保护": 0.2})
    confidences = [c for _, c, _ in ranked]
    assert len(ranked) == 3 and confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1.0001


def test_history_moves_a_leaf_the_names_do_not_reach():
    text = "楼上漏水渗到我家天花板"
    assert router().rank(text)[0][0] != DEED
    history = History([("楼上漏水渗到我家", DEED.code), ("天花板渗水漏水", DEED.code)])
    best = router(history=history).rank(text)[0]
    assert best[0] == DEED and any("dispatchers filed" in r for r in best[2])


def test_split_words():
    assert split_words(" 停水，没水、断水;; 水压低 ") == ("停水", "没水", "断水", "水压低")
    assert split_words("") == ()


def test_evaluation_counts_top1_and_top3():
    ev = Evaluation()
    a = RouteSuggestion("c1", "A/B/C", "water", 0.6, ())
    b = RouteSuggestion("c2", "A/B/D", "housing", 0.3, ())
    ev.add("A/B/C", "water", [a, b])
    ev.add("A/B/D", "housing", [a, b])
    assert (ev.n, ev.unit_top1, ev.unit_top3, ev.leaf_top1, ev.leaf_top3) == (2, 1, 2, 1, 2)
    assert ev.rate("unit_top1") == pytest.approx(0.5)
