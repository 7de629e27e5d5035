"""工单 (read-only). A ticket changes only through ``services.ticket_transition``; the admin lists
and shows tickets, their timeline and clocks, never edits them. The complainant is masked."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone

from hotline.core.admin import ReadOnlyAdmin, ReadOnlyInline, ScopedAdmin, column, titled
from hotline.core.formatting import mask_name, mask_phone

from . import clocks
from .models import Attachment, Clock, Ticket, TicketAssignment, TicketEvent

WARNING_LABELS = {"none": "正常", "yellow": "黄灯", "red": "红灯"}

EVENT_COLUMNS = (
    column("seq", "序号"),
    column("action", "操作"),
    column("actor_name", "操作人"),
    column("at", "时间"),
    column("from_status", "原状态"),
    column("to_status", "新状态"),
)
CLOCK_COLUMNS = (
    column("kind", "时限"),
    column("unit", "单位"),
    column("started_at", "开始"),
    column("limit_amount", "时限数"),
    column("limit_unit", "单位"),
    column("yellow_at", "黄灯时间"),
    column("due_at", "到期时间"),
    column("pending_calendar", "待日历", boolean=True),
    column("stopped_at", "停止时间"),
    column("stop_reason", "停止原因"),
    column("met", "按时", boolean=True),
)
ASSIGNMENT_COLUMNS = (
    column("unit", "单位"),
    column("role", "主办/协办"),
    column("via", "方式"),
    column("assigned_at", "时间"),
    column("active", "有效", boolean=True),
)


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = EVENT_COLUMNS
    verbose_name_plural = "办理过程"
    ordering = ("seq",)


class ClockInline(ReadOnlyInline):
    model = Clock
    fields = readonly_fields = CLOCK_COLUMNS
    verbose_name_plural = "时限"


class TicketAssignmentInline(ReadOnlyInline):
    model = TicketAssignment
    fields = readonly_fields = ASSIGNMENT_COLUMNS
    verbose_name_plural = "派单记录"


@admin.register(Ticket)
class TicketAdmin(ScopedAdmin, ReadOnlyAdmin):
    ticket_path = ""

    list_display = (
        "number",
        "title",
        "status",
        "kind",
        "channel",
        "urgency",
        "unit",
        "registered_at",
        "warning",
    )
    list_filter = ("status", "kind", "channel", "urgency")
    search_fields = ("=number",)  # exact: the table holds tens of millions of rows
    list_select_related = ("unit",)
    ordering = ("-registered_at",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "kind",
                    "channel",
                    "urgency",
                    "category",
                    "unit",
                    "registered_by",
                    "registered_at",
                )
            },
        ),
        (
            "诉求",
            {
                "fields": (
                    "title",
                    "content",
                    "address",
                    "region",
                    "citizen",
                    "citizen_anonymous",
                    "citizen_confidential",
                )
            },
        ),
        (
            "办理结果",
            {
                "fields": (
                    "reply_text",
                    "reply_outcome",
                    "replied_at",
                    "satisfaction",
                    "followed_up_at",
                    "review_verdict",
                    "redo_count",
                    "merged_into",
                    "closed_at",
                )
            },
        ),
    )
    inlines = (TicketAssignmentInline, ClockInline, TicketEventInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("clocks")

    @admin.display(description="诉求人（脱敏）")
    def citizen(self, obj):
        if obj.citizen_anonymous:
            return "匿名"
        return f"{mask_name(obj.citizen_name)} {mask_phone(obj.citizen_phone)}".strip()

    @admin.display(description="预警")
    def warning(self, obj):
        return WARNING_LABELS[clocks.ticket_warning(obj, timezone.now())]


@admin.register(TicketEvent)
class TicketEventAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (column("ticket", "工单"), *EVENT_COLUMNS)
    fields = readonly_fields = (
        column("ticket", "工单"),
        *EVENT_COLUMNS,
        column("data", "内容"),
        column("prev_hash", "前一哈希"),
        column("hash", "哈希"),
    )
    list_filter = (titled("action", "操作"),)
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket",)
    ordering = ("-pk",)  # the primary key index, not a sort of the whole table


@admin.register(Clock)
class ClockAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (column("ticket", "工单"), *CLOCK_COLUMNS)
    fields = readonly_fields = (column("ticket", "工单"), *CLOCK_COLUMNS)
    list_filter = (
        titled("kind", "时限"),
        titled("pending_calendar", "待日历"),
        titled("met", "按时"),
    )
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket", "unit")
    ordering = ("-pk",)


ATTACHMENT_COLUMNS = (
    column("ticket", "工单"),
    column("seq", "事件序号"),
    column("name", "文件名"),
    column("content_type", "文件类型"),
    column("size", "大小（字节）"),
    column("uploaded_by", "上传人"),
    column("created_at", "上传时间"),
)


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin, ReadOnlyAdmin):
    """Files attached to replies and comments: listed without their bytes (the console serves
    them to those who may see the ticket)."""

    list_display = ATTACHMENT_COLUMNS
    fields = readonly_fields = (*ATTACHMENT_COLUMNS, column("sha256", "SHA-256 摘要"))
    list_filter = (titled("content_type", "文件类型"),)
    search_fields = ("=ticket__number",)
    list_select_related = ("ticket", "uploaded_by")
    ordering = ("-pk",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")
