"""Place resolution over a small region tree (pure: no database)."""

from __future__ import annotations

import pytest

from hotline.insight.place import PlaceIndex, RegionNode, derived_names

TREE = [
    RegionNode("wuhan", "武汉市", "city", None),
    RegionNode("jiangan", "江岸区", "district", "wuhan", 30.62, 114.31, ("后湖",)),
    RegionNode("jiangan-01", "大智街道", "street", "jiangan", aliases=("大智路",)),
    RegionNode("jiangan-01-01", "大智社区", "community", "jiangan-01"),
    RegionNode("hanyang", "汉阳区", "district", "wuhan", 30.55, 114.23, ("钟家村",)),
    RegionNode("hanyang-02", "鹦鹉街道", "street", "hanyang", aliases=("汉阳大道",)),
    RegionNode("kaifaqu", "武汉开发区（汉南区）", "district", "wuhan", 30.46, 114.14),
]


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(TREE)


@pytest.mark.parametrize(
    ("kwargs", "region", "district", "via"),
    [
        ({"text": "大智路小区停水三天"}, "jiangan-01", "jiangan", "text"),
        ({"text": "江岸区大智路路灯不亮"}, "jiangan-01", "jiangan", "text"),
        ({"text": "家住后湖，噪音扰民"}, "jiangan", "jiangan", "text"),
        ({"text": "江岸噪音扰民"}, "jiangan", "jiangan", "text"),  # the short form of 江岸区
        ({"text": "大智社区门口垃圾没人收"}, "jiangan-01-01", "jiangan", "text"),
        ({"text": "大智街办事处不作为"}, "jiangan-01", "jiangan", "text"),
        # the longer name claims its span: 汉阳大道 is the street, not 汉阳 the district
        ({"text": "汉阳大道路灯坏了"}, "hanyang-02", "hanyang", "text"),
        ({"text": "汉南纱帽有人偷排"}, "kaifaqu", "kaifaqu", "text"),
        # the address wins over the text
        (
            {"text": "钟家村的朋友说", "address": "江岸区大智路8号"},
            "jiangan-01",
            "jiangan",
            "address",
        ),
        # a region given is refined by a deeper match inside it, never left for another
        ({"text": "大智路停水", "region": "jiangan"}, "jiangan-01", "jiangan", "text"),
        ({"text": "钟家村停水", "region": "jiangan"}, "jiangan", "jiangan", "region"),
        # a map point wins over the text; a deeper match in its district refines it
        ({"text": "钟家村停水", "lat": 30.621, "lon": 114.305}, "jiangan", "jiangan", "point"),
        ({"text": "大智路停水", "lat": 30.621, "lon": 114.305}, "jiangan-01", "jiangan", "point"),
    ],
)
def test_resolution(index, kwargs, region, district, via):
    place = index.resolve(**kwargs)
    assert (place.region, place.district, place.via) == (region, district, via)


def test_nothing_known_is_no_place(index):
    assert index.resolve(text="家里停水三天了") is None
    assert index.resolve(text="") is None


def test_a_point_far_from_every_centre_falls_back_to_the_text(index):
    place = index.resolve(text="大智路停水", lat=39.9, lon=116.4)  # Beijing
    assert place.region == "jiangan-01" and place.via == "text"


def test_the_words_that_chose_the_place_are_given(index):
    place = index.resolve(address="江岸区大智路")
    assert place.words == ("江岸区", "大智路")
    assert place.describe() == "江岸区、大智路 in the address"


def test_derived_names():
    assert derived_names(RegionNode("x", "江岸区", "district", None)) == ["江岸区", "江岸"]
    assert "大智街" in derived_names(RegionNode("y", "大智街道", "street", "x"))
    assert {"武汉开发区", "汉南区", "汉南"} <= set(
        derived_names(RegionNode("z", "武汉开发区（汉南区）", "district", None))
    )
