"""The homes of the overseeing roles (issue 15): the supervision office (督查室), the discipline
inspection office (纪检监察), the city's and districts' leaders (市/区领导) and the auditor
(审计员). Read-only pages over the selectors of supervision, tickets, assessment and accounts;
the only write a leader makes here, signing a ticket (领导签批), is the ticket action ``sign``
taken on the ticket's page like any other action."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hotline.accounts import selectors as accounts
from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.assessment import formulas
from hotline.assessment import selectors as assessment
from hotline.core.audit import audit_head, audit_verify
from hotline.core.errors import BadInput, Forbidden
from hotline.orgs.models import Unit
from hotline.orgs.selectors import units_list
from hotline.supervision import selectors as supervision
from hotline.supervision.models import Accountability, Referral, SupervisionOrder
from hotline.telephony import selectors as telephony
from hotline.tickets import workflow
from hotline.tickets.models import Ticket
from hotline.tickets.selectors import ticket_events_audited, tickets_visible_to
from hotline.tickets.staff_pages import error_text, forbidden, page, staff_login_required
from hotline.workcal.calc import SHANGHAI

from .presenters import action_label, status_label

PAGE_SIZE = 20
# At most this many rows go into one export of the audit log (narrow the filters for more).
EXPORT_LIMIT = 100_000
# A verification of the audit chain reads the whole log: the page reuses the last one made for
# the same latest entry for this long (the auditor can ask for a fresh one, ``?verify=1``).
CHAIN_CACHE_SECONDS = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _has(request: HttpRequest, *roles: Role) -> bool:
    return bool(grants_for(request.user).roles & set(roles))


def _paged(request: HttpRequest, qs: QuerySet, param: str) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get(param))


def _pager(request: HttpRequest, page_obj: Page, param: str) -> dict:
    """Links to the previous and next page of one list, keeping the other lists' pages."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return "?" + query.urlencode()

    return {
        "page": page_obj,
        "prev": link(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next": link(page_obj.next_page_number()) if page_obj.has_next() else "",
    }


def time_left(due: datetime | None, now: datetime) -> str:
    """The time to a deadline in words: 剩余 N 小时 / N 天, or 超期 N 小时 / N 天 once passed."""
    if due is None:
        return _("待定")
    seconds = (due - now).total_seconds()
    hours = abs(seconds) / 3600
    if hours < 24:
        amount = _("%(n)d 小时") % {"n": max(1, int(hours))}
    else:
        amount = _("%(n)d 天") % {"n": int(hours // 24)}
    if seconds <= 0:
        return _("超期 %(amount)s") % {"amount": amount}
    return _("剩余 %(amount)s") % {"amount": amount}


def _ticket_cells(ticket: Ticket) -> dict:
    return {
        "number": ticket.number,
        "title": ticket.title or ticket.content[:40],
        "status": ticket.status,
        "status_label": _(workflow.STATUS_LABELS[workflow.Status(ticket.status)]),
        "unit_name": ticket.unit.name if ticket.unit else "",
    }


def _warned_row(ticket: Ticket, now: datetime) -> dict:
    """A row of ``supervision.tickets_warned`` (annotated with ``is_red`` and ``first_due``)."""
    red, due = getattr(ticket, "is_red", False), getattr(ticket, "first_due", None)
    return {
        **_ticket_cells(ticket),
        "warning": "red" if red else "yellow",
        "warning_label": _("红灯") if red else _("黄灯"),
        "due_at": due,
        "left": time_left(due, now),
    }


def _warned_rows(tickets: Iterable[Ticket], now: datetime) -> list[dict]:
    return [_warned_row(t, now) for t in tickets]


def _order_rows(orders: Iterable[SupervisionOrder], now: datetime) -> list[dict]:
    return [
        {
            "number": o.ticket.number,
            "title": o.ticket.title or o.ticket.content[:40],
            "level": o.level,
            "second": o.level >= 2,
            "signed": o.kind == SupervisionOrder.SIGN,
            "kind_label": _(SupervisionOrder.KINDS[o.kind]),
            "note": o.note,
            "unit_name": o.unit.name if o.unit else "",
            "by": str(o.created_by),
            "created_at": o.created_at,
            "due_at": o.due_at,
            "left": time_left(o.due_at, now),
            "late": o.due_at is not None and o.due_at <= now,
        }
        for o in orders
    ]


def _referral_rows(referrals: Iterable[Referral]) -> list[dict]:
    reasons = dict(Referral._meta.get_field("reason").choices or [])
    return [
        {
            **_ticket_cells(r.ticket),
            "reason_label": _(reasons.get(r.reason, r.reason)),
            "created_at": r.created_at,
        }
        for r in referrals
    ]


def _accountability_rows(records: Iterable[Accountability]) -> list[dict]:
    return [
        {
            "number": r.ticket.number,
            "unit_name": r.unit.name,
            "person": r.person,
            "reason": r.reason,
            "measure_label": _(Accountability.MEASURES[r.measure]),
            "by": str(r.decided_by),
            "decided_at": r.decided_at,
        }
        for r in records
    ]


def _accountability_section(request: HttpRequest) -> dict:
    records = _paged(request, supervision.accountability_list(request.user), "ap")
    return {**_pager(request, records, "ap"), "rows": _accountability_rows(records.object_list)}


# --- 督查室 ------------------------------------------------------------------------------------


@require_GET
@staff_login_required
def supervisor_home(request: HttpRequest) -> HttpResponse:
    """Red and yellow tickets, open supervision orders (领导签批 and 二次督办 marked), the
    referrals of the third send-back or redo, and accountability records."""
    if not _has(request, Role.SUPERVISOR):
        return forbidden(request, _("这是督查室的工作台。"))
    now = timezone.now()
    user = request.user
    warned = _paged(request, supervision.tickets_warned(user, now=now), "wp")
    warned_rows = _warned_rows(supervision.warned_tickets(warned.object_list, now=now), now)
    orders = _paged(request, supervision.supervision_orders_open(user), "op")
    referrals = _paged(request, supervision.referral_queue(user), "rp")
    return page(
        request,
        "console/oversight/supervisor.html",
        {
            "warned": {**_pager(request, warned, "wp"), "rows": warned_rows},
            "orders": {**_pager(request, orders, "op"), "rows": _order_rows(orders, now)},
            "referrals": {
                **_pager(request, referrals, "rp"),
                "rows": _referral_rows(referrals.object_list),
            },
            "accountability": _accountability_section(request),
        },
    )


# --- 纪检监察 ----------------------------------------------------------------------------------


@require_GET
@staff_login_required
def inspector_home(request: HttpRequest) -> HttpResponse:
    """The read-only copies (抄送) sent to the discipline inspection office, and accountability
    records."""
    if not _has(request, Role.INSPECTOR):
        return forbidden(request, _("这是纪检监察的工作台。"))
    copies = _paged(request, supervision.copies_to_office(request.user), "cp")
    rows = [
        {**_ticket_cells(c.ticket), "office": c.unit.name, "copied_at": c.assigned_at}
        for c in copies.object_list
    ]
    return page(
        request,
        "console/oversight/inspector.html",
        {
            "copies": {**_pager(request, copies, "cp"), "rows": rows},
            "accountability": _accountability_section(request),
        },
    )


# --- 市/区领导 ---------------------------------------------------------------------------------

# The figures of the leader's home that the assessment counts (its cohort and conditions).
MONTH_METRICS = ("received", "overdue")
LEADER_METRICS = {
    "open": gettext_lazy("在办工单"),
    "received_today": gettext_lazy("今日接收"),
    "received": gettext_lazy("本月接收"),
    "yellow": gettext_lazy("黄灯工单"),
    "red": gettext_lazy("红灯工单"),
    "overdue": gettext_lazy("本月超期未办结"),
    "replied_on_time": gettext_lazy("本月按时办结"),
    "satisfied": gettext_lazy("本月满意"),
}


def leader_unit(user) -> Unit | None:
    """The unit whose figures a leader reads: the highest unit where the user is a leader."""
    grants = grants_for(user)
    units = [uid for uid, roles in grants.by_unit.items() if Role.LEADER in roles]
    found = list(units_list().filter(pk__in=units))
    return min(found, key=lambda u: len(u.path)) if found else None


def _periods(now: datetime):
    local = timezone.localtime(now, SHANGHAI)
    month = assessment.month_period(local.strftime("%Y-%m"), now)
    today = assessment.range_period(local.date(), local.date(), now)
    return month, today


def _leader_tickets(user, unit: Unit, metric: str, now: datetime) -> QuerySet[Ticket]:
    """The tickets behind one figure of the leader's home (but yellow and red, which are
    ``supervision.tickets_warned``), among those the leader may see."""
    if metric not in LEADER_METRICS or metric in ("yellow", "red"):
        raise BadInput("metric", f"one of {', '.join(LEADER_METRICS)}")
    visible = tickets_visible_to(user)
    if metric == "open":
        return visible.filter(status__in=workflow.OPEN_STATUSES).order_by("-registered_at", "pk")
    month, today = _periods(now)
    period, name = (today, "received") if metric == "received_today" else (month, metric)
    qs = assessment.metric_tickets(assessment.Scope(unit), period, name)
    return qs.filter(pk__in=visible.values("pk")).order_by("-registered_at", "pk")


# The assessment's counts the leader's home shows (with those its two rates need).
GLANCE_METRICS = ("received", "overdue", "replied", "replied_on_time", "followed_up", "satisfied")
# The assessment's counts over the city's month take seconds at a million tickets: the home
# shows those counted at most this long ago (with the time they were counted).
FIGURES_CACHE_SECONDS = 300


def _rate(name: str, counts: dict) -> float | None:
    """One rate of the assessment (``formulas.RATES``) from the counts."""
    numerator, denominator, _higher = formulas.RATES[name]
    values = {**counts, "due": formulas.due(counts)}
    return formulas.rate(values[numerator], values[denominator])


def _assessment_figures(unit: Unit, now: datetime) -> dict:
    month, today = _periods(now)
    key = f"hotline:leader-figures:{unit.pk}:{month.label}"
    figures = cache.get(key)
    if figures is None:
        scope = assessment.Scope(unit)
        figures = assessment.unit_counts(scope, month, metrics=GLANCE_METRICS)
        figures["received_today"] = assessment.metric_tickets(scope, today, "received").count()
        figures["counted_at"] = now
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def _leader_figures(user, unit: Unit, now: datetime) -> dict:
    counts = _assessment_figures(unit, now)
    month, _today = _periods(now)
    return {
        **counts,
        "open": tickets_visible_to(user).filter(status__in=workflow.OPEN_STATUSES).count(),
        "yellow": supervision.tickets_warned(user, now=now, level="yellow").count(),
        "red": supervision.tickets_warned(user, now=now, level="red").count(),
        "on_time_rate": _rate("on_time_rate", counts),
        "satisfaction_rate": _rate("satisfaction_rate", counts),
        "due": formulas.due(counts),
        "month": month.label,
    }


@require_GET
@staff_login_required
def leader_home(request: HttpRequest) -> HttpResponse:
    """The unit's (a district leader's) or the city's figures of the month at a glance, each
    linking to the tickets behind it, and to the published rankings."""
    unit = leader_unit(request.user) if _has(request, Role.LEADER) else None
    if unit is None:
        return forbidden(request, _("这是市/区领导的工作台。"))
    figures = _leader_figures(request.user, unit, timezone.now())
    # The phones are the city's lines: their answer rate is on the city leader's home.
    calls = _month_calls(request.user) if unit.parent_id is None else None
    cards = [
        {
            "metric": metric,
            "label": label,
            "value": figures[metric],
            "url": reverse("console:leader_tickets", kwargs={"metric": metric}),
            "tone": metric if metric in ("yellow", "red") else "",
        }
        for metric, label in LEADER_METRICS.items()
        if metric not in ("replied_on_time", "satisfied")
    ]
    return page(
        request,
        "console/oversight/leader.html",
        {
            "unit": unit,
            "figures": figures,
            "cards": cards,
            "ranking_url": reverse("assessment:index"),
            "dashboard_url": reverse("assessment:dashboard"),
            "calls": calls,
            "city": unit.parent_id is None,
            "calls_url": reverse("telephony:call_stats") + "?by=day",
            "on_time_url": reverse("console:leader_tickets", kwargs={"metric": "replied_on_time"}),
            "satisfied_url": reverse("console:leader_tickets", kwargs={"metric": "satisfied"}),
        },
    )


def _month_calls(user) -> dict | None:
    """The phones of the month so far (GB/T 33358: answered within 15 s of queueing / offered),
    one row of ``telephony.selectors.call_stats``; None without calls."""
    today = timezone.localdate()
    rows = telephony.call_stats(
        user, start=today.replace(day=1).isoformat(), end=today.isoformat(), by="month"
    )
    return rows[0] if rows else None


@require_GET
@staff_login_required
def leader_tickets(request: HttpRequest, metric: str) -> HttpResponse:
    """The tickets behind one figure of the leader's home."""
    unit = leader_unit(request.user) if _has(request, Role.LEADER) else None
    if unit is None:
        return forbidden(request, _("这是市/区领导的工作台。"))
    now = timezone.now()
    if metric in ("yellow", "red"):
        tickets = _paged(
            request, supervision.tickets_warned(request.user, now=now, level=metric), "page"
        )
        shown = supervision.warned_tickets(tickets.object_list, now=now)
    else:
        try:
            qs = _leader_tickets(request.user, unit, metric, now)
        except BadInput:
            return forbidden(request, _("没有这个统计项。"))
        tickets = _paged(request, qs.select_related("unit"), "page")
        shown = list(tickets.object_list)
    rows = [{**_ticket_cells(t), "registered_at": t.registered_at} for t in shown]
    return page(
        request,
        "console/oversight/leader_tickets.html",
        {
            "unit": unit,
            "metric_label": LEADER_METRICS[metric],
            "list": {**_pager(request, tickets, "page"), "rows": rows},
        },
    )


# --- 审计员 ------------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("操作人（用户名）"), required=False, max_length=150)
    action = forms.CharField(label=gettext_lazy("操作"), required=False, max_length=64)
    target = forms.CharField(label=gettext_lazy("对象"), required=False, max_length=128)
    since = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


AUDIT_HEADERS = (
    gettext_lazy("序号"),
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("用户名"),
    gettext_lazy("操作"),
    gettext_lazy("对象"),
    gettext_lazy("理由"),
    gettext_lazy("内容"),
)


# The tickets' own steps (their hash-chained timelines), the log's second source.
STEP_HEADERS = (
    gettext_lazy("序号"),
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("用户名"),
    gettext_lazy("操作"),
    gettext_lazy("工单"),
    gettext_lazy("状态变化"),
    gettext_lazy("内容"),
)


def _step_cells(event) -> list[str]:
    data = "; ".join(f"{k}={v}" for k, v in (event.data or {}).items())
    change = " → ".join(
        p for p in (status_label(event.from_status), status_label(event.to_status)) if p
    )
    return [
        f"{event.ticket.number}#{event.seq}",
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        str(event.actor) if event.actor_id else _("系统"),
        event.actor_name,
        action_label(event.action),
        event.ticket.number,
        change,
        data,
    ]


# source -> (selector, headers, cells, file name)
AUDIT_SOURCES = {
    "log": (accounts.audit_events, AUDIT_HEADERS, None, "audit"),
    "tickets": (ticket_events_audited, STEP_HEADERS, _step_cells, "ticket-steps"),
}


def _audit_cells(event) -> list[str]:
    data = "; ".join(f"{k}={v}" for k, v in (event.data or {}).items())
    return [
        str(event.seq),
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        str(event.actor) if event.actor_id else _("系统"),
        event.actor.get_username() if event.actor_id else "system",
        event.action,
        event.target,
        event.reason,
        data,
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Iterable, headers=AUDIT_HEADERS, cells=None) -> Iterator[str]:
    cells = cells or _audit_cells
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark, so that Excel reads the Chinese as UTF-8
    yield writer.writerow([str(h) for h in headers])
    for event in events:
        yield writer.writerow(cells(event))


def audit_xlsx(events: Iterable, headers=AUDIT_HEADERS, cells=None) -> bytes:
    from openpyxl import Workbook

    cells = cells or _audit_cells
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.append([str(h) for h in headers])
    for event in events:
        sheet.append(cells(event))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _audit_export(qs: QuerySet, fmt: str, source: str = "log") -> HttpResponse:
    _select, headers, cells, name = AUDIT_SOURCES[source]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    events = qs[:EXPORT_LIMIT].iterator(chunk_size=2000)
    if fmt == "xlsx":
        response = HttpResponse(audit_xlsx(events, headers, cells), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
        return response
    streamed = StreamingHttpResponse(
        _csv_lines(events, headers, cells), content_type="text/csv; charset=utf-8"
    )
    streamed["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return streamed  # type: ignore[return-value]


def _audit_query(request: HttpRequest, form: AuditFilterForm, source: str = "log") -> QuerySet:
    select = AUDIT_SOURCES[source][0]
    d = form.cleaned_data if form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        messages.error(request, _("筛选条件无效，已忽略。"))
    try:
        return select(
            request.user,
            actor=d.get("actor") or None,
            action=d.get("action") or None,
            target=d.get("target") or None,
            since=d.get("since"),
            until=d.get("until"),
        )
    except BadInput as error:
        messages.error(request, error_text(error))
        return select(request.user)


def chain_status(*, fresh: bool = False) -> dict:
    """Whether the audit log's hash chain is intact (``broken``: the seq of the first broken
    entry, or None) and when it was verified: the last verification made for the same latest
    entry, at most ``CHAIN_CACHE_SECONDS`` old, unless ``fresh``."""
    head = audit_head()
    key = f"hotline:audit-chain:{head[0]}:{head[1]}" if head else "hotline:audit-chain:empty"
    status = None if fresh else cache.get(key)
    if status is None:
        status = {"broken": audit_verify(), "at": timezone.now()}
        cache.set(key, status, CHAIN_CACHE_SECONDS)
    return status


@require_GET
@staff_login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log filtered by actor, action, target and days; exported as CSV or Excel; with
    the state of its hash chain."""
    try:
        accounts.audit_events(request.user)
    except Forbidden:
        return forbidden(request, _("审计日志仅供审计员查看。"))
    # Two sources: the audit log proper (logins, reveals, admin edits, publications, ...) and
    # every step of every ticket (the tickets' own timelines).
    source = request.GET.get("source", "log")
    source = source if source in AUDIT_SOURCES else "log"
    _select, headers, cells, _name = AUDIT_SOURCES[source]
    filters = {k: v for k, v in request.GET.items() if k in AuditFilterForm.base_fields}
    form = AuditFilterForm(filters or None)
    qs = _audit_query(request, form, source)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _audit_export(qs, fmt, source)
    events = _paged(request, qs, "page")
    chain = chain_status(fresh=request.GET.get("verify") == "1")
    query = request.GET.copy()
    for key in ("page", "format", "verify"):
        query.pop(key, None)
    return page(
        request,
        "console/oversight/audit.html",
        {
            "form": form if form.is_bound else AuditFilterForm(),
            "list": {
                **_pager(request, events, "page"),
                "rows": [(cells or _audit_cells)(e) for e in events.object_list],
            },
            "headers": headers,
            "source": source,
            "broken": chain["broken"],
            "verified_at": chain["at"],
            "query": query.urlencode(),
        },
    )


# The home of each overseeing role, for the console's registry of homes (hotline/console/homes.py).
HOMES = {
    Role.SUPERVISOR: "console:supervisor_home",
    Role.INSPECTOR: "console:inspector_home",
    Role.LEADER: "console:leader_home",
    Role.AUDITOR: "console:audit_log",
}
