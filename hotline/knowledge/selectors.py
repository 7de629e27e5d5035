"""Reads of the knowledge base. The API and the intake panel see published articles only; the
console's list shows writers and reviewers every state."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.core.search import TextMatch
from hotline.core.textsearch import query_terms
from hotline.orgs.models import Category

from . import rules
from .models import Article, ArticleRevision

TABLE = "knowledge_article"


def roles_of(user) -> frozenset[str]:
    return frozenset(str(r) for r in grants_for(user).roles)


def may_read(user) -> bool:
    return bool(roles_of(user) & rules.READERS)


def may_see_drafts(user) -> bool:
    roles = roles_of(user)
    return bool(roles & (rules.WRITERS | rules.REVIEWERS))


def _category_ids(code: str) -> list[int]:
    ids = list(
        Category.objects.filter(
            Q(code=code) | Q(parent__code=code) | Q(parent__parent__code=code)
        ).values_list("pk", flat=True)
    )
    if not ids:
        raise BadInput("category", f"no category with code {code!r}")
    return ids


def articles_search(
    user,
    *,
    q: str | None = None,
    category: str | None = None,
    status: str | None = None,
    published_only: bool = True,
) -> QuerySet[Article]:
    """Articles with every word of ``q`` (jieba, full-text index) in title or body, of
    ``category`` or a category under it; published only unless ``published_only`` is False
    and the user writes or reviews. Newest first, with how often each was used."""
    if not may_read(user):
        raise Forbidden("this role may not read the knowledge base")
    qs = Article.objects.all()
    if published_only or not may_see_drafts(user):
        qs = qs.filter(status=rules.PUBLISHED)
    elif status:
        if status not in rules.STATUSES:
            raise BadInput("status", f"one of {', '.join(rules.STATUSES)}")
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id__in=_category_ids(category))
    text = (q or "").strip()[:100]
    if text:
        terms = query_terms(text)
        qs = qs.filter(TextMatch(terms, table=TABLE)) if terms else qs.none()
    return (
        qs.select_related("category", "written_by", "reviewed_by")
        .annotate(used=Count("uses"))
        .order_by("-updated_at", "-pk")
    )


def article_get(user, article_id: int, *, published_only: bool = True) -> Article:
    qs = articles_search(user, published_only=published_only)
    article = qs.filter(pk=article_id).first()
    if article is None:
        raise NotFound(f"no article {article_id}")
    return article


def article_revisions(article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("actor").order_by("-pk")
