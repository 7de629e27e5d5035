"""Open311 GeoReport v2 wire formats. Pure: no ORM, no settings.

The JSON output follows the spec's examples; the XML is the same tree by the spec's own
mapping (a list under ``<services>`` holds ``<service>`` elements, and so on), schemaless,
without a namespace, preceded by the XML declaration with ``encoding="UTF-8"``.
Errors are ``[{"code", "description"}]`` and ``<errors><error><code/><description/></error>
</errors>``: 404 for what does not exist, 403 for a missing, wrong or revoked api_key, 400 for
everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from xml.etree import ElementTree as ET

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MIME = {"json": "application/json", "xml": "text/xml"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

# The element name of each item of a list, by the list's own name.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}

MAX_DESCRIPTION = 4000  # the spec's limit on description
MAX_RANGE = timedelta(days=90)  # start_date..end_date may not span more
MAX_IDS = 1000
MAX_RESULTS = 1000  # "90 days or first 1000 requests returned, whichever is smallest"

# Characters XML 1.0 cannot carry at all (even escaped).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass
class Open311Error(Exception):
    """One error of the spec's error format. ``status`` is the HTTP status."""

    status: int
    description: str

    def __str__(self) -> str:
        return f"{self.status}: {self.description}"


def errors_body(errors: list[Open311Error]) -> list[dict]:
    return [{"code": e.status, "description": e.description} for e in errors]


# --- rendering ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _element(tag: str, value: object) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for item in value:
            element.append(_element(item_tag, item))
    elif value is not None:
        element.text = _text(value)
    return element


def to_xml(root: str, value: object) -> bytes:
    """``value`` as the XML document ``<root>``: dicts become child elements, lists become
    repeated item elements (``ITEM_TAGS``), None an empty element, booleans true/false."""
    body = ET.tostring(_element(root, value), encoding="unicode")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode("utf-8")


def to_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, root: str, value: object) -> bytes:
    """The body of a response in ``fmt`` (``json`` or ``xml``); ``root`` names the XML root."""
    if fmt == "xml":
        return to_xml(root, value)
    return to_json(value)


# --- parsing -----------------------------------------------------------------------------------

_W3 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # YYYY-MM-DD
    r"(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$"  # Thh:mm[:ss[.s]]TZD
)


def parse_w3(value: str, field: str, zone: tzinfo) -> datetime:
    """A w3 date-time (the subset of ISO 8601 the spec names). A time needs its zone (Z or
    +hh:mm); a bare date is the start of that day in ``zone``."""
    value = value.strip()
    if not _W3.match(value):
        raise Open311Error(
            400, f"{field} must be a w3 date-time with its zone, e.g. 2026-01-01T00:00:00Z"
        )
    try:
        if "T" not in value:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), zone)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field} is not a valid date-time: {value!r}") from None


def date_range(
    start: str | None, end: str | None, *, now: datetime, zone: tzinfo
) -> tuple[datetime, datetime]:
    """The requested_datetime window of GET requests: the most recent 90 days by default; a
    range given by start_date and end_date may not span more than 90 days."""
    if not start and not end:
        return now - MAX_RANGE, now
    if start and end:
        start_at, end_at = parse_w3(start, "start_date", zone), parse_w3(end, "end_date", zone)
    elif start:
        start_at = parse_w3(start, "start_date", zone)
        end_at = start_at + MAX_RANGE
    else:
        end_at = parse_w3(end or "", "end_date", zone)
        start_at = end_at - MAX_RANGE
    if end_at < start_at:
        raise Open311Error(400, "end_date is before start_date")
    if end_at - start_at > MAX_RANGE:
        raise Open311Error(400, "start_date to end_date may not span more than 90 days")
    return start_at, end_at


def split_list(value: str | None, field: str, *, limit: int = MAX_IDS) -> list[str]:
    """A comma-delimited argument (service_request_id, service_code, status)."""
    if not value:
        return []
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > limit:
        raise Open311Error(400, f"{field}: at most {limit} values")
    return items


def statuses(value: str | None) -> set[str]:
    wanted = set(split_list(value, "status"))
    bad = sorted(wanted - {"open", "closed"})
    if bad:
        raise Open311Error(400, f"status must be open or closed, not {bad[0]!r}")
    return wanted


_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")


def person_name(first_name: str, last_name: str) -> str:
    """The submitter's name as the ticket shows it: family name first for Chinese names
    (张 + 三 = 张三), given name first otherwise."""
    first, last = first_name.strip(), last_name.strip()
    if first and last and _CJK.match(first) and _CJK.match(last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


# --- attributes and media ----------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
MAX_ATTRIBUTE = 1000  # characters of one value


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute of a service definition, as the POST checks it."""

    code: str
    datatype: str
    required: bool
    keys: tuple[str, ...] = ()  # the allowed values of a list


def attribute_values(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The ``attribute[code]`` and ``attribute[code][]`` fields of a POSTed form, by code."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        found = _ATTRIBUTE.match(name)
        if found:
            out.setdefault(found.group(1), []).append(value)
    return out


def _number(field: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{field} must be a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{field} must be a finite number")
    return number


def _listed(field: str, spec: AttributeSpec, values: list[str]) -> None:
    """Every value one of the list's keys."""
    bad = [v for v in values if v not in spec.keys]
    if bad:
        raise Open311Error(400, f"{field}: {bad[0]!r} is not one of {', '.join(spec.keys)}")


def _one_attribute(spec: AttributeSpec, values: list[str]) -> object:
    field = f"attribute[{spec.code}]"
    values = [v.strip() for v in values if v.strip()]
    if any(len(v) > MAX_ATTRIBUTE for v in values):
        raise Open311Error(400, f"{field}: at most {MAX_ATTRIBUTE} characters")
    if spec.datatype == "multivaluelist":
        _listed(field, spec, values)
        return list(dict.fromkeys(values))
    if len(values) > 1:
        raise Open311Error(400, f"{field}: one value only")
    value = values[0]
    if spec.datatype == "singlevaluelist":
        _listed(field, spec, values)
    if spec.datatype == "number":
        return _number(field, value)
    if spec.datatype == "datetime" and not _W3.match(value):
        raise Open311Error(400, f"{field} must be a w3 date-time, e.g. 2026-01-01T08:00:00+08:00")
    return value


def check_attributes(specs: list[AttributeSpec], given: dict[str, list[str]]) -> dict[str, object]:
    """The attribute values of a request, checked against its service's definition: unknown
    codes, missing required ones, numbers, dates and list values are refused (400)."""
    known = {spec.code: spec for spec in specs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise Open311Error(400, f"attribute[{unknown[0]}] is not an attribute of this service")
    out: dict[str, object] = {}
    for spec in specs:
        values = [v for v in given.get(spec.code, []) if v.strip()]
        if not values:
            if spec.required:
                raise Open311Error(400, f"attribute[{spec.code}] is required")
            continue
        out[spec.code] = _one_attribute(spec, values)
    return out


def media_url(value: str) -> str:
    """``media_url`` as stored: an absolute http(s) URL with a host, or nothing. It is kept as
    a link and never fetched by the server (fetching URLs a client names would let any key
    holder make the platform call hosts inside the government network: SSRF)."""
    value = value.strip()
    if not value:
        return ""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        raise Open311Error(400, "media_url must be an http or https URL") from None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in value)
    ):
        raise Open311Error(400, "media_url must be an http or https URL")
    return value
