"""The public ranking pages (no login: published versions only) and the lists behind each
number (staff who may read the unit)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_GET

from hotline.core.errors import BadInput, Forbidden, HotlineError, NotFound
from hotline.tickets import staff_pages
from hotline.tickets.staff_pages import error_text

from . import bulletin as bulletins
from . import dashboard as dashboard_reads
from . import formulas, queries, selectors
from .exports import XLSX, query_xlsx

LABELS = {
    "received": N_("受理量"),
    "forwarded": N_("转办量"),
    "forwarded_late": N_("转办不及时"),
    "accepted_on_time": N_("及时签收"),
    "accept_due": N_("应签收"),
    "replied": N_("办结量"),
    "replied_on_time": N_("按时办结"),
    "overdue": N_("超期"),
    "followed_up": N_("回访量"),
    "satisfied": N_("满意量"),
    "repeats": N_("重复投诉"),
    "send_backs_invalid": N_("无效退单"),
    "co_handled": N_("协办量"),
    "received_own": N_("自办件"),
    "received_transferred": N_("转办件"),
    "red_warnings": N_("红灯预警"),
    "supervision_orders": N_("督办"),
    "accountabilities": N_("追责问责"),
    "timely_transfer_rate": N_("及时转办率"),
    "timely_acceptance_rate": N_("及时签收率"),
    "completion_rate": N_("办结率"),
    "on_time_rate": N_("按时办结率"),
    "follow_up_rate": N_("回访率"),
    "satisfaction_rate": N_("满意率"),
    "repeat_rate": N_("重复投诉率"),
    "send_back_rate": N_("退单率"),
    "late_transfer": N_("转办不及时"),
    "red_warning": N_("红灯预警"),
    "supervision_order": N_("督办"),
    "accountability": N_("追责问责"),
    "warning_red": N_("红灯预警（当前）"),
    "warning_yellow": N_("黄灯预警（当前）"),
    "hotspot": N_("热点"),
}


def metric_label(metric: str) -> str:
    return _(LABELS[metric]) if metric in LABELS else metric


# What dashboard.js writes (titles, legends, buttons), in the reader's language.
DASHBOARD_TEXT = {
    "volume": N_("每日受理量（按渠道）"),
    "weekly": N_("按周"),
    "daily": N_("按日"),
    "channels": N_("渠道"),
    "kinds": N_("诉求类型"),
    "categories": N_("问题分类（一级）"),
    "trend": N_("近12个月按时办结率与满意率"),
    "top_overdue": N_("超期件最多的单位"),
    "map": N_("各区受理量与指标（示意图）"),
    "map_note": N_(
        "示意图：按各区中心点划分的区域（沃罗诺伊图），不是真实行政边界。颜色表示所选指标。"
    ),
    "best": N_("综合得分前十"),
    "worst": N_("综合得分后五"),
    "warnings": N_("当前预警"),
    "hotspots": N_("热点"),
    "last_days": N_("近{n}天"),
    "unit": N_("单位"),
    "rank": N_("排名"),
    "score": N_("综合得分"),
    "tickets": N_("件数"),
    "citizens": N_("人数"),
    "heat": N_("热度"),
    "growth": N_("增长"),
    "place": N_("地点"),
    "topic": N_("主题"),
    "examples": N_("示例工单"),
    "none": N_("无"),
    "loading_failed": N_("数据加载失败"),
}


def dashboard_labels() -> dict:
    return {
        **{key: _(text) for key, text in DASHBOARD_TEXT.items()},
        **{m: _(text) for m, text in LABELS.items()},
    }


def _version(request) -> int | None:
    value = request.GET.get("version")
    if not value:
        return None
    if not value.isdigit():
        raise Http404("no such version")
    return int(value)


def _publication(month: str, version: int | None):
    try:
        return selectors.publication_latest(month, version)
    except (BadInput, NotFound):
        raise Http404("not published") from None


def ranking_index(request):
    return render(request, "assessment/index.html", {"months": selectors.published_months()})


def ranking_month(request, month: str):
    publication = _publication(month, _version(request))
    scope = None
    if request.GET.get("scope"):
        try:
            scope = selectors.unit_by_code(request.GET["scope"])
        except BadInput:
            raise Http404("no such unit") from None
    rows = selectors.published_rows(publication, scope)
    versions = selectors.publications(month).values_list("version", flat=True)
    return render(
        request,
        "assessment/month.html",
        {
            "month": month,
            "publication": publication,
            "rows": rows,
            "scope": scope,
            "versions": list(versions),
        },
    )


def ranking_unit(request, month: str, code: str):
    publication = _publication(month, _version(request))
    rows = {r["unit"]: r for r in selectors.published_rows(publication, None)}
    if code not in rows:
        raise Http404("no such unit")
    row = rows[code]
    counts = [(m, LABELS[m], row[m]) for m in formulas.METRICS]
    rates = [(r, LABELS[r], row[r]) for r in formulas.RATES]
    items = [(LABELS[i["rule"]], i) for i in row["deduction_items"]]
    return render(
        request,
        "assessment/unit.html",
        {
            "month": month,
            "publication": publication,
            "row": row,
            "counts": counts,
            "rates": rates,
            "deductions": items,
            "trend": selectors.unit_trend(code),
        },
    )


def ranking_tickets(request, month: str, code: str, metric: str):
    """The tickets behind one published count: for staff who may read the unit."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "console:login")
    publication = _publication(month, _version(request))
    unit = selectors.assessed_units(None).filter(code=code).first()
    if unit is None or metric not in formulas.METRICS:
        raise Http404("no such list")
    try:
        selectors.check_unit(request.user, unit)
    except (Forbidden, NotFound):
        raise Http404("no such list") from None
    tickets = (
        selectors.published_tickets(publication, unit, metric)
        .select_related("unit")
        .order_by("registered_at", "pk")
    )
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/tickets.html",
        {
            "month": month,
            "publication": publication,
            "unit": unit,
            "metric": metric,
            "label": LABELS[metric],
            "page": page,
        },
    )


