"""Admin of the intake channels. Open311 keys: listed, revoked by an action (through the
service); made with ``python manage.py open311_key create NAME``, since the key is shown once."""

from __future__ import annotations

from django.contrib import admin, messages

from hotline.core.admin import ReadOnlyAdmin

from .models import Open311Key
from .open311.services import open311_key_revoke


@admin.register(Open311Key)
class Open311KeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "user", "created_at", "revoked_at", "is_active")
    fields = readonly_fields = ("name", "prefix", "user", "created_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name",)
    actions = ["revoke"]

    @admin.display(description="有效", boolean=True)
    def is_active(self, obj: Open311Key) -> bool:
        return obj.active

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        names = [row.name for row in queryset]
        for name in names:
            open311_key_revoke(name=name)
        self.message_user(request, f"已吊销 {len(names)} 个密钥", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # The list's actions need the change permission; the form stays read-only.
        return request.user.has_perm("intake.change_open311key")
