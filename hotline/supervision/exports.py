"""Excel export of accountability records (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = ["工单编号", "责任单位", "责任人", "问责事由", "问责方式", "决定人", "决定时间"]


def accountability_xlsx(records) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "追责问责"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in records:
        sheet.append(
            [
                r.ticket.number,
                r.unit.name,
                r.person,
                r.reason,
                r.get_measure_display(),
                str(r.decided_by),
                timezone.localtime(r.decided_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    for column, width in zip("ABCDEFG", (16, 28, 10, 50, 12, 14, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
