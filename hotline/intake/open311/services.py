"""Writes of the Open311 channel: API keys, and requests, which are registered only through
``hotline.tickets.services.ticket_register`` (channel ``api``) as the key's integration user."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import membership_grant, user_create
from hotline.core.errors import BadInput, Forbidden, HotlineError
from hotline.orgs.models import Category, Region, Unit
from hotline.tickets.services import ticket_register

from ..models import Open311Attribute, Open311Key, Open311Request
from .formats import (
    MAX_DESCRIPTION,
    AttributeSpec,
    Open311Error,
    check_attributes,
    media_url,
    person_name,
)
from .selectors import service_attributes

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _centre() -> Unit:
    code = getattr(settings, "HOTLINE_CENTRE_UNIT", "center")
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise BadInput("unit", f"the centre unit {code!r} does not exist")
    return unit


@transaction.atomic
def open311_key_create(*, name: str) -> tuple[Open311Key, str]:
    """A new key named ``name`` and its integration user ``open311-<name>``. Returns the row
    and the key, which is not stored and cannot be shown again."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise BadInput("name", "1 to 64 letters, digits, '.', '_' or '-'")
    if Open311Key.objects.filter(name=name).exists():
        raise BadInput("name", f"a key named {name!r} exists already")
    user = user_create(username=f"open311-{name}"[:150], display_name=f"Open311 {name}")
    membership_grant(user=user, unit=_centre(), role=Role.INTEGRATION)
    key = secrets.token_urlsafe(32)
    row = Open311Key.objects.create(name=name, key_hash=key_digest(key), prefix=key[:8], user=user)
    return row, key


