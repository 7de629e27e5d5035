"""District hotlines on the platform (区长专线 beside 市长专线): a district centre registers its
own tickets (自办件), receives the city's (转办件), dispatches inside its own tree, passes up what
is not the district's, and sees nothing of another district's own tickets."""

from __future__ import annotations

import pytest

from hotline.notifications.models import Outbox
from hotline.notifications.templates import render
from hotline.tickets.models import Clock, Ticket, TicketEvent

BODY = {
    "channel": "phone",
    "kind": "complaint",
    "title": "汉正街夜市油烟扰民",
    "content": "汉正街夜市烧烤油烟很大，晚上十点后仍在营业，影响居民休息。",
    "citizen": {"name": "李女士", "phone": "13912345678"},
}


def register(api, username, **extra):
    response = api(username).post("tickets", {**BODY, **extra})
    assert response.status_code == 201, response.json()
    return response.json()


def written(number: str) -> tuple:
    ticket = Ticket.objects.get(number=number)
    return (
        ticket.status,
        ticket.unit_id,
        ticket.centre_id,
        TicketEvent.objects.filter(ticket=ticket).count(),
        Clock.objects.filter(ticket=ticket).count(),
    )


def test_a_district_agent_registers_an_own_ticket_at_the_district_centre(api):
    body = register(api, "jianghan-centre-agent")
    assert (body["registered_centre"], body["centre"]) == ("jianghan", "jianghan")
    assert body["timeline"][0]["data"]["centre"] == "jianghan"
    # The dispatch clock runs for the district: its leaders get the warnings.
    dispatch = Clock.objects.get(ticket__number=body["number"], kind="dispatch")
    assert dispatch.unit.code == "jianghan"
    # The acknowledgement names the district's own line.
    ack = Outbox.objects.get(ticket__number=body["number"], kind="acknowledgement")
    assert render(ack.template, ack.params).startswith("【江汉区区长专线 027-80212345】")


def test_the_city_agent_registers_at_the_city_centre(api):
    body = register(api, "agent")
    assert (body["registered_centre"], body["centre"]) == ("center", "center")
    ack = Outbox.objects.get(ticket__number=body["number"], kind="acknowledgement")
    assert render(ack.template, ack.params).startswith("【武汉市12345市长专线 12345】")


