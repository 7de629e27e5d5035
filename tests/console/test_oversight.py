"""The homes of the overseeing roles (hotline.console.oversight): the supervision office, the
discipline inspection office, the leaders (with 领导签批 on the ticket page) and the auditor."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hotline.core.audit import audit_record
from hotline.core.models import AuditEvent
from hotline.orgs.models import Unit
from hotline.supervision.models import Accountability, Referral, SupervisionOrder
from hotline.tickets.models import Clock
from tests.factories import MembershipFactory, act, register, ticket_in

SUPERVISOR_HOME = "/console/supervision/"
INSPECTOR_HOME = "/console/inspection/"
LEADER_HOME = "/console/leader/"
AUDIT_LOG = "/console/audit/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The leaders' figures and the audit chain's verification are cached for a while."""
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def district_leader(db):
    """A leader of the jiangan district (市/区领导 held at the district's unit)."""
    MembershipFactory(
        user__username="jiangan-boss", unit=Unit.objects.get(code="jiangan"), role="leader"
    )
    return "jiangan-boss"


def text(response) -> str:
    return response.content.decode()


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, text(response)[:500]
    return len(ctx.captured_queries)


def light(ticket, level: str) -> None:
    """Put the running clocks of ``ticket`` in yellow or red now."""
    now = timezone.now()
    if level == "red":
        Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).update(
            yellow_at=now - timedelta(days=3), due_at=now - timedelta(days=2)
        )
    else:
        Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).update(
            yellow_at=now - timedelta(hours=1), due_at=now + timedelta(hours=5)
        )


# --- who may open which home ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "owner", "others"),
    [
        (SUPERVISOR_HOME, "supervisor", ["dispatcher", "leader", "inspector", "auditor"]),
        (INSPECTOR_HOME, "inspector", ["supervisor", "leader", "jiangan-handler", "auditor"]),
        (LEADER_HOME, "leader", ["supervisor", "inspector", "jiangan-leader", "auditor"]),
        (AUDIT_LOG, "auditor", ["admin", "supervisor", "leader", "inspector", "dispatcher"]),
    ],
)
def test_each_home_is_for_its_role_only(console, url, owner, others):
    assert console(owner).get(url).status_code == 200
    for username in others:
        response = console(username).get(url)
        assert response.status_code == 403, username


@pytest.mark.parametrize("url", [SUPERVISOR_HOME, INSPECTOR_HOME, LEADER_HOME, AUDIT_LOG])
def test_homes_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_the_named_urls():
    assert reverse("console:supervisor_home") == SUPERVISOR_HOME
    assert reverse("console:inspector_home") == INSPECTOR_HOME
    assert reverse("console:leader_home") == LEADER_HOME
    assert reverse("console:audit_log") == AUDIT_LOG


# --- 督查室 ------------------------------------------------------------------------------------


def test_supervisor_sees_red_before_yellow_then_by_lateness(console):
    yellow = ticket_in("in_progress", title="黄灯工单")
    light(yellow, "yellow")
    late = ticket_in("in_progress", title="红灯较早")
    light(late, "red")
    Clock.objects.filter(ticket=late, stopped_at__isnull=True).update(
        due_at=timezone.now() - timedelta(days=5)
    )
    red = ticket_in("dispatched", title="红灯较晚")
    light(red, "red")
    calm = ticket_in("in_progress", title="正常工单")
    page = text(console("supervisor").get(SUPERVISOR_HOME))
    section = page[page.index('id="warned"') : page.index('id="orders"')]
    order = [section.index(t.number) for t in (late, red, yellow)]
    assert order == sorted(order)
    assert calm.number not in section
    assert "超期 5 天" in section and "剩余 " in section
    assert 'data-warning="red"' in section and 'data-warning="yellow"' in section


