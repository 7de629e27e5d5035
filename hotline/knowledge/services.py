"""Writes of the knowledge base: ``article_create``, ``article_edit``, ``article_act`` (submit,
publish, reject, retire) and ``article_use_record`` (the ``answer_directly`` step). Each keeps
a revision row and an audit-log entry in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from hotline.accounts.selectors import grants_for
from hotline.core.audit import audit_record
from hotline.core.errors import BadInput, Conflict, Forbidden, NotFound
from hotline.core.textsearch import index_text
from hotline.orgs.models import Category

from . import rules
from .models import Article, ArticleRevision, ArticleUse

MAX_BODY = 20_000


def _text(data: Mapping, field: str, max_len: int) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(field, "required")
    value = value.strip()
    if len(value) > max_len:
        raise BadInput(field, f"at most {max_len} characters")
    return value


def _validate(data: Mapping) -> dict:
    out: dict[str, object] = {
        "title": _text(data, "title", 200),
        "body": _text(data, "body", MAX_BODY),
    }
    code = data.get("category")
    category = (
        Category.objects.filter(code=code, active=True).first() if isinstance(code, str) else None
    )
    if category is None:
        raise BadInput("category", f"no category with code {code!r}")
    out["category"] = category
    return out


def _decide(actor, article: Article | None, action: str) -> str:
    roles = frozenset(str(r) for r in grants_for(actor).roles)
    status = article.status if article is not None else rules.DRAFT
    wrote_it = article is not None and article.written_by_id == actor.pk
    try:
        return rules.decide(action, status, roles=roles, wrote_it=wrote_it)
    except rules.Refused as refused:
        raise (Forbidden if refused.status == 403 else Conflict)(refused.message) from None


def _log(article: Article, *, action: str, actor, note: str = "") -> None:
    ArticleRevision.objects.create(
        article=article,
        version=article.version,
        action=action,
        status=article.status,
        title=article.title,
        body=article.body,
        category_code=article.category.code,
        note=note,
        actor=actor,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=f"knowledge.{action}",
        target=f"article:{article.pk}",
        reason=note,
        data={"version": article.version, "status": article.status},
    )


def _locked(article_id: int) -> Article:
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article


def article_create(*, actor, data: Mapping) -> Article:
    if not frozenset(str(r) for r in grants_for(actor).roles) & rules.WRITERS:
        raise Forbidden("this role may not write articles")
    fields = _validate(data)
    with transaction.atomic():
        article = Article(
            **fields,
            status=rules.DRAFT,
            created_by=actor,
            written_by=actor,
            search_text=index_text(fields["title"], fields["body"]),
        )
        article.save()
        _log(article, action="create", actor=actor)
    return article


def article_edit(*, actor, article_id: int, data: Mapping) -> Article:
    """A new text (title, body, category). A published or retired article goes back to draft
    as its next version and leaves the published list until it is published again."""
    fields = _validate(data)
    with transaction.atomic():
        article = _locked(article_id)
        target = _decide(actor, article, "edit")
        if article.status != rules.DRAFT:
            article.version += 1
        for name, value in fields.items():
            setattr(article, name, value)
        article.status = target
        article.written_by = actor
        article.reviewed_by = None
        article.search_text = index_text(article.title, article.body)
        article.save()
        _log(article, action="edit", actor=actor)
    return article


def article_act(*, actor, article_id: int, action: str, note: str = "") -> Article:
    """submit, publish, reject (a note says why) or retire."""
    if action not in rules.ACTIONS or action == "edit":
        raise BadInput("action", f"one of submit, publish, reject, retire; not {action!r}")
    note = (note or "").strip()
    if action == "reject" and not note:
        raise BadInput("note", "say what must change")
    if len(note) > 2_000:
        raise BadInput("note", "at most 2000 characters")
    with transaction.atomic():
        article = _locked(article_id)
        article.status = _decide(actor, article, action)
        if action == "publish":
            article.reviewed_by = actor
            article.published_at = timezone.now()
        article.save()
        _log(article, action=action, actor=actor, note=note)
    return article


def article_use_record(ctx) -> dict:
    """After ``answer_directly`` (``tickets.extensions.after_register``), under the ticket's
    lock and in its transaction: the optional ``article`` must be a published article; the use
    is recorded and named in the event's data. A wrong one is a 400 and nothing is written."""
    article_id = ctx.data.get("article")
    if article_id in (None, ""):
        return {}
    if isinstance(article_id, bool) or not isinstance(article_id, int):
        raise BadInput("article", "the id of a published article")
    article = Article.objects.filter(pk=article_id, status=rules.PUBLISHED).first()
    if article is None:
        raise BadInput("article", f"no published article {article_id}")
    ArticleUse.objects.create(
        article=article, ticket=ctx.ticket, version=article.version, actor=ctx.actor, at=ctx.now
    )
    return {"article": {"id": article.pk, "title": article.title, "version": article.version}}


def articles_reindex(*, only_missing: bool = False) -> int:
    """Recompute the search words of every article (``search_reindex``)."""
    changed = 0
    for article in Article.objects.only("pk", "title", "body", "search_text"):
        if only_missing and article.search_text:
            continue
        text = index_text(article.title, article.body)
        if text != article.search_text:
            Article.objects.filter(pk=article.pk).update(search_text=text)
            changed += 1
    return changed
