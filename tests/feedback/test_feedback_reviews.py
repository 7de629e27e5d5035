"""Third-party review as the evaluators and supervisors see it: structured verdicts, random and
even assignment away from the unit and district concerned, the review clock, and re-checks."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import Evaluator, ReviewAssignment, VerdictCheck
from hotline.feedback.reviews import reviews_assign
from hotline.tickets.models import TicketEvent
from tests.factories import JUDGEMENTS, EvaluatorFactory, UserFactory, act, register, ticket_in


def review_body(**change):
    body = {"verdict": "proper", "note": "处置得当", "judgements": copy.deepcopy(JUDGEMENTS)}
    body.update(change)
    return body


def test_a_review_without_all_four_judgements_is_a_400_naming_the_field(api):
    t = ticket_in("under_review")
    evaluator = api("evaluator")
    body = review_body()
    del body["judgements"]["process_compliant"]
    response = evaluator.post(f"tickets/{t.number}/actions/review", body)
    assert response.status_code == 400
    assert response.json()["field"] == "judgements.process_compliant"
    response = evaluator.post(f"tickets/{t.number}/actions/review", review_body(judgements=None))
    assert response.json()["field"] == "judgements"
    bad = review_body()
    bad["judgements"]["result_lawful"]["note"] = ""
    response = evaluator.post(f"tickets/{t.number}/actions/review", bad)
    assert response.json()["field"] == "judgements.result_lawful.note"
    t.refresh_from_db()
    assert t.status == "under_review" and t.last_seq == 5  # nothing written


def test_the_verdict_records_the_four_judgements_on_the_timeline(api):
    t = ticket_in("under_review")
    body = review_body(verdict="redo")
    body["judgements"]["process_compliant"] = {"value": False, "note": "未到现场核实"}
    response = api("evaluator").post(f"tickets/{t.number}/actions/review", body)
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    event = response.json()["timeline"][-1]
    assert event["action"] == "review"
    assert event["data"]["verdict"] == "redo"
    assert event["data"]["judgements"]["process_compliant"] == {
        "value": False,
        "note": "未到现场核实",
    }
    assert set(event["data"]["judgements"]) == {
        "complaint_reasonable",
        "complaint_lawful",
        "process_compliant",
        "result_lawful",
    }


def test_assignment_avoids_the_unit_and_district_concerned_and_only_the_assignee_reviews(api):
    # The tickets are held by jiangan (district): an evaluator of jiangan's street office (by
    # district) and one of the district itself (by unit) may not take them.
    of_street = EvaluatorFactory(user__username="ev-street", units=["jiangan-01"])
    of_district = EvaluatorFactory(user__username="ev-district", districts=["jiangan"])
    outsider = EvaluatorFactory(
        user__username="ev-outside", kind="volunteer", sub_kind="media", units=["hanyang"]
    )
    other = EvaluatorFactory(user__username="ev-other")
    tickets = [ticket_in("under_review") for _ in range(6)]
    result = api("supervisor").post("feedback/reviews/assign", {"seed": 42}).json()
    assert result["assigned"] == 6 and result["unassigned"] == []
    rows = ReviewAssignment.objects.filter(ticket__in=tickets)
    assert {r.evaluator_id for r in rows} == {outsider.pk, other.pk}
    assert [rows.filter(evaluator=e).count() for e in (outsider, other)] == [3, 3]
    assert not rows.filter(evaluator__in=[of_street, of_district]).exists()
    # Each evaluator sees their own, due first, with the review clock.
    mine = api("ev-outside").get("feedback/reviews").json()
    assert mine["count"] == 3
    assert all(item["evaluator"] == "ev-outside" and item["due_at"] for item in mine["items"])
    assert api("ev-street").get("feedback/reviews").json()["count"] == 0
    assert api("supervisor").get("feedback/reviews").json()["count"] >= 6
    assert api("supervisor").get("feedback/reviews?evaluator=ev-other").json()["count"] == 3
    assert api("jiangan-handler").get("feedback/reviews").status_code == 403
    # Somebody else's ticket: 403, and the assignee's verdict closes the assignment.
    theirs = rows.filter(evaluator=other).first().ticket
    response = api("ev-outside").post(f"tickets/{theirs.number}/actions/review", review_body())
    assert response.status_code == 403
    response = api("ev-other").post(f"tickets/{theirs.number}/actions/review", review_body())
    assert response.status_code == 200
    assert response.json()["timeline"][-1]["data"]["assignment"]["evaluator"] == "ev-other"
    done = ReviewAssignment.objects.get(ticket=theirs)
    assert done.done_at is not None and done.event_seq == response.json()["timeline"][-1]["seq"]
    assert api("ev-other").get("feedback/reviews").json()["count"] == 2
    # A second run assigns nothing new.
    assert reviews_assign(actor=SYSTEM, seed=1)["assigned"] == 0


def test_nobody_eligible_leaves_the_ticket_unassigned(api):
    EvaluatorFactory(user__username="ev-only", districts=["jiangan"])
    t = ticket_in("under_review")
    result = reviews_assign(actor=SYSTEM, seed=5)
    assert t.number in result["unassigned"]
    assert not ReviewAssignment.objects.filter(ticket=t).exists()


def jianghan_own_under_review():
    """A 自办件 of the 江汉 centre, dispatched in its tree, replied, found dissatisfied."""
    t = register("jianghan-centre-agent")
    act("jianghan-centre-dispatcher", t.number, "dispatch", unit="jianghan-01")
    act("jianghan-01-handler", t.number, "accept")
    act("jianghan-01-handler", t.number, "reply", text="已处理", outcome="resolved")
    return act("jianghan-centre-callback", t.number, "follow_up", satisfaction="dissatisfied")


def test_a_district_centres_evaluator_gets_only_that_centres_tickets(api):
    user = EvaluatorFactory(
        user__username="jianghan-ev", member_of="jianghan", kind="volunteer", sub_kind="deputy"
    ).user
    own = jianghan_own_under_review()
    elsewhere = ticket_in("under_review")  # held by the 江岸 centre
    result = reviews_assign(actor=SYSTEM, seed=11)
    assert result["unassigned"] == [elsewhere.number]
    assert ReviewAssignment.objects.get(ticket=own).evaluator.user == user
    response = api("jianghan-ev").post(f"tickets/{own.number}/actions/review", review_body())
    assert response.status_code == 200
    # A city-wide evaluator takes the other district's ticket.
    EvaluatorFactory(user__username="ev-city")
    assert reviews_assign(actor=SYSTEM, seed=12)["assigned"] == 1
    assert ReviewAssignment.objects.get(ticket=elsewhere).evaluator.user.username == "ev-city"


def test_only_supervisors_admins_and_the_platform_assign(api):
    assert api("evaluator").post("feedback/reviews/assign", {}).status_code == 403
    assert api("callback").post("feedback/reviews/assign", {}).status_code == 403
    assert api("admin").post("feedback/reviews/assign", {}).status_code == 200


def test_the_review_clock_warns_yellow_then_red(api):
    EvaluatorFactory(user__username="ev-clock")
    t = ticket_in("under_review")
    reviews_assign(actor=SYSTEM, seed=1)
    row = ReviewAssignment.objects.get(ticket=t)
    assert row.yellow_at < row.due_at
    ReviewAssignment.objects.filter(pk=row.pk).update(yellow_at=timezone.now() - timedelta(hours=1))
    assert api("ev-clock").get("feedback/reviews").json()["items"][0]["warning"] == "yellow"
    ReviewAssignment.objects.filter(pk=row.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert api("ev-clock").get("feedback/reviews").json()["items"][0]["warning"] == "red"


def test_a_supervisor_rechecks_a_reproducible_sample_of_verdicts(api):
    tickets = [ticket_in("under_review") for _ in range(8)]
    for t in tickets:
        assert (
            api("evaluator").post(f"tickets/{t.number}/actions/review", review_body()).status_code
            == 200
        )
    today = timezone.localdate().isoformat()
    supervisor = api("supervisor")
    body = {"date_from": today, "date_to": today, "size": 3, "seed": 99}
    first = supervisor.post("feedback/verdict-samples", body)
    assert first.status_code == 201
    again = supervisor.post("feedback/verdict-samples", body).json()
    picked = [(i["ticket"], i["event_seq"]) for i in first.json()["items"]]
    assert len(set(picked)) == 3
    assert picked == [(i["ticket"], i["event_seq"]) for i in again["items"]]
    for number, seq in picked:
        assert TicketEvent.objects.get(ticket__number=number, seq=seq).action == "review"
    check_id = first.json()["items"][0]["id"]
    response = supervisor.post(f"feedback/verdict-checks/{check_id}", {"agrees": False})
    assert response.status_code == 400 and response.json()["field"] == "note"
    response = supervisor.post(
        f"feedback/verdict-checks/{check_id}", {"agrees": False, "note": "结果未核实"}
    )
    assert response.status_code == 200 and response.json()["checked_by"] == "supervisor"
    assert (
        supervisor.post(f"feedback/verdict-checks/{check_id}", {"agrees": True}).status_code == 409
    )
    assert VerdictCheck.objects.get(pk=check_id).agrees is False
    assert api("evaluator").post("feedback/verdict-samples", body).status_code == 403
    assert api("evaluator").get(f"feedback/verdict-samples/{first.json()['id']}").status_code == 403
    assert supervisor.get(f"feedback/verdict-samples/{first.json()['id']}").json()["items"]


@pytest.mark.parametrize(
    "kind, sub_kind, ok",
    [("volunteer", "", False), ("professional", "media", False), ("volunteer", "deputy", True)],
)
def test_roster_kinds(kind, sub_kind, ok):
    from django.core.exceptions import ValidationError

    evaluator = Evaluator(user=UserFactory(), kind=kind, sub_kind=sub_kind)
    if ok:
        evaluator.full_clean()
    else:
        with pytest.raises(ValidationError):
            evaluator.full_clean()