# --- the leaders' dashboard (staff, inside the console's layout) ------------------------------


def _error_response(request, error: HotlineError, *, json: bool):
    if json:
        return JsonResponse({"error": error.code, "detail": error.detail}, status=error.status)
    if isinstance(error, Forbidden):
        return staff_pages.forbidden(request, str(error.detail))
    return staff_pages.page(
        request, "console/forbidden.html", {"message": error_text(error)}, status=error.status
    )


@staff_pages.staff_login_required
@require_GET
def dashboard(request):
    """The page: its charts are drawn by assessment/dashboard.js from ``dashboard_data``."""
    try:
        scope = dashboard_reads.scope_for(request.user, request.GET.get("scope") or None)
        period = dashboard_reads.period_for(request.GET.get("month") or None, timezone.now())
    except HotlineError as error:
        return _error_response(request, error, json=False)
    params = urlencode({"scope": scope.code, "month": period.label})
    return staff_pages.page(
        request,
        "assessment/dashboard.html",
        {
            "scope": scope,
            "month": period.label,
            "data_url": reverse("assessment:dashboard_data") + "?" + params,
            "scopes": dashboard_reads.scopes_for(request.user),
        },
    )


@staff_pages.staff_login_required
@require_GET
def dashboard_data(request):
    """The dashboard's figures as JSON (each with the URL of its tickets)."""
    try:
        body = dashboard_reads.dashboard_data(
            request.user,
            request.GET.get("scope") or None,
            request.GET.get("month") or None,
            timezone.now(),
        )
    except HotlineError as error:
        return _error_response(request, error, json=True)
    body["labels"] = dashboard_labels()
    return JsonResponse(body)


DRILL_PAGE = 50


