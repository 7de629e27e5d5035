"""Admin building blocks shared by the apps, and the audit log (read-only).

House rule: admin actions never write models themselves; they call services. Tables that
change only through services (tickets, clocks, the outbox, the audit log) are read-only here.
"""

from __future__ import annotations

import json

from django.contrib import admin

from .audit import audit_record
from .models import AuditEvent


def column(name: str, label: str, *, boolean: bool = False):
    """A list or detail column showing model field ``name`` under a Chinese heading (for the
    fields that have no Chinese ``verbose_name``). Choices show their label."""

    @admin.display(description=label, ordering=name, boolean=boolean)
    def show(obj):
        getter = getattr(obj, f"get_{name}_display", None)
        return getter() if getter is not None else getattr(obj, name)

    show.__name__ = show.__qualname__ = f"column_{name}"
    return show


def titled(field: str, title: str):
    """A ``list_filter`` entry for ``field`` with a Chinese title; the filter class is the one
    Django would pick for the field."""

    class TitledFilter(admin.FieldListFilter):
        def __new__(cls, field_obj, request, params, model, model_admin, field_path):
            spec = admin.FieldListFilter.create(
                field_obj, request, params, model, model_admin, field_path
            )
            spec.title = title
            return spec

    return (field, TitledFilter)


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and view only: no add, change or delete (and so no bulk-delete action)."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin(admin.ModelAdmin):
    """An admin list of rows derived from tickets: it shows the rows of the tickets the signed-in
    user may see (``hotline.core.scoping.restrict``), whatever the admin's own permissions.
    ``ticket_path`` is the lookup from the row to its ticket ("" for tickets themselves)."""

    ticket_path = "ticket"

    def get_queryset(self, request):
        from hotline.core.scoping import restrict

        return restrict(super().get_queryset(request), request.user, self.ticket_path)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _plain(value: object) -> object:
    """The admin's change message, made JSON-safe (it may hold lazy translation strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _target(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"[:128]


class AuditedAdmin(admin.ModelAdmin):
    """Reference data edited in the admin (org tree, catalogue, users): every addition, change
    and deletion is also written to the audit log, in the same transaction as the edit."""

    def log_addition(self, request, obj, message):
        audit_record(
            actor=request.user,
            action="admin.add",
            target=_target(obj),
            data={"object": str(obj), "changes": _plain(message)},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(
            actor=request.user,
            action="admin.change",
            target=_target(obj),
            data={"object": str(obj), "changes": _plain(message)},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user,
                action="admin.delete",
                target=_target(obj),
                data={"object": str(obj)},
            )
        return super().log_deletions(request, queryset)


AUDIT_COLUMNS = (
    column("seq", "序号"),
    column("at", "时间"),
    column("actor", "操作人"),
    column("action", "操作"),
    column("target", "对象"),
    column("reason", "理由"),
)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """审计日志: append-only and hash-chained; nobody edits or deletes it, not even a superuser."""

    list_display = AUDIT_COLUMNS
    fields = readonly_fields = (
        *AUDIT_COLUMNS,
        column("data", "数据"),
        column("prev_hash", "前一哈希"),
        column("hash", "哈希"),
    )
    list_filter = (titled("action", "操作"),)
    search_fields = ("action", "target")
    list_select_related = ("actor",)
    ordering = ("-seq",)
    list_per_page = 50
