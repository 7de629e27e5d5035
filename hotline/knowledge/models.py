"""Knowledge-base articles (知识库), their versions and their uses in direct answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from . import rules


class Article(models.Model):
    category = models.ForeignKey(
        "orgs.Category", on_delete=models.PROTECT, related_name="+", verbose_name="分类"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")  # plain text, never rendered as HTML
    status = models.CharField(
        "状态", max_length=16, choices=list(rules.STATUSES.items()), default=rules.DRAFT
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    # Who wrote the current version: they may not review it.
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="撰写人"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The words of title and body (jieba) for the full-text index (hotline.core.search).
    search_text = models.TextField("检索词", blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = "知识库文章"
        verbose_name_plural = "知识库文章"
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """Every version of an article as it was written, and every change of its state."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name="文章"
    )
    version = models.PositiveIntegerField("版本")
    # create, edit, submit, publish, reject, retire
    action = models.CharField("操作", max_length=16)
    status = models.CharField("操作后状态", max_length=16)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    category_code = models.CharField("分类代码", max_length=32)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "文章版本"
        verbose_name_plural = "文章版本"
        ordering = ["article_id", "pk"]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.version} {self.action}"


class ArticleUse(models.Model):
    """An agent answered a consultation directly from this article."""

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="uses", verbose_name="文章"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name="工单"
    )
    version = models.PositiveIntegerField("版本")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="答复人"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "文章引用"
        verbose_name_plural = "文章引用"

    def __str__(self) -> str:
        return f"{self.article_id} <- {self.ticket_id}"
