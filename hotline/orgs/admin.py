"""组织机构与派单目录: the region tree, the units that handle tickets, the dispatch catalogue."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import AuditedAdmin

from .changes import catalogue_changed
from .models import Category, HotlineCentre, Region, RegionAlias, Unit


class RoutingChangedMixin:
    """Whoever caches the catalogue or the region tree (the dispatch suggester) is told of an
    edit here: the next suggestion in this process sees it (other processes within a minute)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        _routing_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        _routing_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)  # type: ignore[misc]
        _routing_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        _routing_changed()


def _routing_changed() -> None:
    catalogue_changed()


@admin.register(RegionAlias)
class RegionAliasAdmin(RoutingChangedMixin, AuditedAdmin):
    """区域别名: roads, estates and landmarks citizens name; the dispatch suggester resolves
    them to their region."""

    list_display = ("name", "region")
    search_fields = ("name", "region__name", "region__code")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)
    list_per_page = 100


@admin.register(Region)
class RegionAdmin(RoutingChangedMixin, AuditedAdmin):
    list_display = ("code", "name", "level", "parent", "lat", "lon")
    list_filter = ("level",)
    search_fields = ("code", "name", "aliases__name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    list_per_page = 100
    fields = ("code", "name", "level", "parent", ("lat", "lon"))


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "region", "assessed", "active")
    list_filter = ("level", "kind", "assessed", "active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "region")
    list_select_related = ("parent", "region")
    list_per_page = 100
    fieldsets = (
        (
            None,
            {"fields": ("code", "name", "level", "kind", "parent", "region", "assessed", "active")},
        ),
        (
            "领导与联系人",
            {
                "fields": (
                    ("deputy_leader_name", "deputy_leader_phone"),
                    ("principal_leader_name", "principal_leader_phone"),
                    "contact_phone",
                )
            },
        ),
    )
    # The unit's people and roles are shown here by the accounts app (hotline.accounts.admin).
    inlines: tuple = ()


@admin.register(Category)
class CategoryAdmin(RoutingChangedMixin, AuditedAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "parent",
        "owner",
        "default_unit",
        "time_limit",
        "time_limit_unit",
        "utility",
        "active",
    )
    list_filter = (
        "level",
        "owner",
        "time_limit_unit",
        "utility",
        "copy_to_supervision",
        "copy_to_discipline",
        "active",
    )
    search_fields = ("code", "name", "keywords")
    autocomplete_fields = ("parent", "default_unit")
    list_select_related = ("parent", "default_unit")
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "parent", "default_kind", "active")}),
        (
            "派单与时限",
            {
                "fields": (
                    "owner",
                    "default_unit",
                    "keywords",
                    ("time_limit", "time_limit_unit"),
                    "utility",
                )
            },
        ),
        ("抄送", {"fields": ("copy_to_supervision", "copy_to_discipline")}),
    )


@admin.register(HotlineCentre)
class HotlineCentreAdmin(AuditedAdmin):
    list_display = ("name", "unit", "covers", "parent", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name", "unit__code", "unit__name")
    autocomplete_fields = ("unit", "covers", "parent")
    list_select_related = ("unit", "covers", "parent")
