"""The pure Open311 format helpers: XML mapping, w3 dates, ranges, lists, names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import xmltodict
from hypothesis import given
from hypothesis import strategies as st

from hotline.intake.open311 import formats
from hotline.intake.open311.formats import Open311Error

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)


def test_xml_maps_lists_to_item_elements_and_none_to_empty():
    xml = formats.to_xml(
        "service_requests", [{"service_request_id": "1", "lat": 30.5, "zipcode": None}]
    )
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests><request>')
    assert b"<zipcode />" in xml
    assert formats.to_xml("errors", [{"code": 403, "description": "no"}]).endswith(
        b"<errors><error><code>403</code><description>no</description></error></errors>"
    )
    assert b"<metadata>false</metadata>" in formats.to_xml("services", [{"metadata": False}])


@given(st.text().filter(lambda t: "\r" not in t))
def test_any_text_gives_well_formed_xml_that_reads_back(text):
    """Markup is escaped and characters XML cannot carry are dropped, never a broken document
    (xmltodict strips the text's outer whitespace)."""
    xml = formats.to_xml("errors", [{"code": 400, "description": text}])
    description = xmltodict.parse(xml)["errors"]["error"]["description"] or ""
    assert description == formats._XML_INVALID.sub("", text).strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T08:00:00+08:00", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T08:00+08:00", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=SHANGHAI)),
    ],
)
def test_w3_dates(text, expected):
    assert formats.parse_w3(text, "start_date", SHANGHAI) == expected


@pytest.mark.parametrize(
    "text", ["2026-01-01T00:00:00", "01/02/2026", "2026-13-01", "2026-01-01T25:00:00Z", ""]
)
def test_bad_w3_dates(text):
    with pytest.raises(Open311Error) as error:
        formats.parse_w3(text, "end_date", SHANGHAI)
    assert error.value.status == 400 and "end_date" in error.value.description


def test_date_range_defaults_and_limits():
    assert formats.date_range(None, None, now=NOW, zone=SHANGHAI) == (NOW - timedelta(90), NOW)
    start, end = formats.date_range("2026-01-01", None, now=NOW, zone=SHANGHAI)
    assert end - start == timedelta(days=90)
    start, end = formats.date_range(None, "2026-06-01", now=NOW, zone=SHANGHAI)
    assert end - start == timedelta(days=90)
    assert formats.date_range("2026-01-01", "2026-03-31", now=NOW, zone=SHANGHAI)
    with pytest.raises(Open311Error, match="90 days"):
        formats.date_range("2026-01-01", "2026-04-02", now=NOW, zone=SHANGHAI)


def test_lists_and_statuses():
    assert formats.split_list(" a, ,b ,", "service_code") == ["a", "b"]
    assert formats.split_list(None, "x") == []
    with pytest.raises(Open311Error, match="at most"):
        formats.split_list(",".join(["1"] * 1001), "service_request_id")
    assert formats.statuses("open,closed") == {"open", "closed"}
    with pytest.raises(Open311Error, match="open or closed"):
        formats.statuses("open,done")


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [("三", "张", "张三"), ("John", "Smith", "John Smith"), ("", "张", "张"), ("小明", "", "小明")],
)
def test_person_name(first, last, name):
    assert formats.person_name(first, last) == name