@transaction.atomic
def open311_key_revoke(*, name: str) -> Open311Key:
    """Revoke the key ``name``: from now on it gets 403. Revoking twice changes nothing."""
    row = Open311Key.objects.select_for_update().filter(name=name).first()
    if row is None:
        raise BadInput("name", f"no key named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        row.user.is_active = False
        row.user.save(update_fields=["is_active"])
    return row


def open311_key_check(key: str | None) -> Open311Key:
    """The live key ``key``, or the spec's 403."""
    if not key:
        raise Open311Error(403, "api_key was not provided")
    row = (
        Open311Key.objects.select_related("user")
        .filter(key_hash=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    return row


# --- POST requests -------------------------------------------------------------------------------

# Fields of ticket_register's BadInput named back by their Open311 names.
FIELD_NAMES = {
    "content": "description",
    "address": "address_string",
    "lon": "long",
    "citizen.phone": "phone",
    "citizen.name": "first_name/last_name",
}


@dataclass
class Created:
    request: Open311Request
    created: bool


def _float(form: Mapping[str, str], field: str, bound: float) -> float | None:
    value = (form.get(field) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{field} must be a number") from None
    if not -bound <= number <= bound:
        raise Open311Error(400, f"{field} must be between -{bound:g} and {bound:g}")
    return number


def _short(form: Mapping[str, str], field: str, max_len: int) -> str:
    value = (form.get(field) or "").strip()
    if len(value) > max_len:
        raise Open311Error(400, f"{field}: at most {max_len} characters")
    return value


def _attribute_lines(rows: list[Open311Attribute], values: dict[str, object]) -> str:
    """The attributes as the unit reads them at the end of the content."""
    names = {row.code: row for row in rows}
    lines = []
    for code, value in values.items():
        row = names[code]
        labels = {str(v.get("key")): str(v.get("name", v.get("key"))) for v in row.values or []}
        shown = value if isinstance(value, list) else [value]
        text = "、".join(labels.get(str(v), str(v)) for v in shown)
        lines.append(f"{row.description}：{text}")
    return "\n".join(lines)


def _category(form: Mapping[str, str]) -> Category:
    """The leaf category named by ``service_code`` (400 when absent, 404 when unknown)."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    category = Category.objects.filter(code=code, active=True, children__isnull=True).first()
    if category is None:
        raise Open311Error(404, f"service_code {code!r} was not found")
    return category


@dataclass
class _Location:
    lat: float | None
    lon: float | None
    address: str
    region: Region | None


def _location(form: Mapping[str, str]) -> _Location:
    """lat and long together, an address_string or a known address_id: at least one."""
    lat, lon = _float(form, "lat", 90), _float(form, "long", 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long must be sent together")
    address = _short(form, "address_string", 255)
    address_id = _short(form, "address_id", 32)
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    region = None
    if address_id:
        region = Region.objects.filter(code=address_id).first()
        if region is None:
            raise Open311Error(404, f"address_id {address_id!r} was not found")
    return _Location(lat, lon, address, region)


def _description(form: Mapping[str, str]) -> str:
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description: at most {MAX_DESCRIPTION} characters")
    return description


def _specs(rows: list[Open311Attribute]) -> list[AttributeSpec]:
    return [
        AttributeSpec(
            code=row.code,
            datatype=row.datatype,
            required=row.required,
            keys=tuple(str(v.get("key")) for v in row.values or [] if isinstance(v, dict)),
        )
        for row in rows
    ]


def _extra(form: Mapping[str, str]) -> dict[str, str]:
    """The request's own fields, kept beside the ticket."""
    return {
        "email": _short(form, "email", 254),
        "device_id": _short(form, "device_id", 128),
        "account_id": _short(form, "account_id", 128),
        "media_url": media_url(_short(form, "media_url", 1000)),
    }


def _ticket_data(
    category: Category, where: _Location, content: str, name: str, phone: str
) -> dict[str, object]:
    """What ``ticket_register`` reads, for channel ``api``."""
    region = where.region
    return {
        "channel": "api",
        "kind": category.default_kind or "complaint",
        "title": category.name,
        "content": content,
        "address": where.address or (region.name if region else ""),
        "lat": where.lat,
        "lon": where.lon,
        "region": region.code if region else None,
        "category": category.code,
        "citizen": {"name": name, "phone": phone},
    }


def _register(
    key: Open311Key, data: dict, token: str | None, values: dict, extra: dict[str, str]
) -> Created:
    """Register the ticket and keep the request beside it; the service's errors become Open311
    errors (400, 403, 503)."""
    try:
        with transaction.atomic():
            registration = ticket_register(
                actor=key.user,
                data=data,
                idempotency_key=f"open311:{token}" if token is not None else None,
            )
            if not registration.created:
                existing = Open311Request.objects.filter(ticket=registration.ticket).first()
                if existing is not None:
                    return Created(existing, False)
            request = Open311Request.objects.create(
                ticket=registration.ticket, key=key, token=token, attributes=values, **extra
            )
    except BadInput as exc:
        field = FIELD_NAMES.get(exc.field or "", exc.field)
        message = next(iter(exc.detail.values())) if isinstance(exc.detail, dict) else exc.detail
        raise Open311Error(400, f"{field}: {message}") from None
    except Forbidden as exc:
        raise Open311Error(403, str(exc)) from None
    except HotlineError as exc:  # e.g. the year's working-day calendar is not confirmed
        raise Open311Error(503 if exc.status >= 500 else 400, str(exc)) from None
    return Created(request, True)


def open311_request_create(
    *,
    key: Open311Key,
    form: Mapping[str, str],
    token: str | None = None,
    attributes: Mapping[str, list[str]] | None = None,
) -> Created:
    """Register the request of a POST requests.{format} form (already decoded) as a ticket.

    ``attributes`` are the form's ``attribute[code]`` values, checked against the service's
    definition and kept beside the ticket (and written at the end of its content, for the
    unit). ``token`` is the client's Idempotency-Key: the same token under the same key
    returns the first request and writes nothing. Raises Open311Error (400, 404); writes
    nothing then. The checks run in the order of the fields below, so the first error named
    is always the same one."""
    category = _category(form)
    where = _location(form)
    description = _description(form)
    rows = service_attributes(category)
    values = check_attributes(_specs(rows), dict(attributes or {}))
    name = person_name(_short(form, "first_name", 32), _short(form, "last_name", 32))
    extra = _extra(form)
    if token is not None and not 1 <= len(token) <= 128:
        raise Open311Error(400, "Idempotency-Key: 1 to 128 characters")
    content = "\n\n".join(
        part for part in (description or category.full_name, _attribute_lines(rows, values)) if part
    )
    phone = _short(form, "phone", 32)
    data = _ticket_data(category, where, content, name, phone)
    return _register(key, data, token, values, extra)
