"""The Django admin: in Chinese, read-only where the data changes only through services, and
the calendar's import / confirm / edit going through hotline.workcal.services."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.audit import audit_record
from hotline.core.models import AuditEvent
from hotline.notifications.services import outbox_enqueue
from hotline.orgs.models import Region, Unit
from hotline.tickets.models import Clock, Ticket, TicketEvent
from hotline.workcal import selectors
from hotline.workcal.models import CalendarDay, CalendarYear, DayKind
from tests.factories import act, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    selectors.calendar_changed()
    yield
    selectors.calendar_changed()


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """calendar_problems() looks at this year and the next: pin "today" to 2026-11-26."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 26))


@pytest.fixture
def root(db):
    """A superuser holding the admin role at the centre: the admin's lists of tickets and of
    what derives from them show what the user's roles may see, superuser or not."""
    from hotline.accounts.roles import Role
    from hotline.accounts.services import membership_grant

    user = User.objects.create_superuser(
        username="root-admin", password="pw", display_name="超级管理员"
    )
    membership_grant(user=user, unit=Unit.objects.get(code="center"), role=Role.ADMIN)
    return user


@pytest.fixture
def client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def ticket(db):
    """A dispatched ticket under supervision, with its events, clocks and an outbox row."""
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("supervisor", ticket.number, "supervise", note="请加快办理")
    with transaction.atomic():
        outbox_enqueue(
            kind="test",
            recipient="13900001111",
            template="reminder",
            params={"number": ticket.number},
            key=f"admin-test-{ticket.number}",
            ticket=ticket,
        )
    return Ticket.objects.get(pk=ticket.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


CHANGELISTS = [
    ("core", "auditevent", "审计日志"),
    ("accounts", "user", "用户"),
    ("accounts", "membership", "岗位"),
    ("accounts", "apitoken", "访问令牌"),
    ("orgs", "region", "区域"),
    ("orgs", "unit", "承办单位"),
    ("orgs", "category", "派单目录"),
    ("workcal", "calendaryear", "日历年度"),
    ("workcal", "calendarday", "日历日"),
    ("tickets", "ticket", "工单"),
    ("tickets", "ticketevent", "工单事件"),
    ("tickets", "clock", "时限"),
    ("notifications", "outbox", "通知发件箱"),
    ("supervision", "supervisionorder", "督办单"),
]


@pytest.mark.parametrize(("app", "model", "title"), CHANGELISTS)
def test_changelist_renders_in_chinese(client, ticket, app, model, title):
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert title in html
    assert "选择" in html  # Django's own "选择 … 来修改 / 来查看"


def test_index_lists_every_app_in_chinese(client):
    html = client.get(reverse("admin:index")).content.decode()
    for _, _, title in CHANGELISTS:
        assert title in html


def test_detail_pages_render(client, ticket, root):
    unit = Unit.objects.get(code="jiangan")
    event = TicketEvent.objects.filter(ticket=ticket).first()
    clock = Clock.objects.filter(ticket=ticket).first()
    audit = AuditEvent.objects.order_by("-seq").first()
    for name, pk in [
        ("tickets_ticket", ticket.pk),
        ("tickets_ticketevent", event.pk),
        ("tickets_clock", clock.pk),
        ("core_auditevent", audit.pk),
        ("orgs_unit", unit.pk),
        ("accounts_user", root.pk),
        ("workcal_calendaryear", 2026),
        ("workcal_calendarday", "2026-10-10"),
        ("supervision_supervisionorder", ticket.supervision_orders.get().pk),
        ("notifications_outbox", ticket.outbox.get(kind="test").pk),
    ]:
        response = client.get(reverse(f"admin:{name}_change", args=[pk]))
        assert response.status_code == 200, name


def test_ticket_admin_masks_the_complainant(client, ticket):
    html = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert ticket.citizen_phone and ticket.citizen_phone not in html
    assert "138****1111" in html
    outbox = client.get(reverse("admin:notifications_outbox_changelist")).content.decode()
    assert "13900001111" not in outbox
    assert "139****1111" in outbox
    for row in ticket.outbox.all():
        detail = client.get(reverse("admin:notifications_outbox_change", args=[row.pk]))
        assert detail.status_code == 200
        assert row.recipient not in detail.content.decode()


@pytest.mark.parametrize(
    ("app", "model"),
    [
        ("core", "auditevent"),
        ("tickets", "ticket"),
        ("tickets", "ticketevent"),
        ("tickets", "clock"),
        ("notifications", "outbox"),
        ("supervision", "supervisionorder"),
    ],
)
def test_read_only_admins_refuse_add(client, ticket, app, model):
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
    html = client.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
    assert "delete_selected" not in html


def test_audit_log_refuses_change_and_delete(client, root):
    event = audit_record(actor=root, action="test.action", target="x", data={"a": 1})
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    delete = reverse("admin:core_auditevent_delete", args=[event.pk])

    view = client.get(change)
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert client.post(change, {"action": "tampered", "target": "y"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)

    event.refresh_from_db()
    assert (event.action, event.target) == ("test.action", "x")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_ticket_admin_refuses_change(client, ticket):
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert client.post(url, {"status": "closed"}).status_code == 403
    assert (
        client.post(
            reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"


# --- the calendar -------------------------------------------------------------------------


def test_calendar_changelist_shows_problems(client):
    response = client.get(reverse("admin:workcal_calendaryear_changelist"))
    assert any("2027 年工作日历缺失" in m for m in messages_of(response))
    response = client.get(reverse("admin:workcal_calendarday_changelist"))
    assert any("2027 年工作日历缺失" in m for m in messages_of(response))


def test_calendar_day_link_filters_by_year(client):
    url = reverse("admin:workcal_calendarday_changelist") + "?year__year__exact=2026"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 365


def test_calendar_import_edit_reimport_confirm(client, root):
    years = reverse("admin:workcal_calendaryear_changelist")

    # import 2027 (not in the library): weekdays only, unconfirmed, audited
    response = client.post(reverse("admin:workcal_calendaryear_add"), {"year": 2027}, follow=True)
    assert response.status_code == 200
    assert any("没有 2027 年的数据" in m for m in messages_of(response))
    cal_year = CalendarYear.objects.get(year=2027)
    assert cal_year.confirmed is False
    assert CalendarDay.objects.filter(year=cal_year).count() == 365
    assert AuditEvent.objects.filter(action="calendar.seed", target="2027", actor=root).exists()
    assert any("2027 年工作日历未确认" in m for m in messages_of(client.get(years)))

    # edit New Year's Day through the admin: goes through calendar_set_day (audited)
    day_url = reverse("admin:workcal_calendarday_change", args=["2027-01-01"])
    response = client.post(day_url, {"kind": DayKind.HOLIDAY, "name": "元旦"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert (day.kind, day.name) == (DayKind.HOLIDAY, "元旦")
    assert AuditEvent.objects.filter(
        action="calendar.edit", target="2027-01-01", actor=root
    ).exists()

    # re-import (action) overwrites the unconfirmed year
    response = client.post(
        years, {"action": "seed_years", "_selected_action": ["2027"]}, follow=True
    )
    assert response.status_code == 200
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).kind == DayKind.WORKDAY
    assert AuditEvent.objects.filter(action="calendar.seed", target="2027", actor=root).count() == 2

    # confirm (action)
    response = client.post(
        years, {"action": "confirm_years", "_selected_action": ["2027"]}, follow=True
    )
    assert any("已确认 2027 年工作日历" in m for m in messages_of(response))
    cal_year.refresh_from_db()
    assert cal_year.confirmed is True and cal_year.confirmed_by == root
    assert not [m for m in messages_of(client.get(years)) if "2027" in m]


def test_calendar_import_action_leaves_a_confirmed_year_alone(client, root):
    years = reverse("admin:workcal_calendaryear_changelist")
    response = client.post(
        years, {"action": "seed_years", "_selected_action": ["2026"]}, follow=True
    )
    assert any("2026 年日历已确认，未重新导入" in m for m in messages_of(response))
    assert CalendarYear.objects.get(year=2026).confirmed is True
    assert not AuditEvent.objects.filter(action="calendar.seed", actor=root).exists()


def test_calendar_import_action_reimports_an_unconfirmed_library_year(client, root):
    years = reverse("admin:workcal_calendaryear_changelist")
    client.post(
        reverse("admin:workcal_calendarday_change", args=["2026-10-09"]),
        {"kind": DayKind.HOLIDAY, "name": "测试"},
    )
    assert CalendarYear.objects.get(year=2026).confirmed is False

    response = client.post(
        years, {"action": "seed_years", "_selected_action": ["2026"]}, follow=True
    )
    assert any("已从 chinese_calendar 导入 2026 年" in m for m in messages_of(response))
    day = CalendarDay.objects.get(date=date(2026, 10, 9))
    assert (day.kind, day.name) == (DayKind.WORKDAY, "")
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == DayKind.MAKEUP


def test_editing_a_day_of_a_confirmed_year_unconfirms_it(client, root):
    url = reverse("admin:workcal_calendarday_change", args=["2026-12-31"])
    response = client.post(url, {"kind": DayKind.HOLIDAY, "name": ""}, follow=True)
    assert any("2026 年日历已改为未确认" in m for m in messages_of(response))
    assert CalendarYear.objects.get(year=2026).confirmed is False
    assert CalendarDay.objects.get(date=date(2026, 12, 31)).kind == DayKind.HOLIDAY


def test_calendar_days_cannot_be_added_or_deleted_and_years_not_edited(client):
    assert client.get(reverse("admin:workcal_calendarday_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:workcal_calendarday_delete", args=["2026-10-10"]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:workcal_calendaryear_change", args=[2026]), {"year": 2026}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:workcal_calendaryear_delete", args=[2026]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_calendar_year_add_refuses_existing_and_absurd_years(client):
    url = reverse("admin:workcal_calendaryear_add")
    assert client.post(url, {"year": 2026}).status_code == 200  # form error, nothing written
    assert client.post(url, {"year": 9999}).status_code == 200
    assert not CalendarYear.objects.filter(year=9999).exists()


# --- reference data edits are audited ----------------------------------------------------


def test_region_added_in_admin_is_audited(client, root):
    response = client.post(
        reverse("admin:orgs_region_add"),
        {"code": "t-region", "name": "测试区域", "level": "district"},
    )
    assert response.status_code == 302
    region = Region.objects.get(code="t-region")
    assert region.path == f"/{region.pk}/"
    event = AuditEvent.objects.get(action="admin.add", actor=root)
    assert event.target == f"orgs.region:{region.pk}"


def test_user_added_in_admin_keeps_name_and_phone(client, root):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new-handler",
            "usable_password": "true",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
            "display_name": "新承办人",
            "phone": "13700000000",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-handler")
    assert (user.display_name, user.phone) == ("新承办人", "13700000000")
    assert AuditEvent.objects.filter(action="admin.add", target=f"accounts.user:{user.pk}").exists()


def test_calendar_day_list_edit_goes_through_the_service(client, root):
    response = client.post(
        reverse("admin:workcal_calendarday_changelist") + "?year__year__exact=2026",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-date": "2026-10-10",
            "form-0-kind": DayKind.WEEKEND,
            "_save": "保存",
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == DayKind.WEEKEND
    assert AuditEvent.objects.filter(
        action="calendar.edit", target="2026-10-10", actor=root
    ).exists()
    assert CalendarYear.objects.get(year=2026).confirmed is False
