"""The staff console: server-rendered pages over the ticket selectors and services.

House rule: views read through selectors and write through services only. Errors of the
services (``HotlineError``) are shown on the page; a ticket the user may not see is a 404.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cached_property, reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.accounts.roles import ROLE_LABELS
from hotline.accounts.selectors import Grants, grants_for
from hotline.core.errors import BadInput, Conflict, Forbidden, HotlineError, NotFound
from hotline.insight import selectors as insight
from hotline.orgs.selectors import units_list
from hotline.tickets import clocks, selectors, services, workflow

from . import presenters
from .forms import ACTION_FORMS, ActionForm, ListFilterForm, RegisterForm, RevealForm
from .labels import (
    WARNING_LABELS,
)
from .presenters import tr

logger = logging.getLogger(__name__)

LOGIN_URL = reverse_lazy("console:login")
PAGE_SIZE = 20

console_login_required = login_required(login_url=LOGIN_URL)

# --- helpers --------------------------------------------------------------------------------


def _header(request: HttpRequest, grants: Grants) -> dict:
    """Who is signed in, with their roles and where they hold them, for the page header."""
    units = {u.pk: u.name for u in units_list().filter(pk__in=list(grants.by_unit))}
    roles = []
    for unit_id, unit_roles in grants.by_unit.items():
        for role in sorted(unit_roles):
            roles.append({"label": tr(ROLE_LABELS[role]), "unit": units.get(unit_id, "")})
    return {
        "me": {"name": str(request.user), "username": request.user.get_username(), "roles": roles},
        "can_register": services.may_register(grants),
        "can_read": grants.reads_tickets,
    }


def _page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    grants = grants_for(request.user)
    # Where the language switch comes back to (a GET page, never an action's POST URL).
    context.setdefault("here", request.get_full_path())
    return render(request, template, {**_header(request, grants), **context}, status=status)


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return _page(request, "console/forbidden.html", {"message": message}, status=403)


def _error_text(error: HotlineError) -> str:
    """A service error as one line: ``field: message`` for bad input, the detail otherwise."""
    detail = error.detail
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {message}" for field, message in detail.items())
    return str(detail)


def _visible_ticket(request: HttpRequest, number: str):
    """The ticket as the page shows it, or a 404 when the user may not see it."""
    if not grants_for(request.user).reads_tickets:
        raise Http404(_("没有这个工单"))
    try:
        return selectors.ticket_detail(request.user, number)
    except NotFound:
        raise Http404(_("没有这个工单")) from None


def _detail_context(request: HttpRequest, number: str, **extra) -> dict:
    """The ticket page (``presenters.ticket_page``); ``extra`` as it takes: a form posted with
    errors, the complainant revealed, a reply check."""
    ticket = _visible_ticket(request, number)
    return presenters.ticket_page(
        ticket, user=request.user, grants=grants_for(request.user), **extra
    )


def _detail_page(request: HttpRequest, number: str, *, status: int = 200, **extra):
    context = _detail_context(request, number, **extra)
    # The language switch comes back to the ticket, never to an action's POST URL.
    context["here"] = reverse("console:ticket_detail", kwargs={"number": number})
    return _page(request, "console/ticket_detail.html", context, status=status)


# --- pages ----------------------------------------------------------------------------------


@require_GET
@console_login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    if not grants.reads_tickets:
        return _forbidden(request, _("你的角色不能查看工单。"))
    units = units_list()
    if not grants.sees_all:
        units = units.filter(reduce(or_, (Q(path__startswith=p) for p in grants.paths), Q(pk=None)))
    filters = ListFilterForm(request.GET or None, units=units)
    qs = None
    if not filters.is_bound:
        qs = selectors.ticket_list(request.user)
    elif filters.is_valid():
        wanted = {k: v or None for k, v in filters.cleaned_data.items()}
        try:
            qs = selectors.ticket_list(request.user, selectors.TicketFilters(**wanted))
        except BadInput as error:
            field = getattr(error, "field", None)
            filters.add_error(field if field in filters.fields else None, _error_text(error))
    if qs is None:
        messages.error(request, _("筛选条件无效，请按提示更正。"))
        # Wrong filters are shown under their fields; no list is shown for a wrong question.
        qs = selectors.ticket_list(request.user).none()
    page = CappedPaginator(_ids_in_order(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    ids = list(page.object_list)
    # The page's rows in a second, small query: ordering thousands of narrow ids (a red list
    # by deadline) and then reading twenty whole rows with their units, regions and clocks is
    # cheaper than sorting thousands of whole rows joined to all of them (issue 15 bench).
    by_pk = {t.pk: t for t in qs.filter(pk__in=ids).order_by()}
    rows = [_list_row(by_pk[pk], now) for pk in ids if pk in by_pk]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "console/ticket_list.html",
        {"filters": filters, "rows": rows, "page": page, "query": query.urlencode()},
    )


def _ids_in_order(qs: QuerySet) -> QuerySet:
    """The list's ticket ids in the list's order, without its joins and prefetches."""
    return qs.prefetch_related(None).select_related(None).values_list("pk", flat=True)


class CappedPaginator(Paginator):
    """The ticket list's pages: the count stops at ``cap`` (then ``capped``, and the pages end
    there). A word common across a city's tickets matches tens of thousands of them; counting
    every one reads every one (0.5 s for 噪音 at 1,000,000 tickets, issue 15), and nobody
    pages past the hundredth page: they narrow the search."""

    cap = 2000

    @cached_property
    def count(self) -> int:
        # Without the list's order: any cap + 1 rows tell "more than cap" as well as the first.
        rows: QuerySet = self.object_list  # type: ignore[assignment]  # always a queryset here
        found = rows.order_by().values("pk")[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)

    capped = False


def _list_row(t, now: datetime) -> dict:
    open_clocks = clocks.open_clocks(t)
    due = [c.due_at for c in open_clocks if c.due_at is not None]
    return {
        "number": t.number,
        "title": t.title or t.content[:40],
        "status": t.status,
        "status_label": tr(workflow.STATUS_LABELS[t.status]),
        "urgency": t.urgency,
        "urgency_label": tr(workflow.URGENCIES.get(t.urgency, t.urgency)),
        "unit_name": t.unit.name if t.unit_id else "",
        "warning": (warning := clocks.ticket_warning(t, now)),
        "warning_label": tr(WARNING_LABELS[warning]),
        "registered_at": t.registered_at,
        "due_at": min(due) if due else None,
    }


@require_GET
@console_login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail_page(request, number)


def _action_failed(request: HttpRequest, form: ActionForm, error: HotlineError) -> int:
    """Show a service's refusal on the page (on its field when it names one); the status."""
    if isinstance(error, BadInput) and error.field in form.fields:
        form.add_error(error.field, presenters.service_error_text(error))
        messages.error(request, _("操作未执行：请检查填写的内容。"))
    else:
        # In the user's language: the English detail is the API's (DESIGN section 9).
        reason = presenters.refusal_text(error, form.action, form.ticket.status)
        messages.error(request, _("操作未执行：%(error)s") % {"error": reason})
    return error.status if 400 <= error.status < 500 else 400


