"""Rows of a CSV or Excel file as dicts keyed by the header row, numbered as a spreadsheet
numbers them: the header is row 1, the first data row is row 2 (a CSV record that spans
several lines because of a quoted newline is still one row)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

csv.field_size_limit(10 * 1024 * 1024)

EXCEL = (".xlsx", ".xlsm")


class FileError(ValueError):
    """The file cannot be read at all (format, encoding, no header)."""


def row_count(path: Path) -> int:
    """Data rows in the file, for the progress bar."""
    return sum(1 for _ in read_rows(path))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    suffix = path.suffix.lower()
    if suffix in EXCEL:
        yield from _excel(path)
    elif suffix in (".csv", ".txt"):
        yield from _csv(path)
    else:
        raise FileError(f"{path.name}: only .csv and .xlsx files are imported")


def _csv(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames:
                raise FileError(f"{path.name}: no header row")
            for number, row in enumerate(reader, start=2):
                yield number, {k.strip(): v for k, v in row.items() if k is not None}
    except UnicodeDecodeError as exc:
        raise FileError(f"{path.name}: not UTF-8 text ({exc.reason})") from None


def _excel(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError(f"{path.name}: not an Excel workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise FileError(f"{path.name}: no header row")
        names = [str(h).strip() if h is not None else "" for h in header]
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None or v == "" for v in values):
                continue
            yield number, {n: v for n, v in zip(names, values, strict=False) if n}
    finally:
        book.close()
