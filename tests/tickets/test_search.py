"""Search and filters of the ticket list (selector and GET /api/v1/tickets), on SQLite (FTS5)
and PostgreSQL (GIN over to_tsvector('simple')) alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.core.search import fulltext_triggers_missing
from hotline.orgs.models import Category, Region
from hotline.tickets.models import Clock, Ticket
from tests.factories import act, register, ticket_in


def found(api, username="dispatcher", **params):
    response = api(username).get("tickets", **{}) if not params else None
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api(username).get(f"tickets?{query}")
    assert response.status_code == 200, response.json()
    return {item["number"] for item in response.json()["items"]}


def test_two_character_word_found_as_jieba_cuts_it(api):
    cut = register(title="小区停水三天", content="家里一直没有自来水。")
    not_cut = register(title="水停了", content="昨晚开始没有自来水。")
    assert found(api, q="停水") == {cut.number}
    # 水停了 is cut 水停 / 了: no word 停水 in it (docs/decisions.md, "Search").
    assert not_cut.number not in found(api, q="停水")
    assert not_cut.number in found(api, q="自来水")


def test_noise_found_in_content_and_words_are_anded(api):
    noisy = register(title="投诉", content="楼下工地夜间施工噪音很大")
    other = register(title="投诉", content="楼下饭店油烟很大")
    assert found(api, q="噪音") == {noisy.number}
    assert found(api, q="夜间噪音") == {noisy.number}
    assert found(api, q="油烟噪音") == set()
    assert other.number in found(api, q="油烟")


def test_address_searched_but_never_the_complainant(api):
    ticket = register(
        title="路灯不亮",
        content="晚上很黑",
        address="解放大道88号",
        citizen={"name": "欧阳锋", "phone": "13912345678", "confidential": True},
    )
    assert ticket.number in found(api, q="解放大道")
    assert found(api, q="欧阳锋") == set()
    assert "欧阳" not in Ticket.objects.get(pk=ticket.pk).search_text
    # A unit cannot find it by phone; the centre can (exactly).
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    assert found(api, "jiangan-handler", q="13912345678") == set()
    assert ticket.number in found(api, q="13912345678")


def test_a_ticket_number_matches_exactly(api):
    a, b = register(), register()
    assert found(api, q=a.number) == {a.number}
    assert b.number not in found(api, q=a.number[:-1])


def test_a_handler_never_finds_other_units_tickets(api):
    ours = ticket_in("dispatched", title="江岸停水", content="小区停水")
    theirs = register(title="汉阳停水", content="小区停水")
    act("dispatcher", theirs.number, "dispatch", unit="hanyang")
    assert found(api, "jiangan-handler", q="停水") == {ours.number}
    assert found(api, "hanyang-handler", q="停水") == {theirs.number}
    assert {ours.number, theirs.number} <= found(api, q="停水")


def test_filters_combined(api):
    leaf = Category.objects.filter(level=3, active=True).select_related("parent").first()
    district = Region.objects.filter(level="district").first()
    street = Region.objects.filter(parent=district).first() or district
    hit = register(
        channel="web",
        kind="consultation",
        title="停水咨询",
        content="何时恢复供水",
        region=street.code,
        category=leaf.code,
    )
    wrong_channel = register(
        channel="phone",
        kind="consultation",
        title="停水咨询",
        content="何时恢复供水",
        region=street.code,
        category=leaf.code,
    )
    wrong_kind = register(
        channel="web",
        kind="complaint",
        title="停水咨询",
        content="何时恢复供水",
        region=street.code,
        category=leaf.code,
    )
    other_place = register(channel="web", kind="consultation", title="停水咨询", content="供水")
    today = timezone.localdate().isoformat()
    params = dict(
        q="停水",
        channel="web",
        kind="consultation",
        region=district.code,
        category=leaf.parent.code,
        registered_from=today,
        registered_to=today,
        status="registered",
        warning="none",
    )
    assert found(api, **params) == {hit.number}
    assert {wrong_channel.number, wrong_kind.number, other_place.number}.isdisjoint(
        found(api, **params)
    )
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert (
        found(api, **{**params, "registered_to": yesterday, "registered_from": yesterday}) == set()
    )


def _clock_due(ticket, *, yellow_in: timedelta, due_in: timedelta):
    now = timezone.now()
    Clock.objects.filter(ticket=ticket, stopped_at__isnull=True).update(
        yellow_at=now + yellow_in, due_at=now + due_in
    )


def test_warning_levels_and_sort_by_deadline(api):
    red = register(title="红灯停水")
    yellow = register(title="黄灯停水")
    calm = register(title="正常停水")
    _clock_due(red, yellow_in=timedelta(hours=-3), due_in=timedelta(hours=-1))
    _clock_due(yellow, yellow_in=timedelta(hours=-1), due_in=timedelta(hours=2))
    _clock_due(calm, yellow_in=timedelta(hours=5), due_in=timedelta(hours=9))
    assert found(api, q="停水", warning="red") == {red.number}
    assert found(api, q="停水", warning="yellow") == {yellow.number}
    assert found(api, q="停水", warning="none") == {calm.number}
    items = api("dispatcher").get("tickets?q=停水&sort=deadline").json()["items"]
    assert [i["number"] for i in items] == [red.number, yellow.number, calm.number]
    items = api("dispatcher").get("tickets?q=停水").json()["items"]
    assert [i["number"] for i in items] == [calm.number, yellow.number, red.number]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("channel", "pigeon"),
        ("kind", "poem"),
        ("warning", "orange"),
        ("sort", "random"),
        ("registered_from", "2026-13-01"),
        ("registered_to", "yesterday"),
        ("region", "atlantis"),
        ("category", "nothing"),
        ("unit", "nobody"),
        ("status", "lost"),
        ("page_size", "0"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, param, value):
    response = api("dispatcher").get(f"tickets?{param}={value}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "bad_request"
    assert param in body["detail"] or body.get("field") == param


def test_dates_in_the_wrong_order_name_the_end(api):
    response = api("dispatcher").get("tickets?registered_from=2026-02-01&registered_to=2026-01-01")
    assert response.status_code == 400 and response.json()["field"] == "registered_to"


def _queries(api, size):
    client = api("dispatcher")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"tickets?q=停水&sort=deadline&warning=none&page_size={size}")
    assert response.status_code == 200 and len(response.json()["items"]) == size
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(api):
    leaves = list(Category.objects.filter(level=3, active=True)[:5])
    regions = list(Region.objects.filter(level="street")[:5])
    for i in range(25):
        register(
            title=f"停水第{i}次",
            address="江汉路1号",
            region=regions[i % 5].code,
            category=leaves[i % 5].code,
        )
    _queries(api, 5)  # warm the caches (grants, tokens)
    assert _queries(api, 25) == _queries(api, 5)


def test_reindex_fills_rows_written_around_the_application():
    ticket = register(title="小区停水三天")
    Ticket.objects.filter(pk=ticket.pk).update(search_text="")
    assert not Ticket.objects.filter(pk=ticket.pk, search_text__contains="停水").exists()
    call_command("search_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "停水" in Ticket.objects.get(pk=ticket.pk).search_text


def test_the_sqlite_index_is_kept_by_triggers():
    # A migration that rebuilds tickets_ticket on SQLite drops them: this test then fails,
    # and the migration must call hotline.core.search.fulltext_install again.
    assert fulltext_triggers_missing(connection, "tickets_ticket") == []


def test_the_warning_filters_agree_above_and_below_the_id_list_limit(user, monkeypatch):
    """Red and yellow tickets are read as a list of ids up to a limit, as a subquery beyond
    it: both give the same tickets (the limit counts clocks, a ticket may have several)."""
    from datetime import timedelta

    from django.utils import timezone

    from hotline.tickets import selectors
    from hotline.tickets.services import acting_at
    from tests.factories import act, register

    with acting_at(timezone.now() - timedelta(days=20)):
        late = act("dispatcher", register().number, "dispatch", unit="jiangan")
    fresh = act("dispatcher", register().number, "dispatch", unit="jiangan")
    dispatcher = user("dispatcher")

    def listed(warning):
        qs = selectors.ticket_list(dispatcher, selectors.TicketFilters(warning=warning))
        return set(qs.values_list("number", flat=True))

    below = {w: listed(w) for w in ("red", "yellow", "none")}
    monkeypatch.setattr(selectors, "WARNING_ID_LIMIT", 0)
    above = {w: listed(w) for w in ("red", "yellow", "none")}
    assert below == above
    assert late.number in below["red"] and fresh.number in below["none"]
