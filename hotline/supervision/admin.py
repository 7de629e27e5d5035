"""督办单 (read-only): orders are opened through the ticket's ``supervise`` transition."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin, ScopedAdmin, column

from .models import SupervisionOrder

ORDER_COLUMNS = (
    column("ticket", "工单"),
    "level",
    "unit",
    column("created_by", "督办人"),
    column("created_at", "督办时间"),
    column("due_at", "督办时限"),
)


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = ORDER_COLUMNS
    fields = (*ORDER_COLUMNS, "note")
    readonly_fields = tuple(c for c in ORDER_COLUMNS if callable(c))
    list_filter = ("level",)
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket", "unit", "created_by")
    ordering = ("-created_at",)