@staff_pages.staff_login_required
@require_GET
def dashboard_tickets(request):
    """The tickets behind one figure of the dashboard, paginated."""
    try:
        scope, period, metric, qs = dashboard_reads.drill(request.user, request.GET, timezone.now())
    except HotlineError as error:
        return _error_response(request, error, json=False)
    tickets = qs.select_related("unit", "category").order_by("registered_at", "pk")
    page = Paginator(tickets, DRILL_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    narrowed = [
        (_(name), request.GET[key])
        for key, name in (
            ("unit", "单位"),
            ("day", "日期"),
            ("week", "周"),
            ("channel", "渠道"),
            ("kind", "诉求类型"),
            ("category", "分类"),
            ("window", "天数"),
            ("rank", "热点"),
        )
        if request.GET.get(key)
    ]
    return staff_pages.page(
        request,
        "assessment/dashboard_tickets.html",
        {
            "scope": scope,
            "month": period.label,
            "label": metric_label(metric),
            "narrowed": narrowed,
            "page": page,
            "query": query.urlencode(),
            "back": reverse("assessment:dashboard")
            + "?"
            + urlencode({"scope": request.GET.get("scope") or scope.code, "month": period.label}),
        },
    )


# --- the dissatisfied-ticket and repeat-complaint queries ---------------------------------------

QUERY_PAGE = 50
QUERY_TITLES = {
    "dissatisfied": N_("群众评价不满意件查询"),
    "repeats": N_("重复投诉件查询"),
}


def _query_page(request, kind: str):
    try:
        query = queries.query_for(request.user, kind, request.GET, timezone.now())
        qs = queries.tickets(query)
    except HotlineError as error:
        return _error_response(request, error, json=False)
    title = _(QUERY_TITLES[kind])
    if request.GET.get("format") == "xlsx":
        rows = qs.select_related("unit", "category").order_by("registered_at", "pk")
        filename = f"{kind}-{query.period.label}-{query.target.code}.xlsx"
        response = HttpResponse(
            query_xlsx(title, query, rows.iterator(chunk_size=500)), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    tickets = qs.select_related("unit", "category").order_by("registered_at", "pk")
    page = Paginator(tickets, QUERY_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return staff_pages.page(
        request,
        "assessment/query.html",
        {
            "kind": kind,
            "title": title,
            "query": query,
            "page": page,
            "by_unit": queries.counts_by_unit(qs),
            "by_category": queries.counts_by_category(qs),
            "choices": queries.choices(query),
            "selected": {k: request.GET.get(k, "") for k in ("unit", "district", "category")},
            "query_string": params.urlencode(),
            "scopes": dashboard_reads.scopes_for(request.user),
        },
    )


@staff_pages.staff_login_required
@require_GET
def dissatisfied(request):
    return _query_page(request, "dissatisfied")


@staff_pages.staff_login_required
@require_GET
def repeats(request):
    return _query_page(request, "repeats")


# --- the monthly bulletin -----------------------------------------------------------------------

PDF = "application/pdf"


@staff_pages.staff_login_required
@require_GET
def bulletin(request, month: str):
    """The month's bulletin as ``?format=xlsx`` or ``pdf``: the latest published version, a
    ``version=N``, or ``live=1``; ``scope=`` a unit (its units ranked), as the ranking."""
    try:
        scope = None
        if request.GET.get("scope"):
            scope = selectors.unit_by_code(request.GET["scope"])
        selectors.check_scope(request.user, scope)
        fmt = request.GET.get("format") or "pdf"
        if fmt not in ("pdf", "xlsx"):
            raise BadInput("format", "pdf or xlsx")
        version = request.GET.get("version")
        if version is not None and not version.isdigit():
            raise BadInput("version", "a number")
        b = bulletins.bulletin_for(
            month, scope, int(version) if version else None, request.GET.get("live") == "1"
        )
    except HotlineError as error:
        return _error_response(request, error, json=False)
    name = (
        f"bulletin-{month}"
        + (f"-{scope.code}" if scope else "")
        + (f"-v{b.version}" if b.version else "-live")
    )
    if fmt == "xlsx":
        response = HttpResponse(bulletins.bulletin_xlsx(b), content_type=XLSX)
    else:
        response = HttpResponse(bulletins.bulletin_pdf(b), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
