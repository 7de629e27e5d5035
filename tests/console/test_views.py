"""The staff console (hotline.console): login, scoped list and detail, the registration and action
forms going through the services, masking, i18n, CSRF and the CSP header."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from hotline.accounts.roles import ROLE_LABELS
from hotline.console import labels
from hotline.tickets import workflow
from hotline.tickets.models import Ticket, TicketEvent
from tests.factories import JUDGEMENTS, act, register, ticket_in


@pytest.fixture
def console(db):
    """A browser-like client logged in as ``username`` (password ``demo``)."""
    clients: dict[str, Client] = {}

    def as_user(username: str, **client_kwargs) -> Client:
        if username not in clients or client_kwargs:
            client = Client(**client_kwargs)
            assert client.login(username=username, password="demo"), username
            clients[username] = client
        return clients[username]

    return as_user


def text(response) -> str:
    return response.content.decode()


def detail_url(number: str) -> str:
    return f"/console/tickets/{number}/"


def action_url(number: str, action: str) -> str:
    return f"/console/tickets/{number}/actions/{action}/"


# --- login ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/console/", "/console/tickets/", "/console/tickets/new/", "/console/tickets/2026112600001/"],
)
def test_pages_require_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=")


def test_actions_require_login_and_write_nothing(client):
    ticket = register()
    response = client.post(action_url(ticket.number, "dispatch"), {"unit": "jiangan"})
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    assert Ticket.objects.get(pk=ticket.pk).status == "registered"


def test_root_redirects_to_the_console(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/console/"


def test_login_page_and_login(client):
    page = client.get("/console/login/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in text(page)
    assert "工作人员登录" in text(page)
    bad = client.post("/console/login/", {"username": "agent", "password": "wrong"})
    assert bad.status_code == 200 and client.session.get("_auth_user_id") is None
    good = client.post("/console/login/", {"username": "agent", "password": "demo"})
    assert good.status_code == 302 and good["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_logout_is_a_post(console):
    client = console("agent")
    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert response.status_code == 302 and response["Location"] == "/console/login/"
    assert client.get("/console/").status_code == 302


def test_header_shows_name_and_roles(console):
    page = text(console("jiangan-handler").get("/console/"))
    assert "江岸区人民政府承办人" in page
    assert "承办人" in page and "江岸区人民政府" in page
    assert 'action="/console/logout/"' in page
    assert 'action="/i18n/setlang/"' in page


# --- list ----------------------------------------------------------------------------------


def test_list_shows_only_visible_tickets(console):
    to_jiangan = ticket_in("dispatched", title="江岸的工单")
    to_hanyang = act("dispatcher", register(title="汉阳的工单").number, "dispatch", unit="hanyang")
    jiangan = text(console("jiangan-handler").get("/console/tickets/"))
    hanyang = text(console("hanyang-handler").get("/console/tickets/"))
    centre = text(console("dispatcher").get("/console/tickets/"))
    assert to_jiangan.number in jiangan and to_hanyang.number not in jiangan
    assert to_hanyang.number in hanyang and to_jiangan.number not in hanyang
    assert to_jiangan.number in centre and to_hanyang.number in centre


def test_list_columns_and_warning_badge(console):
    ticket = ticket_in("dispatched", title="路灯不亮")
    page = text(console("dispatcher").get("/console/tickets/"))
    row = re.search(
        rf"<tr>\s*<td class=\"mono\"><a href=\"/console/tickets/{ticket.number}/\">.*?</tr>",
        page,
        re.S,
    ).group(0)
    assert "路灯不亮" in row
    assert "待签收" in row
    assert "一般" in row
    assert "江岸区人民政府" in row
    assert re.search(r'class="badge warning-(none|yellow|red)"', row)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row)


def test_list_filters_by_status_and_search(console):
    registered = register(title="井盖缺失")
    dispatched = ticket_in("dispatched", title="噪音扰民")
    client = console("dispatcher")
    only_registered = text(client.get("/console/tickets/", {"status": "registered"}))
    assert registered.number in only_registered and dispatched.number not in only_registered
    found = text(client.get("/console/tickets/", {"q": "井盖"}))
    assert registered.number in found and dispatched.number not in found
    by_number = text(client.get("/console/tickets/", {"q": dispatched.number}))
    assert dispatched.number in by_number and registered.number not in by_number
    bad = client.get("/console/tickets/", {"status": "nonsense"})
    assert bad.status_code == 200 and "筛选条件无效" in text(bad)


def test_list_paginates(console):
    for i in range(21):
        register(title=f"分页测试{i}")
    client = console("dispatcher")
    first = text(client.get("/console/tickets/", {"q": "分页测试"}))
    assert first.count("分页测试") == 20 + 1  # the rows and the search box's value
    assert "page=2" in first and 'rel="next"' in first
    second = text(client.get("/console/tickets/", {"q": "分页测试", "page": 2}))
    assert second.count("分页测试") == 1 + 1  # the row and the search box's value
    assert 'rel="prev"' in second


def test_auditor_gets_a_403_page(console):
    response = console("auditor").get("/console/tickets/")
    assert response.status_code == 403
    assert "无权访问" in text(response)
    ticket = register()
    assert console("auditor").get(detail_url(ticket.number)).status_code == 404


# --- detail --------------------------------------------------------------------------------


def test_detail_is_404_for_a_ticket_out_of_scope(console):
    ticket = ticket_in("dispatched")
    assert console("hanyang-handler").get(detail_url(ticket.number)).status_code == 404
    assert console("jiangan-handler").get(detail_url(ticket.number)).status_code == 200
    assert console("dispatcher").get(detail_url("2099010100001")).status_code == 404
    # Acting on it is a 404 too, and writes nothing.
    response = console("hanyang-handler").post(action_url(ticket.number, "accept"))
    assert response.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == "dispatched"


def test_detail_shows_fields_deadlines_and_timeline(console):
    ticket = ticket_in("in_progress", title="小区噪音扰民", address="江岸区大智路1号")
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    for expected in (
        "小区噪音扰民",
        "楼下工地夜间施工噪音很大",
        "江岸区大智路1号",
        "投诉",
        "电话",
        "办理中",
        "江岸区人民政府",
    ):
        assert expected in page
    # Deadlines per clock: the handling clock is running, dispatch and accept stopped.
    assert "办理时限" in page and "签收时限" in page and "转办时限" in page and "计时中" in page
    # The timeline: actor, action label, from → to and data.
    timeline = page[page.index('id="timeline"') :]
    assert timeline.index("登记") < timeline.index("派单") < timeline.index("签收")
    # People by their names, not their usernames.
    assert (
        "派单员小王" in timeline and "江岸区人民政府承办人" in timeline and "话务员小李" in timeline
    )
    assert "jiangan-handler" not in timeline and ">dispatcher<" not in timeline
    assert "待派单 → 待签收" in timeline and "待签收 → 办理中" in timeline
    assert "承办单位" in timeline


def test_detail_offers_the_allowed_actions_only(console):
    ticket = ticket_in("dispatched")
    handler = text(console("jiangan-handler").get(detail_url(ticket.number)))
    assert action_url(ticket.number, "accept") in handler
    assert action_url(ticket.number, "send_back") in handler
    assert action_url(ticket.number, "dispatch") not in handler
    dispatcher = text(console("dispatcher").get(detail_url(ticket.number)))
    assert action_url(ticket.number, "merge") in dispatcher
    assert action_url(ticket.number, "accept") not in dispatcher
    # A leader takes no step of the handling: they sign (领导签批) or comment.
    leader = text(console("leader").get(detail_url(ticket.number)))
    assert re.findall(r"/actions/(\w+)/", leader) == ["sign", "comment"]


def test_forward_offers_only_units_below_the_holding_unit(console):
    ticket = ticket_in("dispatched")
    page = text(console("jiangan-dispatcher").get(detail_url(ticket.number)))
    form = re.search(r"<form[^>]*actions/forward/.*?</form>", page, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"', form)
    assert options and "jiangan" not in options and "hanyang" not in options
    assert all(not code.startswith("hanyang") for code in options)
    response = console("jiangan-dispatcher").post(
        action_url(ticket.number, "forward"), {"unit": options[0]}
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).unit.code == options[0]


def test_phone_and_name_masked_for_unit_handlers(console):
    ticket = ticket_in("dispatched")
    handler = text(console("jiangan-handler").get(detail_url(ticket.number)))
    assert "13800001111" not in handler and "138****1111" in handler
    assert "张先生" not in handler and "张**" in handler
    centre = text(console("dispatcher").get(detail_url(ticket.number)))
    assert "13800001111" in centre and "张先生" in centre


def test_confidential_complainant_never_shown_to_units(console):
    ticket = ticket_in(
        "dispatched", citizen={"name": "李女士", "phone": "13900002222", "confidential": True}
    )
    page = text(console("jiangan-handler").get(detail_url(ticket.number)))
    assert "李" not in re.search(r'id="citizen-name">(.*?)</dd>', page, re.S).group(1)
    assert "13900002222" not in page and "0002222" not in page


def test_user_text_is_escaped(console):
    ticket = register(
        title="<script>alert(1)</script>", content="<b>粗体</b> & <img src=x onerror=alert(1)>"
    )
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<img src=x" not in page and "<b>粗体</b>" not in page
    listing = text(console("dispatcher").get("/console/tickets/"))
    assert "<script>alert(1)</script>" not in listing


# --- registration --------------------------------------------------------------------------


REGISTRATION = {
    "channel": "phone",
    "kind": "complaint",
    "urgency": "normal",
    "title": "占道经营",
    "content": "某某路口早上有人占道经营，影响通行。",
    "address": "江岸区某某路口",
    "category": "",
    "citizen_name": "王先生",
    "citizen_phone": "13700003333",
    "idempotency_key": "form-key-1",
}


def test_agent_registers_through_the_form(console):
    client = console("agent")
    page = client.get("/console/tickets/new/")
    assert page.status_code == 200
    html = text(page)
    assert (
        'name="content"' in html
        and 'name="category"' in html
        and 'name="citizen_confidential"' in html
    )
    category = re.search(r'<option value="(C[0-9A-Z-]+)"', html)
    data = {**REGISTRATION, "category": category.group(1) if category else ""}
    response = client.post("/console/tickets/new/", data)
    assert response.status_code == 302
    ticket = Ticket.objects.get(title="占道经营")
    assert response["Location"] == detail_url(ticket.number)
    assert ticket.status == "registered" and ticket.registered_by.username == "agent"
    assert ticket.citizen_phone == "13700003333" and ticket.address == "江岸区某某路口"
    if category:
        assert ticket.category.code == category.group(1)
    detail = text(client.get(response["Location"]))
    assert f"已登记工单 {ticket.number}" in detail and "待派单" in detail
    # The same submission again (double click) returns the same ticket.
    again = client.post("/console/tickets/new/", data)
    assert again["Location"] == detail_url(ticket.number)
    assert Ticket.objects.filter(title="占道经营").count() == 1


def test_registration_errors_are_shown_and_nothing_is_written(console):
    before = Ticket.objects.count()
    missing = console("agent").post("/console/tickets/new/", {**REGISTRATION, "content": ""})
    assert missing.status_code == 400 and "登记未完成" in text(missing)
    bad_phone = console("agent").post(
        "/console/tickets/new/", {**REGISTRATION, "citizen_phone": "abc", "idempotency_key": "k2"}
    )
    assert bad_phone.status_code == 400 and "citizen.phone" in text(bad_phone)
    assert Ticket.objects.count() == before


def test_only_registering_roles_see_the_form(console):
    assert console("jiangan-handler").get("/console/tickets/new/").status_code == 403
    response = console("jiangan-handler").post("/console/tickets/new/", REGISTRATION)
    assert response.status_code == 403 and not Ticket.objects.filter(title="占道经营").exists()
    assert "/console/tickets/new/" not in text(console("jiangan-handler").get("/console/"))
    assert "/console/tickets/new/" in text(console("agent").get("/console/"))


# --- actions -------------------------------------------------------------------------------


def test_dispatcher_dispatches_through_the_form(console):
    ticket = register()
    client = console("dispatcher")
    form = text(client.get(detail_url(ticket.number)))
    assert action_url(ticket.number, "dispatch") in form and '<option value="jiangan">' in form
    response = client.post(
        action_url(ticket.number, "dispatch"),
        {"unit": "jiangan", "co_units": ["hanyang"], "note": "请尽快处理"},
    )
    assert response.status_code == 302 and response["Location"] == detail_url(ticket.number)
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.unit.code == "jiangan"
    event = ticket.events.order_by("-seq").first()
    assert (
        event.action == "dispatch"
        and event.data["co_units"] == ["hanyang"]
        and event.data["note"] == "请尽快处理"
    )
    page = text(client.get(response["Location"]))
    assert "已派单" in page and "待签收" in page


def test_whole_lifecycle_through_the_forms(console):
    ticket = ticket_in("dispatched")
    steps = [
        ("jiangan-handler", "accept", {}, "in_progress"),
        (
            "jiangan-handler",
            "request_extension",
            {"days": "3", "reason": "需协调多部门"},
            "in_progress",
        ),
        ("dispatcher", "decide_extension", {"approve": "true"}, "in_progress"),
        ("jiangan-handler", "reply", {"text": "已协调清理", "outcome": "resolved"}, "replied"),
        (
            "callback",
            "follow_up",
            {"satisfaction": "dissatisfied", "note": "仍有噪音"},
            "under_review",
        ),
        (
            "evaluator",
            "review",
            {
                "verdict": "redo",
                "days": "2",
                **{name: "true" for name in JUDGEMENTS},
                **{f"{name}_note": "已核实" for name in JUDGEMENTS},
            },
            "in_progress",
        ),
        ("supervisor", "supervise", {"note": "请加快办理"}, "in_progress"),
        ("jiangan-handler", "reply", {"text": "已彻底解决", "outcome": "resolved"}, "replied"),
        ("callback", "follow_up", {"satisfaction": "satisfied"}, "closed"),
        ("leader", "comment", {"text": "办得好"}, "closed"),
    ]
    for username, action, data, status in steps:
        response = console(username).post(action_url(ticket.number, action), data)
        assert response.status_code == 302, (action, text(response))
        assert Ticket.objects.get(pk=ticket.pk).status == status, action
    ticket.refresh_from_db()
    assert (
        ticket.extension_status == ""
        and ticket.redo_count == 1
        and ticket.satisfaction == "satisfied"
    )
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    assert "已办结" in page and "满意" in page and "办得好" in page


def test_send_back_without_reason_shows_an_error_and_writes_nothing(console):
    ticket = ticket_in("dispatched")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = console("jiangan-handler").post(
        action_url(ticket.number, "send_back"), {"reason": "  "}
    )
    assert response.status_code == 400
    page = text(response)
    assert "操作未执行" in page and 'class="errorlist' in page
    assert 'id="action-send_back" open' in page
    # The language switch on this page comes back to the ticket, not to the action's POST URL.
    assert f'name="next" value="{detail_url(ticket.number)}"' in page
    ticket.refresh_from_db()
    assert (
        ticket.status == "dispatched"
        and TicketEvent.objects.filter(ticket=ticket).count() == events
    )


def test_service_errors_are_shown_on_the_page(console):
    ticket = ticket_in("in_progress")
    # Conflict: no extension was asked for.
    conflict = console("dispatcher").post(
        action_url(ticket.number, "decide_extension"), {"approve": "true"}
    )
    assert (
        conflict.status_code == 409
        and "操作未执行：这张工单没有等待审批的延期申请。" in text(conflict)
        and "no extension request" not in text(conflict)
    )
    # Forbidden: the agent may not accept.
    forbidden = console("agent").post(action_url(ticket.number, "accept"))
    assert forbidden.status_code == 403 and "操作未执行" in text(forbidden)
    # BadInput from the service, shown on the field: merging into an unknown ticket.
    registered = register()
    bad = console("dispatcher").post(
        action_url(registered.number, "merge"), {"into": "2099010100001"}
    )
    assert bad.status_code == 400 and "没有这个可以并入的在办工单" in text(bad)
    assert "no open ticket" not in text(bad)
    assert Ticket.objects.get(pk=registered.pk).status == "registered"
    # An unknown action is a 404.
    assert console("dispatcher").post(action_url(ticket.number, "explode")).status_code == 404


def test_a_stale_form_is_refused_in_chinese_and_writes_nothing(console):
    """Wrong state: the handler posts the accept form of a page opened before a colleague
    accepted the ticket; the page says why in Chinese, not the API's English."""
    ticket = ticket_in("in_progress")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = console("jiangan-handler").post(action_url(ticket.number, "accept"))
    page = text(response)
    assert response.status_code == 409
    assert "操作未执行：工单现在是“办理中”，不能签收" in page, page
    assert "is not allowed on a ticket" not in page
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_a_stale_form_that_no_longer_validates_says_the_ticket_moved_on(console):
    """The dispatcher posts the dispatch form of a page opened before a colleague dispatched
    the ticket, its unit list now empty: the page says the ticket moved on (the form is not on
    the page any more to show its field's error), not only "check what you filled in"."""
    ticket = ticket_in("dispatched")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = console("dispatcher").post(action_url(ticket.number, "dispatch"), {"unit": ""})
    page = text(response)
    assert response.status_code == 409
    assert "操作未执行：工单现在是“待签收”，不能派单：页面可能已过期" in page, page
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_an_invalid_form_names_its_field_in_the_message(console):
    ticket = ticket_in("registered")
    response = console("dispatcher").post(action_url(ticket.number, "dispatch"), {"unit": ""})
    page = text(response)
    assert response.status_code == 400
    assert "操作未执行：主办单位：" in page, page
    ticket.refresh_from_db()
    assert ticket.status == "registered"


