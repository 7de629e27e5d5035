# ruff: noqa: F811 - the console fixture is imported from the ticket page tests
"""The knowledge base where the agent works: the panel on the intake screen and on a ticket the
agent may answer directly, the article's number in the direct answer, the answer's timeline in
words."""

from __future__ import annotations

import pytest

from hotline.knowledge.models import ArticleUse
from hotline.orgs.models import Category
from hotline.tickets.models import Ticket
from tests.console.test_ticket_page import console, page_of, timeline_text  # noqa: F401, F811
from tests.factories import register
from tests.knowledge.test_services import published


@pytest.fixture
def article():
    return published(Category.objects.filter(level=3, active=True).first())


def test_the_intake_screen_and_a_registered_ticket_carry_the_panel(console):
    intake = console("agent").get("/console/").content.decode()
    assert 'id="knowledge-panel"' in intake and "data-kb-panel" in intake
    ticket = register()
    assert "data-kb-panel" in page_of(console("agent"), ticket.number)
    # Nobody else answers directly: no panel on the dispatcher's page, a link in the menu.
    dispatcher = page_of(console("dispatcher"), ticket.number)
    assert "data-kb-panel" not in dispatcher and "/console/knowledge/" in dispatcher


def test_a_direct_answer_records_the_article_and_says_so_in_words(console, article):
    ticket = register(kind="consultation")
    response = console("agent").post(
        f"/console/tickets/{ticket.number}/actions/answer_directly/",
        {"text": "停水请拨打供水热线报修。", "article": str(article.pk)},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
    use = ArticleUse.objects.get(ticket=ticket)
    assert use.article == article and use.actor.username == "agent"
    timeline = timeline_text(page_of(console("agent"), ticket.number))
    assert "引用知识库文章" in timeline and f"《{article.title}》" in timeline


def test_an_unpublished_or_unknown_article_is_refused_and_nothing_is_written(console):
    ticket = register(kind="consultation")
    response = console("agent").post(
        f"/console/tickets/{ticket.number}/actions/answer_directly/",
        {"text": "答复", "article": "424242"},
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == "registered"
    assert not ArticleUse.objects.exists()
    bad = console("agent").post(
        f"/console/tickets/{ticket.number}/actions/answer_directly/",
        {"text": "答复", "article": "abc"},
    )
    assert bad.status_code == 400 and "article" in bad.content.decode()
