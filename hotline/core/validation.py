"""Text that may enter the platform: pure checks, no ORM, no request.

Every text a client sends (query and path parameters, form fields, JSON strings and keys, the
headers the platform reads) passes :func:`text_problem` at the edge (``hotline.core.middleware``):
NUL, lone UTF-16 surrogates and other control characters are refused with a 400 naming the
field, before a view, a form or the database sees them. PostgreSQL cannot store NUL in text, and
no encoder can write a lone surrogate, so letting them in means a 500 later.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

# Allowed in multi-line text (bodies: JSON strings, form fields); refused in query and path
# parameters and headers, which are one line.
LINE_BREAKS = frozenset("\t\n\r")


def char_problem(char: str, *, multiline: bool) -> str | None:
    """Why ``char`` may not be in a text, or None."""
    code = ord(char)
    if code == 0:
        return "contains a NUL character"
    if 0xD800 <= code <= 0xDFFF:
        return f"contains a lone surrogate U+{code:04X}"
    if multiline and char in LINE_BREAKS:
        return None
    if unicodedata.category(char) == "Cc":
        return f"contains the control character U+{code:04X}"
    return None


def text_problem(text: str, *, multiline: bool = True) -> str | None:
    """Why ``text`` is refused (NUL, lone surrogate, control character), or None.

    Fast path: printable text without the refused code points costs one scan in C."""
    if text.isprintable():
        return None
    for char in text:
        problem = char_problem(char, multiline=multiline)
        if problem:
            return problem
    return None


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]" if prefix else f"[{key}]"
    return f"{prefix}.{key}" if prefix else key


def walk_strings(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a decoded JSON document with its field name (``citizen.name``,
    ``co_units[1]``); object keys are yielded as texts of their own field."""
    if isinstance(value, str):
        yield prefix or "body", value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            field = _join(prefix, str(key))
            yield field, str(key)
            yield from walk_strings(item, field)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, _join(prefix, index))


def first_problem(
    pairs: Iterator[tuple[str, str]] | list[tuple[str, str]], *, multiline: bool
) -> tuple[str, str] | None:
    """The first ``(field, problem)`` among ``(field, text)`` pairs, or None."""
    for field, text in pairs:
        problem = text_problem(text, multiline=multiline)
        if problem:
            return field, problem
    return None