def test_a_role_refusal_is_in_chinese_and_writes_nothing(console):
    """Wrong role: the intake agent posts a handler's form; the page says so in Chinese."""
    ticket = ticket_in("dispatched")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = console("agent").post(action_url(ticket.number, "accept"))
    page = text(response)
    assert response.status_code == 403
    assert "操作未执行：你的角色不能对这张工单签收。" in page, page
    assert "needs one of the roles" not in page
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events


def test_the_api_keeps_its_english_refusal(api):
    """The same refusal through the API keeps DESIGN section 9's shape and English detail."""
    ticket = ticket_in("dispatched")
    response = api("dispatcher").act(ticket.number, "dispatch", unit="jiangan")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict" and "is not allowed on a ticket" in body["detail"]


def test_actions_are_post_only(console):
    ticket = register()
    assert console("dispatcher").get(action_url(ticket.number, "dispatch")).status_code == 405


# --- security headers, CSRF, language ------------------------------------------------------


def test_csp_header_on_every_page(console, client):
    ticket = register()
    responses = [
        client.get("/console/login/"),
        console("dispatcher").get("/console/tickets/"),
        console("dispatcher").get(detail_url(ticket.number)),
        console("agent").get("/console/tickets/new/"),
        console("auditor").get("/console/tickets/"),
        # The homes: a queue, the intake screen, the page of a role with no queue.
        console("dispatcher").get("/console/"),
        console("agent").get("/console/"),
        console("admin").get("/console/"),
        console("auditor").get("/console/audit/"),
    ]
    for response in responses:
        csp = response["Content-Security-Policy"]
        assert (
            "default-src 'self'" in csp
            and "script-src 'self'" in csp
            and "object-src 'none'" in csp
        )
        html = text(response)
        # No inline script or style and no inline handlers: everything comes from /static/.
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert (
            "<style" not in html and not re.search(r"\son[a-z]+=", html) and " style=" not in html
        )
        assert "/static/console/console.css" in html


