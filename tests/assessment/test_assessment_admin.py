"""The admin edits rule sets until a publication uses one; publications are read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.accounts.models import User
from hotline.assessment.models import Publication, RuleSet
from hotline.assessment.services import assessment_publish, rule_set_save
from hotline.core.errors import Conflict
from hotline.core.models import AuditEvent


@pytest.fixture
def client(client):
    client.force_login(User.objects.create_superuser(username="root-admin", password="pw"))
    return client


FORM = {
    "version": 2,
    "name": "2026年规则",
    "effective_from": "2026-10-01",
    "note": "",
    "w_timely_transfer": 10,
    "w_timely_acceptance": 10,
    "w_completion": 30,
    "w_on_time": 20,
    "w_follow_up": 5,
    "w_satisfaction": 15,
    "w_repeat": 5,
    "w_send_back": 5,
    "p_late_transfer": 1,
    "p_red_warning": 0.5,
    "p_supervision_order": 1,
    "p_accountability": 2,
    "p_spot_check": 0.5,
    "spot_pass_score": 70,
    "min_received": 10,
    "bands": "小:0, 大:1000",
}


def test_an_admin_adds_a_rule_set_and_it_is_audited(client):
    response = client.post(reverse("admin:assessment_ruleset_add"), FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = RuleSet.objects.get(version=2).as_rules()
    assert rules.points["red_warning"] == 0.5 and [b.name for b in rules.bands] == ["小", "大"]
    assert rules.points["spot_check"] == 0.5 and rules.spot_pass == 70
    assert AuditEvent.objects.filter(
        action="assessment.rule_set_save", target="rule_set:v2"
    ).exists()


def test_bad_bands_are_refused_in_the_form(client):
    response = client.post(reverse("admin:assessment_ruleset_add"), {**FORM, "bands": "大"})
    assert response.status_code == 200 and not RuleSet.objects.filter(version=2).exists()
    assert "name:lowest_received" in response.content.decode()


def test_a_rule_set_a_publication_used_is_frozen(client):
    rule_set = RuleSet.objects.get(version=1)
    assessment_publish(actor=User.objects.get(username="admin"), month="2026-10")
    change = reverse("admin:assessment_ruleset_change", args=[rule_set.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="w_completion"' not in page.content.decode()
    client.post(change, {**FORM, "version": 1, "w_completion": 99})
    assert RuleSet.objects.get(pk=rule_set.pk).w_completion == 20
    assert (
        client.post(
            reverse("admin:assessment_ruleset_delete", args=[rule_set.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    rule_set.w_completion = 99
    with pytest.raises(Conflict):
        rule_set_save(actor=User.objects.get(username="admin"), rule_set=rule_set)


def test_publications_are_read_only_in_the_admin(client):
    publication = assessment_publish(actor=User.objects.get(username="admin"), month="2026-10")
    change = reverse("admin:assessment_publication_change", args=[publication.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"note": "改写"})
    assert Publication.objects.get().note == ""
    assert client.get(reverse("admin:assessment_publication_add")).status_code == 403
    delete = reverse("admin:assessment_publication_delete", args=[publication.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