def test_supervisor_sees_orders_signed_and_second_referrals_and_accountability(console):
    signed = ticket_in("in_progress")
    act("leader", signed.number, "sign", instruction="市领导批示：限期办结")
    twice = ticket_in("dispatched")
    act("supervisor", twice.number, "supervise", note="第一次督办")
    act("supervisor", twice.number, "supervise", note="再次督办")
    done = ticket_in("closed")
    SupervisionOrder.objects.create(
        ticket=done,
        level=1,
        note="早已办结",
        created_by=signed.registered_by,
        created_at=timezone.now(),
        event_seq=1,
    )
    referred = ticket_in("in_progress")
    Referral.objects.create(
        ticket=referred, reason=Referral.SEND_BACKS, created_at=timezone.now(), event_seq=1
    )
    Accountability.objects.create(
        ticket=twice,
        unit=Unit.objects.get(code="jiangan"),
        person="王某",
        reason="超期未办",
        measure="talk",
        decided_by=signed.registered_by,
        decided_at=timezone.now(),
    )
    page = text(console("supervisor").get(SUPERVISOR_HOME))
    orders = page[page.index('id="orders"') : page.index('id="referrals"')]
    assert signed.number in orders and "市领导批示：限期办结" in orders
    assert "tag-signed" in orders and "领导签批" in orders
    assert "二次督办" in orders and "再次督办" in orders
    assert done.number not in orders  # a closed ticket's order is no longer open
    referrals = page[page.index('id="referrals"') : page.index('id="accountability"')]
    assert referred.number in referrals and "三次退单" in referrals
    accountability = page[page.index('id="accountability"') :]
    assert twice.number in accountability and "约谈" in accountability and "王某" in accountability


def test_supervisor_lists_are_paginated(console, monkeypatch):
    from hotline.console import oversight

    monkeypatch.setattr(oversight, "PAGE_SIZE", 2)
    tickets = [ticket_in("in_progress") for _ in range(3)]
    for t in tickets:
        light(t, "red")
        act("supervisor", t.number, "supervise", note="督办")
    client = console("supervisor")
    first = text(client.get(SUPERVISOR_HOME))
    assert "第 1 / 2 页" in first and "wp=2" in first and "op=2" in first
    second = text(client.get(SUPERVISOR_HOME + "?wp=2&op=2"))
    warned = second[second.index('id="warned"') : second.index('id="orders"')]
    assert sum(t.number in warned for t in tickets) == 1


def _supervision_rows(n: int) -> None:
    for _ in range(n):
        t = ticket_in("in_progress")
        light(t, "red")
        act("supervisor", t.number, "supervise", note="督办")
        Referral.objects.create(
            ticket=t, reason=Referral.REDOS, created_at=timezone.now(), event_seq=1
        )
        Accountability.objects.create(
            ticket=t,
            unit=Unit.objects.get(code="jiangan"),
            reason="超期",
            measure="notice",
            decided_by=t.registered_by,
            decided_at=timezone.now(),
        )


def test_supervisor_home_queries_do_not_grow_with_rows(console):
    client = console("supervisor")
    _supervision_rows(2)
    few = queries(client, SUPERVISOR_HOME)
    _supervision_rows(6)
    assert queries(client, SUPERVISOR_HOME) == few


# --- 纪检监察 ----------------------------------------------------------------------------------


def _copied(n: int) -> list:
    out = []
    for _ in range(n):
        t = register()
        act("dispatcher", t.number, "dispatch", unit="jiangan", copy_to=["discipline"])
        out.append(t)
    return out


def test_inspector_sees_the_copies_read_only(console):
    copied = _copied(2)
    not_copied = ticket_in("dispatched")
    client = console("inspector")
    page = text(client.get(INSPECTOR_HOME))
    section = page[page.index('id="copies"') : page.index('id="accountability"')]
    assert all(t.number in section for t in copied) and not_copied.number not in section
    assert "市纪委监委" in section
    detail = text(client.get(f"/console/tickets/{copied[0].number}/"))
    assert 'action="/console/tickets/' not in detail  # no action form: the copy is read-only
    assert client.get(f"/console/tickets/{not_copied.number}/").status_code == 404


def test_inspector_home_queries_do_not_grow_with_rows(console):
    client = console("inspector")
    _copied(2)
    few = queries(client, INSPECTOR_HOME)
    _copied(6)
    assert queries(client, INSPECTOR_HOME) == few


# --- 市/区领导 ---------------------------------------------------------------------------------


def figure(page: str, metric: str) -> str:
    start = page.index(f'data-metric="{metric}"')
    value = page.index('class="figure-value">', start) + len('class="figure-value">')
    return page[value : page.index("</span>", value)]


