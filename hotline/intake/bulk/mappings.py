"""Mappings from a source file's row to a registration (the fields of ``POST /api/v1/tickets``).
Pure: no ORM, no settings. A mapping raises ``RowError`` with the reason a row cannot be taken.

* ``teddycup``: the 2020 TipDM Cup messages (``messages_labeled``, ``hotspot_messages``,
  ``replies``, ``unlabeled_test_messages``): 留言主题 -> title, 留言详情 -> content (the title
  when the detail is missing), 留言时间 -> registration time, 一级标签 -> the first-level
  category of that name, kind guessed from the wording; channel ``transfer`` (they come from
  another platform's message board). Identity: ``row_id`` where the file has it, else
  the file's name and 留言编号 (附件3 numbers its messages in its own space).
* ``nyc311``: NYC 311 service requests: Complaint Type / Descriptor -> title and content,
  the incident address, Latitude/Longitude, Created Date (New York time) -> registration time,
  Open Data Channel Type -> channel, Agency (and complaint type) -> first-level category,
  "Request ..." complaint types -> help, others -> complaint. Identity: Unique Key.
* ``generic``: columns named like the API's fields (``channel, kind, urgency, title, content,
  address, lat, lon, region, category, name, phone, registered_at, id``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
MAX_TITLE = 200
MAX_CONTENT = 10_000


class RowError(ValueError):
    """Why a row cannot be imported (reported with its row number)."""


@dataclass
class MappedRow:
    source_key: str
    data: dict
    registered_at: datetime | None = None
    category_name: str | None = None  # a first-level category to look up by name
    notes: list[str] = field(default_factory=list)


Mapper = Callable[[Mapping[str, str], str, int], MappedRow]


def _get(row: Mapping[str, object], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_SPACES = re.compile(r"[ \t\u3000\xa0]+")


def clean_text(text: str) -> str:
    """Message text as the source platform shows it: Excel's ``_x000D_`` escapes undone, the
    leading tab padding and non-breaking or full-width spaces folded, blank lines dropped."""
    text = text.replace("_x000D_", "\r").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


# First match wins; checked on the title first, then on the start of the text.
KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("report", ("举报",)),
    ("praise", ("表扬", "感谢", "点赞", "致敬")),
    ("suggestion", ("建议", "提议", "呼吁")),
    ("help", ("求助", "求救", "救救")),
    (
        "consultation",
        ("咨询", "请问", "是否", "能否", "可否", "怎么办", "如何", "什么时候", "？", "?"),
    ),
]


def guess_kind(title: str, text: str = "") -> str:
    """The kind (诉求类型) a message's wording suggests; ``complaint`` when nothing does."""
    for source in (title, text[:60]):
        for kind, words in KIND_WORDS:
            if any(word in source for word in words):
                return kind
    return "complaint"


def parse_time(value: str, *, formats: tuple[str, ...], tz: ZoneInfo) -> datetime:
    value = value.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(f"unreadable time {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def _title_and_content(title: str, content: str) -> tuple[str, str]:
    title = clean_text(title).replace("\n", " ")
    content = clean_text(content) or title
    if not content:
        raise RowError("no title and no text")
    if len(content) > MAX_CONTENT:
        content = content[: MAX_CONTENT - 1] + "…"
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return title, content


# --- teddycup -------------------------------------------------------------------------------

TEDDYCUP_TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)


def teddycup(row: Mapping[str, str], file_stem: str, row_number: int) -> MappedRow:
    if "留言主题" not in row:
        raise RowError("no 留言主题 column: not a TipDM message file")
    row_id = _get(row, "row_id")
    message_id = _get(row, "留言编号")
    if row_id:
        key = row_id
    elif message_id:
        key = f"{file_stem}:{message_id}"
    else:
        key = f"{file_stem}:row{row_number}"
    title, content = _title_and_content(_get(row, "留言主题"), _get(row, "留言详情"))
    when = _get(row, "留言时间_iso") or _get(row, "留言时间")
    registered_at = parse_time(when, formats=TEDDYCUP_TIME_FORMATS, tz=SHANGHAI) if when else None
    mapped = MappedRow(
        source_key=key,
        registered_at=registered_at,
        data={
            "channel": "transfer",
            "kind": guess_kind(title, content),
            "title": title,
            "content": content,
        },
        category_name=_get(row, "一级标签") or None,
    )
    if registered_at is None:
        mapped.notes.append("no time: registered now")
    return mapped


# --- nyc311 ---------------------------------------------------------------------------------

