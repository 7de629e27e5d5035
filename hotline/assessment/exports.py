"""Excel export of a month's ranking (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from hotline.tickets.workflow import SATISFACTIONS
from hotline.workcal.calc import SHANGHAI

from . import formulas

COLUMNS = [
    ("rank", "排名"),
    ("band", "档次"),
    ("unit", "单位编码"),
    ("name", "单位"),
    ("score", "综合得分"),
    ("deductions", "扣分"),
    ("received", "受理量"),
    ("forwarded", "转办量"),
    ("forwarded_late", "转办不及时"),
    ("accepted_on_time", "及时签收"),
    ("accept_due", "应签收"),
    ("replied", "办结量"),
    ("replied_on_time", "按时办结"),
    ("overdue", "超期"),
    ("followed_up", "回访量"),
    ("satisfied", "满意量"),
    ("repeats", "重复投诉"),
    ("send_backs_invalid", "无效退单"),
    ("co_handled", "协办量"),
    ("received_own", "自办件"),
    ("received_transferred", "转办件"),
    ("red_warnings", "红灯预警"),
    ("supervision_orders", "督办"),
    ("accountabilities", "追责问责"),
    ("spot_checks_failed", "抽查不合格"),
    ("timely_transfer_rate", "及时转办率%"),
    ("timely_acceptance_rate", "及时签收率%"),
    ("completion_rate", "办结率%"),
    ("on_time_rate", "按时办结率%"),
    ("follow_up_rate", "回访率%"),
    ("satisfaction_rate", "满意率%"),
    ("repeat_rate", "重复投诉率%"),
    ("send_back_rate", "退单率%"),
    ("avg_handling_days", "平均办理时长(工作日)"),
]
assert {c for c, _ in COLUMNS} >= set(formulas.METRICS) | set(formulas.RATES)


def ranking_xlsx(body: dict) -> bytes:
    """One sheet: a title line (month, scope, version, cut-off), the header, one row a unit."""
    book = Workbook()
    sheet = book.active
    sheet.title = "考核排名"
    version = body.get("version")
    sheet.append(
        [
            f"{body.get('month') or body.get('period')} 考核排名",
            f"范围 {body.get('scope') or '全市'}",
            f"版本 v{version}" if version else "实时（未发布）",
            f"截止 {body.get('cut_off')}",
        ]
    )
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in body["items"]:
        sheet.append([row.get(column) for column, _ in COLUMNS])
    sheet.column_dimensions["D"].width = 30
    out = BytesIO()
    book.save(out)
    return out.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUERY_COLUMNS = ["工单编号", "标题", "状态", "承办单位", "分类", "登记时间", "回复时间", "回访评价"]


def _local(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def query_xlsx(title: str, query, tickets: Iterable) -> bytes:
    """One sheet: a title line (what, month, scope, filters), the header, one row a ticket."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    filters = [f"范围 {query.target.name}"]
    if query.category is not None:
        filters.append(f"分类 {query.category.name}")
    sheet.append(
        [f"{query.period.label} {title}", *filters, f"导出 {_local(query.period.cut_off)}"]
    )
    sheet.append(QUERY_COLUMNS)
    for t in tickets:
        sheet.append(
            [
                t.number,
                t.title,
                t.get_status_display(),
                t.unit.name if t.unit_id else "",
                t.category.name if t.category_id else "",
                _local(t.registered_at),
                _local(t.replied_at),
                SATISFACTIONS.get(t.satisfaction, t.satisfaction),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
