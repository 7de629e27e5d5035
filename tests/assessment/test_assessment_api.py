"""The assessment calls of DESIGN section 9: rows, scopes, drill-downs, publishing, versions."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.utils import timezone
from october import MONTH
from openpyxl import load_workbook

from hotline.accounts.models import User
from hotline.assessment import formulas, selectors
from hotline.assessment.models import Publication, PublishedTicket
from hotline.core.models import AuditEvent
from hotline.orgs.models import Unit
from hotline.tickets.services import ticket_transition

ROW_FIELDS = {
    "unit",
    "name",
    *formulas.COUNTS,
    *formulas.RATES,
    "avg_handling_days",
    "deductions",
    "deduction_items",
    "score",
    "rank",
    "band",
}


def test_a_month_has_one_row_per_assessed_unit_with_the_contracts_fields(october, api):
    body = api("leader").get(f"assessment/{MONTH}").json()
    assert set(body) == {"month", "scope", "version", "cut_off", "items"}
    assert body["month"] == MONTH and body["scope"] is None and body["version"] is None
    assert body["cut_off"].endswith("+08:00")
    assert len(body["items"]) == Unit.objects.filter(assessed=True, active=True).count()
    housing = next(r for r in body["items"] if r["unit"] == "housing")
    assert ROW_FIELDS <= set(housing)
    assert housing["received"] == 4 and housing["rank"] >= 1
    ranks = [r["rank"] for r in body["items"] if r["rank"] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_scope_ranks_the_units_under_a_district(october, api):
    body = api("leader").get(f"assessment/{MONTH}?scope=jiangan").json()
    assert body["scope"] == "jiangan"
    assert [r["unit"] for r in body["items"] if r["rank"] == 1]
    assert {r["unit"] for r in body["items"]} == {"jiangan-01", "jiangan-02", "jiangan-03"}


def test_the_range_call_gives_the_same_rows_as_the_month(october, api):
    leader = api("leader")
    month = leader.get(f"assessment/{MONTH}").json()["items"]
    ranged = leader.get("assessment?from=2026-10-01&to=2026-10-31").json()
    assert ranged["version"] is None and ranged["from"] == "2026-10-01"
    assert ranged["items"] == month


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("assessment/2026-13", "month"),
        ("assessment/26-10", "month"),
        (f"assessment/{MONTH}?scope=nowhere", "scope"),
        (f"assessment/{MONTH}?format=pdf", "format"),
        ("assessment?to=2026-10-31", "from"),
        ("assessment?from=2026-10-01", "to"),
        ("assessment?from=2026-10-05&to=2026-10-01", "to"),
        (f"assessment/{MONTH}/units/housing/tickets", "metric"),
        (f"assessment/{MONTH}/units/housing/tickets?metric=happiness", "metric"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, path, field):
    response = api("leader").get(path)
    assert response.status_code == 400, response.json()
    assert response.json()["error"] == "bad_request" and field in response.json()["detail"]


def test_who_may_read(october, api):
    assert api(None).get(f"assessment/{MONTH}").status_code == 401
    assert api("jiangan-handler").get(f"assessment/{MONTH}").status_code == 403
    assert api("agent").get(f"assessment/{MONTH}").status_code == 403
    assert api("supervisor").get(f"assessment/{MONTH}").status_code == 200
    unit_leader = api("jiangan-leader")
    assert unit_leader.get(f"assessment/{MONTH}").status_code == 403
    assert unit_leader.get(f"assessment/{MONTH}?scope=housing").status_code == 403
    assert unit_leader.get(f"assessment/{MONTH}?scope=jiangan").status_code == 200
    own = unit_leader.get(f"assessment/{MONTH}/units/jiangan-01/tickets?metric=received")
    assert own.status_code == 200 and own.json()["count"] == 4
    other = unit_leader.get(f"assessment/{MONTH}/units/housing/tickets?metric=received")
    assert other.status_code == 404
    assert (
        api("leader").get(f"assessment/{MONTH}/units/center/tickets?metric=received").status_code
        == 404
    )


def _drill(client, code, metric, version=None, page_size=3):
    numbers = []
    url = f"assessment/{MONTH}/units/{code}/tickets?metric={metric}&page_size={page_size}"
    if version:
        url += f"&version={version}"
    while url:
        body = client.get(url).json()
        numbers += [t["number"] for t in body["items"]]
        url = body["next"] and body["next"].removeprefix("http://testserver")
    assert len(numbers) == len(set(numbers)) == body["count"]
    return numbers


def test_every_count_of_every_unit_lists_exactly_that_many_tickets(october, api):
    """Through the API (page by page) for the units with tickets. For the others every count is
    0 and every list is empty: each list is its unit's cohort (or co-handled list) filtered."""
    leader = api("leader")
    rows = leader.get(f"assessment/{MONTH}").json()["items"]
    period = selectors.month_period(MONTH, timezone.now())
    nonzero = 0
    for row in rows:
        active = row["received"] or row["co_handled"]
        scope = selectors.Scope(Unit.objects.get(code=row["unit"]))
        if not active:
            assert not selectors.cohort(scope, period).exists()
            assert not selectors.co_handled(scope, period).exists()
        for metric in formulas.METRICS:
            if active:
                assert len(_drill(leader, row["unit"], metric)) == row[metric], metric
            else:
                assert row[metric] == 0
            nonzero += row[metric] > 0
    assert nonzero >= 40


