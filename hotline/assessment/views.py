"""The public ranking pages (no login: published versions only) and the lists behind each
number (staff who may read the unit)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from hotline.core.errors import BadInput, Forbidden, NotFound

from . import formulas, selectors

LABELS = {
    "received": "受理量",
    "forwarded": "转办量",
    "forwarded_late": "转办不及时",
    "accepted_on_time": "及时签收",
    "accept_due": "应签收",
    "replied": "办结量",
    "replied_on_time": "按时办结",
    "overdue": "超期",
    "followed_up": "回访量",
    "satisfied": "满意量",
    "repeats": "重复投诉",
    "send_backs_invalid": "无效退单",
    "co_handled": "协办量",
    "received_own": "自办件",
    "received_transferred": "转办件",
    "red_warnings": "红灯预警",
    "supervision_orders": "督办",
    "accountabilities": "追责问责",
    "spot_checks_failed": "抽查不合格",
    "timely_transfer_rate": "及时转办率",
    "timely_acceptance_rate": "及时签收率",
    "completion_rate": "办结率",
    "on_time_rate": "按时办结率",
    "follow_up_rate": "回访率",
    "satisfaction_rate": "满意率",
    "repeat_rate": "重复投诉率",
    "send_back_rate": "退单率",
    "late_transfer": "转办不及时",
    "red_warning": "红灯预警",
    "supervision_order": "督办",
    "accountability": "追责问责",
    "spot_check": "抽查不合格",
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
    counts = [(m, LABELS[m], row[m]) for m in formulas.METRICS if m in row]
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
