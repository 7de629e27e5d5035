"""A unit never sees another unit's tickets: not in the list, not in search, not by number."""

from __future__ import annotations

import pytest

from tests.factories import act, register, ticket_in


@pytest.fixture
def two_tickets():
    a = ticket_in("dispatched", title="江岸专属工单", content="江岸区某小区路灯不亮")
    b = register(title="汉阳专属工单", content="汉阳区某路段积水严重")
    act("dispatcher", b.number, "dispatch", unit="hanyang")
    return a, b


def numbers(response):
    assert response.status_code == 200, response.json()
    return {item["number"] for item in response.json()["items"]}


def test_units_see_only_their_tickets(api, two_tickets):
    a, b = two_tickets
    assert a.number in numbers(api("jiangan-handler").get("tickets"))
    assert b.number not in numbers(api("jiangan-handler").get("tickets"))
    assert b.number in numbers(api("hanyang-handler").get("tickets"))
    assert a.number not in numbers(api("hanyang-handler").get("tickets"))


def test_search_does_not_leak(api, two_tickets):
    a, b = two_tickets
    assert numbers(api("hanyang-handler").get("tickets?q=江岸专属")) == set()
    assert numbers(api("hanyang-handler").get(f"tickets?q={a.number}")) == set()
    assert numbers(api("jiangan-handler").get("tickets?q=江岸专属")) == {a.number}


def test_detail_of_another_units_ticket_is_404(api, two_tickets):
    a, b = two_tickets
    response = api("hanyang-handler").get(f"tickets/{a.number}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    # Same answer as for a number that does not exist: nothing tells that it exists.
    assert api("hanyang-handler").get("tickets/2099010100001").json() == {
        "error": "not_found",
        "detail": "no ticket 2099010100001",
    }


def test_sub_tree_sees_forwarded_tickets_and_siblings_do_not(api):
    t = ticket_in("dispatched")
    act("jiangan-dispatcher", t.number, "forward", unit="jiangan-02")
    assert t.number in numbers(api("jiangan-handler").get("tickets"))
    assert t.number in numbers(api("jiangan-02-handler").get("tickets"))
    assert t.number not in numbers(api("jiangan-01-handler").get("tickets"))
    assert api("jiangan-01-handler").get(f"tickets/{t.number}").status_code == 404


def test_centre_sees_everything_and_auditor_nothing(api, two_tickets):
    a, b = two_tickets
    assert {a.number, b.number} <= numbers(api("dispatcher").get("tickets?page_size=1000"))
    assert api("auditor").get("tickets").status_code == 403
    assert api("auditor").get(f"tickets/{a.number}").status_code == 404


def test_units_see_the_complainant_masked(api):
    t = ticket_in("dispatched", citizen={"name": "张三丰", "phone": "13812345678"})
    unit_view = api("jiangan-handler").get(f"tickets/{t.number}").json()["citizen"]
    assert unit_view["phone"] == "138****5678" and unit_view["name"] == "张**"
    centre_view = api("dispatcher").get(f"tickets/{t.number}").json()["citizen"]
    assert centre_view["phone"] == "13812345678"


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "report"},
        {"citizen": {"name": "李四", "phone": "13900001111", "confidential": True}},
    ],
)
def test_reports_and_confidential_tickets_never_show_the_complainant_to_units(api, overrides):
    t = ticket_in("dispatched", **overrides)
    body = api("jiangan-handler").get(f"tickets/{t.number}").json()
    assert body["citizen"]["phone"] == "" and body["citizen"]["name"] == "保密"
    assert "13900001111" not in str(body) and "李四" not in str(body)
    # ...and a unit cannot find it by the phone number.
    assert numbers(api("jiangan-handler").get("tickets?q=13900001111")) == set()


def test_inspector_sees_only_copies(api):
    from hotline.orgs.models import Category

    copied = Category.objects.filter(copy_to_discipline=True, level=3).first()
    t = register(category=copied.code)
    other = register()
    act("dispatcher", t.number, "dispatch", unit="jiangan")
    act("dispatcher", other.number, "dispatch", unit="jiangan")
    seen = numbers(api("inspector").get("tickets"))
    assert t.number in seen and other.number not in seen
    # read-only: the inspector cannot comment
    assert api("inspector").act(t.number, "comment", text="x").status_code == 403


@pytest.mark.parametrize(
    "username",
    ["jiangan-handler", "jiangan-01-handler", "hanyang-handler", "jianghan-centre-agent",
     "inspector", "auditor"],
)
def test_the_per_candidate_check_sees_what_the_list_sees(username, two_tickets):
    """``visible_ticket_check`` (one probe per candidate, for the similar tickets) passes exactly
    the tickets of ``tickets_visible_to``: units, a sub-unit, a district centre, none."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from hotline.tickets.models import Ticket
    from hotline.tickets.selectors import tickets_visible_to, visible_ticket_check

    t = ticket_in("dispatched")
    act("jiangan-dispatcher", t.number, "forward", unit="jiangan-02")
    own = register(title="江汉自办", content="江汉区某小区噪音扰民")  # at the city centre
    user = get_user_model().objects.get(username=username)
    sql, params = visible_ticket_check(user)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {Ticket._meta.db_table} t WHERE {sql.replace('{column}', 't.id')}",
            params,
        )
        checked = {row[0] for row in cursor.fetchall()}
    assert checked == set(tickets_visible_to(user).values_list("pk", flat=True))
    assert own.pk not in checked or username == "jianghan-centre-agent"


def test_the_per_candidate_check_is_none_for_who_sees_all():
    from django.contrib.auth import get_user_model

    from hotline.tickets.selectors import visible_ticket_check

    assert visible_ticket_check(get_user_model().objects.get(username="dispatcher")) is None
