"""Excel export of spot-check results (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = {
    "unit": ["单位编码", "单位", "抽查件数", "已评分", "得分", "满分", "得分率(%)"],
    "agent": ["话务员", "话务员", "抽查通话", "已评分", "得分", "满分", "得分率(%)"],
}


def spot_results_xlsx(rows: list[dict], *, by: str, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "抽查结果"
    sheet.append([title])
    sheet.append(HEADERS[by])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row[by],
                row["name"],
                row["samples"],
                row["scored"],
                row["points"],
                row["max_points"],
                row["score"],
            ]
        )
    for column, width in zip("ABCDEFG", (16, 28, 10, 10, 10, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
