"""``/console/``: the signed-in user's home, the queue of their role (a tab per role when
they hold several; ``?role=`` picks one), and the agent's intake screen with its two JSON
look-ups (the caller's earlier tickets by phone, open tickets like the text being typed).

Reads through ``hotline.tickets.queues`` and the insight selectors; the intake form posts to
``console:ticket_new`` (the registration service). The homes of the roles whose pages live
elsewhere (callback agents, evaluators, the oversight roles) are links of the registry in
``homes.py``.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotline.accounts.roles import ROLE_LABELS, Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import Forbidden, NotFound
from hotline.insight import selectors as insight
from hotline.tickets import queues, workflow
from hotline.tickets.staff_pages import forbidden as _forbidden
from hotline.tickets.staff_pages import page as _page
from hotline.tickets.staff_pages import staff_login_required as console_login_required

from .forms import RegisterForm
from .homes import home_register, homes_for
from .labels import REASON_LABELS, SIMILAR_KIND_LABELS, WARNING_LABELS

PAGE_SIZE = 20
MIN_SIMILAR_TEXT = 6
STATUS = dict(workflow.STATUS_CHOICES)


def tr(text: str) -> str:
    """A label known only at run time in the user's language ("" stays "")."""
    return _(text) if text else ""


def _reason_label(reason: str) -> str:
    """A reason of the similar-ticket finder ("title similarity 0.93") in words."""
    head, _sep, tail = reason.rpartition(" ")
    if head in REASON_LABELS:
        return f"{tr(REASON_LABELS[head])} {tail}"
    return tr(REASON_LABELS.get(reason, reason))


def _tabs(request: HttpRequest, current: Role | None) -> list[dict]:
    return [
        {
            "role": home.role.value,
            "label": tr(home.label),
            "url": url,
            "current": home.role == current,
        }
        for home, url in homes_for(grants_for(request.user).roles)
    ]


def queue_rows(tickets, queue: queues.Queue) -> list[dict]:
    """A page of a queue ready for the template: labels, the warning level and the time left
    on the queue's clock (working hours or days; ``超期 N 天`` when late)."""
    now = timezone.now()
    rows = []
    for t in tickets:
        left = queues.clock_time_left(now, t.queue_due_at, t.queue_limit_unit)
        warning = queues.ticket_queue_warning(t, now)
        rows.append(
            {
                "number": t.number,
                "title": t.title or t.content[:40],
                "status_label": tr(STATUS[t.status]),
                "urgency": t.urgency,
                "urgency_label": tr(workflow.URGENCIES.get(t.urgency, t.urgency)),
                "unit_name": t.unit.name if t.unit_id else "",
                "warning": warning,
                "warning_label": tr(WARNING_LABELS[warning]),
                "due_at": t.queue_due_at,
                "late": bool(left and left.late),
                "time_left": queues.time_left_label(left),
                "clock_label": tr(workflow.CLOCKS.get(queue.clock, queue.clock)),
                "registered_at": t.registered_at,
                "send_back_reason": t.send_back_reason,
                "send_back_unit": t.send_back_unit.name if t.send_back_unit_id else "",
                "extension_days": t.extension_days,
            }
        )
    return rows


