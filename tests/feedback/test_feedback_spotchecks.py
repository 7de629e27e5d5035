"""Weekly spot checks: random, reproducible samples of calls per line and handled tickets per
unit, never the same call twice in a week; checklist scoring; results per unit and per agent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from hotline.accounts.selectors import SYSTEM
from hotline.feedback import spotcheck
from hotline.feedback.models import CheckItem, SpotSample
from hotline.feedback.selectors import unit_spot_scores
from hotline.feedback.spotchecks import spot_check_draw, spot_check_weekly
from hotline.telephony.records import record_clean
from hotline.telephony.services import calls_store
from hotline.tickets.services import acting_at
from tests.factories import ticket_in

LOCAL = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)


def calls_of_the_week(per_line: int = 10):
    calls = []
    for line in ("12345", "96345", "complaints", "utilities", "english"):
        for i in range(per_line):
            queued = datetime(2026, 11, 23, 9, tzinfo=LOCAL) + timedelta(hours=7 * i)
            calls.append(
                record_clean(
                    {
                        "call_id": f"{line}-{i}",
                        "line": line,
                        "caller": "13800001111",
                        "queued_at": queued.isoformat(),
                        "answered_at": (queued + timedelta(seconds=8)).isoformat(),
                        "ended_at": (queued + timedelta(minutes=3)).isoformat(),
                        "agent": f"agent{i % 3}",
                        "outcome": "answered",
                    }
                )
            )
    # An abandoned call has nothing to listen to: never drawn.
    calls.append(
        record_clean(
            {
                "call_id": "abandoned",
                "line": "12345",
                "queued_at": "2026-11-24T10:00:00+08:00",
                "ended_at": "2026-11-24T10:01:00+08:00",
                "outcome": "abandoned",
            }
        )
    )
    calls_store(actor=SYSTEM, calls=calls)


def handled_tickets(n: int = 5):
    out = []
    with acting_at(datetime(2026, 11, 24, 10, tzinfo=LOCAL)):
        for _ in range(n):
            out.append(ticket_in("closed"))
    return out


def test_draw_is_per_line_and_unit_reproducible_and_never_repeats_a_call_in_a_week(user):
    calls_of_the_week()
    handled_tickets()
    supervisor = user("supervisor")
    first = spot_check_draw(actor=supervisor, day=date(2026, 11, 26), seed=11)
    assert first.week == MONDAY
    calls = SpotSample.objects.filter(draw=first, kind="call")
    assert sorted(calls.values_list("line", flat=True).distinct()) == [
        "12345",
        "96345",
        "complaints",
        "english",
        "utilities",
    ]
    assert all(calls.filter(line=line).count() == 3 for line in ["12345", "english"])
    assert not calls.filter(call__call_id="abandoned").exists()
    cases = SpotSample.objects.filter(draw=first, kind="case")
    assert cases.count() == 2 and set(cases.values_list("unit__code", flat=True)) == {"jiangan"}
    # A second draw that week takes other calls; after three draws of 3 out of 10 per line,
    # the fourth gets the last one of each line; then nothing is left.
    seen = set(calls.values_list("call_id", flat=True))
    for expected in (3, 3, 1, 0):
        more = spot_check_draw(actor=supervisor, day=MONDAY, seed=12 + expected, tickets_per_unit=0)
        drawn = set(
            SpotSample.objects.filter(draw=more, kind="call", line="12345").values_list(
                "call_id", flat=True
            )
        )
        assert len(drawn) == expected
        assert not drawn & seen
        seen |= drawn
    assert SpotSample.objects.filter(week=MONDAY, kind="call").count() == 50


def test_the_same_seed_draws_the_same_sample():
    groups = {"a": list(range(50)), "b": list(range(100, 130))}
    assert spotcheck.draw(groups, 3, seed=5) == spotcheck.draw(
        {"b": list(reversed(groups["b"])), "a": groups["a"]}, 3, seed=5
    )
    assert (
        spotcheck.draw(groups, 3, seed=5)["a"] == spotcheck.draw({"a": groups["a"]}, 3, seed=5)["a"]
    )
    picks = {tuple(spotcheck.draw(groups, 3, seed=s)["a"]) for s in range(20)}
    assert len(picks) > 10  # random, not the first three
    assert spotcheck.draw({"a": [1, 2]}, 3, seed=1) == {"a": [1, 2]}


def test_same_seed_same_week_same_calls_in_the_database(user):
    calls_of_the_week()
    first = spot_check_draw(actor=user("supervisor"), day=MONDAY, seed=99)
    picked = sorted(SpotSample.objects.filter(draw=first).values_list("call__call_id", flat=True))
    SpotSample.objects.filter(draw=first).delete()
    again = spot_check_draw(actor=user("supervisor"), day=MONDAY, seed=99)
    assert picked == sorted(
        SpotSample.objects.filter(draw=again).values_list("call__call_id", flat=True)
    )


def score_all(api, sample_id, kind, points):
    items = CheckItem.objects.filter(kind=kind, active=True)
    body = {"scores": [{"item": i.pk, "points": points, "note": "ok"} for i in items]}
    return api("supervisor").post(f"feedback/spot-samples/{sample_id}/scores", body)


def test_supervisors_score_and_results_come_per_unit_and_per_agent_with_excel(api):
    calls_of_the_week()
    handled_tickets()
    supervisor = api("supervisor")
    response = supervisor.post("feedback/spot-checks", {"day": "2026-11-25", "seed": 3})
    assert response.status_code == 201
    body = response.json()
    assert body["week"] == "2026-11-23" and len(body["items"]) == 5 * 3 + 2
    checklist = supervisor.get("feedback/checklist?kind=case").json()["items"]
    assert len(checklist) == 6  # the six elements of a good reply
    case = next(i for i in body["items"] if i["kind"] == "case")
    call = next(i for i in body["items"] if i["kind"] == "call")
    assert score_all(api, case["id"], "case", 8).status_code == 200
    assert score_all(api, call["id"], "call", 10).status_code == 200
    # Scoring again replaces.
    assert score_all(api, case["id"], "case", 9).json()["scores"][0]["points"] == 9
    units = supervisor.get("feedback/spot-results?from=2026-11-23&to=2026-11-29&by=unit").json()
    assert units["items"] == [
        {
            "unit": "jiangan",
            "name": units["items"][0]["name"],
            "samples": 2,
            "scored": 1,
            "points": 54,
            "max_points": 60,
            "score": 90.0,
        }
    ]
    agents = supervisor.get("feedback/spot-results?from=2026-11-23&to=2026-11-29&by=agent").json()
    assert sum(row["samples"] for row in agents["items"]) == 15
    scored = [row for row in agents["items"] if row["scored"]]
    assert len(scored) == 1 and scored[0]["agent"] == call["agent"] and scored[0]["score"] == 100.0
    xlsx = supervisor.get("feedback/spot-results?from=2026-11-23&to=2026-11-29&by=unit&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[3]][:7] == [
        "jiangan",
        units["items"][0]["name"],
        2,
        1,
        54,
        60,
        90.0,
    ]
    assert unit_spot_scores(date(2026, 11, 23), date(2026, 11, 29))["jiangan"]["score"] == 90.0
    assert (
        api("leader").get("feedback/spot-results?from=2026-11-23&to=2026-11-29").status_code == 200
    )


def test_scores_must_cover_the_checklist_within_bounds(api):
    handled_tickets(1)
    body = api("supervisor").post("feedback/spot-checks", {"day": "2026-11-25", "seed": 1}).json()
    sample = body["items"][0]["id"]
    items = list(CheckItem.objects.filter(kind="case", active=True))
    url = f"feedback/spot-samples/{sample}/scores"
    partial = {"scores": [{"item": items[0].pk, "points": 5}]}
    response = api("supervisor").post(url, partial)
    assert response.status_code == 400 and response.json()["field"] == "scores"
    too_many = {"scores": [{"item": i.pk, "points": 11} for i in items]}
    assert api("supervisor").post(url, too_many).json()["field"] == "scores[0].points"
    call_item = CheckItem.objects.filter(kind="call").first()
    wrong = {"scores": [{"item": call_item.pk, "points": 1}]}
    assert api("supervisor").post(url, wrong).json()["field"] == "scores[0].item"
    assert api("jiangan-handler").post(url, partial).status_code == 403
    assert api("supervisor").post("feedback/spot-samples/999999/scores", partial).status_code == 404


@pytest.mark.parametrize("username", ["agent", "callback", "jiangan-leader", "evaluator"])
def test_other_roles_may_not_draw_or_read(api, username):
    assert api(username).post("feedback/spot-checks", {"day": "2026-11-25"}).status_code == 403
    response = api(username).get("feedback/spot-results?from=2026-11-23&to=2026-11-29")
    assert response.status_code == 403


def test_the_weekly_job_draws_last_week_once():
    calls_of_the_week()
    drawn = spot_check_weekly(actor=SYSTEM, today=date(2026, 12, 2))
    assert drawn is not None and drawn.week == MONDAY
    assert drawn.samples.filter(kind="call").count() == 15
    assert spot_check_weekly(actor=SYSTEM, today=date(2026, 12, 3)) is None
