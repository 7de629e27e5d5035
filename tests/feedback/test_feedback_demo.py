"""The demo's evaluators: the city's roster (professionals and volunteers: deputies, members,
media, a coordinator) and an evaluator at every district's centre; seeding twice changes nothing."""

from __future__ import annotations

from hotline.accounts.models import Membership
from hotline.accounts.selectors import SYSTEM
from hotline.feedback.demo import build_evaluators
from hotline.feedback.models import Evaluator, ReviewAssignment
from hotline.feedback.reviews import evaluator_centres, review_coordinators, reviews_assign
from hotline.orgs.models import HotlineCentre
from tests.factories import act, register, ticket_in


def test_the_demo_roster_and_district_evaluators_and_seeding_twice_changes_nothing():
    created = build_evaluators()
    assert created > 0
    roster = Evaluator.objects.select_related("user")
    kinds = {(e.kind, e.sub_kind) for e in roster}
    assert {("professional", ""), ("volunteer", "deputy"), ("volunteer", "member")} <= kinds
    assert ("volunteer", "media") in kinds
    for evaluator in roster:
        evaluator.full_clean()  # a volunteer names their identity, a professional none
        assert evaluator.user.phone  # the review clock's SMS has somewhere to go
        assert Membership.objects.filter(user=evaluator.user, role="evaluator").exists()
    assert [c.user.username for c in review_coordinators()] == ["eval-coordinator"]
    districts = HotlineCentre.objects.filter(parent__isnull=False)
    for centre in districts:
        evaluator = roster.get(user__username=f"{centre.unit.code}-centre-evaluator")
        assert evaluator_centres(evaluator) == frozenset({centre.pk})
    assert evaluator_centres(roster.get(user__username="eval-pro-01")) is None
    before = (
        Evaluator.objects.count(),
        Membership.objects.count(),
        sorted(Evaluator.objects.values_list("user__username", "districts__code")),
    )
    assert build_evaluators() == 0
    after = (
        Evaluator.objects.count(),
        Membership.objects.count(),
        sorted(Evaluator.objects.values_list("user__username", "districts__code")),
    )
    assert after == before


def test_the_demo_roster_takes_the_tickets_under_review():
    build_evaluators()
    city = ticket_in("under_review")  # held by the 江岸 centre
    own = register("jianghan-centre-agent")
    act("jianghan-centre-dispatcher", own.number, "dispatch", unit="jianghan-01")
    act("jianghan-01-handler", own.number, "accept")
    act("jianghan-01-handler", own.number, "reply", text="已处理", outcome="resolved")
    act("jianghan-centre-callback", own.number, "follow_up", satisfaction="dissatisfied")
    result = reviews_assign(actor=SYSTEM, seed=3)
    assert result["assigned"] == 2 and result["unassigned"] == []
    taker = ReviewAssignment.objects.get(ticket=city).evaluator.user.username
    # Never a 江岸 member (eval-member-01 belongs to 江岸) nor another district's evaluator.
    assert taker != "eval-member-01" and not taker.endswith("-centre-evaluator")
    own_taker = ReviewAssignment.objects.get(ticket=own).evaluator.user.username
    assert own_taker == "jianghan-centre-evaluator" or not own_taker.endswith("-centre-evaluator")