def test_csrf_is_enforced(user):
    ticket = register()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("dispatcher"))
    refused = client.post(action_url(ticket.number, "dispatch"), {"unit": "jiangan"})
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == "registered"
    page = text(client.get(detail_url(ticket.number)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = client.post(
        action_url(ticket.number, "dispatch"), {"unit": "jiangan", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "dispatched"
    # The login form is protected too.
    anonymous = Client(enforce_csrf_checks=True)
    assert (
        anonymous.post("/console/login/", {"username": "agent", "password": "demo"}).status_code
        == 403
    )


def test_language_switch_to_english_and_back(console):
    ticket = ticket_in("dispatched")
    client = console("dispatcher")
    assert "工单列表" in text(client.get("/console/tickets/"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/console/tickets/"})
    assert response.status_code == 302 and response["Location"] == "/console/tickets/"
    english = text(client.get("/console/tickets/"))
    assert "Tickets" in english and "Awaiting acceptance" in english and 'lang="en"' in english
    detail = text(client.get(detail_url(ticket.number)))
    assert "Timeline" in detail and "Dispatch" in detail and "Complaint" in detail
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/tickets/"})
    assert "待签收" in text(client.get("/console/tickets/"))


def test_every_domain_label_is_in_the_english_catalogue():
    domain = set(workflow.STATUS_LABELS.values()) | {r.label for r in workflow.TABLE.values()}
    for table in (
        workflow.CHANNELS,
        workflow.KINDS,
        workflow.URGENCIES,
        workflow.OUTCOMES,
        workflow.SATISFACTIONS,
        workflow.VERDICTS,
        workflow.CLOCKS,
        ROLE_LABELS,
    ):
        domain |= set(table.values())
    assert domain <= set(labels.DOMAIN_LABELS)
    with translation.override("en"):
        untranslated = [
            label for label in domain if translation.gettext(label) == label and label != "APP"
        ]
    assert untranslated == []


# --- insight on the ticket page ----------------------------------------------------------------


def suggestion_card(page: str) -> str:
    match = re.search(r'<section class="card" id="suggestions">(.*?)</section>', page, re.S)
    return match.group(1) if match else ""


def dispatch_unit_select(page: str) -> str:
    match = re.search(r'<select name="unit"[^>]*id="id_dispatch_unit".*?</select>', page, re.S)
    assert match, "no dispatch form"
    return match.group(0)


def test_dispatcher_sees_suggestions_and_the_form_starts_on_the_surest_unit(
    console, tiny_model, monkeypatch
):
    from hotline.console import presenters as views
    from hotline.orgs.models import Unit

    ticket = register(title="拖欠工资", content="公司拖欠我三个月工资一直不发")
    hrss = Unit.objects.get(code="hrss").name
    monkeypatch.setattr(views, "PRESELECT_CONFIDENCE", 0.0)
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    card = suggestion_card(page)
    assert "劳动和社会保障" in card and hrss in card and "%" in card
    first = card.split("</li>")[0]  # the catalogue leaves, best first
    assert "劳动和社会保障" in first and hrss in first
    assert '<option value="hrss" selected>' in dispatch_unit_select(page)
    assert "已预选" in card

    monkeypatch.setattr(views, "PRESELECT_CONFIDENCE", 1.01)
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    assert re.search(r'value="[^"]+" selected', dispatch_unit_select(page)) is None
    assert "未预选单位" in suggestion_card(page)
    # The dispatcher still decides: the form sends what was chosen, not the suggestion.
    response = console("dispatcher").post(
        action_url(ticket.number, "dispatch"), {"unit": "jiangan"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.unit.code == "jiangan"


def test_the_suggestion_says_in_chinese_which_rule_and_words_chose_the_unit(
    console, tiny_model, admin_client
):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from hotline.accounts.models import User
    from hotline.insight import selectors as insight
    from hotline.insight.models import RoutingRule
    from hotline.orgs.models import Unit

    insight.routing_changed()
    text_, address = "工地夜间施工噪音太吵，凌晨还在打桩", "江岸区一元路"
    plain = register(title="工地噪音", content=text_, address=address)
    card = suggestion_card(text(console("dispatcher").get(detail_url(plain.number))))
    # No rule yet: noise belongs to the district of the place (属地), which the card names.
    first = card.split('<li class="suggestion-owner">')[1].split("</li>")[0]
    assert "属地：江岸区" in first and "未命中派单规则" in card
    assert "工单地点" in card and "识别自地址" in card

    response = admin_client.post(
        reverse("admin:insight_routingrule_add"),
        {
            "name": "工地噪音归住建局",
            "active": "on",
            "priority": "30",
            "category": "",
            "region": "",
            "keywords": "工地 打桩",
            "urgency": "",
            "unit": Unit.objects.get(code="housing").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name="工地噪音归住建局")
    ticket = register(title="工地噪音", content=text_, address=address)
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    card = suggestion_card(page)
    best = card.split("</ul>")[0]  # the first suggestion and its reasons
    housing = Unit.objects.get(code="housing").name
    assert housing in best and "把握" in best and "%" in best
    assert "派单规则：「工地噪音归住建局」（优先级 30）" in best
    assert "命中词：工地、打桩" in best and f"按单位归属：{housing}" in best
    # A dispatcher who may not edit rules gets the name, no link; one who may, the rule's page.
    link = reverse("admin:insight_routingrule_change", args=[rule.pk])
    assert link not in page
    dispatcher = User.objects.get(username="dispatcher")
    dispatcher.is_staff = True
    dispatcher.save(update_fields=["is_staff"])
    dispatcher.user_permissions.add(Permission.objects.get(codename="change_routingrule"))
    card = suggestion_card(text(console("dispatcher").get(detail_url(ticket.number))))
    assert f'<a href="{link}">「工地噪音归住建局」</a>' in card
    insight.routing_changed()


def test_suggestions_say_when_no_model_is_trained(console):
    ticket = register()
    card = suggestion_card(text(console("dispatcher").get(detail_url(ticket.number))))
    assert "尚未训练分类模型" in card


def test_suggestions_only_for_whoever_dispatches_now(console, tiny_model):
    ticket = ticket_in("dispatched")
    assert suggestion_card(text(console("dispatcher").get(detail_url(ticket.number)))) == ""
    assert suggestion_card(text(console("jiangan-handler").get(detail_url(ticket.number)))) == ""
    fresh = register()
    assert suggestion_card(text(console("callback").get(detail_url(fresh.number)))) == ""


def test_detail_lists_possible_repeats_and_duplicates_the_user_may_see(console):
    title, content = "江岸区大智路路灯不亮", "大智路与中山大道路口路灯连续三晚不亮"
    first = register(title=title, content=content, region="jiangan-01")
    same_event = register(
        title=title,
        content=content,
        region="jiangan-01",
        citizen={"name": "乙", "phone": "13800000002"},
    )
    elsewhere = register(
        title=title,
        content=content,
        region="jiangan-01",
        citizen={"name": "丙", "phone": "13800000003"},
    )
    unrelated = register(title="学校乱收补课费", content="某中学强制收取补课费")
    page = text(console("dispatcher").get(detail_url(first.number)))
    card = re.search(r'<section class="card" id="similar">(.*?)</section>', page, re.S).group(1)
    assert same_event.number in card and "同一事件" in card and "标题相似度 1.00" in card
    assert unrelated.number not in card
    act("dispatcher", first.number, "dispatch", unit="jiangan")
    act("dispatcher", same_event.number, "dispatch", unit="jiangan")
    act("dispatcher", elsewhere.number, "dispatch", unit="hanyang")
    page = text(console("jiangan-handler").get(detail_url(first.number)))
    card = re.search(r'<section class="card" id="similar">(.*?)</section>', page, re.S).group(1)
    assert same_event.number in card and elsewhere.number not in card


def test_detail_without_similar_tickets_says_so(console):
    ticket = register(title="独一无二的诉求标题", content="这段文字与其他工单都不相同")
    page = text(console("dispatcher").get(detail_url(ticket.number)))
    assert "没有发现可能的重复投诉或同一事件的工单" in page


def test_a_broken_model_does_not_take_the_ticket_page_down(console, monkeypatch, caplog):
    from hotline.insight import selectors as insight

    def broken(*args, **kwargs):
        raise ValueError("unpickling failed")

    monkeypatch.setattr(insight, "suggest_for", broken)
    ticket = register()
    response = console("dispatcher").get(detail_url(ticket.number))
    assert response.status_code == 200
    assert "派单建议暂不可用" in suggestion_card(text(response))
    assert "suggestions failed" in caplog.text
    assert 'id="action-dispatch"' in text(response)


def test_a_duplicate_is_merged_from_its_row_by_whoever_may_merge(console):
    title, content = "汉阳大道积水严重", "汉阳大道与鹦鹉大道路口积水没过脚踝，车辆无法通行"
    older = register(title=title, content=content, citizen={"name": "甲", "phone": "13800000021"})
    newer = register(title=title, content=content, citizen={"name": "乙", "phone": "13800000022"})
    page = text(console("dispatcher").get(detail_url(newer.number)))
    row = re.search(
        rf'<tr class="similar-duplicate">(?:(?!</tr>).)*{older.number}.*?</tr>', page, re.S
    )
    assert row and f'name="into" value="{older.number}"' in row.group(0)
    assert "并入此单" in row.group(0) and "data-confirm" in row.group(0)
    response = console("dispatcher").post(action_url(newer.number, "merge"), {"into": older.number})
    assert response.status_code == 302
    newer.refresh_from_db()
    assert newer.status == "merged" and newer.merged_into_id == older.pk
    # The merged ticket is closed: nothing to merge into it from the other side.
    page = text(console("dispatcher").get(detail_url(older.number)))
    assert f'value="{newer.number}"' not in page
    # Units do not merge: a handler sees the open duplicate but no merge button.
    third = register(title=title, content=content, citizen={"name": "丙", "phone": "13800000023"})
    act("dispatcher", older.number, "dispatch", unit="jiangan")
    act("dispatcher", third.number, "dispatch", unit="jiangan")
    page = text(console("jiangan-handler").get(detail_url(older.number)))
    assert third.number in page and "并入此单" not in page