def test_a_district_agent_registers_at_no_other_centre(api):
    response = api("jianghan-centre-agent").post("tickets", {**BODY, "centre": "wuchang"})
    assert response.status_code == 400
    assert response.json()["field"] == "centre"
    unknown = api("agent").post("tickets", {**BODY, "centre": "atlantis"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "centre")


def test_an_integration_registers_for_a_district_line(api):
    """A district's portal entry or mailbox names its centre."""
    body = register(api, "integration", centre="qiaokou")
    assert body["registered_centre"] == "qiaokou"


def test_the_district_dispatcher_dispatches_inside_its_tree_only(api):
    number = register(api, "jianghan-centre-agent")["number"]
    before = written(number)
    outside = api("jianghan-centre-dispatcher").act(number, "dispatch", unit="wuchang-01")
    assert outside.status_code == 400
    assert outside.json()["field"] == "unit"
    own_unit = api("jianghan-centre-dispatcher").act(number, "dispatch", unit="jianghan")
    assert (own_unit.status_code, own_unit.json()["field"]) == (400, "unit")
    assert written(number) == before
    inside = api("jianghan-centre-dispatcher").act(number, "dispatch", unit="jianghan-01")
    assert inside.status_code == 200, inside.json()
    assert (inside.json()["unit"], inside.json()["centre"]) == ("jianghan-01", "jianghan")


def test_another_districts_own_ticket_does_not_exist_for_a_district_centre(api):
    number = register(api, "wuchang-centre-agent")["number"]
    for username in ("jianghan-centre-dispatcher", "jianghan-centre-agent"):
        client = api(username)
        assert client.get(f"tickets/{number}").status_code == 404
        assert client.act(number, "dispatch", unit="jianghan-01").status_code == 404
        listed = client.get("tickets?page_size=1000").json()["items"]
        assert number not in [t["number"] for t in listed]
        found = client.get(f"tickets?q={number}").json()["items"]
        assert found == []
        searched = client.get("tickets?q=汉正街").json()["items"]
        assert number not in [t["number"] for t in searched]


def test_similar_tickets_never_show_another_districts_own_ticket(api):
    theirs = register(api, "wuchang-centre-agent")["number"]
    ours = register(api, "jianghan-centre-agent")["number"]
    # The city sees both as one event; the district sees only its own.
    city = api("dispatcher").get(f"tickets/{ours}/similar").json()["items"]
    assert theirs in [item["number"] for item in city]
    district = api("jianghan-centre-dispatcher").get(f"tickets/{ours}/similar").json()["items"]
    assert theirs not in [item["number"] for item in district]


def test_the_city_dispatcher_acts_on_both_centres_tickets(api):
    for agent in ("jianghan-centre-agent", "wuchang-centre-agent"):
        number = register(api, agent)["number"]
        response = api("dispatcher").act(number, "dispatch", unit="water")
        assert response.status_code == 200, response.json()


def test_the_city_hands_a_ticket_to_a_district_which_forwards_it_in_its_tree(api):
    number = register(api, "agent")["number"]
    dispatched = api("dispatcher").act(number, "dispatch", unit="jianghan").json()
    assert (dispatched["centre"], dispatched["registered_centre"]) == ("jianghan", "center")
    assert dispatched["timeline"][-1]["data"]["centre"] == "jianghan"  # a 转办件 of jianghan
    forwarded = api("jianghan-centre-dispatcher").act(number, "forward", unit="jianghan-02")
    assert forwarded.status_code == 200, forwarded.json()
    assert forwarded.json()["unit"] == "jianghan-02"
    # Both centres' clocks: the city's dispatch clock and the district's transfer clock.
    kinds = set(Clock.objects.filter(ticket__number=number).values_list("kind", "unit__code"))
    assert ("dispatch", None) in kinds and ("transfer", "jianghan") in kinds


def test_own_and_transferred_are_a_filter(api):
    own = register(api, "jianghan-centre-agent")["number"]
    transferred = register(api, "agent")["number"]
    api("dispatcher").act(transferred, "dispatch", unit="jianghan")
    client = api("jianghan-centre-dispatcher")

    def numbers(query):
        response = client.get(f"tickets?centre=jianghan&{query}")
        assert response.status_code == 200, response.json()
        return {t["number"] for t in response.json()["items"]}

    assert own in numbers("origin=own") and transferred not in numbers("origin=own")
    assert transferred in numbers("origin=transferred") and own not in numbers("origin=transferred")
    assert {own, transferred} <= numbers("")
    bad = client.get("tickets?centre=jianghan&origin=elsewhere")
    assert (bad.status_code, bad.json()["field"]) == (400, "origin")


@pytest.mark.parametrize("received", [False, True], ids=["own ticket", "transferred ticket"])
def test_a_district_passes_a_ticket_up_and_the_city_rules_on_it(api, received):
    if received:
        number = register(api, "agent")["number"]
        api("dispatcher").act(number, "dispatch", unit="jianghan")
    else:
        number = register(api, "jianghan-centre-agent")["number"]
    no_reason = api("jianghan-centre-dispatcher").act(number, "pass_up")
    assert (no_reason.status_code, no_reason.json()["field"]) == (400, "reason")
    passed = api("jianghan-centre-dispatcher").act(number, "pass_up", reason="属市级部门职责")
    assert passed.status_code == 200, passed.json()
    body = passed.json()
    assert (body["status"], body["centre"], body["unit"]) == ("registered", "center", None)
    event = body["timeline"][-1]
    assert event["data"] == {
        "unit": "jianghan",
        "from_centre": "jianghan",
        "centre": "center",
        "reason": "属市级部门职责",
    }
    # The city's dispatch clock runs again; the district can no longer dispatch it.
    running = Clock.objects.filter(ticket__number=number, kind="dispatch", stopped_at=None)
    assert [c.unit_id for c in running] == [None]
    again = api("jianghan-centre-dispatcher").act(number, "dispatch", unit="jianghan-01")
    assert again.status_code in (403, 404)
    # The city rules on it like a send-back: to another unit, the pass-up was justified.
    ruled = api("dispatcher").act(number, "dispatch", unit="housing").json()
    assert ruled["timeline"][-1]["data"]["send_back"] == {"unit": "jianghan", "ruling": "valid"}


def test_the_city_cannot_pass_up(api):
    number = register(api, "agent")["number"]
    response = api("dispatcher").act(number, "pass_up", reason="?")
    assert response.status_code == 409


def test_a_street_that_holds_the_ticket_sends_it_back_rather_than_the_centre_passing_up(api):
    number = register(api, "agent")["number"]
    api("dispatcher").act(number, "dispatch", unit="jianghan")
    api("jianghan-centre-dispatcher").act(number, "forward", unit="jianghan-01")
    response = api("jianghan-centre-dispatcher").act(number, "pass_up", reason="不属本区")
    assert response.status_code == 409


def test_a_district_callback_agent_follows_up_its_own_ticket(api):
    number = register(api, "jianghan-centre-agent")["number"]
    api("jianghan-centre-dispatcher").act(number, "dispatch", unit="jianghan-01")
    api("jianghan-01-handler").act(number, "accept")
    api("jianghan-01-handler").act(number, "reply", text="已处理", outcome="resolved")
    other = api("wuchang-centre-callback").act(number, "follow_up", satisfaction="satisfied")
    assert other.status_code == 404
    done = api("jianghan-centre-callback").act(number, "follow_up", satisfaction="satisfied")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "closed"
