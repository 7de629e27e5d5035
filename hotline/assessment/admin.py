"""Admin: scoring rule sets (a used one is view-only: add the next version) and publications
(read-only: nothing rewrites a published version)."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import ReadOnlyAdmin

from .models import Publication, RuleSet
from .services import rule_set_delete, rule_set_save


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "name", "effective_from", "p_late_transfer", "min_received", "bands")
    ordering = ("-version",)
    fieldsets = (
        (None, {"fields": ("version", "name", "effective_from", "note")}),
        (
            "权重",
            {
                "fields": (
                    "w_timely_transfer",
                    "w_timely_acceptance",
                    "w_completion",
                    "w_on_time",
                    "w_follow_up",
                    "w_satisfaction",
                    "w_repeat",
                    "w_send_back",
                )
            },
        ),
        (
            "扣分",
            {
                "fields": (
                    "p_late_transfer",
                    "p_red_warning",
                    "p_supervision_order",
                    "p_accountability",
                    "p_spot_check",
                    "spot_pass_score",
                )
            },
        ),
        ("排名", {"fields": ("min_received", "bands")}),
    )

    def has_change_permission(self, request, obj=None):
        # A rule set a publication used is view-only: add the next version instead.
        return super().has_change_permission(request, obj) and not (obj and obj.frozen)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.frozen)

    def save_model(self, request, obj, form, change):
        rule_set_save(actor=request.user, rule_set=obj)

    def delete_model(self, request, obj):
        rule_set_delete(actor=request.user, rule_set=obj)


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("month", "version", "published_at", "published_by", "rule_set", "note")
    list_filter = ("month",)
    readonly_fields = [f.name for f in Publication._meta.fields]
