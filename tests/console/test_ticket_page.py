"""The ticket page (hotline.console.presenters and the detail views): names not usernames, every
event in words, the rounds of handling after a redo, the complainant revealed with a reason,
the reply check, buttons only for allowed actions, Chinese field errors, long and empty text."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.core.models import AuditEvent
from hotline.tickets import services
from hotline.tickets.models import Ticket, TicketEvent
from tests.factories import JUDGEMENTS, act, register, ticket_in


@pytest.fixture
def console(db):
    clients: dict[str, Client] = {}

    def as_user(username: str) -> Client:
        if username not in clients:
            client = Client()
            assert client.login(username=username, password="demo"), username
            clients[username] = client
        return clients[username]

    return as_user


def page_of(client: Client, number: str) -> str:
    response = client.get(f"/console/tickets/{number}/")
    assert response.status_code == 200
    return response.content.decode()


def visible_text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def section(page: str, element_id: str) -> str:
    """The inside of the element with this id (elements of the same tag nested in it allowed)."""
    start = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>', page)
    if start is None:
        return ""
    tag, depth = start.group(1), 1
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", page[start.end() :]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return page[start.end() : start.end() + match.start()]
    return page[start.end() :]


def timeline_text(page: str) -> str:
    return visible_text(section(page, "timeline"))


def system_act(number: str, action: str, **data):
    return services.ticket_transition(actor=SYSTEM, number=number, action=action, data=data)


# --- every event in words ------------------------------------------------------------------


def _through_the_whole_lifecycle() -> str:
    """A ticket taken through every action a ticket can go through and stay open to the end:
    dispatch with co-unit and copy, forward, accept, extension asked and granted, warning, reply,
    the automated voice follow-up, review ordering a redo, supervision, comment, reply again,
    follow-up, a recalculation of deadlines."""
    ticket = register(urgency="normal", category=None)
    number = ticket.number
    act(
        "dispatcher",
        number,
        "dispatch",
        unit="jiangan",
        co_units=["hanyang"],
        copy_to=["discipline"],
        note="请尽快处理",
    )
    act("jiangan-dispatcher", number, "forward", unit="jiangan-01", note="转街道")
    act("jiangan-01-handler", number, "accept")
    act("jiangan-01-handler", number, "request_extension", days=3, reason="需协调")
    act("dispatcher", number, "decide_extension", approve=True, note="同意")
    system_act(
        number,
        "warn",
        clock="handle",
        warning="yellow",
        unit="jiangan-01",
        due_at=timezone.now().isoformat(),
        notified=["yellow", "voice_reminder", "wecom_yellow"],
        missing_phone=["某街道 分管领导"],
        yellow_skipped=True,
    )
    act("jiangan-01-handler", number, "reply", text="已处理完毕", outcome="resolved")
    system_act(number, "follow_up", satisfaction="dissatisfied", note="语音回访按键3")
    act("evaluator", number, "review", verdict="redo", days=3, note="需重办", judgements=JUDGEMENTS)
    act("supervisor", number, "supervise", note="请加快办理", days=2)
    act("leader", number, "comment", text="关注此事")
    system_act(number, "reclock")
    act("jiangan-01-handler", number, "reply", text="再次处理", outcome="explained")
    act("callback", number, "follow_up", satisfaction="satisfied")
    return number


def _sent_back_passed_up_merged_invalid_answered() -> list[str]:
    # Sent back, then re-dispatched with a ruling; then merged into another ticket.
    sent = register()
    act("dispatcher", sent.number, "dispatch", unit="jiangan")
    act("jiangan-handler", sent.number, "send_back", reason="不属于本单位")
    act("dispatcher", sent.number, "dispatch", unit="hanyang", approve=True)
    other = register()
    act("dispatcher", sent.number, "merge", into=other.number)
    # A district centre's ticket passed up to the city, which rules on it when it dispatches.
    passed = register()
    act("dispatcher", passed.number, "dispatch", unit="jianghan")
    act("jianghan-centre-dispatcher", passed.number, "pass_up", reason="属市级部门职责")
    act("dispatcher", passed.number, "dispatch", unit="jiangan")
    invalid = ticket_in("invalid")
    answered = register(kind="consultation")
    act("agent", answered.number, "answer_directly", text="已电话解答")
    urgent = register(content="家里燃气泄漏很危险，楼道有燃气味")
    return [sent.number, passed.number, invalid.number, answered.number, urgent.number]


def test_every_event_of_every_action_is_shown_in_words(console):
    numbers = [_through_the_whole_lifecycle(), *_sent_back_passed_up_merged_invalid_answered()]
    actions = set(
        TicketEvent.objects.filter(ticket__number__in=numbers).values_list("action", flat=True)
    )
    assert actions >= {
        "register",
        "dispatch",
        "forward",
        "accept",
        "request_extension",
        "decide_extension",
        "warn",
        "reply",
        "follow_up",
        "review",
        "supervise",
        "comment",
        "reclock",
        "send_back",
        "merge",
        "pass_up",
        "invalidate",
        "answer_directly",
    }
    keys = {
        key
        for data in TicketEvent.objects.filter(ticket__number__in=numbers).values_list(
            "data", flat=True
        )
        for key in data
    }
    for number in numbers:
        text = timeline_text(page_of(console("dispatcher"), number))
        assert text.strip(), number
        # No key, code or identifier: nothing in Latin letters at all (the demo's names,
        # labels and values are Chinese; numbers and times are digits).
        latin = re.findall(r"[A-Za-z_]{2,}", text)
        assert latin == [], (number, latin)
        assert not keys & set(text.split()), number
        assert "其他信息" not in text and "其他操作" not in text, number
    first = timeline_text(page_of(console("dispatcher"), numbers[0]))
    for words in (
        "协办单位",
        "汉阳区人民政府",
        "抄送",
        "市纪委监委",
        "原单位",
        "江岸区人民政府",
        "评价要点",
        "诉求是否合理：是（诉求合理）",
        "重办次数",
        "督办次数",
        "黄灯短信",
        "语音催办",
        "未经黄灯直接红灯",
        "答复检查评分",
        "系统",
        "不满意",
        "回访员小张",
    ):
        assert words in first, words
    passed = timeline_text(page_of(console("dispatcher"), numbers[2]))
    assert "热线中心" in passed and "原热线中心" in passed and "退单裁定" in passed
    assert "退单成立" in passed


def test_people_are_named_by_their_names_with_the_username_only_without_one(console, user):
    nameless = user("jiangan-handler")
    ticket = ticket_in("in_progress")
    page = page_of(console("dispatcher"), ticket.number)
    assert "话务员小李" in section(page, "first-responder")
    assert "派单员小王" in timeline_text(page)
    nameless.display_name = ""
    nameless.first_name, nameless.last_name = "", ""
    nameless.save()
    assert "jiangan-handler" in timeline_text(page_of(console("dispatcher"), ticket.number))
    nameless.first_name, nameless.last_name = "明", "李"
    nameless.save()
    text = timeline_text(page_of(console("dispatcher"), ticket.number))
    assert "jiangan-handler" not in text and "明 李" in text


# --- rounds of handling --------------------------------------------------------------------


def test_a_redone_ticket_shows_each_round_with_the_earlier_reply(console):
    ticket = ticket_in("under_review")  # replied "已处理", followed up dissatisfied
    act("evaluator", ticket.number, "review", verdict="redo", judgements=JUDGEMENTS, note="未解决")
    page = page_of(console("dispatcher"), ticket.number)
    rounds = section(page, "rounds")
    one = visible_text(section(rounds, "round-1"))
    assert "第 1 轮办理" in one and "已处理" in one and "不满意" in one and "重办" in one
    assert "第 2 轮办理" in visible_text(rounds)
    # The ticket's current reply was cleared by the redo, the first round's reply is kept.
    assert Ticket.objects.get(pk=ticket.pk).reply_text == ""
    act("jiangan-handler", ticket.number, "reply", text="经核实已重新修复路面", outcome="resolved")
    act("callback", ticket.number, "follow_up", satisfaction="satisfied")
    rounds = section(page_of(console("jiangan-handler"), ticket.number), "rounds")
    two = visible_text(section(rounds, "round-2"))
    assert "经核实已重新修复路面" in two and "满意" in two and "已处理" not in two
    assert "已处理" in visible_text(section(rounds, "round-1"))


# --- revealing the complainant ----------------------------------------------------------------


def reveal(client: Client, number: str, **data):
    return client.post(f"/console/tickets/{number}/reveal/", data)


def reveals() -> int:
    return AuditEvent.objects.filter(action="ticket.reveal").count()


def test_the_holding_units_handler_reveals_the_phone_with_a_reason(console):
    ticket = ticket_in("in_progress")
    client = console("jiangan-handler")
    page = page_of(client, ticket.number)
    assert "13800001111" not in page and "138****1111" in page
    assert f'action="/console/tickets/{ticket.number}/reveal/"' in page and "显示完整号码" in page
    # Without a reason: refused, nothing shown, nothing logged.
    refused = reveal(client, ticket.number, reason="  ")
    assert refused.status_code == 400
    assert "13800001111" not in refused.content.decode()
    assert 'class="errorlist' in section(refused.content.decode(), "reveal")
    assert reveals() == 0
    # With one: shown on this answer only, one audit row naming the ticket and the reason.
    shown = reveal(client, ticket.number, reason="需电话核实现场位置")
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "13800001111" in section(body, "citizen-phone") and "张先生" in body
    rows = list(AuditEvent.objects.filter(action="ticket.reveal"))
    assert len(rows) == 1
    assert (rows[0].target, rows[0].reason, rows[0].actor.username) == (
        ticket.number,
        "需电话核实现场位置",
        "jiangan-handler",
    )
    assert "13800001111" not in page_of(client, ticket.number)


def test_roles_that_may_not_reveal_get_403_and_no_form(console):
    ticket = ticket_in("in_progress")
    for username in ("jiangan-leader", "jiangan-dispatcher"):
        client = console(username)
        assert "显示完整号码" not in page_of(client, ticket.number)
        response = reveal(client, ticket.number, reason="想看看")
        assert response.status_code == 403, username
        assert "13800001111" not in response.content.decode()
    assert reveals() == 0


def test_confidential_and_report_tickets_are_never_revealed_to_units(console):
    confidential = ticket_in(
        "in_progress", citizen={"name": "李女士", "phone": "13900002222", "confidential": True}
    )
    report = ticket_in("in_progress", kind="report")
    for number in (confidential.number, report.number):
        client = console("jiangan-handler")
        assert "显示完整号码" not in page_of(client, number)
        assert reveal(client, number, reason="核实").status_code == 403
    assert reveals() == 0


def test_a_ticket_out_of_sight_is_404_for_a_reveal(console):
    ticket = ticket_in("in_progress")
    assert reveal(console("hanyang-handler"), ticket.number, reason="核实").status_code == 404
    assert reveal(console("dispatcher"), "2099010100001", reason="核实").status_code == 404
    assert reveals() == 0


def test_a_district_centres_staff_reveal_what_they_see_masked(console):
    ticket = register("jianghan-centre-agent")
    client = console("jianghan-centre-dispatcher")
    page = page_of(client, ticket.number)
    assert "138****1111" in page and "显示完整号码" in page
    assert "13800001111" in reveal(client, ticket.number, reason="回拨核实").content.decode()
    assert reveals() == 1
    # The city's centre sees the complainant already: no form to ask.
    assert "显示完整号码" not in page_of(console("dispatcher"), ticket.number)


# --- the reply check -----------------------------------------------------------------------


WEAK = "已收悉"
GOOD = (
    "经核实，小区噪音扰民系楼下工地夜间施工所致。根据《环境噪声污染防治条例》规定，"
    "我局已责令施工单位停止夜间施工，已处理完毕。如有疑问请联系区城管局，电话027-12345678。"
)


def test_the_reply_check_endpoint_scores_a_draft(console):
    ticket = ticket_in("in_progress")
    client = console("jiangan-handler")
    url = f"/console/tickets/{ticket.number}/reply-check/"
    weak = client.post(url, {"text": WEAK, "format": "json"})
    assert weak.status_code == 200 and weak["Content-Type"] == "application/json"
    body = weak.json()
    assert body["ok"] is False and body["score"] <= 30 and body["level"] == "weak"
    assert body["reasons"] and all(re.search(r"[\u4e00-\u9fff]", r) for r in body["reasons"])
    good = client.get(url, {"text": GOOD}, HTTP_ACCEPT="application/json").json()
    assert good["ok"] is True and good["score"] >= 60
    # Out of sight: 404; checking writes nothing.
    assert console("hanyang-handler").post(url, {"text": GOOD, "format": "json"}).status_code == 404
    assert TicketEvent.objects.filter(ticket=ticket, action="reply").count() == 0


def test_the_reply_check_without_javascript_shows_the_page_with_the_draft(console):
    ticket = ticket_in("in_progress")
    client = console("jiangan-handler")
    page = page_of(client, ticket.number)
    form = re.search(r"<form[^>]*actions/reply/.*?</form>", page, re.S).group(0)
    assert 'id="form-reply"' in form
    button = re.search(r'<button[^>]*form="form-reply"[^>]*>(.*?)</button>', page).group(0)
    assert "检查回复" in button
    assert f'formaction="/console/tickets/{ticket.number}/reply-check/"' in button
    assert 'id="reply-check"' in page and "console.js" in page
    response = client.post(
        f"/console/tickets/{ticket.number}/reply-check/", {"text": WEAK, "outcome": "resolved"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    check = visible_text(section(body, "reply-check"))
    assert "答复检查评分" in check and "偏弱" in check and "只表示已收到" in check
    assert WEAK in section(body, "action-reply")
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_a_weak_reply_is_scored_on_its_event_and_flagged_to_the_dispatcher(console, user):
    from hotline.insight.selectors import weak_replies_for

    weak = ticket_in("in_progress")
    good = ticket_in("in_progress")
    act("jiangan-handler", weak.number, "reply", text=WEAK, outcome="resolved")
    act("jiangan-handler", good.number, "reply", text=GOOD, outcome="resolved")
    event = TicketEvent.objects.filter(ticket=weak, action="reply").get()
    assert event.data["check_ok"] is False and event.data["check_score"] <= 30
    assert TicketEvent.objects.get(ticket=good, action="reply").data["check_ok"] is True
    flagged = list(weak_replies_for(user("dispatcher")).values_list("number", flat=True))
    assert weak.number in flagged and good.number not in flagged
    assert list(weak_replies_for(user("jiangan-handler"))) == []
    page = page_of(console("dispatcher"), weak.number)
    assert "答复质量偏低" in section(page, "weak-reply")
    assert 'id="weak-reply"' not in page_of(console("dispatcher"), good.number)
    assert 'id="weak-reply"' not in page_of(console("jiangan-handler"), weak.number)
    # Once followed up, it is no longer waiting for the dispatcher's eye.
    act("callback", weak.number, "follow_up", satisfaction="satisfied")
    assert weak.number not in set(
        weak_replies_for(user("dispatcher")).values_list("number", flat=True)
    )


# --- buttons, errors, long and empty text ------------------------------------------------------


def action_buttons(page: str) -> list[str]:
    return re.findall(r'action="/console/tickets/\d+/actions/(\w+)/"', page)


@pytest.mark.parametrize(
    ("state", "username", "expected"),
    [
        ("registered", "dispatcher", {"dispatch", "merge", "invalidate", "comment"}),
        ("registered", "agent", {"answer_directly", "invalidate", "comment"}),
        ("dispatched", "jiangan-handler", {"accept", "send_back", "comment"}),
        ("dispatched", "jiangan-dispatcher", {"forward", "comment"}),
        ("in_progress", "jiangan-handler", {"send_back", "request_extension", "reply", "comment"}),
        ("in_progress", "dispatcher", {"comment"}),
        ("replied", "callback", {"follow_up", "comment"}),
        ("replied", "jiangan-handler", {"comment"}),
        ("under_review", "evaluator", {"review", "comment"}),
        ("closed", "jiangan-handler", {"comment"}),
        ("closed", "inspector", set()),
    ],
)
def test_only_the_actions_state_and_role_allow_have_a_button(console, state, username, expected):
    ticket = ticket_in(state)
    if username == "inspector":
        # The discipline office sees the copies it was sent.
        ticket = register()
        act("dispatcher", ticket.number, "dispatch", unit="jiangan", copy_to=["discipline"])
    page = page_of(console(username), ticket.number)
    shown = set(action_buttons(page))
    supervise = {"supervise"} if username == "supervisor" else set()
    assert shown == expected | supervise, (state, username, shown)
    if not expected:
        assert "当前没有你可执行的操作" in page


def test_form_errors_are_in_chinese(console):
    ticket = ticket_in("in_progress")
    response = console("jiangan-handler").post(
        f"/console/tickets/{ticket.number}/actions/reply/", {"text": "", "outcome": ""}
    )
    assert response.status_code == 400
    errors = " ".join(
        re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )
    assert "这个字段是必填项" in errors and "required" not in errors.lower()
    # A service's refusal on a field is said in Chinese on that field too.
    registered = register()
    merge = console("dispatcher").post(
        f"/console/tickets/{registered.number}/actions/merge/", {"into": "2099010100001"}
    )
    assert merge.status_code == 400
    field = re.search(r'id="action-merge".*?</details>', merge.content.decode(), re.S).group(0)
    assert "没有这个可以并入的在办工单" in field


def test_a_5000_character_complaint_and_empty_optional_fields_render(console):
    content = ("楼下工地夜间施工噪音很大，" * 400)[:5000]
    assert len(content) == 5000
    ticket = register(title="", content=content, address="", citizen={"name": "", "phone": ""})
    for username in ("dispatcher", "agent"):
        page = page_of(console(username), ticket.number)
        assert content in page
        assert section(page, "citizen-name").strip().startswith("—")
        assert section(page, "citizen-phone").strip().startswith("—")
    dispatched = act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    page = page_of(console("jiangan-handler"), dispatched.number)
    assert content in page and "显示完整号码" not in page  # nothing to reveal
    # The list shows its head only.
    listing = console("dispatcher").get("/console/tickets/").content.decode()
    assert content not in listing and content[:40] in listing


def test_timeline_shows_local_times_of_deadlines(console):
    ticket = ticket_in("in_progress")
    act("jiangan-handler", ticket.number, "request_extension", days=2, reason="需协调")
    text = timeline_text(page_of(console("dispatcher"), ticket.number))
    due = TicketEvent.objects.get(ticket=ticket, action="request_extension").data["due_at"]
    local = timezone.localtime(timezone.datetime.fromisoformat(due))
    assert local.strftime("%Y-%m-%d %H:%M") in text and due not in text
    assert local - timezone.now() < timedelta(days=30)


def test_the_pages_queries_do_not_grow_with_the_timeline(console):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = ticket_in("in_progress")
    client = console("dispatcher")
    page_of(client, ticket.number)  # grants and caches warmed

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page_of(client, ticket.number)
        return len(ctx.captured_queries)

    short = queries()
    for n, username in enumerate(["leader", "dispatcher", "jiangan-handler", "callback"] * 5):
        act(username, ticket.number, "comment", text=f"备注{n}")
    act("jiangan-handler", ticket.number, "request_extension", days=2, reason="需协调")
    act("dispatcher", ticket.number, "decide_extension", approve=False)
    assert TicketEvent.objects.filter(ticket=ticket).count() >= 25
    assert queries() == short
