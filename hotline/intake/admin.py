"""Admin pages of the intake app: read-only records (codes, counters, photos, used links,
imported rows). Nothing here writes a ticket."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from .models import FollowUpLinkUse, ImportedRow, PortalCode, PortalPhoto, RateCounter


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PortalCode)
class PortalCodeAdmin(ReadOnly):
    list_display = (
        "purpose",
        "masked_phone",
        "number",
        "created_at",
        "expires_at",
        "used_at",
        "tries",
    )
    list_filter = ("purpose",)
    exclude = ("code_hash", "phone")
    readonly_fields = ("masked_phone",)

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        phone = obj.phone
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


@admin.register(RateCounter)
class RateCounterAdmin(ReadOnly):
    list_display = ("key", "window_start", "hits")
    search_fields = ("key",)


@admin.register(PortalPhoto)
class PortalPhotoAdmin(ReadOnly):
    list_display = ("ticket", "position", "width", "height", "size", "created_at")
    exclude = ("data",)
    raw_id_fields = ("ticket",)
    search_fields = ("ticket__number",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUpLinkUse)
class FollowUpLinkUseAdmin(ReadOnly):
    list_display = ("number", "used_at")
    search_fields = ("number",)


@admin.register(ImportedRow)
class ImportedRowAdmin(ReadOnly):
    list_display = (
        "mapping",
        "source_key",
        "ticket_number",
        "file_name",
        "row_number",
        "imported_at",
    )
    list_filter = ("mapping",)
    search_fields = ("source_key", "ticket__number")

    @admin.display(description="工单")
    def ticket_number(self, obj):
        return format_html("{}", obj.ticket.number)
