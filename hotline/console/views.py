"""The staff console: server-rendered pages over the ticket selectors and services.

House rule: views read through selectors and write through services only. Errors of the
services (``HotlineError``) are shown on the page; a ticket the user may not see is a 404.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.accounts.roles import ROLE_LABELS
from hotline.accounts.selectors import Grants, grants_for
from hotline.core.errors import BadInput, HotlineError, NotFound
from hotline.insight import selectors as insight
from hotline.insight.api import SUGGEST_ROLES
from hotline.orgs.selectors import units_list
from hotline.tickets import clocks, selectors, services, workflow
from hotline.tickets.serializers import ticket_view

from .forms import ACTION_FORMS, CONFIRM_ACTIONS, ActionForm, ListFilterForm, RegisterForm
from .labels import (
    DATA_LABELS,
    EXTENSION_LABELS,
    REASON_LABELS,
    RULING_LABELS,
    SIMILAR_KIND_LABELS,
    WARNING_LABELS,
)

logger = logging.getLogger(__name__)

LOGIN_URL = reverse_lazy("console:login")
PAGE_SIZE = 20

console_login_required = login_required(login_url=LOGIN_URL)

VALUE_LABELS = {
    "outcome": workflow.OUTCOMES,
    "satisfaction": workflow.SATISFACTIONS,
    "verdict": workflow.VERDICTS,
    "channel": workflow.CHANNELS,
    "kind": workflow.KINDS,
    "urgency": workflow.URGENCIES,
    "ruling": RULING_LABELS,
    "warning": WARNING_LABELS,
    "clock": workflow.CLOCKS,
}
# The action whose form is open when a ticket's page loads: the first of these the user may take.
PRIMARY_ACTIONS = (
    "dispatch",
    "forward",
    "accept",
    "reply",
    "decide_extension",
    "follow_up",
    "review",
)
UNIT_FIELDS = frozenset({"unit", "from_unit", "co_units", "copied_to"})
# The dispatch form starts on the suggested unit only when the model is this sure: on held-out
# messages, top suggestions at 0.7 or more were right 86-99 % of the time, below 0.7 about 60 %.
PRESELECT_CONFIDENCE = 0.7


# --- helpers --------------------------------------------------------------------------------


def tr(text: str) -> str:
    """Translate a label that is only known at run time (an empty one stays empty: gettext("")
    would return the catalogue's header)."""
    return _(text) if text else ""


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


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _error_text(error: HotlineError) -> str:
    """A service error as one line: ``field: message`` for bad input, the detail otherwise."""
    detail = error.detail
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {message}" for field, message in detail.items())
    return str(detail)


def _unit_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(units_list().filter(code__in=codes).values_list("code", "name"))


def _event_rows(timeline: list[dict]) -> list[dict]:
    """The timeline of ``ticket_view`` ready for the template: labels for actions, states and
    the data's fields; unit codes shown with their names."""
    codes: set[str] = set()
    for event in timeline:
        for key in UNIT_FIELDS:
            value = event["data"].get(key)
            if isinstance(value, str):
                codes.add(value)
            elif isinstance(value, list):
                codes.update(v for v in value if isinstance(v, str))
    names = _unit_names(codes)

    def show(key: str, value) -> str:
        if key in UNIT_FIELDS:
            items = value if isinstance(value, list) else [value]
            return "、".join(names.get(v, str(v)) for v in items if v) or "—"
        if key in VALUE_LABELS and isinstance(value, str):
            return tr(VALUE_LABELS[key].get(value, value))
        if key == "due_at" and isinstance(value, str):
            return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        if isinstance(value, dict):
            return "，".join(f"{tr(DATA_LABELS.get(k, k))}: {show(k, v)}" for k, v in value.items())
        return "" if value is None else str(value)

    rows = []
    for event in timeline:
        rule = workflow.TABLE.get(event["action"])
        rows.append(
            {
                "seq": event["seq"],
                "actor": event["actor"],
                "at": _when(event["at"]),
                "action": event["action"],
                "action_label": tr(rule.label) if rule else event["action"],
                "from_label": tr(workflow.STATUS_LABELS[event["from_status"]])
                if event["from_status"]
                else "",
                "to_label": tr(workflow.STATUS_LABELS[event["to_status"]]),
                "data": [
                    {"key": key, "label": tr(DATA_LABELS.get(key, key)), "value": show(key, value)}
                    for key, value in event["data"].items()
                ],
            }
        )
    return rows


def _clock_rows(view: dict, names: dict[str, str]) -> list[dict]:
    rows = []
    for clock in view.get("clocks", []):
        rows.append(
            {
                "kind": tr(workflow.CLOCKS.get(clock["kind"], clock["kind"])),
                "unit": names.get(clock["unit"], clock["unit"] or ""),
                "started_at": _when(clock["started_at"]),
                "yellow_at": _when(clock["yellow_at"]),
                "due_at": _when(clock["due_at"]),
                "stopped_at": _when(clock["stopped_at"]),
                "met": clock["met"],
                "pending_calendar": clock["pending_calendar"],
                "open": clock["stopped_at"] is None,
            }
        )
    return rows


def _action_forms(
    ticket,
    grants: Grants,
    allowed: list[str],
    *,
    bound: ActionForm | None = None,
    initial: dict[str, dict] | None = None,
) -> list[dict]:
    """A form per action the user may take now (``allowed``). The form that was just posted with
    errors is open; otherwise the action that moves the ticket on (dispatch, accept, reply …).
    ``initial`` holds starting values per action (the suggested unit for dispatch)."""
    if bound is not None and bound.action in allowed:
        opened = bound.action
    else:
        opened = next(
            (a for a in PRIMARY_ACTIONS if a in allowed), allowed[0] if len(allowed) == 1 else None
        )
    out = []
    for action in allowed:
        form = (
            bound
            if bound is not None and bound.action == action
            else ACTION_FORMS[action](ticket=ticket, initial=(initial or {}).get(action))
        )
        out.append(
            {
                "action": action,
                "label": tr(workflow.TABLE[action].label),
                "form": form,
                "confirm": action in CONFIRM_ACTIONS,
                "open": action == opened,
            }
        )
    return out


def _reason_label(reason: str) -> str:
    """A reason of the similar-ticket finder ("title similarity 0.93", "same citizen") in the
    console's language."""
    head, _sep, tail = reason.rpartition(" ")
    if head in REASON_LABELS:
        return f"{tr(REASON_LABELS[head])} {tail}"
    return tr(REASON_LABELS.get(reason, reason))


def _similar_rows(user, number: str) -> list[dict]:
    """Possible repeats and duplicates of the ticket among those the user may see."""
    return [
        {
            "number": t.number,
            "title": t.title,
            "kind": match.kind,
            "kind_label": tr(SIMILAR_KIND_LABELS[match.kind]),
            "score": round(match.score * 100),
            "reasons": [_reason_label(r) for r in match.reasons],
            "status_label": tr(workflow.STATUS_LABELS[t.status]),
            "open": t.status in workflow.OPEN_STATUSES,
            "registered_at": t.registered_at,
        }
        for match, t in insight.similar_for(user, number)
    ]


def _suggestion_rows(ticket) -> list[dict] | None:
    """The top-3 category and unit suggestions of the model in use for the ticket's text; None
    when the model failed."""
    try:
        _model, items = insight.ticket_suggestions(ticket)
    except Exception:  # a broken model file must not take the dispatcher's page down
        logger.exception("suggestions failed for ticket %s", ticket.number)
        return None
    names = _unit_names({i["unit"] for i in items if i["unit"]})
    return [
        {
            "category_name": " › ".join(i["category_name"].split("/")),
            "unit": i["unit"],
            "unit_name": names.get(i["unit"], i["unit"] or ""),
            "confidence": i["confidence"],
            "percent": round(i["confidence"] * 100),
        }
        for i in items
    ]


def _detail_context(request: HttpRequest, number: str, *, bound: ActionForm | None = None) -> dict:
    grants = grants_for(request.user)
    if not grants.reads_tickets:
        raise Http404(_("没有这个工单"))
    try:
        ticket = selectors.ticket_detail(request.user, number)
    except NotFound:
        raise Http404(_("没有这个工单")) from None
    view = ticket_view(ticket, grants, timeline=True)
    codes = {c["unit"] for c in view["clocks"] if c["unit"]} | set(view["co_units"])
    names = _unit_names(codes)
    allowed = services.ticket_allowed_actions(ticket, grants)
    # Suggestions are for whoever dispatches the ticket now; the form starts on the best unit
    # when the model is sure enough (the dispatcher still chooses and submits).
    offers_suggestions = "dispatch" in allowed and bool(grants.roles & SUGGEST_ROLES)
    suggestions = _suggestion_rows(ticket) if offers_suggestions else []
    suggestions_failed = suggestions is None
    suggestions = suggestions or []
    initial: dict[str, dict] = {}
    best = suggestions[0] if suggestions else None
    if best and best["unit"] and best["confidence"] >= PRESELECT_CONFIDENCE:
        initial["dispatch"] = {"unit": best["unit"]}
    return {
        "ticket": view,
        "unit_name": ticket.unit.name if ticket.unit_id else "",
        "centre_name": ticket.centre.name if ticket.centre else "",
        "registered_centre_name": ticket.registered_centre.name if ticket.registered_centre else "",
        "category_name": ticket.category.full_name if ticket.category_id else "",
        "region_name": ticket.region.name if ticket.region_id else "",
        "co_unit_names": [names.get(code, code) for code in view["co_units"]],
        "send_back_reason": ticket.send_back_reason,
        "registered_at": _when(view["registered_at"]),
        "closed_at": _when(view["closed_at"]),
        "reply_at": _when(view["reply"]["at"]) if view["reply"] else None,
        "deadlines": [
            {"kind": tr(workflow.CLOCKS.get(kind, kind)), "due_at": _when(due)}
            for kind, due in view["deadlines"].items()
        ],
        "clock_rows": _clock_rows(view, names),
        "events": _event_rows(view["timeline"]),
        "actions": _action_forms(ticket, grants, allowed, bound=bound, initial=initial),
        "offers_suggestions": offers_suggestions,
        "suggestions": suggestions,
        "suggestions_failed": suggestions_failed,
        "preselected_unit": initial.get("dispatch", {}).get("unit"),
        "similar": _similar_rows(request.user, number),
        # A duplicate is merged from its row: this ticket goes into the open one chosen.
        "may_merge": "merge" in allowed,
        "labels": {
            "status": tr(view["status_label"]),
            "kind": tr(workflow.KINDS.get(view["kind"], view["kind"])),
            "channel": tr(workflow.CHANNELS.get(view["channel"], view["channel"])),
            "urgency": tr(workflow.URGENCIES.get(view["urgency"], view["urgency"])),
            "warning": tr(WARNING_LABELS[view["warning"]]),
            "outcome": tr(workflow.OUTCOMES[view["reply"]["outcome"]])
            if view["reply"] and view["reply"]["outcome"]
            else "",
            "satisfaction": tr(workflow.SATISFACTIONS[view["satisfaction"]])
            if view["satisfaction"]
            else "",
            "verdict": tr(workflow.VERDICTS[view["review_verdict"]])
            if view["review_verdict"]
            else "",
            "extension": tr(
                EXTENSION_LABELS.get(
                    view["extension"]["status"] or "", view["extension"]["status"] or ""
                )
            ),
        },
    }


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
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [_list_row(t, now) for t in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "console/ticket_list.html",
        {"filters": filters, "rows": rows, "page": page, "query": query.urlencode()},
    )


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
    return _page(request, "console/ticket_detail.html", _detail_context(request, number))


@require_POST
@console_login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    form_class = ACTION_FORMS.get(action)
    grants = grants_for(request.user)
    if form_class is None or not grants.reads_tickets:
        raise Http404(_("没有这个工单"))
    try:
        ticket = selectors.ticket_detail(request.user, number)
    except NotFound:
        raise Http404(_("没有这个工单")) from None
    form = form_class(request.POST, ticket=ticket)
    status = 400
    if form.is_valid():
        try:
            services.ticket_transition(
                actor=request.user, number=number, action=action, data=form.service_data()
            )
        except NotFound:
            raise Http404(_("没有这个工单")) from None
        except HotlineError as error:
            status = error.status if 400 <= error.status < 500 else 400
            if isinstance(error, BadInput) and error.field in form.fields:
                form.add_error(error.field, str(error.detail[error.field]))
            messages.error(request, _("操作未执行：%(error)s") % {"error": _error_text(error)})
        else:
            messages.success(
                request, _("已%(action)s。") % {"action": tr(workflow.TABLE[action].label)}
            )
            return redirect("console:ticket_detail", number=number)
    else:
        messages.error(request, _("操作未执行：请检查填写的内容。"))
    context = _detail_context(request, number, bound=form)
    context["here"] = reverse("console:ticket_detail", kwargs={"number": number})
    return _page(request, "console/ticket_detail.html", context, status=status)


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
    return _page(request, "console/ticket_new.html", {"form": form}, status=status)
