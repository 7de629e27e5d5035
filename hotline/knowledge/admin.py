"""Knowledge base in the admin: read-only (articles are written and reviewed in the console,
through the services, so every change keeps its version and audit entry)."""

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin

from .models import Article, ArticleRevision, ArticleUse


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "category", "status", "version", "written_by", "published_at")
    list_filter = ("status",)
    search_fields = ("=id",)
    list_select_related = ("category", "written_by")
    exclude = ("search_text",)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "version", "action", "status", "actor", "at")
    list_select_related = ("article", "actor")


@admin.register(ArticleUse)
class ArticleUseAdmin(ReadOnlyAdmin):
    list_display = ("article", "ticket", "version", "actor", "at")
    list_select_related = ("article", "ticket", "actor")
