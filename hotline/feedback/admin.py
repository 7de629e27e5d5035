"""The evaluators' roster and review work in the admin. The roster is reference data edited
like the org tree (every edit audited); assignments and re-checks are read-only here (the
services make them)."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import AuditedAdmin

from .models import (
    CheckItem,
    Evaluator,
    ReviewAssignment,
    SpotCheck,
    SpotSample,
    VerdictCheck,
    VerdictSample,
    VoiceFollowUp,
    VoiceResult,
)


@admin.register(Evaluator)
class EvaluatorAdmin(AuditedAdmin):
    list_display = ("__str__", "user", "kind", "sub_kind", "coordinator", "active")
    list_filter = ("kind", "sub_kind", "coordinator", "active")
    search_fields = ("user__username", "user__display_name", "note")
    filter_horizontal = ("units", "districts")
    raw_id_fields = ("user",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnly):
    list_display = ("ticket", "evaluator", "round", "assigned_at", "due_at", "done_at")
    list_filter = ("evaluator",)
    raw_id_fields = ("ticket",)


class VerdictCheckInline(admin.TabularInline):
    model = VerdictCheck
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in VerdictCheck._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VerdictSample)
class VerdictSampleAdmin(ReadOnly):
    list_display = ("pk", "date_from", "date_to", "size", "seed", "drawn_by", "drawn_at")
    inlines = [VerdictCheckInline]


class VoiceResultInline(admin.TabularInline):
    model = VoiceResult
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in VoiceResult._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VoiceFollowUp)
class VoiceFollowUpAdmin(ReadOnly):
    list_display = ("ticket", "round", "state", "attempts", "reason", "satisfaction", "created_at")
    list_filter = ("state", "reason")
    raw_id_fields = ("ticket",)
    inlines = [VoiceResultInline]


@admin.register(CheckItem)
class CheckItemAdmin(AuditedAdmin):
    list_display = ("text", "kind", "max_points", "position", "active")
    list_filter = ("kind", "active")
    list_editable = ("position", "active")


class SpotSampleInline(admin.TabularInline):
    model = SpotSample
    extra = 0
    can_delete = False
    fields = ("kind", "call", "line", "agent", "ticket", "unit")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnly):
    list_display = ("week", "seed", "calls_per_line", "tickets_per_unit", "drawn_by", "drawn_at")
    inlines = [SpotSampleInline]
