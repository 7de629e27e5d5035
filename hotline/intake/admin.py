"""Admin pages of the intake app: read-only records (codes, counters, photos, used links,
imported rows), the Open311 keys (listed, revoked by an action through the service; made
with ``python manage.py open311_key create NAME``, since the key is shown once) and the extra
fields an Open311 service asks for. Nothing here writes a ticket."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.admin import ReadOnlyAdmin

from .bulk.mappings import MAPPINGS
from .bulk.readers import FileError, read_rows
from .bulk.services import import_actor, tickets_import
from .models import (
    FollowUpLinkUse,
    ImportedRow,
    Open311Attribute,
    Open311Key,
    PortalCode,
    PortalPhoto,
    RateCounter,
)
from .open311.services import open311_key_revoke

log = logging.getLogger("hotline.intake")

# An upload is imported while the admin waits: larger files go through the command.
ADMIN_IMPORT_MAX_ROWS = 2000
ADMIN_IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（.csv 或 .xlsx）")
    mapping = forms.ChoiceField(label="映射", choices=[(m, m) for m in MAPPINGS])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".xlsm"):
            raise forms.ValidationError("只能导入 .csv 或 .xlsx 文件")
        if upload.size > ADMIN_IMPORT_MAX_BYTES:
            raise forms.ValidationError("文件过大，请用命令 import_tickets 导入")
        return upload


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
    change_list_template = "admin/intake/importedrow/change_list.html"

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="intake_importedrow_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Import an uploaded file with a mapping (the same service as the command)."""
        if not (request.user.is_superuser or Role.ADMIN in grants_for(request.user).roles):
            raise PermissionDenied
        result = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = self._import(request, form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入历史工单",
            "form": form,
            "result": result,
        }
        return TemplateResponse(request, "admin/intake/importedrow/upload.html", context)

    def _import(self, request, form):
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                rows = list(read_rows(Path(handle.name)))
            except FileError as exc:
                form.add_error("file", str(exc).replace(Path(handle.name).name, upload.name))
                return None
        if len(rows) > ADMIN_IMPORT_MAX_ROWS:
            form.add_error(
                "file",
                f"共 {len(rows)} 行，超过 {ADMIN_IMPORT_MAX_ROWS} 行，请用命令 import_tickets 导入",
            )
            return None
        result = tickets_import(
            actor=import_actor(),
            mapping=form.cleaned_data["mapping"],
            rows=rows,
            file_name=upload.name,
        )
        log.info("admin import of %s by %s: %s", upload.name, request.user, result.summary)
        return result

    @admin.display(description="工单")
    def ticket_number(self, obj):
        return format_html("{}", obj.ticket.number)


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


class Open311AttributeForm(forms.ModelForm):
    class Meta:
        model = Open311Attribute
        fields = [
            "category", "code", "description", "datatype", "required",
            "datatype_description", "order", "values",
        ]  # fmt: skip

    def clean_code(self) -> str:
        import re

        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", code):
            raise forms.ValidationError("1 到 64 个字母、数字、'.'、'_' 或 '-'")
        return code

    def clean(self):
        data = super().clean() or {}
        values = data.get("values") or []
        lists = ("singlevaluelist", "multivaluelist")
        if data.get("datatype") in lists:
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, dict) and str(v.get("key", "")).strip() for v in values)
            ):
                self.add_error("values", '单选、多选须列出选项：[{"key": "1", "name": "路灯"}]')
        elif values:
            self.add_error("values", "只有单选、多选有选项")
        return data


@admin.register(Open311Attribute)
class Open311AttributeAdmin(admin.ModelAdmin):
    form = Open311AttributeForm
    list_display = ("category", "code", "description", "datatype", "required", "order")
    list_filter = ("datatype", "required")
    search_fields = ("code", "description", "category__code", "category__name")
    list_select_related = ("category",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            from hotline.orgs.models import Category

            kwargs["queryset"] = Category.objects.filter(
                active=True, children__isnull=True
            ).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
