"""Selects for long lists (the org tree, the catalogue), written in Python.

Django renders each ``<option>`` of a select through a template of its own: the ticket list's
filters (200 units, the regions, 650 categories) took a quarter of a second per page to render
at a city's size (docs/benchmarks-console.md). These widgets write the same HTML —
``<select>``, ``<optgroup>``, ``<option value selected>`` with the field's attributes — with
``format_html``, which escapes every value and label as the template did.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """Attributes in the order given, a ``True`` one bare, ``False``/``None`` left out (as
    Django's widget template writes them)."""
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", key))
        elif value is not False and value is not None:
            parts.append(format_html(' {}="{}"', key, value))
    return mark_safe("".join(parts))


def _option(value, label, chosen: set[str]) -> SafeString:
    text = "" if value is None else str(value)
    mark = " selected" if text in chosen else ""
    return format_html('<option value="{}"{}>{}</option>', text, mark_safe(mark), label)


def _options(choices: Iterable, chosen: set[str]) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a group: (group name, [(value, label), ...])
            inner = "".join(_option(v, lab, chosen) for v, lab in label)
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, mark_safe(inner)))
        else:
            parts.append(_option(value, label, chosen))
    return "\n".join(parts)


class QuickSelect(forms.Select):
    """``forms.Select`` rendered without a template per option."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # Attribute order as Django's template writes it: the name first, then the rest.
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = set(self.format_value(value))
        if not self.allow_multiple_selected:
            # One option is selected: the first whose value matches, as Django does.
            chosen = set(list(chosen)[:1])
        body = _options(self.choices, chosen)
        return format_html("<select{}>\n{}\n</select>", _attrs(final), mark_safe(body))


class QuickSelectMultiple(QuickSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple.value_from_datadict(self, data, files, name)  # type: ignore[arg-type]

    def value_omitted_from_data(self, data, files, name):
        return False