NYC_CHANNELS = {"PHONE": "phone", "ONLINE": "web", "MOBILE": "app"}  # else transfer
# Agency -> first-level category of the catalogue (names of the TipDM category tree).
NYC_AGENCY_CATEGORY = {
    "NYPD": "政法",
    "HPD": "城乡建设",
    "DSNY": "环境保护",
    "DOT": "交通运输",
    "DEP": "环境保护",
    "DOB": "城乡建设",
    "DPR": "城乡建设",
    "DOF": "经济管理",
    "DOHMH": "卫生计生",
    "HRA": "民政",
    "TLC": "交通运输",
    "DCA": "商贸旅游",
    "DFTA": "民政",
    "EDC": "经济管理",
    "DOITT": "科技与信息产业",
    "DCAS": "党务政务",
}
# Complaint-type words that decide the category whatever the agency (police noise is noise).
NYC_TYPE_CATEGORY = [
    ("noise", "环境保护"),
    ("parking", "交通运输"),
    ("blocked driveway", "交通运输"),
    ("vehicle", "交通运输"),
    ("traffic", "交通运输"),
    ("street light", "城乡建设"),
    ("water", "城乡建设"),
    ("heat", "城乡建设"),
    ("sanitation", "环境保护"),
    ("dirty", "环境保护"),
    ("rodent", "卫生计生"),
    ("food", "卫生计生"),
]
NYC_TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def nyc_category(agency: str, complaint_type: str) -> str | None:
    lowered = complaint_type.lower()
    for word, category in NYC_TYPE_CATEGORY:
        if word in lowered:
            return category
    return NYC_AGENCY_CATEGORY.get(agency.upper())


def nyc_kind(complaint_type: str) -> str:
    lowered = complaint_type.lower()
    if lowered.startswith("request") or "request" in lowered:
        return "help"
    if "information" in lowered or lowered.startswith("question"):
        return "consultation"
    return "complaint"


def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise RowError(f"{name} is not a number: {value!r}") from None


def _nyc_address(row: Mapping[str, str]) -> str:
    """The incident address (or the intersection), city, borough and zip; "Unspecified" left
    out."""
    place = [_get(row, "Incident Address")]
    if not place[0]:
        streets = [_get(row, "Intersection Street 1"), _get(row, "Intersection Street 2")]
        place = [" & ".join(s for s in streets if s)]
    place += [_get(row, "City"), _get(row, "Borough"), _get(row, "Incident Zip")]
    return ", ".join(p for p in place if p and p.lower() != "unspecified")[:255]


def _nyc_text(row: Mapping[str, str], complaint: str, descriptor: str) -> str:
    """The complaint and its descriptor, the location type and the agency, a line each."""
    parts = [f"{complaint}: {descriptor}" if descriptor else complaint]
    location_type = _get(row, "Location Type")
    if location_type:
        parts.append(f"Location type: {location_type}")
    agency = _get(row, "Agency")
    if agency:
        parts.append(f"Agency: {agency} ({_get(row, 'Agency Name')})")
    return "\n".join(parts)


def nyc311(row: Mapping[str, str], file_stem: str, row_number: int) -> MappedRow:
    if "Unique Key" not in row:
        raise RowError("no Unique Key column: not an NYC 311 export")
    key = _get(row, "Unique Key")
    if not key:
        raise RowError("Unique Key is empty")
    complaint = _get(row, "Complaint Type")
    descriptor = _get(row, "Descriptor")
    if not complaint:
        raise RowError("Complaint Type is empty")
    created = _get(row, "Created Date")
    if not created:
        raise RowError("Created Date is empty")
    registered_at = parse_time(created, formats=NYC_TIME_FORMATS, tz=NEW_YORK)
    address = _nyc_address(row)
    agency = _get(row, "Agency")
    title, content = _title_and_content(complaint, _nyc_text(row, complaint, descriptor))
    lat = _float(_get(row, "Latitude"), "Latitude")
    lon = _float(_get(row, "Longitude"), "Longitude")
    data: dict[str, object] = {
        "channel": NYC_CHANNELS.get(_get(row, "Open Data Channel Type").upper(), "transfer"),
        "kind": nyc_kind(complaint),
        "title": title,
        "content": content,
        "address": address,
    }
    if lat is not None and lon is not None:
        data["lat"], data["lon"] = lat, lon
    return MappedRow(
        source_key=key,
        registered_at=registered_at,
        data=data,
        category_name=nyc_category(agency, complaint),
    )


# --- generic --------------------------------------------------------------------------------

GENERIC_TEXT = ("channel", "kind", "urgency", "title", "content", "address", "region", "category")


def generic(row: Mapping[str, str], file_stem: str, row_number: int) -> MappedRow:
    data: dict = {name: _get(row, name) for name in GENERIC_TEXT if _get(row, name)}
    data.setdefault("channel", "transfer")
    for name in ("lat", "lon"):
        value = _float(_get(row, name), name)
        if value is not None:
            data[name] = value
    citizen = {k: _get(row, k) for k in ("name", "phone") if _get(row, k)}
    if citizen:
        data["citizen"] = citizen
    when = _get(row, "registered_at")
    registered_at = (
        parse_time(when, formats=("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"), tz=SHANGHAI)
        if when
        else None
    )
    key = _get(row, "id") or f"{file_stem}:row{row_number}"
    return MappedRow(source_key=key, registered_at=registered_at, data=data)


MAPPINGS: dict[str, Mapper] = {"teddycup": teddycup, "nyc311": nyc311, "generic": generic}
