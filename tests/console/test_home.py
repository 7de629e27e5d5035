"""The console's home (hotline/console/home.py, homes.py): each role's queue at /console/, a tab
per role, the intake screen and its look-ups, friendly pages for the roles without a queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.accounts import services as accounts
from hotline.accounts.models import User
from hotline.orgs.models import Category, Unit
from hotline.tickets.models import Clock
from tests.factories import act, register, ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    def as_user(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password="demo"), username
        return client

    return as_user


def text(response) -> str:
    return response.content.decode()


def rows(page: str) -> list[str]:
    return re.findall(r'<li class="queue-row[^"]*" data-number="(\d+)"', page)


def test_the_dispatcher_lands_on_the_dispatch_queue(console):
    fresh = register(title="路灯不亮")
    response = console("dispatcher").get("/console/")
    page = text(response)
    assert response.status_code == 200
    assert rows(page) == [fresh.number]
    assert 'data-queue="to_dispatch"' in page and "退单待处理" in page and "延期待审批" in page
    # The time left on the dispatch clock, in working hours or minutes, and the clock's name.
    assert re.search(r'class="time-left"[^>]*>剩余 \d+ (个工作小时|分钟)<', page), page
    assert "转办时限" in page


def test_a_late_ticket_says_how_late_in_red(console):
    late = register(title="超期的工单")
    Clock.objects.filter(ticket=late, kind="dispatch").update(
        due_at=timezone.now() - timedelta(days=10), yellow_at=timezone.now() - timedelta(days=11)
    )
    page = text(console("dispatcher").get("/console/"))
    row = re.search(
        rf'<li class="queue-row warning-red" data-number="{late.number}">.*?</li>', page, re.S
    )
    assert row, page
    assert re.search(r'class="time-left late"[^>]*>超期 \d+ 天<', row.group(0))
    assert 'data-warning="red"' in row.group(0)


def test_queue_tabs_pick_a_list(console):
    sent_back = ticket_in("registered", seen_by_jiangan=True)
    client = console("dispatcher")
    page = text(client.get("/console/", {"queue": "sent_back"}))
    assert rows(page) == [sent_back.number]
    assert "不属于本单位" in page  # the unit's reason shows in the row
    # An unknown list falls back to the first one with something in it.
    assert rows(text(client.get("/console/", {"queue": "nonsense"}))) == [sent_back.number]


def test_a_handler_sees_no_dispatcher_queue(console):
    waiting = ticket_in("dispatched")
    client = console("jiangan-handler")
    page = text(client.get("/console/"))
    assert rows(page) == [waiting.number]
    assert 'data-queue="to_accept"' in page and "待派单" not in page
    assert "签收时限" in page
    refused = client.get("/console/", {"role": "dispatcher"})
    assert refused.status_code == 403 and waiting.number not in text(refused)


def test_a_district_dispatcher_sees_only_its_centre(console):
    own = register("jianghan-centre-agent", title="江汉自办")
    city = register("agent", title="市级来电")
    page = text(console("jianghan-centre-dispatcher").get("/console/"))
    assert own.number in rows(page) and city.number not in page


def test_roles_without_a_queue_get_a_friendly_page(console):
    response = console("admin").get("/console/")
    assert response.status_code == 200
    assert "你的岗位没有待办队列" in text(response)


def test_overseeing_roles_go_to_their_homes(console):
    homes = {
        "auditor": "/console/audit/",
        "inspector": "/console/inspection/",
        "leader": "/console/leader/",
        "supervisor": "/console/supervision/",
    }
    for username, url in homes.items():
        assert console(username).get("/console/")["Location"] == url, username


def test_callback_agents_and_evaluators_go_to_their_queues(console):
    assert console("callback").get("/console/")["Location"] == "/console/callback-queue/"
    assert console("evaluator").get("/console/")["Location"] == "/console/reviews/"


def test_several_roles_get_a_tab_each(console):
    user = User.objects.get(username="agent")
    accounts.membership_grant(user=user, unit=Unit.objects.get(code="center"), role="dispatcher")
    fresh = register()
    client = console("agent")
    home = text(client.get("/console/"))
    assert 'id="intake-form"' in home  # the first tab: the agent's intake screen
    assert 'href="/console/?role=dispatcher"' in home and 'href="/console/?role=agent"' in home
    queue = text(client.get("/console/", {"role": "dispatcher"}))
    assert rows(queue) == [fresh.number] and 'aria-current="page">派单队列' in queue


def test_pages_paginate(console):
    for i in range(21):
        register(title=f"分页{i}")
    client = console("dispatcher")
    first = text(client.get("/console/"))
    assert len(rows(first)) == 20 and 'rel="next"' in first
    second = text(client.get("/console/", {"queue": "to_dispatch", "page": 2}))
    assert len(rows(second)) == 1 and 'rel="prev"' in second


def _queries(client: Client, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/console/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(rows(text(response)))


def _fill(queue: str, n: int) -> None:
    for _ in range(n):
        if queue == "to_dispatch":
            register()
        elif queue == "sent_back":
            ticket_in("registered", seen_by_jiangan=True)
        elif queue == "passed_up":
            t = register("jianghan-centre-agent")
            act("jianghan-centre-dispatcher", t.number, "pass_up", reason="不属本区")
        elif queue == "extensions":
            t = ticket_in("in_progress")
            act("jiangan-handler", t.number, "request_extension", days=2, reason="协调")
        elif queue == "duplicates":
            register(citizen={"name": "王", "phone": "13911112222"})
        elif queue in ("to_accept", "to_forward"):
            ticket_in("dispatched")
        elif queue == "in_progress":
            ticket_in("in_progress")
        elif queue == "replied":
            ticket_in("replied")
        elif queue == "below_in_progress":
            t = ticket_in("dispatched")
            act("jiangan-dispatcher", t.number, "forward", unit="jiangan-01")
            act("jiangan-01-handler", t.number, "accept")


@pytest.mark.parametrize(
    "username,role,queue",
    [
        ("dispatcher", "dispatcher", "to_dispatch"),
        ("dispatcher", "dispatcher", "sent_back"),
        ("dispatcher", "dispatcher", "passed_up"),
        ("dispatcher", "dispatcher", "extensions"),
        ("dispatcher", "dispatcher", "duplicates"),
        ("jiangan-handler", "handler", "to_accept"),
        ("jiangan-handler", "handler", "in_progress"),
        ("jiangan-handler", "handler", "replied"),
        ("jiangan-dispatcher", "sub_dispatcher", "to_forward"),
        ("jiangan-dispatcher", "sub_dispatcher", "below_in_progress"),
        ("jiangan-leader", "unit_leader", "below_in_progress"),
    ],
)
def test_queries_do_not_grow_with_the_rows(console, username, role, queue):
    client = console(username)
    params = {"role": role, "queue": queue}
    _fill(queue, 2)
    few, shown_few = _queries(client, params)
    _fill(queue, 4)
    many, shown_many = _queries(client, params)
    assert shown_many > shown_few >= 2
    assert many == few


def test_place_duplicates_queue_queries_do_not_grow_with_the_rows(console):
    """The 疑似重复待并单 queue with candidate duplicates by place and leaf (other citizens, one
    street, one leaf): the same number of queries for 2 rows as for 6, and the rows shown."""
    leaf = Category.objects.filter(level=3, active=True).order_by("pk").first()
    client = console("dispatcher")
    params = {"role": "dispatcher", "queue": "duplicates"}

    def fill(n: int, start: int) -> None:
        for i in range(start, start + n):
            register(
                title=f"路灯不亮{i}",
                citizen={"name": "市民", "phone": f"1380000{i:04d}"},
                region="jiangan-01",
                category=leaf.code,
            )

    fill(2, 0)
    few, shown_few = _queries(client, params)
    fill(4, 2)
    many, shown_many = _queries(client, params)
    assert (shown_few, shown_many) == (2, 6)
    assert many == few


# --- the agent's intake screen -------------------------------------------------------------------


def test_the_agent_home_is_the_intake_screen(console):
    page = text(console("agent").get("/console/"))
    assert 'id="intake-form"' in page and 'action="/console/tickets/new/"' in page
    assert '<section class="card" id="knowledge-panel"' in page
    assert 'data-history-url="/console/intake/history/"' in page
    assert "/static/console/intake.js" in page and "/static/console/picker.js" in page
    assert 'data-filter="输入分类名称筛选"' in page


def test_caller_history_json(console):
    earlier = register(citizen={"name": "赵", "phone": "13955556666"})
    body = console("agent").get("/console/intake/history/", {"phone": "139 5555 6666"}).json()
    assert [i["number"] for i in body["items"]] == [earlier.number]
    assert body["items"][0]["url"] == f"/console/tickets/{earlier.number}/"
    refused = console("jiangan-handler").get("/console/intake/history/", {"phone": "13955556666"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"


def test_similar_open_tickets_json(console):
    open_one = register(
        title="解放大道路灯不亮", content="解放大道与三阳路口路灯连续三晚不亮，夜间行人很危险。"
    )
    closed = ticket_in(
        "invalid",
        title="解放大道路灯不亮",
        content="解放大道与三阳路口路灯连续三晚不亮，夜间行人很危险。",
    )
    body = (
        console("agent")
        .get(
            "/console/intake/similar/",
            {
                "title": "解放大道路灯不亮",
                "content": "解放大道与三阳路口路灯连续三晚不亮，夜间行人很危险。",
            },
        )
        .json()
    )
    found = [i["number"] for i in body["items"]]
    assert open_one.number in found and closed.number not in found
    assert console("jiangan-handler").get("/console/intake/similar/").status_code == 403


def test_without_javascript_the_lookup_button_fills_the_panels(console):
    earlier = register(citizen={"name": "赵", "phone": "13955556666"}, title="噪音扰民投诉")
    page = text(
        console("agent").get(
            "/console/",
            {"role": "agent", "lookup": "1", "citizen_phone": "13955556666", "content": "又是噪音"},
        )
    )
    history = re.search(r'id="caller-history-list">(.*?)</ul>', page, re.S).group(1)
    assert earlier.number in history
    # What was typed stays in the form.
    assert 'value="13955556666"' in page and "又是噪音" in page


def test_the_home_in_english(console):
    late = register(title="路面塌陷")
    Clock.objects.filter(ticket=late, kind="dispatch").update(
        due_at=timezone.now() - timedelta(days=10)
    )
    client = console("dispatcher")
    client.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    page = text(client.get("/console/"))
    assert 'lang="en"' in page and "My work" in page and "Sent back" in page
    assert re.search(r"\d+ days late", page)
    assert "超期" not in page


def test_the_lookup_fallback_works_on_the_registration_page_too(console):
    earlier = register(citizen={"name": "赵", "phone": "13955556666"})
    page = text(
        console("dispatcher").get(
            "/console/tickets/new/", {"lookup": "1", "citizen_phone": "13955556666"}
        )
    )
    assert earlier.number in re.search(r'id="caller-history-list">(.*?)</ul>', page, re.S).group(1)
    assert 'formaction="/console/tickets/new/"' in page
    # An admin may register but not look callers up: the panel stays empty, no error.
    admin = console("admin").get(
        "/console/tickets/new/", {"lookup": "1", "citizen_phone": "13955556666"}
    )
    assert admin.status_code == 200 and earlier.number not in text(admin)


def test_the_dispatch_form_searches_units_and_copies_to_the_offices(console):
    from hotline.tickets.models import Ticket, TicketAssignment

    fresh = register()
    client = console("dispatcher")
    page = text(client.get(f"/console/tickets/{fresh.number}/"))
    assert 'id="id_dispatch_unit" data-filter="输入单位名称筛选"' in page or re.search(
        r'<select name="unit" data-filter="输入单位名称筛选"[^>]*id="id_dispatch_unit"', page
    )
    assert 'name="copy_to" value="discipline"' in page
    response = client.post(
        f"/console/tickets/{fresh.number}/actions/dispatch/",
        {"unit": "jiangan", "copy_to": ["discipline", "supervision"]},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(pk=fresh.pk)
    copies = set(
        ticket.assignments.filter(role=TicketAssignment.COPY).values_list("unit__kind", flat=True)
    )
    assert ticket.status == "dispatched" and copies == {"office"}
    assert ticket.assignments.filter(role=TicketAssignment.COPY).count() == 2
    bad = client.post(
        f"/console/tickets/{register().number}/actions/dispatch/",
        {"unit": "jiangan", "copy_to": ["press"]},
    )
    assert bad.status_code == 400
