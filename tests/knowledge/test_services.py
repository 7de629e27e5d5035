"""Writing, reviewing and using knowledge-base articles."""

from __future__ import annotations

import pytest

from hotline.accounts.models import User
from hotline.core.errors import BadInput, Conflict, Forbidden
from hotline.core.models import AuditEvent
from hotline.knowledge import services
from hotline.knowledge.models import Article, ArticleRevision, ArticleUse
from hotline.orgs.models import Category
from hotline.tickets.models import Ticket
from tests.factories import act, register


def u(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def leaf():
    return Category.objects.filter(level=3, active=True).first()


def write(leaf, title="停水报修流程", body="先问清停水范围，再查询计划停水公告。", by="agent"):
    return services.article_create(
        actor=u(by), data={"category": leaf.code, "title": title, "body": body}
    )


def published(leaf, **kw):
    article = write(leaf, **kw)
    services.article_act(actor=u("agent"), article_id=article.pk, action="submit")
    return services.article_act(actor=u("dispatcher"), article_id=article.pk, action="publish")


def test_written_reviewed_by_another_and_published_with_versions_and_audit(leaf):
    article = write(leaf)
    assert article.status == "draft" and article.version == 1
    services.article_act(actor=u("agent"), article_id=article.pk, action="submit")
    done = services.article_act(actor=u("dispatcher"), article_id=article.pk, action="publish")
    assert done.status == "published" and done.reviewed_by == u("dispatcher")
    actions = list(ArticleRevision.objects.filter(article=article).values_list("action", flat=True))
    assert actions == ["create", "submit", "publish"]
    assert AuditEvent.objects.filter(target=f"article:{article.pk}").count() == 3


def test_the_writer_cannot_publish_their_own_text(leaf):
    article = write(leaf, by="dispatcher")
    services.article_act(actor=u("dispatcher"), article_id=article.pk, action="submit")
    with pytest.raises(Forbidden):
        services.article_act(actor=u("dispatcher"), article_id=article.pk, action="publish")
    assert Article.objects.get(pk=article.pk).status == "in_review"
    services.article_act(actor=u("admin"), article_id=article.pk, action="publish")


def test_wrong_role_state_and_input(leaf):
    with pytest.raises(Forbidden):
        write(leaf, by="jiangan-handler")
    with pytest.raises(BadInput) as bad:
        write(leaf, title="  ")
    assert bad.value.field == "title"
    with pytest.raises(BadInput) as bad:
        services.article_create(
            actor=u("agent"), data={"category": "nope", "title": "t", "body": "b"}
        )
    assert bad.value.field == "category"
    article = write(leaf)
    with pytest.raises(Conflict):
        services.article_act(actor=u("dispatcher"), article_id=article.pk, action="publish")
    services.article_act(actor=u("agent"), article_id=article.pk, action="submit")
    with pytest.raises(BadInput) as bad:
        services.article_act(actor=u("dispatcher"), article_id=article.pk, action="reject")
    assert bad.value.field == "note"
    assert Article.objects.filter(pk=article.pk, status="in_review").exists()


def test_editing_a_published_article_makes_a_new_version_in_draft(leaf):
    article = published(leaf)
    edited = services.article_edit(
        actor=u("callback"),
        article_id=article.pk,
        data={"category": leaf.code, "title": "停水报修流程（修订）", "body": "新正文"},
    )
    assert (edited.status, edited.version, edited.written_by) == ("draft", 2, u("callback"))
    old = ArticleRevision.objects.get(article=article, action="create")
    assert old.version == 1 and old.body.startswith("先问清")


def test_answer_directly_records_the_published_article_used(leaf):
    article = published(leaf)
    ticket = register(kind="consultation", title="咨询停水", content="什么时候来水")
    act(
        "agent",
        ticket.number,
        "answer_directly",
        text="按公告今晚八点恢复供水。",
        article=article.pk,
    )
    use = ArticleUse.objects.get(article=article)
    assert use.ticket.number == ticket.number and use.version == 1
    event = Ticket.objects.get(pk=ticket.pk).events.order_by("-seq").first()
    assert event.data["article"] == {"id": article.pk, "title": "停水报修流程", "version": 1}


def test_answer_directly_refuses_a_draft_article_and_writes_nothing(leaf):
    draft = write(leaf)
    ticket = register(kind="consultation", title="咨询停水", content="什么时候来水")
    with pytest.raises(BadInput) as bad:
        act("agent", ticket.number, "answer_directly", text="答复", article=draft.pk)
    assert bad.value.field == "article"
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == "registered" and fresh.last_seq == 1
    assert not ArticleUse.objects.exists()
    # without an article the direct answer works as before
    act("agent", ticket.number, "answer_directly", text="答复")
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
