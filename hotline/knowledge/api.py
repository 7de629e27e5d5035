"""``GET /api/v1/knowledge`` and ``GET /api/v1/knowledge/{id}``: published articles."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.security import django_auth

from hotline.accounts.api import BearerAuth
from hotline.core.api import PageNumber, PageSize, paginate
from hotline.core.formatting import iso

from . import selectors
from .models import Article

# A bearer token, or the console's session (the intake screen's knowledge panel reads these
# two GETs from the browser; GET needs no CSRF token, and nothing here writes).
router = Router(tags=["knowledge"], auth=[BearerAuth(), django_auth])


def article_view(article: Article, *, body: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": article.pk,
        "title": article.title,
        "category": article.category.code,
        "category_name": article.category.name,
        "version": article.version,
        "published_at": iso(article.published_at) if article.published_at else None,
        "used": getattr(article, "used", 0),
    }
    if body:
        view["body"] = article.body
    else:
        view["excerpt"] = article.body[:120]
    return view


@router.get("/knowledge", response=dict[str, Any], summary="Published knowledge-base articles")
def list_articles(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100)] | None = None,
    category: Annotated[str, Field(max_length=32)] | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    """``q``: words (Chinese cut by jieba; every word must be in the title or body);
    ``category``: a catalogue code (its sub-categories included). Items carry an ``excerpt``
    and ``used`` (direct answers that named the article)."""
    qs = selectors.articles_search(request.user, q=q, category=category)
    return paginate(request, qs, page, page_size, lambda a: article_view(a, body=False))


@router.get("/knowledge/{article_id}", response=dict[str, Any], summary="A published article")
def get_article(request: HttpRequest, article_id: int):
    return article_view(selectors.article_get(request.user, article_id))
