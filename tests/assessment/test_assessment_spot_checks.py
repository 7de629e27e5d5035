"""Spot checks (抽查, hotline.feedback) as a deduction rule of the assessment: a cohort ticket whose
case spot check scored below the rule set's pass mark counts in ``spot_checks_failed``, listed
with its tickets like the other deductions, and costs the unit exactly the configured points."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.accounts.models import User
from hotline.assessment import formulas, selectors
from hotline.assessment.models import RuleSet
from hotline.assessment.services import assessment_publish
from hotline.feedback.models import CheckItem, SpotSample
from hotline.feedback.spotchecks import spot_check_draw, spot_scores_record
from hotline.orgs.models import Unit
from hotline.tickets import services
from tests.factories import act, register

SH = ZoneInfo("Asia/Shanghai")
MONTH = "2026-03"


def at(*args):
    return datetime(*args, tzinfo=SH)


def replied_by_hanyang(day: int, title: str):
    with services.acting_at(at(2026, 3, day, 9, 0)):
        t = register(title=title)
        act("dispatcher", t.number, "dispatch", unit="hanyang")
        act("hanyang-handler", t.number, "accept")
        act("hanyang-handler", t.number, "reply", text="已处理", outcome="resolved")
    return t


def score(ticket, share: float):
    """Score the ticket's case spot check at ``share`` of every item's maximum."""
    supervisor = User.objects.get(username="supervisor")
    sample = SpotSample.objects.get(ticket=ticket, kind=CheckItem.CASE)
    items = CheckItem.objects.filter(kind=CheckItem.CASE, active=True)
    spot_scores_record(
        actor=supervisor,
        sample_id=sample.pk,
        scores=[{"item": i.pk, "points": round(i.max_points * share)} for i in items],
    )


@pytest.fixture
def checked():
    """Three tickets hanyang replied in the week of 2 March, all drawn: one scored 30 %, one
    70 %, one not scored. Returns them by name."""
    poor = replied_by_hanyang(2, "路灯不亮")
    good = replied_by_hanyang(3, "道路积水")
    unscored = replied_by_hanyang(4, "噪音扰民")
    spot_check_draw(
        actor=User.objects.get(username="supervisor"),
        day=date(2026, 3, 2),
        seed=7,
        tickets_per_unit=5,
    )
    score(poor, 0.3)
    score(good, 0.7)
    return {"poor": poor, "good": good, "unscored": unscored}


def rules(points: float, spot_pass: float = 60.0) -> formulas.Rules:
    return formulas.Rules(
        version=9,
        weights=formulas.DEFAULT_WEIGHTS,
        points={**formulas.DEFAULT_POINTS, "spot_check": points},
        spot_pass=spot_pass,
    )


def hanyang_row(rule_set: formulas.Rules) -> dict:
    period = selectors.month_period(MONTH, datetime.now(SH))
    return selectors.unit_row(Unit.objects.get(code="hanyang"), period, rule_set)


def test_a_failed_spot_check_costs_exactly_the_configured_points(checked):
    without = hanyang_row(rules(0))
    with_rule = hanyang_row(rules(2.5))
    assert without["spot_checks_failed"] == with_rule["spot_checks_failed"] == 1
    assert not any(i["rule"] == "spot_check" for i in without["deduction_items"])
    assert {"rule": "spot_check", "points": 2.5, "count": 1} in with_rule["deduction_items"]
    assert with_rule["deductions"] == pytest.approx(without["deductions"] + 2.5)
    assert with_rule["score"] == pytest.approx(without["score"] - 2.5)
    # Every other figure is the same.
    for key in (*formulas.COUNTS, *formulas.RATES):
        assert with_rule[key] == without[key], key


def test_the_pass_mark_decides_which_checks_fail(checked):
    assert hanyang_row(rules(1, spot_pass=20))["spot_checks_failed"] == 0
    assert hanyang_row(rules(1, spot_pass=60))["spot_checks_failed"] == 1
    assert hanyang_row(rules(1, spot_pass=80))["spot_checks_failed"] == 2  # the 70 % one too
    # 70 % of the maximum is exactly at a 70 % pass mark: passed.
    assert hanyang_row(rules(1, spot_pass=70))["spot_checks_failed"] == 1


def test_the_drill_down_lists_the_failed_tickets_and_no_other_unit_moves(checked, api):
    RuleSet.objects.create(
        version=50, name="抽查扣分", effective_from=date(2026, 3, 1), p_spot_check=3
    )
    period = selectors.month_period(MONTH, datetime.now(SH))
    listed = selectors.metric_tickets(
        selectors.Scope(Unit.objects.get(code="hanyang")), period, "spot_checks_failed"
    )
    assert [t.number for t in listed] == [checked["poor"].number]
    response = api("supervisor").get(
        f"assessment/{MONTH}/units/hanyang/tickets?metric=spot_checks_failed"
    )
    assert response.status_code == 200
    assert [i["number"] for i in response.json()["items"]] == [checked["poor"].number]
    # The live ranking uses the rule set in force for March: 3 points for the one failure.
    rows, _ = selectors.live_rows(period)
    row = next(r for r in rows if r["unit"] == "hanyang")
    assert {"rule": "spot_check", "points": 3.0, "count": 1} in row["deduction_items"]
    # Another unit's figures do not move.
    other = next(r for r in rows if r["unit"] == "jiangan")
    assert other["spot_checks_failed"] == 0


def test_a_published_month_freezes_the_failed_tickets(checked):
    RuleSet.objects.create(
        version=51, name="抽查扣分", effective_from=date(2026, 3, 1), p_spot_check=1.5
    )
    publication = assessment_publish(actor=User.objects.get(username="supervisor"), month=MONTH)
    row = next(r for r in publication.rows if r["unit"] == "hanyang")
    assert row["spot_checks_failed"] == 1
    assert {"rule": "spot_check", "points": 1.5, "count": 1} in row["deduction_items"]
    assert publication.rules["spot_pass"] == 60.0
    frozen = selectors.published_tickets(
        publication, Unit.objects.get(code="hanyang"), "spot_checks_failed"
    )
    assert [t.number for t in frozen] == [checked["poor"].number]
    # A later score does not change the published version.
    score(checked["unscored"], 0.1)
    again = selectors.published_tickets(
        publication, Unit.objects.get(code="hanyang"), "spot_checks_failed"
    )
    assert again.count() == 1


def test_a_score_after_the_cut_off_does_not_count(checked):
    period = selectors.month_period(MONTH, at(2026, 3, 20, 0, 0))  # scored "now", in December
    scope = selectors.Scope(Unit.objects.get(code="hanyang"))
    assert selectors.unit_counts(scope, period, rules=rules(1))["spot_checks_failed"] == 0


def test_the_rule_set_refuses_a_pass_mark_outside_0_to_100():
    from django.core.exceptions import ValidationError

    rule_set = RuleSet(version=60, name="x", effective_from=date(2026, 3, 1), spot_pass_score=120)
    with pytest.raises(ValidationError) as error:
        rule_set.full_clean()
    assert "spot_pass_score" in error.value.message_dict


def test_spot_failed_is_below_the_pass_mark_of_the_maximum():
    assert formulas.spot_failed(35, 60, 60.0)
    assert not formulas.spot_failed(36, 60, 60.0)
    assert not formulas.spot_failed(0, 0, 60.0)
    rules_dict = rules(2).as_dict()
    assert formulas.Rules.from_dict(rules_dict).spot_pass == 60.0
    del rules_dict["spot_pass"]  # a publication frozen before the rule existed
    assert formulas.Rules.from_dict(rules_dict).spot_pass == formulas.DEFAULT_SPOT_PASS
