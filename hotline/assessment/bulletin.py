"""The monthly bulletin (月度通报): a month's ranking with its best and bottom units, every
deduction with its tickets, the dissatisfied and repeat counts, typical late cases; from a
published version (frozen rows and ticket lists) or live. Rendered as Excel (openpyxl) and as
PDF (WeasyPrint, from the template assessment/bulletin_pdf.html, Chinese in Noto Sans CJK)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from hotline.core.errors import NotFound
from hotline.orgs.models import Unit
from hotline.tickets.models import Ticket
from hotline.workcal.calc import SHANGHAI

from . import formulas, selectors
from .models import Publication

BOTTOM = 5
BEST = 5
CASES = 10
RULE_LABELS = {
    "late_transfer": "转办不及时",
    "red_warning": "红灯预警",
    "supervision_order": "督办",
    "accountability": "追责问责",
}


@dataclass
class Bulletin:
    month: str
    scope: Unit | None
    version: int | None  # None: live
    cut_off: datetime
    rows: list[dict]
    note: str = ""
    deductions: list[dict] = field(
        default_factory=list
    )  # {unit, name, rule, points, count, tickets}
    cases: list[Ticket] = field(default_factory=list)

    @property
    def title(self) -> str:
        year, month = selectors.parse_month(self.month)
        where = self.scope.name if self.scope else "全市"
        return f"{where}12345热线承办单位{year}年{month}月考核通报"

    @property
    def ranked(self) -> list[dict]:
        return sorted((r for r in self.rows if r.get("rank")), key=lambda r: (r["rank"], r["unit"]))

    @property
    def best(self) -> list[dict]:
        return self.ranked[:BEST]

    @property
    def bottom(self) -> list[dict]:
        ranked = self.ranked  # the last BOTTOM, none of them among the best
        return list(reversed(ranked[max(BEST, len(ranked) - BOTTOM) :]))

    @property
    def edition(self) -> str:
        local = self.cut_off.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        return (
            f"第{self.version}版，截止 {local}"
            if self.version
            else f"实时数据（未发布），截止 {local}"
        )


def _tickets_for(publication: Publication | None, period, unit: Unit, metric: str) -> QuerySet:
    if publication is not None:
        return selectors.published_tickets(publication, unit, metric)
    return selectors.metric_tickets(selectors.Scope(unit), period, metric)


def _publication(month: str, version: int | None, live: bool) -> Publication | None:
    """That published version, else the latest one; None when ``live`` or nothing is published
    (a version asked for and not found is a 404)."""
    if live:
        return None
    try:
        return selectors.publication_latest(month, version)
    except NotFound:
        if version is not None:
            raise
    return None


def _deductions(bulletin: Bulletin, publication: Publication | None, period) -> None:
    """Each deduction of each unit with the tickets behind it, ranked units first."""
    rows = bulletin.rows
    units = {u.code: u for u in Unit.objects.filter(code__in=[r["unit"] for r in rows])}
    for row in bulletin.ranked + [r for r in rows if not r.get("rank")]:
        for item in row.get("deduction_items") or []:
            if not item["count"] or not item["points"]:
                continue
            metric = formulas.DEDUCTIONS[item["rule"]]
            tickets = list(
                _tickets_for(publication, period, units[row["unit"]], metric)
                .order_by("registered_at", "pk")
                .values_list("number", flat=True)
            )
            bulletin.deductions.append(
                {
                    "unit": row["unit"],
                    "name": row["name"],
                    "rule": RULE_LABELS.get(item["rule"], item["rule"]),
                    "points": item["points"],
                    "count": item["count"],
                    "tickets": tickets,
                }
            )


def bulletin_for(month: str, scope: Unit | None, version: int | None, live: bool) -> Bulletin:
    """``version``: that published version; else the latest published one; ``live`` (or nothing
    published): computed now."""
    selectors.parse_month(month)
    publication = _publication(month, version, live)
    if publication is not None:
        rows = selectors.published_rows(publication, scope)
        cut_off, period, note = publication.cut_off, None, publication.note or ""
    else:
        period = selectors.month_period(month, timezone.now())
        rows, _rules = selectors.live_rows(period, scope)
        cut_off, note = period.cut_off, ""
    for row in rows:
        row["dissatisfied"] = row["followed_up"] - row["satisfied"]
    bulletin = Bulletin(
        month, scope, publication.version if publication else None, cut_off, rows, note
    )
    _deductions(bulletin, publication, period)
    # Typical late cases: the late forwards behind the deductions, oldest first.
    late = [n for d in bulletin.deductions if d["rule"] == "转办不及时" for n in d["tickets"]]
    bulletin.cases = list(
        Ticket.objects.filter(number__in=late[: CASES * 3])
        .select_related("unit")
        .order_by("registered_at")[:CASES]
    )
    return bulletin


# --- Excel --------------------------------------------------------------------------------------

RANK_COLUMNS = [
    ("rank", "排名"),
    ("band", "档次"),
    ("name", "单位"),
    ("score", "综合得分"),
    ("deductions", "扣分"),
    ("received", "受理量"),
    ("completion_rate", "办结率%"),
    ("on_time_rate", "按时办结率%"),
    ("satisfaction_rate", "满意率%"),
    ("overdue", "超期"),
    ("forwarded_late", "转办不及时"),
    ("dissatisfied", "不满意件"),
    ("repeats", "重复投诉"),
]


def bulletin_xlsx(b: Bulletin) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "通报"
    summary.append([b.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([b.edition])
    if b.note:
        summary.append([f"更正说明：{b.note}"])
    summary.append([])
    summary.append(["参评单位", len(b.rows), "排名单位", len(b.ranked)])
    for heading, rows in (("前五名", b.best), ("后五名", b.bottom)):
        summary.append([])
        summary.append([heading])
        summary.append(["排名", "单位", "综合得分", "扣分"])
        for r in rows:
            summary.append([r["rank"], r["name"], r["score"], r["deductions"]])
    summary.column_dimensions["B"].width = 36

    ranking = book.create_sheet("排名")
    ranking.append([label for _, label in RANK_COLUMNS])
    for cell in ranking[1]:
        cell.font = Font(bold=True)
    for r in b.ranked + [r for r in b.rows if not r.get("rank")]:
        ranking.append([r.get(key) for key, _ in RANK_COLUMNS])
    ranking.column_dimensions["C"].width = 36
    if b.ranked:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "综合得分"
        n = min(len(b.ranked), 20)
        chart.add_data(
            Reference(ranking, min_col=4, min_row=1, max_row=n + 1), titles_from_data=True
        )
        chart.set_categories(Reference(ranking, min_col=3, min_row=2, max_row=n + 1))
        chart.height, chart.width = 12, 20
        ranking.add_chart(chart, "O2")

    deductions = book.create_sheet("扣分明细")
    deductions.append(["单位", "扣分项", "件数", "每件扣分", "工单"])
    for d in b.deductions:
        deductions.append([d["name"], d["rule"], d["count"], d["points"], "、".join(d["tickets"])])
    deductions.column_dimensions["A"].width = 36
    deductions.column_dimensions["E"].width = 60

    cases = book.create_sheet("典型案例")
    cases.append(["工单编号", "标题", "承办单位", "登记时间"])
    for t in b.cases:
        cases.append(
            [
                t.number,
                t.title,
                t.unit.name if t.unit else "",
                t.registered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def score_chart_svg(rows: list[dict], width: int = 680, bar: int = 16) -> str:
    """A horizontal bar chart of the scores (SVG, drawn here: the PDF has no script)."""
    rows = [r for r in rows if r.get("score") is not None][:20]
    if not rows:
        return ""
    label_w, gap, top = 220, 6, 8
    scale = (width - label_w - 60) / 100.0
    height = top * 2 + len(rows) * (bar + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="11">'
    ]
    for i, r in enumerate(rows):
        y = top + i * (bar + gap)
        w = max(0.0, float(r["score"])) * scale
        name = _escape(r["name"])
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 4}" text-anchor="end">{name}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="#b91c1c"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 4}">{r["score"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def bulletin_pdf(b: Bulletin) -> bytes:
    from weasyprint import HTML  # needs pango (scripts/install-browser.sh); imported on use

    html = render_to_string(
        "assessment/bulletin_pdf.html",
        {
            "b": b,
            "chart": score_chart_svg(b.ranked),
            "columns": RANK_COLUMNS,
            "rows": [[r.get(k) for k, _ in RANK_COLUMNS] for r in b.ranked],
        },
    )
    return HTML(string=html).write_pdf()