def _invalid_form(request: HttpRequest, number: str, form: ActionForm, action: str) -> HttpResponse:
    """A form that does not validate. Posted from a page opened before the ticket moved on
    (its action no longer allowed in the ticket's state), say that, as the service would: the
    form's fields may not be on the page any more. Else name each field and what is wrong."""
    rule = workflow.TABLE.get(action)
    status = form.ticket.status
    if rule is not None and status not in rule.sources:
        stale = Conflict(f"{action} is not allowed on a ticket that is {status}")
        reason = presenters.refusal_text(stale, action, status)
        messages.error(request, _("操作未执行：%(error)s") % {"error": reason})
        return _detail_page(request, number, status=409, bound=form)
    wrong = "；".join(
        f"{form.fields[name].label}：{' '.join(map(str, errors))}"
        if name in form.fields
        else " ".join(map(str, errors))
        for name, errors in form.errors.items()
    )
    messages.error(request, _("操作未执行：%(error)s") % {"error": wrong})
    return _detail_page(request, number, status=400, bound=form)


@require_POST
@console_login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404(_("没有这个工单"))
    form = form_class(request.POST, request.FILES, ticket=_visible_ticket(request, number))
    if not form.is_valid():
        return _invalid_form(request, number, form, action)
    try:
        services.ticket_transition(
            actor=request.user,
            number=number,
            action=action,
            data=form.service_data(),
            attachments=form.uploads(),
        )
    except NotFound:
        raise Http404(_("没有这个工单")) from None
    except HotlineError as error:
        status = _action_failed(request, form, error)
        return _detail_page(request, number, status=status, bound=form)
    messages.success(request, _("已%(action)s。") % {"action": presenters.action_label(action)})
    return redirect("console:ticket_detail", number=number)


