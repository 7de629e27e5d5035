"""The feedback pages in the console's layout: the callback queue, an evaluator's reviews and
the spot checks, each for the roles that use them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import User
from hotline.accounts.selectors import SYSTEM
from hotline.feedback.models import CheckItem, SpotSample, SpotScore
from hotline.feedback.reviews import reviews_assign
from tests.factories import EvaluatorFactory, VoiceFollowUpFactory, ticket_in


@pytest.fixture
def console(db):
    def as_user(username: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        return client

    return as_user


def test_pages_need_a_login(client):
    for path in ("/console/callback-queue/", "/console/reviews/", "/console/spot-checks/"):
        response = client.get(path)
        assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_callback_queue_page_lists_the_handed_over_tickets(console):
    t = ticket_in("replied")
    VoiceFollowUpFactory(ticket=t)
    page = console("callback").get("/console/callback-queue/")
    assert page.status_code == 200
    body = page.content.decode()
    assert t.number in body and "多次未接通" in body
    assert console("jiangan-handler").get("/console/callback-queue/").status_code == 403


def test_reviews_page_shows_an_evaluators_tickets_with_the_clock(console):
    EvaluatorFactory(user__username="ev-page")
    t = ticket_in("under_review")
    reviews_assign(actor=SYSTEM, seed=3)
    body = console("ev-page").get("/console/reviews/").content.decode()
    assert t.number in body and 'data-warning="none"' in body
    assert console("agent").get("/console/reviews/").status_code == 403


def test_supervisor_draws_and_scores_a_spot_check(console):
    ticket_in("closed")
    supervisor = console("supervisor")
    today = timezone.localdate().isoformat()
    response = supervisor.post("/console/spot-checks/", {"day": today, "seed": "5"})
    assert response.status_code == 302
    sample = SpotSample.objects.get(kind="case")
    assert response["Location"].endswith(f"/console/spot-checks/{sample.draw_id}/")
    assert sample.ticket.number in supervisor.get(response["Location"]).content.decode()
    items = list(CheckItem.objects.filter(kind="case", active=True))
    url = f"/console/spot-samples/{sample.pk}/"
    partial = {f"points_{items[0].pk}": "5"}
    refused = supervisor.post(url, partial)
    assert refused.status_code == 400 and not SpotScore.objects.exists()
    full = {f"points_{i.pk}": "9" for i in items} | {f"note_{items[0].pk}": "依据不足"}
    assert supervisor.post(url, full).status_code == 302
    assert SpotScore.objects.filter(sample=sample).count() == len(items)
    results = supervisor.get(f"/console/spot-results/?from={today}&to={today}&by=unit")
    assert "90.0" in results.content.decode()
    xlsx = supervisor.get(f"/console/spot-results/?from={today}&to={today}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert console("agent").get("/console/spot-checks/").status_code == 403
    assert console("agent").post("/console/spot-checks/", {"day": today}).status_code == 403


def _handed_over(n: int) -> None:
    for _ in range(n):
        t = ticket_in("replied")
        VoiceFollowUpFactory(ticket=t)


def test_callback_queue_shows_the_time_left_and_its_queries_do_not_grow(console):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = console("callback")
    _handed_over(2)
    with CaptureQueriesContext(connection) as few:
        body = client.get("/console/callback-queue/").content.decode()
    assert "剩余 2 个工作日" in body or "剩余 1 个工作日" in body or "小时" in body
    assert 'class="time-left' in body
    _handed_over(3)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/console/callback-queue/").content.decode()
    assert body.count('class="time-left') == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_reviews_queries_do_not_grow(console):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    EvaluatorFactory(user__username="ev-count")
    client = console("ev-count")
    for _ in range(2):
        ticket_in("under_review")
    reviews_assign(actor=SYSTEM, seed=3)
    with CaptureQueriesContext(connection) as few:
        body = client.get("/console/reviews/").content.decode()
    assert body.count('class="time-left') == 2
    for _ in range(3):
        ticket_in("under_review")
    reviews_assign(actor=SYSTEM, seed=4)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/console/reviews/").content.decode()
    assert body.count('class="time-left') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
