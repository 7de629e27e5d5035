"""The ticket page's presentation: what the selectors return, turned into rows the template
shows. Views stay thin (read, call one presenter, render); every label is in words in the
console's language, never a key or a code (docs/decisions.md "Presenters").

The functions here read nothing but the names behind the codes (``Names``, a handful of
queries per page, never one per row); the rest is pure formatting.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hotline.accounts.roles import Role
from hotline.accounts.selectors import Grants, users_by_username
from hotline.core.errors import BadInput, CalendarMissing, Conflict, Forbidden, HotlineError
from hotline.insight import selectors as insight
from hotline.insight.api import SUGGEST_ROLES
from hotline.orgs.selectors import categories_list, centres_all, units_list
from hotline.tickets import services, workflow
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.serializers import ticket_view

from .attachments import attachment_rows
from .forms import ACTION_FORMS, CONFIRM_ACTIONS, ActionForm, RevealForm
from .labels import (
    DATA_LABELS,
    EXTENSION_LABELS,
    NESTED_DATA_LABELS,
    NOTICE_LABELS,
    PLACE_LEVEL_LABELS,
    PLACE_VIA_LABELS,
    REASON_LABELS,
    REFERRAL_LABELS,
    REPLY_CHECK_LABELS,
    RULING_LABELS,
    SIMILAR_KIND_LABELS,
    WARNING_LABELS,
)

logger = logging.getLogger("hotline.console")

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
# The dispatch form starts on the suggested unit only when the model is this sure: on held-out
# messages, top suggestions at 0.7 or more were right 86-99 % of the time, below 0.7 about 60 %.
PRESELECT_CONFIDENCE = 0.7

UNIT_KEYS = frozenset({"unit", "from_unit", "co_units", "copied_to"})
CENTRE_KEYS = frozenset({"centre", "from_centre"})
PERSON_KEYS = frozenset({"evaluator"})
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
    "referred": REFERRAL_LABELS,
}
SYSTEM_NAME = "system"
# Dispatchers see a reply flagged when its check scored below this.
WEAK_REPLY_ROLES = frozenset({Role.DISPATCHER})


def tr(text: str) -> str:
    """Translate a label that is only known at run time (an empty one stays empty: gettext("")
    would return the catalogue's header)."""
    return _(text) if text else ""


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def local_text(value: object) -> str:
    """An ISO moment as the page shows it (local time, to the minute)."""
    if not isinstance(value, str) or not value:
        return "—"
    try:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def person_name(user) -> str:
    """A person as the page names them: the full name, the username only when there is none."""
    if user is None:
        return ""
    name = getattr(user, "display_name", "") or ""
    if not name and hasattr(user, "get_full_name"):
        name = user.get_full_name()
    return name or user.get_username()


# --- names behind the codes ----------------------------------------------------------------


@dataclass
class Names:
    """Unit, centre and category names and people's names, by code and username."""

    units: dict[str, str] = field(default_factory=dict)
    centres: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    def unit(self, code: object) -> str:
        return self.units.get(code, _("未知单位")) if isinstance(code, str) else "—"

    def centre(self, code: object) -> str:
        if not isinstance(code, str):
            return "—"
        return self.centres.get(code) or self.units.get(code) or _("未知热线中心")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _codes(data: object, keys: frozenset[str], out: set[str]) -> None:
    """Collect the string values under ``keys`` anywhere in an event's data."""
    if isinstance(data, list):
        for item in data:
            _codes(item, keys, out)
        return
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key in keys:
            out.update(_strings(value))
        else:
            _codes(value, keys, out)


def names_for(datas: Iterable[dict], *, units: Iterable[str] = ()) -> Names:
    """The names the events' data and the page name, in at most four queries."""
    datas = list(datas)
    unit_codes: set[str] = set(units)
    centre_codes: set[str] = set()
    categories: set[str] = set()
    people: set[str] = set()
    for data in datas:
        _codes(data, UNIT_KEYS, unit_codes)
        _codes(data, CENTRE_KEYS, centre_codes)
        _codes(data, frozenset({"category"}), categories)
        _codes(data, PERSON_KEYS, people)
    names = Names()
    codes = unit_codes | centre_codes
    if codes:
        names.units = dict(units_list().filter(code__in=codes).values_list("code", "name"))
    if centre_codes:
        names.centres = {c.unit.code: c.name for c in centres_all() if c.unit.code in centre_codes}
    if categories:
        names.categories = {
            c.code: c.full_name for c in categories_list().filter(code__in=categories)
        }
    if people:
        names.people = {name: person_name(u) for name, u in users_by_username(people).items()}
    return names


# --- one field of an event's data, in words ------------------------------------------------


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _judgements(value: dict, names: Names) -> str:
    parts = []
    for name, item in value.items():
        if isinstance(item, dict):
            verdict = _yes_no(bool(item.get("value")))
            note = item.get("note") or ""
            text = f"{verdict}（{note}）" if note else verdict
        else:
            text = show_value(name, item, names)
        parts.append(f"{field_label(name)}：{text}")
    return "；".join(parts)


def _clock_list(value: list, names: Names) -> str:
    parts = []
    for item in value:
        if not isinstance(item, dict):
            continue
        kind = tr(workflow.CLOCKS.get(item.get("kind") or "", "")) or _("时限")
        unit = names.unit(item["unit"]) if item.get("unit") else ""
        parts.append(" ".join(p for p in (kind, unit, local_text(item.get("due_at"))) if p))
    return "；".join(parts) or "—"


def _mapping(outer: str, value: dict, names: Names) -> str:
    if outer == "judgements":
        return _judgements(value, names)
    return "；".join(
        f"{field_label(key, outer)}：{show_value(key, item, names)}" for key, item in value.items()
    )


def _choice(table: dict):
    return lambda value, names: tr(table.get(value, "")) or _("其他")


_BY_KEY = {
    **{key: _choice(table) for key, table in VALUE_LABELS.items()},
    **{key: (lambda value, names: names.centre(value)) for key in CENTRE_KEYS},
    **{key: (lambda value, names: names.people.get(str(value), str(value))) for key in PERSON_KEYS},
    "category": lambda value, names: names.categories.get(str(value), _("未知分类")),
    "due_at": lambda value, names: local_text(value),
    "review_due_at": lambda value, names: local_text(value),
}


def _scalar(key: str, value: object, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    shown = _BY_KEY.get(key)
    return shown(value, names) if shown is not None else str(value)


def _units(value: object, names: Names) -> str:
    items = value if isinstance(value, list) else [value]
    return "、".join(names.unit(v) for v in items if v) or "—"


def _notices(value: object, names: Names) -> str:
    items = value if isinstance(value, list) else [value]
    return "、".join(tr(NOTICE_LABELS.get(str(v), "")) or _("其他通知") for v in items) or "—"


# Fields whose whole value (a list, a mapping) is shown by one function.
_WHOLE = {
    **dict.fromkeys(UNIT_KEYS, _units),
    "notified": _notices,
    "clocks": lambda value, names: _clock_list(value if isinstance(value, list) else [], names),
    # The knowledge-base article an agent answered from: its title and version.
    "article": lambda value, names: (
        _("《%(title)s》第 %(version)s 版")
        % {"title": value.get("title"), "version": value.get("version")}
        if isinstance(value, dict)
        else str(value)
    ),
}


def show_value(key: str, value: object, names: Names) -> str:
    """One field's value in words: names for codes, labels for choices, local times."""
    whole = _WHOLE.get(key)
    if whole is not None:
        return whole(value, names)
    if isinstance(value, dict):
        return _mapping(key, value, names)
    if isinstance(value, list):
        return "、".join(_scalar(key, v, names) for v in value) or "—"
    return _scalar(key, value, names)


def field_label(key: str, outer: str = "") -> str:
    label = NESTED_DATA_LABELS.get((outer, key)) or DATA_LABELS.get(key)
    if label is None:
        logger.warning("no label for the event data field %r", key)
        return _("其他信息")
    return tr(label)


# --- the timeline --------------------------------------------------------------------------


def actor_name(event: TicketEvent) -> str:
    if event.actor_id is not None:
        return person_name(event.actor)
    if event.actor_name in ("", SYSTEM_NAME):
        return _("系统")
    return event.actor_name


def action_label(action: str) -> str:
    rule = workflow.TABLE.get(action)
    return tr(rule.label) if rule else _("其他操作")


def status_label(status: str | None) -> str:
    return tr(workflow.STATUS_LABELS.get(status, "")) if status else ""  # type: ignore[call-overload]


def event_row(event: TicketEvent, names: Names) -> dict:
    return {
        "seq": event.seq,
        "actor": actor_name(event),
        "at": event.at,
        "action": event.action,
        "action_label": action_label(event.action),
        "from_label": status_label(event.from_status),
        "to_label": status_label(event.to_status),
        "data": [
            {"key": key, "label": field_label(key), "value": show_value(key, value, names)}
            for key, value in (event.data or {}).items()
        ],
    }


# --- rounds of handling --------------------------------------------------------------------


def _round_new(number: int, event: TicketEvent, names: Names) -> dict:
    data = event.data or {}
    return {
        "number": number,
        "started_by": action_label(event.action),
        "started_at": event.at,
        "unit": names.unit(data.get("unit")) if data.get("unit") else "",
        "due_at": when(data.get("due_at")) if isinstance(data.get("due_at"), str) else None,
        "accepted_at": None,
        "reply": None,
        "follow_up": None,
        "review": None,
    }


def _step_unit(current: dict, event: TicketEvent, names: Names) -> None:
    if (event.data or {}).get("unit"):
        current["unit"] = names.unit(event.data["unit"])


def _step_accept(current: dict, event: TicketEvent, names: Names) -> None:
    current["accepted_at"] = event.at


def _step_reply(current: dict, event: TicketEvent, names: Names) -> None:
    data = event.data or {}
    current["reply"] = {
        "text": data.get("text", ""),
        "outcome": tr(workflow.OUTCOMES.get(data.get("outcome") or "", "")),
        "by": actor_name(event),
        "at": event.at,
        "score": data.get("check_score"),
        "weak": data.get("check_ok") is False,
    }


def _step_follow_up(current: dict, event: TicketEvent, names: Names) -> None:
    data = event.data or {}
    current["follow_up"] = {
        "satisfaction": tr(workflow.SATISFACTIONS.get(data.get("satisfaction") or "", "")),
        "note": data.get("note", ""),
        "by": actor_name(event),
        "at": event.at,
    }


def _step_review(current: dict, event: TicketEvent, names: Names) -> None:
    data = event.data or {}
    current["review"] = {
        "verdict": tr(workflow.VERDICTS.get(data.get("verdict") or "", "")),
        "note": data.get("note", ""),
        "by": actor_name(event),
        "at": event.at,
    }


_ROUND_STEPS = {
    "dispatch": _step_unit,
    "forward": _step_unit,
    "accept": _step_accept,
    "reply": _step_reply,
    "follow_up": _step_follow_up,
    "review": _step_review,
}


def handling_rounds(events: Iterable[TicketEvent], names: Names) -> list[dict]:
    """One round per dispatch to a unit and per redo ordered by review: who held it, when it was
    accepted, the reply (kept, even after a redo cleared the ticket's current reply), the
    follow-up and the review."""
    rounds: list[dict] = []
    for event in events:
        step = _ROUND_STEPS.get(event.action)
        if step is None or (not rounds and event.action != "dispatch"):
            continue
        if not rounds:
            rounds.append(_round_new(1, event, names))
            continue
        current = rounds[-1]
        step(current, event, names)
        if event.action == "review" and (event.data or {}).get("verdict") == "redo":
            redo = _round_new(len(rounds) + 1, event, names)
            redo["unit"] = redo["unit"] or current["unit"]
            rounds.append(redo)
    return rounds


# --- the ticket's header -------------------------------------------------------------------


def citizen_rows(ticket: Ticket, view: dict, revealed: dict | None) -> dict:
    """The complainant as this viewer sees it: in full after a reveal, else as the serializer
    masked it."""
    citizen = dict(view["citizen"])
    if revealed is not None:
        citizen.update(revealed)
        citizen["revealed"] = True
    else:
        citizen["revealed"] = False
        # Masked at all? A reveal only helps when the page shows less than there is.
        citizen["masked"] = (
            citizen["name"] != ticket.citizen_name or citizen["phone"] != ticket.citizen_phone
        )
    return citizen


def header_labels(view: dict) -> dict:
    reply = view["reply"]
    extension = view["extension"]["status"] or ""
    return {
        "status": tr(view["status_label"]),
        "kind": tr(workflow.KINDS.get(view["kind"], "")),
        "channel": tr(workflow.CHANNELS.get(view["channel"], "")),
        "urgency": tr(workflow.URGENCIES.get(view["urgency"], "")),
        "warning": tr(WARNING_LABELS[view["warning"]]),
        "outcome": tr(workflow.OUTCOMES.get(reply["outcome"] or "", "")) if reply else "",
        "satisfaction": tr(workflow.SATISFACTIONS.get(view["satisfaction"] or "", "")),
        "verdict": tr(workflow.VERDICTS.get(view["review_verdict"] or "", "")),
        "extension": tr(EXTENSION_LABELS.get(extension, "")),
    }


def ticket_facts(ticket: Ticket, view: dict, names: Names) -> dict:
    """Where the ticket is and who answers for it, in names."""
    return {
        "unit_name": ticket.unit.name if ticket.unit else "",
        "centre_name": ticket.centre.name if ticket.centre else "",
        "registered_centre_name": ticket.registered_centre.name if ticket.registered_centre else "",
        "category_name": ticket.category.full_name if ticket.category else "",
        "region_name": ticket.region.name if ticket.region else "",
        "co_unit_names": [names.unit(code) for code in view["co_units"]],
        "first_responder": person_name(ticket.registered_by) if ticket.registered_by_id else "",
        "send_back_reason": ticket.send_back_reason,
        "registered_at": when(view["registered_at"]),
        "closed_at": when(view["closed_at"]),
        "reply_at": when(view["reply"]["at"]) if view["reply"] else None,
        "deadlines": [
            {"kind": tr(workflow.CLOCKS.get(kind, "")), "due_at": when(due)}
            for kind, due in view["deadlines"].items()
        ],
    }


def clock_rows(view: dict, names: Names) -> list[dict]:
    return [
        {
            "kind": tr(workflow.CLOCKS.get(clock["kind"], "")),
            "unit": names.unit(clock["unit"]) if clock["unit"] else "",
            "started_at": when(clock["started_at"]),
            "yellow_at": when(clock["yellow_at"]),
            "due_at": when(clock["due_at"]),
            "stopped_at": when(clock["stopped_at"]),
            "met": clock["met"],
            "pending_calendar": clock["pending_calendar"],
            "open": clock["stopped_at"] is None,
        }
        for clock in view.get("clocks", [])
    ]


# --- actions -------------------------------------------------------------------------------


def _opened(allowed: list[str], bound: ActionForm | None) -> str | None:
    if bound is not None and bound.action in allowed:
        return bound.action
    return next(
        (a for a in PRIMARY_ACTIONS if a in allowed), allowed[0] if len(allowed) == 1 else None
    )


def action_forms(
    ticket: Ticket,
    allowed: list[str],
    *,
    bound: ActionForm | None = None,
    initial: dict[str, dict] | None = None,
) -> list[dict]:
    """A form per action the user may take now (``allowed``), and only those. The form that was
    just posted with errors is open; otherwise the action that moves the ticket on (dispatch,
    accept, reply …). ``initial`` holds starting values per action (the suggested unit)."""
    opened = _opened(allowed, bound)
    out = []
    for action in allowed:
        if bound is not None and bound.action == action:
            form = bound
        else:
            form = ACTION_FORMS[action](ticket=ticket, initial=(initial or {}).get(action))
        out.append(
            {
                "action": action,
                "label": action_label(action),
                "form": form,
                "confirm": action in CONFIRM_ACTIONS,
                "open": action == opened,
            }
        )
    return out


# --- insight on the page -------------------------------------------------------------------


def _reason_label(reason: str) -> str:
    """A reason of the similar-ticket finder ("title similarity 0.93", "same citizen") in the
    console's language."""
    head, _sep, tail = reason.rpartition(" ")
    if head in REASON_LABELS:
        return f"{tr(REASON_LABELS[head])} {tail}"
    return tr(REASON_LABELS.get(reason, "")) or _("其他依据")


def similar_rows(user, number: str) -> list[dict]:
    """Possible repeats and duplicates of the ticket among those the user may see."""
    return [
        {
            "number": t.number,
            "title": t.title,
            "kind": match.kind,
            "kind_label": tr(SIMILAR_KIND_LABELS[match.kind]),
            "score": round(match.score * 100),
            "reasons": [_reason_label(r) for r in match.reasons],
            "status_label": status_label(t.status),
            "open": t.status in workflow.OPEN_STATUSES,
            "registered_at": t.registered_at,
        }
        for match, t in insight.similar_for(user, number)
    ]


def suggestion_basis(basis, unit_name: str, place_name: str = "") -> dict:
    """How a suggestion chose its unit, in the console's language: the routing rule (its id for
    the admin's link, its name, the words it matched) or the leaf's owner; 属地 (the district of
    the place) or a named unit; and the words of the text that named the leaf."""
    words = "、".join(basis.leaf_words)
    out = {
        "via": basis.via,
        "rule": basis.rule,
        "rule_name": basis.rule_name,
        "rule_priority": basis.rule_priority,
        "rule_words": "、".join(basis.rule_words),
        "leaf_words": words,
        "territorial": basis.territorial,
    }
    if basis.territorial:
        out["owner_label"] = _("属地：%(district)s（地点 %(place)s 所在区，由其向下转办）") % {
            "district": basis.district or "—",
            "place": place_name or basis.district or "—",
        }
    elif basis.via == "no_place":
        out["owner_label"] = _("属地分类但未识别出地点：派给分类的默认单位 %(unit)s") % {
            "unit": unit_name or "—"
        }
    else:
        out["owner_label"] = _("按单位归属：%(unit)s") % {"unit": unit_name or "—"}
    return out


def suggestion_place(out) -> dict | None:
    """Where the suggestion placed the ticket: the region node, its level and district, and
    what it was read from (map point, address, text, the region given)."""
    place = out.place
    if place is None:
        return None
    return {
        "name": place.name,
        "level_label": tr(PLACE_LEVEL_LABELS.get(place.level, "")),
        "district": out.district_name if out.district_name != place.name else "",
        "via_label": tr(PLACE_VIA_LABELS.get(place.via, "")),
        "words": "、".join(place.words),
    }


def suggestion_rows(ticket: Ticket) -> tuple[list[dict] | None, dict | None]:
    """The top-3 category and unit suggestions of the model in use for the ticket's text, each
    with why it chose its unit, and the place the ticket was resolved to; (None, None) when the
    model failed."""
    try:
        out = insight.ticket_suggest_for(ticket)
    except Exception:  # a broken model file must not take the dispatcher's page down
        logger.exception("suggestions failed for ticket %s", ticket.number)
        return None, None
    items = out.items
    names = names_for([], units=[i["unit"] for i in items if i["unit"]])
    rows = []
    for i in items:
        unit_name = names.unit(i["unit"]) if i["unit"] else ""
        rows.append(
            {
                "category_name": " › ".join(i["category_name"].split("/")),
                "unit": i["unit"],
                "unit_name": unit_name,
                "confidence": i["confidence"],
                "percent": round(i["confidence"] * 100),
                "basis": suggestion_basis(
                    i["basis"], unit_name, out.place.name if out.place else ""
                ),
            }
        )
    return rows, suggestion_place(out)


def suggestions_block(ticket: Ticket, grants: Grants, allowed: list[str]) -> dict:
    """Suggestions are for whoever dispatches the ticket now; the form starts on the best unit
    when the model is sure enough (the dispatcher still chooses and submits)."""
    offers = "dispatch" in allowed and bool(grants.roles & SUGGEST_ROLES)
    rows, place = suggestion_rows(ticket) if offers else ([], None)
    best = rows[0] if rows else None
    preselected = (
        best["unit"]
        if best and best["unit"] and best["confidence"] >= PRESELECT_CONFIDENCE
        else None
    )
    return {
        "offers_suggestions": offers,
        "suggestions": rows or [],
        "suggestion_place": place,
        "suggestions_failed": rows is None,
        "preselected_unit": preselected,
    }


def reply_check_reasons(reasons: Iterable[str]) -> list[str]:
    """The reply check's reasons (English, from ``insight.replycheck``) in the console's
    language, their numbers kept."""
    out = []
    for reason in reasons:
        head = next((h for h in REPLY_CHECK_LABELS if reason.startswith(h)), None)
        if head is None:
            out.append(_("其他不足"))
            continue
        numbers = re.findall(r"\d+(?:\.\d+)?", reason[len(head) :])
        label = tr(REPLY_CHECK_LABELS[head])
        out.append(f"{label} {numbers[0]}" if numbers else label)
    return out


def reply_check_view(check) -> dict:
    """A reply check for the page and the JSON endpoint."""
    return {
        "score": check.score,
        "ok": check.ok,
        "level": "ok" if check.ok else "weak",
        "reasons": reply_check_reasons(check.reasons),
        "pass_score": insight.REPLY_PASS_SCORE,
    }


def weak_reply_flag(ticket: Ticket, events: list[TicketEvent], grants: Grants) -> dict | None:
    """For a dispatcher: the current reply scored weak by the check when it went out."""
    if not grants.roles & WEAK_REPLY_ROLES or ticket.replied_at is None or not ticket.reply_text:
        return None
    reply = next((e for e in reversed(events) if e.action == "reply"), None)
    if reply is None or (reply.data or {}).get("check_ok") is not False:
        return None
    check = insight.reply_check_of(ticket)
    return {"score": reply.data.get("check_score"), "reasons": reply_check_reasons(check.reasons)}


# --- errors of the services on a form's field ------------------------------------------------

# The services explain bad input in English (the API's words); a field of a console form says it
# in the console's language. By the start of the service's message; others get a general line.
SERVICE_ERRORS = (
    ("required", gettext_noop("必须填写此项。")),
    ("no open ticket", gettext_noop("没有这个可以并入的在办工单。")),
    ("a ticket cannot be merged into itself", gettext_noop("工单不能并入自己。")),
    ("no unit", gettext_noop("没有这个单位。")),
    ("not a unit below the centre", gettext_noop("只能派往本中心辖区内的单位。")),
    (
        "tickets are dispatched to handling units",
        gettext_noop("只能派往承办单位，不能派给中心或督查、纪检部门。"),
    ),
    ("the lead unit cannot also be a co-unit", gettext_noop("主办单位不能同时是协办单位。")),
    ("at most", gettext_noop("内容过长。")),
    ("must be", gettext_noop("格式不正确。")),
    ("one of", gettext_noop("请从列表中选择。")),
)


def service_error_text(error) -> str:
    """A service's ``BadInput`` on one field, in the console's language."""
    detail = error.detail.get(error.field, "") if isinstance(error.detail, dict) else ""
    detail = str(detail)
    for head, label in SERVICE_ERRORS:
        if detail.startswith(head):
            return tr(label)
    if " is not below " in detail:
        return _("只能转派给本单位的下级单位。")
    return _("填写的内容不被接受，请检查。")


# --- refusals of the transition function, in the console's language --------------------------

# The table's refusals (``workflow.decide``, its guards, the handlers) explain themselves in
# English: the API's ``detail`` keeps those words (DESIGN section 9); the console page says
# why in the user's language. Guards by their message, the rest by what the message says.
GUARD_REFUSALS = {
    workflow.NO_EXTENSION_YET.message: gettext_noop("这张工单已经申请过延期（每件只能申请一次）。"),
    workflow.BEFORE_DEADLINE.message: gettext_noop("办理时限已过，不能再申请延期。"),
    workflow.EXTENSION_WAITING.message: gettext_noop("这张工单没有等待审批的延期申请。"),
    workflow.HOLDER_HAS_CHILDREN.message: gettext_noop("承办单位没有可以下派的下级单位。"),
    workflow.CENTRE_HAS_PARENT.message: gettext_noop("只有区级热线中心可以把工单上报市级。"),
    workflow.HELD_BY_CENTRE.message: gettext_noop(
        "工单已在下级单位办理：应由该单位退单，不能由中心直接处理。"
    ),
    "the ticket has no running handling clock": gettext_noop("这张工单没有正在计时的办理时限。"),
}


def refusal_text(error: HotlineError, action: str, status: str) -> str:
    """Why the service refused ``action`` on a ticket that is ``status``, in the console's
    language (the English ``detail`` is the API's). ``BadInput`` as on a form's field."""
    detail = str(error.detail)
    known = GUARD_REFUSALS.get(detail)
    if known:
        return tr(known)
    names = {"action": action_label(action), "status": status_label(status)}
    if isinstance(error, BadInput):
        return service_error_text(error)
    if isinstance(error, Conflict):
        return (
            _("工单现在是“%(status)s”，不能%(action)s：页面可能已过期，以下是工单的最新情况。")
            % names
        )
    if isinstance(error, Forbidden):
        if "the unit that holds the ticket" in detail:
            return _("“%(action)s”须由当前承办单位办理。") % names
        if "centre or one above it" in detail:
            return _("“%(action)s”须由工单所在的热线中心或其上级中心办理。") % names
        return _("你的角色不能对这张工单%(action)s。") % names
    if isinstance(error, CalendarMissing):
        return _("%(year)s 年的工作日历尚未确认，暂时不能计算时限，请联系管理员。") % {
            "year": error.year
        }
    return _("暂时无法完成，请稍后再试；如仍不行，请联系管理员。")


# --- the page ------------------------------------------------------------------------------


def ticket_page(
    ticket: Ticket,
    *,
    user,
    grants: Grants,
    bound: ActionForm | None = None,
    revealed: dict | None = None,
    reveal_form=None,
    reply_check: dict | None = None,
) -> dict:
    """Everything the ticket page shows, for ``user``."""
    view = ticket_view(ticket, grants, timeline=True)
    events = list(ticket.events.all())
    names = names_for(
        [e.data or {} for e in events],
        units=[c["unit"] for c in view["clocks"] if c["unit"]] + list(view["co_units"]),
    )
    allowed = services.ticket_allowed_actions(ticket, grants)
    suggestions = suggestions_block(ticket, grants, allowed)
    initial = (
        {"dispatch": {"unit": suggestions["preselected_unit"]}}
        if suggestions["preselected_unit"]
        else {}
    )
    return {
        "ticket": view,
        **ticket_facts(ticket, view, names),
        "citizen": citizen_rows(ticket, view, revealed),
        "may_reveal": services.may_reveal(ticket, grants),
        "reveal_form": reveal_form or RevealForm(),
        "clock_rows": clock_rows(view, names),
        "events": [event_row(e, names) for e in events],
        "rounds": handling_rounds(events, names),
        "actions": action_forms(ticket, allowed, bound=bound, initial=initial),
        **suggestions,
        "similar": similar_rows(user, ticket.number),
        "attachments": attachment_rows(ticket),
        # An agent answering a consultation directly looks the answer up in the knowledge base.
        "may_answer": "answer_directly" in allowed,
        # A duplicate is merged from its row: this ticket goes into the open one chosen.
        "may_merge": "merge" in allowed,
        "reply_check": reply_check,
        "weak_reply": weak_reply_flag(ticket, events, grants),
        "labels": header_labels(view),
    }
