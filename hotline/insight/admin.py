"""智能派单: routing rules (edited by admins) and the record of suggestions beside the
dispatchers' choices (read-only), with acceptance rates per leaf and per rule."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from hotline.core.admin import AuditedAdmin, ReadOnlyAdmin

from . import selectors
from .models import DispatchRecord, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = (
        "name",
        "priority",
        "category",
        "region",
        "keywords",
        "urgency",
        "unit",
        "active",
        "dispatches",
        "acceptance",
    )
    list_filter = ("active", "urgency")
    search_fields = ("name", "keywords")
    autocomplete_fields = ("category", "region", "unit")
    list_select_related = ("category", "region", "unit")
    fields = ("name", "active", "priority", "category", "region", "keywords", "urgency", "unit")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_records=Count("records"),
                n_accepted=Count("records", filter=Q(records__accepted=True)),
            )
        )

    @admin.display(description="派单次数", ordering="n_records")
    def dispatches(self, obj):
        return obj.n_records

    @admin.display(description="采纳率")
    def acceptance(self, obj):
        return f"{100 * obj.n_accepted / obj.n_records:.1f}%" if obj.n_records else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        selectors.routing_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        selectors.routing_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        selectors.routing_changed()


@admin.register(DispatchRecord)
class DispatchRecordAdmin(ReadOnlyAdmin):
    """派单记录: what was suggested, what the dispatcher chose; the list page shows the
    acceptance rate per suggested leaf and per rule."""

    change_list_template = "admin/insight/dispatchrecord/change_list.html"
    list_display = (
        "at",
        "ticket",
        "actor",
        "suggested_category",
        "suggested_unit",
        "rule",
        "chosen_unit",
        "accepted",
        "unit_in_top3",
    )
    list_filter = ("accepted", "unit_in_top3", "rule")
    search_fields = ("ticket__number", "suggested_category", "chosen_unit", "suggested_unit")
    list_select_related = ("ticket", "rule")
    readonly_fields = (*list_display, "chosen_category", "suggested")
    fields = readonly_fields

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "by_leaf": selectors.acceptance_by_leaf()[:50],
            "by_rule": selectors.acceptance_by_rule(),
        }
        return super().changelist_view(request, extra_context=extra_context)