def test_city_and_district_leaders_see_their_own_figures(console, district_leader):
    in_jiangan = ticket_in("in_progress")
    light(in_jiangan, "red")
    in_hanyang = register()
    act("dispatcher", in_hanyang.number, "dispatch", unit="hanyang")
    light(in_hanyang, "yellow")
    not_dispatched = register()
    city = text(console("leader").get(LEADER_HOME))
    district = text(console(district_leader).get(LEADER_HOME))
    assert "江岸" in district
    city_open, district_open = int(figure(city, "open")), int(figure(district, "open"))
    assert city_open >= 3 and district_open >= 1 and district_open < city_open
    # The city counts hanyang's yellow ticket; the district does not.
    assert int(figure(city, "yellow")) == int(figure(district, "yellow")) + 1
    assert int(figure(district, "red")) == 1 and int(figure(city, "red")) == 1
    assert int(figure(city, "received_today")) > int(figure(district, "received_today"))
    assert int(figure(district, "received")) >= 1
    for metric in ("open", "received", "yellow", "red"):
        url = reverse("console:leader_tickets", kwargs={"metric": metric})
        assert url in district
    assert reverse("assessment:index") in city
    drill = text(console(district_leader).get("/console/leader/tickets/open/"))
    assert in_jiangan.number in drill and in_hanyang.number not in drill
    assert not_dispatched.number not in drill
    drill_city = text(console("leader").get("/console/leader/tickets/open/"))
    assert in_hanyang.number in drill_city and not_dispatched.number in drill_city
    red = text(console(district_leader).get("/console/leader/tickets/red/"))
    assert in_jiangan.number in red


def test_leader_drill_downs_use_the_assessment_counts(console, district_leader):
    t = ticket_in("in_progress")
    page = text(console(district_leader).get("/console/leader/tickets/received/"))
    assert t.number in page
    assert console(district_leader).get("/console/leader/tickets/bogus/").status_code == 403


def test_leader_drill_down_queries_do_not_grow_with_rows(console, district_leader):
    client = console(district_leader)
    for _ in range(2):
        ticket_in("in_progress")
    few = queries(client, "/console/leader/tickets/received/")
    for _ in range(6):
        ticket_in("in_progress")
    assert queries(client, "/console/leader/tickets/received/") == few


def test_leader_home_queries_do_not_grow_with_tickets(console):
    client = console("leader")
    ticket_in("in_progress")
    few = queries(client, LEADER_HOME)
    for _ in range(4):
        light(ticket_in("in_progress"), "red")
    # The assessment's counts are reused for a few minutes; live figures are read each time.
    cached = queries(client, LEADER_HOME)
    assert cached < few
    cache.clear()
    assert queries(client, LEADER_HOME) == few


# --- 领导签批 on the ticket page -----------------------------------------------------------------


def test_leader_signs_on_the_ticket_page_and_the_supervisor_sees_it(console):
    t = ticket_in("in_progress")
    leader = console("leader")
    page = text(leader.get(f"/console/tickets/{t.number}/"))
    assert f"/console/tickets/{t.number}/actions/sign/" in page and "批示内容" in page
    empty = leader.post(f"/console/tickets/{t.number}/actions/sign/", {"instruction": " "})
    assert empty.status_code == 400 and not SupervisionOrder.objects.filter(ticket=t).exists()
    done = leader.post(
        f"/console/tickets/{t.number}/actions/sign/", {"instruction": "请三日内办结", "days": 3}
    )
    assert done.status_code == 302
    timeline = text(leader.get(f"/console/tickets/{t.number}/"))
    assert "领导签批" in timeline and "请三日内办结" in timeline and "领导批示" in timeline
    home = text(console("supervisor").get(SUPERVISOR_HOME))
    assert t.number in home and "请三日内办结" in home


@pytest.mark.parametrize("username", ["supervisor", "dispatcher", "jiangan-handler"])
def test_other_roles_have_no_sign_form(console, username):
    t = ticket_in("in_progress")
    page = text(console(username).get(f"/console/tickets/{t.number}/"))
    assert "/actions/sign/" not in page
    response = console(username).post(
        f"/console/tickets/{t.number}/actions/sign/", {"instruction": "批示"}
    )
    assert response.status_code == 403
    assert not SupervisionOrder.objects.filter(ticket=t).exists()


def test_a_closed_ticket_has_no_sign_form(console):
    t = ticket_in("closed")
    assert "/actions/sign/" not in text(console("leader").get(f"/console/tickets/{t.number}/"))
    response = console("leader").post(
        f"/console/tickets/{t.number}/actions/sign/", {"instruction": "批示"}
    )
    assert response.status_code == 409


# --- 审计员 ------------------------------------------------------------------------------------


def _events(n: int, *, actor=None, action="calendar.confirm") -> None:
    for i in range(n):
        audit_record(actor=actor, action=action, target=f"T{i}", data={"i": i})