def queue_home(request: HttpRequest, role: Role) -> HttpResponse:
    """The queues of a role: one list at a time (``?queue=``), each paginated and ordered by
    its clock, with the count of every list on its tab."""
    counts = queues.queue_counts(request.user, role)
    defined = queues.queues_of(role)
    wanted = request.GET.get("queue", "")
    queue = next((q for q in defined if q.key == wanted), None)
    if queue is None:
        # The first list with something in it: what the user should look at first.
        queue = next((q for q in defined if counts[q.key]), defined[0])
    page = Paginator(queues.queue_tickets(request.user, role, queue.key), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _page(
        request,
        "console/home_queue.html",
        {
            "tabs": _tabs(request, role),
            "role": role.value,
            "role_label": tr(ROLE_LABELS[role]),
            "queues": [
                {"key": q.key, "label": tr(q.label), "count": counts[q.key], "current": q == queue}
                for q in defined
            ],
            "queue": {"key": queue.key, "label": tr(queue.label), "hint": tr(queue.hint)},
            "rows": queue_rows(page.object_list, queue),
            "page": page,
            "query": f"role={role.value}&queue={queue.key}",
        },
    )


# --- the agent's intake screen -----------------------------------------------------------------


def _history_rows(tickets) -> list[dict]:
    return [
        {
            "number": t.number,
            "title": t.title or t.content[:40],
            "status_label": tr(STATUS[t.status]),
            "open": t.status in workflow.OPEN_STATUSES,
            "registered_at": timezone.localtime(t.registered_at).strftime("%Y-%m-%d %H:%M"),
            "unit_name": t.unit.name if t.unit_id else "",
            "url": reverse("console:ticket_detail", kwargs={"number": t.number}),
        }
        for t in tickets
    ]


def _similar_rows(user, *, title: str, content: str, phone: str) -> list[dict]:
    if len(content.strip()) + len(title.strip()) < MIN_SIMILAR_TEXT:
        return []
    return [
        {
            "number": t.number,
            "title": t.title,
            "kind_label": tr(SIMILAR_KIND_LABELS[match.kind]),
            "score": round(match.score * 100),
            "reasons": [_reason_label(r) for r in match.reasons],
            "status_label": tr(STATUS[t.status]),
            "url": reverse("console:ticket_detail", kwargs={"number": t.number}),
        }
        for match, t in insight.similar_to_text(user, title=title, content=content, phone=phone)
    ]


def intake_context(request: HttpRequest) -> dict:
    """The intake form and its panels. Without JavaScript the form's "look up" button sends
    what was typed here by GET (``lookup``): the form keeps it and the panels come filled."""
    looked_up = "lookup" in request.GET
    initial = {}
    if looked_up:
        initial = {k: request.GET.get(k, "") for k in RegisterForm.base_fields if k in request.GET}
    phone = request.GET.get("citizen_phone", "")[:32] if looked_up else ""
    try:
        history = _history_rows(queues.caller_history(request.user, phone)) if phone else []
    except Forbidden:
        history = []  # a role that registers but may not look callers up (an admin)
    similar = (
        _similar_rows(
            request.user,
            title=request.GET.get("title", "")[:200],
            content=request.GET.get("content", "")[:2000],
            phone=phone,
        )
        if looked_up
        else []
    )
    return {
        "form": RegisterForm(initial=initial),
        "looked_up": looked_up,
        "phone": phone,
        "history": history,
        "similar": similar,
        "lookup_url": request.path,
    }


def agent_home(request: HttpRequest, role: Role) -> HttpResponse:
    """The intake form (call, letter or visit) with, beside it, the caller's earlier tickets
    and open tickets like the text typed."""
    context = intake_context(request)
    context["tabs"] = _tabs(request, role)
    context["lookup_role"] = role.value
    return _page(request, "console/home_agent.html", context)


for _role, _label, _view in (
    (Role.AGENT, "来电登记", agent_home),
    (Role.DISPATCHER, "派单队列", queue_home),
    (Role.SUB_DISPATCHER, "下派队列", queue_home),
    (Role.HANDLER, "承办队列", queue_home),
    (Role.UNIT_LEADER, "本单位工单", queue_home),
):
    home_register(_role, _label, view=_view)


@require_GET
@console_login_required
def home(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    homes = homes_for(grants.roles)
    wanted = request.GET.get("role", "")
    if wanted:
        chosen = next((h for h, _url in homes if h.role.value == wanted), None)
        if chosen is None:
            return _forbidden(request, _("你没有这个岗位的工作台。"))
    elif homes:
        chosen = homes[0][0]
    else:
        return _page(request, "console/home_none.html", {"tabs": []})
    if chosen.view is None:
        return redirect(chosen.url() or "console:ticket_list")
    try:
        return chosen.view(request, chosen.role)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))


# --- JSON look-ups of the intake screen (called by static/console/intake.js) -------------------


def _json_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


@require_GET
@console_login_required
def intake_history(request: HttpRequest) -> JsonResponse:
    """``?phone=``: the caller's earlier tickets, newest first (centre roles only)."""
    try:
        tickets = queues.caller_history(request.user, request.GET.get("phone", "")[:32])
    except Forbidden as error:
        return _json_error("forbidden", str(error.detail), 403)
    return JsonResponse({"items": _history_rows(tickets)})


@require_GET
@console_login_required
def intake_similar(request: HttpRequest) -> JsonResponse:
    """``?title=&content=&phone=``: open tickets like the text being typed, best first."""
    if not grants_for(request.user).roles & {Role.AGENT, Role.DISPATCHER}:
        return _json_error("forbidden", "for the roles that register tickets", 403)
    try:
        items = _similar_rows(
            request.user,
            title=request.GET.get("title", "")[:200],
            content=request.GET.get("content", "")[:2000],
            phone=request.GET.get("phone", "")[:32],
        )
    except NotFound:
        items = []
    return JsonResponse({"items": items})