@require_POST
@console_login_required
def ticket_reveal(request: HttpRequest, number: str) -> HttpResponse:
    """The complainant in full, for a role that may and with a reason (audited): shown on this
    response only, never kept in the session or the URL."""
    _visible_ticket(request, number)
    form = RevealForm(request.POST)
    try:
        revealed = services.citizen_reveal(
            actor=request.user, number=number, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404(_("没有这个工单")) from None
    except Forbidden:
        return _forbidden(request, _("你的角色不能查看诉求人的完整信息。"))
    except BadInput as error:
        form.add_error("reason", presenters.service_error_text(error))
        messages.error(request, _("未显示：请填写查看完整号码的原因。"))
        return _detail_page(request, number, status=400, reveal_form=form)
    messages.info(request, _("已显示完整信息，本次查看已记入审计日志。"))
    return _detail_page(request, number, revealed=revealed)


@require_http_methods(["GET", "POST"])
@console_login_required
def reply_check(request: HttpRequest, number: str) -> HttpResponse:
    """The reply check of a draft reply: JSON for the page's script (``?format=json`` or an
    ``Accept: application/json``), else the ticket page with the check beside the reply form
    (the "检查回复" button without JavaScript)."""
    source = request.POST if request.method == "POST" else request.GET
    text = source.get("text", "")[:5_000]
    _visible_ticket(request, number)
    view = presenters.reply_check_view(insight.reply_check_for(request.user, number, text))
    wants_json = source.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse(view)
    # The draft comes back in the reply form, unchecked (not a submission yet).
    draft = ACTION_FORMS["reply"](
        ticket=_visible_ticket(request, number),
        initial={"text": text, "outcome": source.get("outcome", "")},
    )
    return _detail_page(request, number, bound=draft, reply_check=view)


@require_http_methods(["GET", "POST"])
@console_login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    if not services.may_register(grants):
        return _forbidden(request, _("你的角色不能登记工单。"))
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.ticket_register(
                    actor=request.user,
                    data=form.service_data(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except HotlineError as error:
                status = error.status if 400 <= error.status < 500 else 400
                field = getattr(error, "field", None) or ""
                field = field.replace("citizen.", "citizen_")
                if isinstance(error, BadInput) and field in form.fields:
                    form.add_error(field, next(iter(error.detail.values())))
                messages.error(request, _("登记未完成：%(error)s") % {"error": _error_text(error)})
            else:
                number = result.ticket.number
                messages.success(request, _("已登记工单 %(number)s。") % {"number": number})
                return redirect(reverse("console:ticket_detail", kwargs={"number": number}))
        else:
            messages.error(request, _("登记未完成：请检查填写的内容。"))
    elif "lookup" in request.GET:
        from .home import intake_context  # the intake screen's panels (home imports views)

        return _page(request, "console/ticket_new.html", intake_context(request))
    return _page(request, "console/ticket_new.html", {"form": form}, status=status)
