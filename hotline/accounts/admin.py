"""用户与岗位. Users are the Django users with a display name and phone; a user holds roles in
units through memberships."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hotline.core.admin import AuditedAdmin, ReadOnlyAdmin, column
from hotline.orgs.admin import UnitAdmin

from .models import ApiToken, Membership, User


class MembershipOfUserInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("unit", "role")
    autocomplete_fields = ("unit",)
    extra = 0
    verbose_name = "岗位"
    verbose_name_plural = "所在单位与角色"


@admin.register(User)
class HotlineUserAdmin(AuditedAdmin, UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "phone", "email")}),
        (
            "权限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("个人信息", {"classes": ("wide",), "fields": ("display_name", "phone")}),
    )
    list_display = (
        "username",
        "display_name",
        "phone",
        "email",
        "is_staff",
        "is_active",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("username", "display_name", "phone", "email")
    inlines = (MembershipOfUserInline,)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "unit", "role")
    list_filter = ("role", "unit__level")
    search_fields = ("user__username", "user__display_name", "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")


TOKEN_COLUMNS = (
    column("user", "用户"),
    column("created_at", "签发时间"),
    column("expires_at", "过期时间"),
    column("revoked", "已吊销", boolean=True),
)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Issued tokens, for inspection. Only the SHA-256 of a key is stored and it is not shown."""

    list_display = TOKEN_COLUMNS
    fields = readonly_fields = TOKEN_COLUMNS
    list_filter = ("revoked",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    ordering = ("-created_at",)


class MembershipOfUnitInline(admin.TabularInline):
    model = Membership
    fk_name = "unit"
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0
    verbose_name = "岗位"
    verbose_name_plural = "本单位人员与角色"


# The accounts app sits above orgs: it adds the people of a unit to the unit's admin page.
UnitAdmin.inlines = (*UnitAdmin.inlines, MembershipOfUnitInline)
