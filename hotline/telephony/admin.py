"""Call records in the admin: read-only (they come from the telephony system)."""

from __future__ import annotations

from django.contrib import admin

from .models import CallRecord, CallTicket


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ("call_id", "line", "caller", "queued_at", "answered_at", "agent", "outcome")
    list_filter = ("line", "outcome")
    search_fields = ("call_id", "caller", "agent")
    date_hierarchy = "queued_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CallTicket)
class CallTicketAdmin(admin.ModelAdmin):
    list_display = ("call", "ticket", "linked_by", "linked_at")
    raw_id_fields = ("call", "ticket")

    def has_change_permission(self, request, obj=None):
        return False
