"""组织机构与派单目录: the region tree, the units that handle tickets, the dispatch catalogue."""

from __future__ import annotations

from django.contrib import admin

from hotline.core.admin import AuditedAdmin

from .models import Category, HotlineCentre, Region, Unit


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    list_per_page = 100


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
class CategoryAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "parent",
        "default_unit",
        "time_limit",
        "time_limit_unit",
        "utility",
        "active",
    )
    list_filter = (
        "level",
        "time_limit_unit",
        "utility",
        "copy_to_supervision",
        "copy_to_discipline",
        "active",
    )
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "default_unit")
    list_select_related = ("parent", "default_unit")
    list_per_page = 100
    fieldsets = (
        (None, {"fields": ("code", "name", "level", "parent", "default_kind", "active")}),
        ("派单与时限", {"fields": ("default_unit", ("time_limit", "time_limit_unit"), "utility")}),
        ("抄送", {"fields": ("copy_to_supervision", "copy_to_discipline")}),
    )


@admin.register(HotlineCentre)
class HotlineCentreAdmin(AuditedAdmin):
    list_display = ("name", "unit", "covers", "parent", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name", "unit__code", "unit__name")
    autocomplete_fields = ("unit", "covers", "parent")
    list_select_related = ("unit", "covers", "parent")
