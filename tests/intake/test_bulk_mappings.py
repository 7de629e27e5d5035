"""Row mappings of the bulk import: pure functions, tested with tables."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.intake.bulk.mappings import (
    RowError,
    clean_text,
    generic,
    guess_kind,
    nyc311,
    nyc_category,
    nyc_kind,
    teddycup,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("\n\t\t\t\t\t\n\t\t\t\t\t路灯不亮\u3000\u3000请修\n\t\t\t\t", "路灯不亮 请修"),
        ("第一行_x000D_\n第二行", "第一行\n第二行"),
        ("a\xa0\xa0b\r\n\r\nc", "a b\nc"),
        ("", ""),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "title, kind",
    [
        ("举报某公司偷税漏税", "report"),
        ("感谢A3区交警的帮助", "praise"),
        ("建议在地铁站增设公交站", "suggestion"),
        ("孩子入学的问题请问怎么办理？", "consultation"),
        ("紧急求助：老人走失", "help"),
        ("小区噪音扰民严重", "complaint"),
    ],
)
def test_guess_kind(title, kind):
    assert guess_kind(title) == kind


def test_teddycup_row():
    row = {
        "row_id": "tc20c-00042",
        "留言编号": "2549",
        "留言主题": "A2区景蓉华苑物业管理有问题",
        "留言时间": "2019/4/25 9:32:09",
        "留言详情": "\n\t\t\t\t\t物业不作为\u3000\n\t\t",
        "一级标签": "城乡建设",
        "留言时间_iso": "2019-04-25T09:32:09",
    }
    mapped = teddycup(row, "messages_labeled", 2)
    assert mapped.source_key == "tc20c-00042"
    assert mapped.registered_at == datetime(2019, 4, 25, 9, 32, 9, tzinfo=SH)
    assert mapped.data == {
        "channel": "transfer",
        "kind": "complaint",
        "title": "A2区景蓉华苑物业管理有问题",
        "content": "物业不作为",
    }
    assert mapped.category_name == "城乡建设"


def test_teddycup_without_row_id_uses_the_file_and_message_id():
    row = {"留言编号": "188006", "留言主题": "标题", "留言详情": "", "留言时间": ""}
    mapped = teddycup(row, "hotspot_messages", 7)
    assert mapped.source_key == "hotspot_messages:188006"
    assert mapped.data["content"] == "标题"  # no detail: the title is the text
    assert mapped.registered_at is None


@pytest.mark.parametrize(
    "row, reason",
    [
        ({"留言主题": "", "留言详情": ""}, "no title and no text"),
        ({"留言主题": "x", "留言时间": "昨天"}, "unreadable time"),
        ({"Unique Key": "1"}, "not a TipDM message file"),
    ],
)
def test_teddycup_bad_rows(row, reason):
    with pytest.raises(RowError, match=reason):
        teddycup(row, "f", 3)


NYC = {
    "Unique Key": "39573567",
    "Created Date": "06/26/2018 10:58:54 PM",
    "Agency": "NYPD",
    "Agency Name": "New York City Police Department",
    "Complaint Type": "Noise - Residential",
    "Descriptor": "Loud Music/Party",
    "Location Type": "Residential Building/House",
    "Incident Zip": "11421",
    "Incident Address": "91-33 97 STREET",
    "City": "WOODHAVEN",
    "Borough": "QUEENS",
    "Open Data Channel Type": "ONLINE",
    "Latitude": "40.690092327843345",
    "Longitude": "-73.84642755940943",
}


def test_nyc_row():
    mapped = nyc311(NYC, "nyc311_sample", 2)
    assert mapped.source_key == "39573567"
    assert mapped.registered_at == datetime(2018, 6, 26, 22, 58, 54, tzinfo=NY)
    assert mapped.data["channel"] == "web"
    assert mapped.data["kind"] == "complaint"
    assert mapped.data["title"] == "Noise - Residential"
    assert mapped.data["content"].startswith("Noise - Residential: Loud Music/Party")
    assert mapped.data["address"] == "91-33 97 STREET, WOODHAVEN, QUEENS, 11421"
    assert mapped.data["lat"] == pytest.approx(40.6900923)
    assert mapped.category_name == "环境保护"  # police noise is noise


@pytest.mark.parametrize(
    "agency, complaint, category",
    [
        ("NYPD", "Illegal Parking", "交通运输"),
        ("NYPD", "Non-Emergency Police Matter", "政法"),
        ("HPD", "PAINT/PLASTER", "城乡建设"),
        ("DOF", "DOF Property - Reduction Issue", "经济管理"),
        ("XYZ", "Something", None),
    ],
)
def test_nyc_category(agency, complaint, category):
    assert nyc_category(agency, complaint) == category


@pytest.mark.parametrize(
    "complaint, kind",
    [("Request Large Bulky Item Collection", "help"), ("Blocked Driveway", "complaint")],
)
def test_nyc_kind(complaint, kind):
    assert nyc_kind(complaint) == kind


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"Unique Key": ""}, "Unique Key is empty"),
        ({"Created Date": "yesterday"}, "unreadable time"),
        ({"Complaint Type": ""}, "Complaint Type is empty"),
        ({"Latitude": "north"}, "Latitude is not a number"),
    ],
)
def test_nyc_bad_rows(change, reason):
    with pytest.raises(RowError, match=reason):
        nyc311({**NYC, **change}, "f", 5)


def test_nyc_channels_fall_back_to_transfer():
    assert (
        nyc311({**NYC, "Open Data Channel Type": "UNKNOWN"}, "f", 2).data["channel"] == "transfer"
    )
    assert nyc311({**NYC, "Open Data Channel Type": "PHONE"}, "f", 2).data["channel"] == "phone"


def test_generic_row():
    mapped = generic(
        {
            "id": "A-1",
            "kind": "help",
            "content": "求助",
            "phone": "13800000000",
            "lat": "30.5",
            "lon": "114.3",
        },
        "old",
        2,
    )
    assert mapped.source_key == "A-1"
    assert mapped.data == {
        "channel": "transfer",
        "kind": "help",
        "content": "求助",
        "lat": 30.5,
        "lon": 114.3,
        "citizen": {"phone": "13800000000"},
    }
    assert generic({"content": "x"}, "old", 9).source_key == "old:row9"
