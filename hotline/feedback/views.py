"""Staff pages of the feedback app (inside the console's layout): the callback agents' queue,
an evaluator's assigned reviews, and the supervisors' spot checks. Reads through selectors,
writes through services; a role that may not use a page gets the console's 403 page."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, HotlineError, NotFound
from hotline.tickets import queues
from hotline.tickets.staff_pages import error_text as _error_text
from hotline.tickets.staff_pages import forbidden as _forbidden
from hotline.tickets.staff_pages import page as _page
from hotline.tickets.staff_pages import staff_login_required as console_login_required
from hotline.workcal.calc import WORKING_DAYS, warning_level

from . import selectors, spotchecks
from .exports import spot_results_xlsx

WARNING_TEXT = {"none": "正常", "yellow": "黄灯", "red": "红灯"}


def _fb_page(request: HttpRequest, template: str, context: dict, **kwargs) -> HttpResponse:
    """The console's page with this app's sub-navigation: the links the user's roles may use."""
    roles = grants_for(request.user).roles
    context["fb_nav"] = {
        "callback": bool(roles & selectors.CALLBACK_QUEUE_READERS),
        "reviews": bool(roles & (selectors.OVERSEERS | {Role.EVALUATOR})),
        "spot": bool(roles & selectors.SPOT_READERS),
    }
    return _page(request, template, context, **kwargs)


PAGE_SIZE = 20


def _with_time_left(row, now, yellow_at, due_at, limit_unit: str | None) -> None:
    """The warning level and the time left on the row's clock, told as the console's queues
    tell it (``剩余 2 个工作日``, ``超期 3 天``: hotline.tickets.queues)."""
    left = queues.clock_time_left(now, due_at, limit_unit)
    row.warning = warning_level(now, yellow_at, due_at)
    row.warning_text = _(WARNING_TEXT[row.warning])
    row.late = bool(left and left.late)
    row.time_left = queues.time_left_label(left)


@console_login_required
@require_GET
def callback_queue(request: HttpRequest) -> HttpResponse:
    try:
        tickets = selectors.callback_queue(request.user)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for t in page.object_list:
        _with_time_left(t, now, t.follow_up_yellow, t.follow_up_due, t.follow_up_unit)
    return _fb_page(
        request, "feedback/callback_queue.html", {"tickets": page.object_list, "page": page}
    )


@console_login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    try:
        rows = selectors.review_assignments_for(request.user)
    except (Forbidden, BadInput) as error:
        return _forbidden(request, str(error.detail))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for row in page.object_list:
        _with_time_left(row, now, row.yellow_at, row.due_at, WORKING_DAYS)
    return _fb_page(request, "feedback/reviews.html", {"rows": page.object_list, "page": page})


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@console_login_required
@require_http_methods(["GET", "POST"])
def spot_checks(request: HttpRequest) -> HttpResponse:
    try:
        if request.method == "POST":
            seed = request.POST.get("seed") or None
            drawn = spotchecks.spot_check_draw(
                actor=request.user,
                day=_day(request.POST.get("day"), timezone.localdate()),
                seed=int(seed) if seed and seed.isdigit() else None,
            )
            messages.success(request, _("已抽取 %(n)s 个样本") % {"n": drawn.samples.count()})
            return redirect("feedback:spot_check", check_id=drawn.pk)
        checks = selectors.spot_checks_recent(request.user)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))
    except HotlineError as error:
        messages.error(request, _error_text(error))
        return redirect("feedback:spot_checks")
    last_week = timezone.localdate() - timedelta(days=7)
    return _fb_page(
        request, "feedback/spot_checks.html", {"checks": checks, "default_day": last_week}
    )


@console_login_required
@require_GET
def spot_check(request: HttpRequest, check_id: int) -> HttpResponse:
    try:
        check = selectors.spot_check_get(request.user, check_id)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))
    except NotFound as error:
        return _forbidden(request, str(error.detail))
    samples = []
    for sample in (
        check.samples.select_related("call", "ticket", "unit")
        .prefetch_related("scores__item")
        .order_by("kind", "line", "unit__code", "pk")
    ):
        scores = list(sample.scores.all())
        samples.append(
            {
                "pk": sample.pk,
                "kind": sample.kind,
                "line": sample.line,
                "unit": sample.unit,
                "call": sample.call,
                "ticket": sample.ticket,
                "agent": sample.agent,
                "total": sum(s.points for s in scores),
                "maximum": sum(s.item.max_points for s in scores),
            }
        )
    return _fb_page(request, "feedback/spot_check.html", {"check": check, "samples": samples})


@console_login_required
@require_http_methods(["GET", "POST"])
def spot_sample(request: HttpRequest, sample_id: int) -> HttpResponse:
    try:
        sample = selectors.spot_sample_get(request.user, sample_id)
    except (Forbidden, NotFound) as error:
        return _forbidden(request, str(error.detail))
    items = selectors.checklist(sample.kind)
    earlier = {s.item_id: s for s in sample.scores.all()}
    error_text = ""
    if request.method == "POST":
        scores = []
        for item in items:
            raw = request.POST.get(f"points_{item.pk}", "").strip()
            scores.append(
                {
                    "item": item.pk,
                    "points": int(raw) if raw.lstrip("-").isdigit() else None,
                    "note": request.POST.get(f"note_{item.pk}", ""),
                }
            )
        try:
            spotchecks.spot_scores_record(actor=request.user, sample_id=sample.pk, scores=scores)
        except Forbidden as error:
            return _forbidden(request, str(error.detail))
        except HotlineError as error:
            error_text = _error_text(error)
        else:
            messages.success(request, _("评分已保存"))
            return redirect("feedback:spot_check", check_id=sample.draw_id)
    rows = [
        {
            "item": item,
            "points": request.POST.get(f"points_{item.pk}")
            if request.method == "POST"
            else getattr(earlier.get(item.pk), "points", ""),
            "note": request.POST.get(f"note_{item.pk}")
            if request.method == "POST"
            else getattr(earlier.get(item.pk), "note", ""),
        }
        for item in items
    ]
    return _fb_page(
        request,
        "feedback/spot_sample.html",
        {"sample": sample, "rows": rows, "error_text": error_text},
        status=400 if error_text else 200,
    )


@console_login_required
@require_GET
def spot_results(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = _day(request.GET.get("from"), today.replace(day=1))
    last = _day(request.GET.get("to"), today)
    by = "agent" if request.GET.get("by") == "agent" else "unit"
    try:
        rows = selectors.spot_results(request.user, date_from=first, date_to=last, by=by)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))
    except HotlineError as error:
        messages.error(request, _error_text(error))
        rows = []
    if request.GET.get("format") == "xlsx":
        title = f"抽查结果 {first.isoformat()} 至 {last.isoformat()}"
        response = HttpResponse(
            spot_results_xlsx(rows, by=by, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="spot-results-{by}.xlsx"'
        return response
    return _fb_page(
        request,
        "feedback/spot_results.html",
        {"rows": rows, "first": first, "last": last, "by": by},
    )