def _xlsx_row(client, query, code):
    response = client.get(f"assessment/{MONTH}?format=xlsx{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    header = [c.value for c in sheet[2]]
    for values in sheet.iter_rows(min_row=3, values_only=True):
        if values[header.index("单位编码")] == code:
            return dict(zip(header, values, strict=True)), sheet["A1"].value, sheet["C1"].value
    raise AssertionError(code)


def test_publish_then_correct_version_one_stays_as_it_was(october, api):
    supervisor = api("supervisor")
    assert api("dispatcher").post(f"assessment/{MONTH}/publish").status_code == 403
    assert api("leader").post(f"assessment/{MONTH}/publish").status_code == 403
    first = supervisor.post(f"assessment/{MONTH}/publish")
    assert first.status_code == 201, first.json()
    assert first.json()["version"] == 1 and first.json()["month"] == MONTH
    v1 = supervisor.get(f"assessment/{MONTH}?version=1").json()
    assert v1["version"] == 1 and v1["cut_off"] == first.json()["published_at"]
    housing_v1 = next(r for r in v1["items"] if r["unit"] == "housing")
    # At this cut-off T13 (15 working days from 31 October) is overdue too.
    assert (housing_v1["replied"], housing_v1["overdue"]) == (2, 2)
    overdue_v1 = _drill(supervisor, "housing", "overdue", version=1)

    # The correction: the overdue ticket's reply had been left out of the old platform's export.
    ticket_transition(
        actor=User.objects.get(username="housing-handler"),
        number=october["T09"],
        action="reply",
        data={"text": "已办结（补录）", "outcome": "resolved"},
    )
    refused = supervisor.post(f"assessment/{MONTH}/publish", {})
    assert refused.status_code == 400 and "note" in refused.json()["detail"]
    assert Publication.objects.count() == 1
    second = supervisor.post(f"assessment/{MONTH}/publish", {"note": "补录T09的办结回复"})
    assert second.status_code == 201 and second.json()["version"] == 2

    v1_again = supervisor.get(f"assessment/{MONTH}?version=1").json()
    assert v1_again == v1
    v2 = supervisor.get(f"assessment/{MONTH}?version=2").json()
    housing_v2 = next(r for r in v2["items"] if r["unit"] == "housing")
    assert (housing_v2["replied"], housing_v2["overdue"]) == (3, 1)
    changed = {
        r1["unit"]
        for r1, r2 in zip(
            v1["items"],
            sorted(v2["items"], key=lambda r: [x["unit"] for x in v1["items"]].index(r["unit"])),
            strict=True,
        )
        if r1 != r2
    }
    assert "housing" in changed
    assert _drill(supervisor, "housing", "overdue", version=1) == overdue_v1
    assert set(overdue_v1) == {october["T09"], october["T13"]}
    assert _drill(supervisor, "housing", "overdue", version=2) == [october["T13"]]
    assert october["T09"] in _drill(supervisor, "housing", "replied", version=2)

    row1, title1, version1 = _xlsx_row(supervisor, "&version=1", "housing")
    row2, _, version2 = _xlsx_row(supervisor, "&version=2", "housing")
    assert (version1, version2) == ("版本 v1", "版本 v2") and MONTH in title1
    assert (row1["办结量"], row1["超期"]) == (2, 2)
    assert (row2["办结量"], row2["超期"]) == (3, 1)

    audits = AuditEvent.objects.filter(action="assessment.publish").order_by("seq")
    assert [a.target for a in audits] == [f"assessment:{MONTH}:v1", f"assessment:{MONTH}:v2"]
    assert audits[1].reason == "补录T09的办结回复"
    assert supervisor.get(f"assessment/{MONTH}?version=3").status_code == 404


def test_a_published_version_cannot_be_rewritten(october, api):
    api("admin").post(f"assessment/{MONTH}/publish")
    publication = Publication.objects.get()
    publication.note = "改写"
    with pytest.raises(PermissionError):
        publication.save()
    with pytest.raises(PermissionError):
        Publication.objects.update(note="改写")
    with pytest.raises(PermissionError):
        PublishedTicket.objects.filter(publication=publication).delete()


def test_a_month_not_yet_begun_cannot_be_published(api):
    response = api("admin").post("assessment/2099-01/publish")
    assert response.status_code == 400 and "month" in response.json()["detail"]


def test_the_calls_are_in_the_openapi_schema():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assessment",
        "/api/v1/assessment/{month}",
        "/api/v1/assessment/{month}/units/{code}/tickets",
        "/api/v1/assessment/{month}/publish",
    ):
        assert path in paths
    names = {p["name"] for p in paths["/api/v1/assessment"]["get"]["parameters"]}
    assert {"from", "to", "scope", "format"} <= names


def test_a_districts_own_and_transferred_tickets_are_separate_counts(api):
    """自办件 (registered at the district's own line) and 转办件 (handed down by the city) are
    counted apart in the district's rows; together they are what the unit received."""
    body = {"channel": "phone", "kind": "complaint", "title": "噪音", "content": "夜间施工噪音"}
    own = api("jianghan-centre-agent").post("tickets", body).json()["number"]
    api("jianghan-centre-dispatcher").act(own, "dispatch", unit="jianghan-01")
    received = api("agent").post("tickets", body).json()["number"]
    api("dispatcher").act(received, "dispatch", unit="jianghan-01")
    today = timezone.localdate().isoformat()
    rows = api("leader").get(f"assessment?from={today}&to={today}&scope=jianghan").json()["items"]
    street = next(r for r in rows if r["unit"] == "jianghan-01")
    assert (street["received_own"], street["received_transferred"]) == (1, 1)
    assert street["received_own"] + street["received_transferred"] == street["received"]
    month = timezone.localdate().strftime("%Y-%m")
    listed = (
        api("leader")
        .get(f"assessment/{month}/units/jianghan-01/tickets?metric=received_own")
        .json()["items"]
    )
    assert [t["number"] for t in listed] == [own]