def test_auditor_filters_the_log_and_sees_the_chain(console, user):
    t = ticket_in("in_progress")
    act("leader", t.number, "sign", instruction="批示")
    _events(3, actor=user("admin"))
    client = console("auditor")
    page = text(client.get(AUDIT_LOG))
    assert 'data-chain="ok"' in page and "ticket.sign" in page and "calendar.confirm" in page
    filtered = text(client.get(AUDIT_LOG + "?actor=leader&action=ticket."))
    assert "ticket.sign" in filtered and t.number in filtered
    assert "calendar.confirm" not in filtered
    today = timezone.localdate().isoformat()
    by_target = text(client.get(AUDIT_LOG + f"?target={t.number}&since={today}&until={today}"))
    assert "ticket.sign" in by_target and ">T1<" not in by_target  # the other events' target
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    old = text(client.get(AUDIT_LOG + f"?until={yesterday}"))
    assert "ticket.sign" not in old
    unknown = text(client.get(AUDIT_LOG + "?actor=nobody"))
    assert "no user" in unknown


def test_auditor_exports_csv_and_xlsx(console, user):
    _events(2, actor=user("admin"), action="holiday.edit")
    _events(1, actor=user("supervisor"), action="accountability.record")
    client = console("auditor")
    response = client.get(AUDIT_LOG + "?action=holiday.&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["序号", "时间", "操作人", "用户名", "操作"]
    assert [r[4] for r in rows[1:]] == ["holiday.edit", "holiday.edit"]
    assert {(r[2], r[3]) for r in rows[1:]} == {("系统管理员", "admin")} and rows[1][5] == "T1"
    xlsx = client.get(AUDIT_LOG + "?actor=supervisor&format=xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    sheet = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert sheet[0][4] == "操作" and [r[4] for r in sheet[1:]] == ["accountability.record"]


def test_a_broken_chain_is_shown(console, user):
    _events(3, actor=user("admin"))
    client = console("auditor")
    assert 'data-chain="ok"' in text(client.get(AUDIT_LOG))
    second = AuditEvent.objects.order_by("seq")[1]
    # Tamper underneath the application (rows are append-only through it).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET target = %s WHERE seq = %s", ["tampered", second.seq]
        )
    # The verification made for the same latest entry is reused for a while...
    assert 'data-chain="ok"' in text(client.get(AUDIT_LOG))
    # ...a fresh one is one click away, and any new entry makes the next load verify again.
    fresh = text(client.get(AUDIT_LOG + "?verify=1"))
    assert 'data-chain="broken"' in fresh and f"第 {second.seq} 条" in fresh
    _events(1, actor=user("admin"))
    assert 'data-chain="broken"' in text(client.get(AUDIT_LOG))


def test_audit_log_queries_do_not_grow_with_rows(console, user):
    client = console("auditor")
    _events(3, actor=user("admin"))
    few = queries(client, AUDIT_LOG)
    _events(12, actor=user("supervisor"))
    # audit_verify reads the whole chain in one query; the page itself does not grow.
    assert queries(client, AUDIT_LOG) == few


def test_audit_log_is_paginated(console, user, monkeypatch):
    from hotline.console import oversight

    monkeypatch.setattr(oversight, "PAGE_SIZE", 5)
    _events(7, actor=user("admin"), action="x.page")
    client = console("auditor")
    first = text(client.get(AUDIT_LOG + "?action=x.page"))
    assert "第 1 / 2 页" in first and "action=x.page&amp;page=2" in first
    second = text(client.get(AUDIT_LOG + "?action=x.page&page=2"))
    assert ">T1<" in second and ">T0<" in second and ">T6<" not in second  # target cells


def test_the_auditor_sees_no_tickets(console):
    t = ticket_in("in_progress")
    client = console("auditor")
    assert client.get(reverse("console:ticket_list")).status_code == 403
    assert client.get(f"/console/tickets/{t.number}/").status_code == 404
    for url in (SUPERVISOR_HOME, INSPECTOR_HOME, LEADER_HOME, "/console/leader/tickets/open/"):
        assert client.get(url).status_code == 403, url


# --- GET /api/v1/audit -------------------------------------------------------------------------


def test_audit_api_for_auditors_only(api, user):
    _events(2, actor=user("admin"), action="holiday.edit")
    _events(1, actor=user("supervisor"), action="accountability.record")
    body = api("auditor").get("audit?actor=admin&action=holiday.&page_size=1").json()
    assert body["count"] == 2 and len(body["items"]) == 1 and body["next"]
    item = body["items"][0]
    assert item["actor"] == "admin" and item["action"] == "holiday.edit" and item["target"] == "T1"
    today = timezone.localdate().isoformat()
    assert api("auditor").get(f"audit?from={today}&to={today}").json()["count"] >= 3
    for username in ("admin", "supervisor", "leader", "dispatcher"):
        response = api(username).get("audit")
        assert response.status_code == 403, username
        assert response.json()["error"] == "forbidden"


def test_audit_api_bad_input_names_the_field(api):
    unknown = api("auditor").get("audit?actor=nobody")
    assert unknown.status_code == 400 and unknown.json()["field"] == "actor"
    backwards = api("auditor").get("audit?from=2026-03-02&to=2026-03-01")
    assert backwards.status_code == 400 and backwards.json()["field"] == "to"
    bad_date = api("auditor").get("audit?from=yesterday")
    assert bad_date.status_code == 400


# --- English -----------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]+")


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("supervisor", SUPERVISOR_HOME),
        ("inspector", INSPECTOR_HOME),
        ("leader", LEADER_HOME),
        ("leader", "/console/leader/tickets/open/"),
        ("auditor", AUDIT_LOG),
    ],
)
def test_the_homes_in_english(console, username, url):
    client = console(username)
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    page = text(client.get(url))
    # Only data stays Chinese: the user's and units' names, and the language switch's own name.
    body = page[page.index("<main") :]
    words = set(CJK.findall(body)) - {"武汉市人民政府"}
    assert words == set(), words


