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
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, HotlineError, NotFound
from hotline.tickets import staff_pages
from hotline.tickets.staff_pages import error_text

from . import bulletin as bulletins
from . import dashboard as dashboard_reads
from . import formulas, queries, selectors
from .exports import XLSX, query_xlsx

LABELS = {
    "received": gettext_noop("受理量"),
    "forwarded": gettext_noop("转办量"),
    "forwarded_late": gettext_noop("转办不及时"),
    "accepted_on_time": gettext_noop("及时签收"),
    "accept_due": gettext_noop("应签收"),
    "replied": gettext_noop("办结量"),
    "replied_on_time": gettext_noop("按时办结"),
    "overdue": gettext_noop("超期"),
    "followed_up": gettext_noop("回访量"),
    "satisfied": gettext_noop("满意量"),
    "repeats": gettext_noop("重复投诉"),
    "send_backs_invalid": gettext_noop("无效退单"),
    "co_handled": gettext_noop("协办量"),
    "received_own": gettext_noop("自办件"),
    "received_transferred": gettext_noop("转办件"),
    "red_warnings": gettext_noop("红灯预警"),
    "supervision_orders": gettext_noop("督办"),
    "accountabilities": gettext_noop("追责问责"),
    "spot_checks_failed": gettext_noop("抽查不合格"),
    "timely_transfer_rate": gettext_noop("及时转办率"),
    "timely_acceptance_rate": gettext_noop("及时签收率"),
    "completion_rate": gettext_noop("办结率"),
    "on_time_rate": gettext_noop("按时办结率"),
    "follow_up_rate": gettext_noop("回访率"),
    "satisfaction_rate": gettext_noop("满意率"),
    "repeat_rate": gettext_noop("重复投诉率"),
    "send_back_rate": gettext_noop("退单率"),
    "late_transfer": gettext_noop("转办不及时"),
    "red_warning": gettext_noop("红灯预警"),
    "supervision_order": gettext_noop("督办"),
    "accountability": gettext_noop("追责问责"),
    "spot_check": gettext_noop("抽查不合格"),
    "warning_red": gettext_noop("红灯预警（当前）"),
    "warning_yellow": gettext_noop("黄灯预警（当前）"),
    "hotspot": gettext_noop("热点"),
}


def metric_label(metric: str) -> str:
    return _(LABELS[metric]) if metric in LABELS else metric


# What dashboard.js writes (titles, legends, buttons), in the reader's language.
DASHBOARD_TEXT = {
    "volume": gettext_noop("每日受理量（按渠道）"),
    "weekly": gettext_noop("按周"),
    "daily": gettext_noop("按日"),
    "channels": gettext_noop("渠道"),
    "kinds": gettext_noop("诉求类型"),
    "categories": gettext_noop("问题分类（一级）"),
    "trend": gettext_noop("近12个月按时办结率与满意率"),
    "top_overdue": gettext_noop("超期件最多的单位"),
    "map": gettext_noop("各区受理量与指标（示意图）"),
    "map_note": gettext_noop(
        "示意图：按各区中心点划分的区域（沃罗诺伊图），不是真实行政边界。颜色表示所选指标。"
    ),
    "best": gettext_noop("综合得分前十"),
    "worst": gettext_noop("综合得分后五"),
    "warnings": gettext_noop("当前预警"),
    "hotspots": gettext_noop("热点"),
    "last_days": gettext_noop("近{n}天"),
    "as_of": gettext_noop("计算于"),
    "unit": gettext_noop("单位"),
    "rank": gettext_noop("排名"),
    "score": gettext_noop("综合得分"),
    "tickets": gettext_noop("件数"),
    "citizens": gettext_noop("人数"),
    "heat": gettext_noop("热度"),
    "growth": gettext_noop("增长"),
    "place": gettext_noop("地点"),
    "topic": gettext_noop("主题"),
    "examples": gettext_noop("示例工单"),
    "none": gettext_noop("无"),
    "loading_failed": gettext_noop("数据加载失败"),
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
    # A version published before a count existed has no figure for it: left out, not zero.
    counts = [(m, metric_label(m), row[m]) for m in formulas.METRICS if m in row]
    rates = [(r, metric_label(r), row[r]) for r in formulas.RATES]
    items = [(metric_label(i["rule"]), i) for i in row["deduction_items"]]
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
            "label": metric_label(metric),
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
            ("unit", gettext_noop("单位")),
            ("day", gettext_noop("日期")),
            ("week", gettext_noop("周")),
            ("channel", gettext_noop("渠道")),
            ("kind", gettext_noop("诉求类型")),
            ("category", gettext_noop("分类")),
            ("window", gettext_noop("天数")),
            ("rank", gettext_noop("热点")),
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
    "dissatisfied": gettext_noop("群众评价不满意件查询"),
    "repeats": gettext_noop("重复投诉件查询"),
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
    tickets = queries.with_warning(
        qs.select_related("unit", "category").order_by("registered_at", "pk"), timezone.now()
    )
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
            # a supervisor orders supervision (督办) from the list: the console's action form
            "can_supervise": Role.SUPERVISOR in grants_for(request.user).roles,
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
