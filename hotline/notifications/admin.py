"""通知发件箱 (read-only): rows are written by the change that causes them and delivered by the
worker; the admin only shows them. Recipients are masked."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import AuditedAdmin, ReadOnlyAdmin, ScopedAdmin, column
from hotline.core.formatting import mask_phone

from .models import Outbox, WorkGroup


@admin.register(Outbox)
class OutboxAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "created_at",
        column("ticket", "工单"),
        "kind",
        "channel",
        "masked_recipient",
        "template",
        "status",
        "attempts",
        "sent_at",
    )
    fields = readonly_fields = (
        "created_at",
        column("ticket", "工单"),
        "kind",
        "channel",
        "masked_recipient",
        "template",
        "params",
        "status",
        "attempts",
        column("next_attempt_at", "下次尝试"),
        "sent_at",
        column("last_error", "最近错误"),
        column("receipt", "回执"),
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("=ticket__number", "template")
    list_select_related = ("ticket",)
    ordering = ("-pk",)

    @admin.display(description="接收人")
    def masked_recipient(self, obj):
        return _mask(obj.recipient)

    def get_object(self, request, object_id, from_field=None):
        """``Outbox.__str__`` shows the recipient, and the detail page puts ``str(obj)`` in its
        title and breadcrumbs: mask it on the in-memory copy. Safe because this admin never
        saves (no change permission)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.recipient = _mask(obj.recipient)
        return obj


def _mask(recipient: str) -> str:
    return mask_phone(recipient) if recipient.lstrip("+").isdigit() else recipient


@admin.register(WorkGroup)
class WorkGroupAdmin(AuditedAdmin):
    """企业微信工作群: one per unit, edited here (reference data, audited)."""

    list_display = ("unit", "on_dispatch", "on_warning", "mention_handlers", "active")
    list_filter = ("active", "on_dispatch", "on_warning")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
