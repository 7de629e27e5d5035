"""Checking the fields of an action or a registration: each helper returns the clean value or
raises ``BadInput`` naming the field. Shared by the ticket handlers and the apps that extend
them (supervision, feedback)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hotline.core.errors import BadInput
from hotline.core.validation import text_problem
from hotline.orgs.models import Unit

PHONE_RE = re.compile(r"^\+?[0-9*\- ]{3,20}$")
MAX_CONTENT = 10_000
MAX_TEXT = 5_000


def text_field(data: Mapping, field: str, *, required: bool, max_len: int = MAX_TEXT) -> str:
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadInput(field, "required")
        return ""
    if not isinstance(value, str):
        raise BadInput(field, "must be a string")
    if problem := text_problem(value):  # channels that bypass the HTTP edge (imports, WeChat)
        raise BadInput(field, problem)
    value = value.strip()
    if len(value) > max_len:
        raise BadInput(field, f"at most {max_len} characters")
    return value


def choice_field(
    data: Mapping,
    field: str,
    choices: Mapping[str, str],
    *,
    required: bool,
    default: str | None = None,
) -> str | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise BadInput(field, f"required, one of {', '.join(choices)}")
        return default
    if value not in choices:
        raise BadInput(field, f"must be one of {', '.join(choices)}")
    return value


def int_field(data: Mapping, field: str, *, required: bool, low: int, high: int) -> int | None:
    value = data.get(field)
    if value is None:
        if required:
            raise BadInput(field, "required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(field, "must be an integer")
    if not low <= value <= high:
        raise BadInput(field, f"must be between {low} and {high}")
    return value


def bool_field(data: Mapping, field: str, *, required: bool) -> bool | None:
    value = data.get(field)
    if value is None:
        if required:
            raise BadInput(field, "required (true or false)")
        return None
    if not isinstance(value, bool):
        raise BadInput(field, "must be true or false")
    return value


def unit_field(code: object, field: str) -> Unit:
    """The active unit named by ``code``."""
    if not isinstance(code, str) or not code:
        raise BadInput(field, "a unit code is required")
    unit = Unit.objects.filter(code=code, active=True).first()
    if unit is None:
        raise BadInput(field, f"no active unit with code {code!r}")
    return unit


def unit_codes_field(data: Mapping, field: str) -> list[str]:
    """A list of unit codes (``co_units``), duplicates dropped, order kept."""
    codes = data.get(field) or []
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise BadInput(field, "a list of unit codes")
    return list(dict.fromkeys(codes))