# --- every step of every ticket in the audit log ---------------------------------------------


def test_the_auditor_sees_every_ticket_step(console):
    ticket = act("dispatcher", register().number, "dispatch", unit="jiangan")
    other = register()
    client = console("auditor")
    page = text(client.get(AUDIT_LOG + "?source=tickets"))
    assert f"{ticket.number}#1" in page and f"{ticket.number}#2" in page
    assert "派单" in page and "待派单 → 待签收" in page and other.number in page
    # Filtered by ticket, by action and by who took it.
    one = text(client.get(AUDIT_LOG + f"?source=tickets&target={ticket.number}&action=dispatch"))
    assert f"{ticket.number}#2" in one and f"{ticket.number}#1" not in one
    assert other.number not in one
    mine = text(client.get(AUDIT_LOG + "?source=tickets&actor=dispatcher"))
    assert f"{ticket.number}#2" in mine and other.number not in mine
    # Exported with the same columns.
    response = client.get(AUDIT_LOG + f"?source=tickets&target={ticket.number}&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][5:7] == ["工单", "状态变化"]
    assert [r[0] for r in rows[1:]] == [f"{ticket.number}#2", f"{ticket.number}#1"]


def test_ticket_steps_are_for_the_auditor_only_and_queries_do_not_grow(console):
    register()
    assert console("supervisor").get(AUDIT_LOG + "?source=tickets").status_code == 403
    client = console("auditor")
    queries(client, AUDIT_LOG + "?source=tickets")  # the chain's verification is then cached
    few = queries(client, AUDIT_LOG + "?source=tickets")
    for _ in range(6):
        act("dispatcher", register().number, "dispatch", unit="jiangan")
    assert queries(client, AUDIT_LOG + "?source=tickets") == few


def test_the_city_leader_sees_the_months_answer_rate_with_its_calls(console, district_leader):
    from hotline.accounts.models import User
    from hotline.telephony.services import calls_record

    now = timezone.localtime()
    queued = now.replace(hour=8, minute=0, second=0, microsecond=0)
    if queued > now:
        queued = now - timedelta(minutes=10)
    body = [
        {
            "call_id": f"lead-{i}",
            "line": "12345",
            "caller": "13800001111",
            "queued_at": queued.isoformat(),
            "answered_at": (queued + timedelta(seconds=wait)).isoformat(),
            "ended_at": (queued + timedelta(seconds=wait + 60)).isoformat(),
            "agent": "agent",
            "outcome": "answered",
        }
        for i, wait in enumerate((5, 15, 40))
    ]
    calls_record(actor=User.objects.get(username="admin"), body=body)
    page = text(console("leader").get(LEADER_HOME))
    card = re.search(r'data-metric="answer_rate_15s".*?</a>', page, re.S).group(0)
    assert "66.67%" in card and "2 / 呼入 3" in card
    assert 'href="/console/calls/stats/?by=day" data-metric="answer_rate_15s"' in page
    # A district leader's home has no city-wide phone figure.
    assert 'data-metric="answer_rate_15s"' not in text(console(district_leader).get(LEADER_HOME))
