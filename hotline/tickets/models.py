"""Ticket, its timeline (TicketEvent), assignments to units and clocks.

Nothing here changes a ticket: every change goes through ``services.ticket_transition``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.core.chain import instant
from hotline.core.models import AppendOnly

from . import workflow


class Ticket(models.Model):
    # Indexes: only those a query uses (each one costs every registration an insert); unique
    # columns are constraints, not unique=True, which on PostgreSQL adds a LIKE index no
    # query here uses.
    number = models.CharField("工单编号", max_length=16)
    status = models.CharField("状态", max_length=16, choices=workflow.STATUS_CHOICES)
    kind = models.CharField("诉求类型", max_length=16, choices=workflow.KIND_CHOICES)
    channel = models.CharField("渠道", max_length=16, choices=workflow.CHANNEL_CHOICES)
    urgency = models.CharField(
        "紧急程度", max_length=16, choices=workflow.URGENCY_CHOICES, default="normal"
    )
    title = models.CharField("标题", max_length=200, blank=True)
    content = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=255, blank=True)
    # The words of title, content and address (jieba, space-separated) for the full-text index
    # (hotline.core.search): never the citizen's name or phone. Written with the ticket.
    search_text = models.TextField("检索词", blank=True, default="", db_default="", editable=False)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="区域",
        db_index=False,  # led by ticket_region_cat_time
    )
    category = models.ForeignKey(
        "orgs.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="分类",
    )
    citizen_name = models.CharField("诉求人", max_length=64, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True)
    citizen_anonymous = models.BooleanField("匿名", default=False)
    citizen_confidential = models.BooleanField("保密", default=False)

    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_tickets",
        verbose_name="当前承办单位",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="首问责任人",
    )
    registered_at = models.DateTimeField("登记时间", db_index=True)
    # The hotline centre that registered the ticket and the one that holds it now (null: the
    # city's centre). A district centre's own tickets are 自办件; those it received, 转办件.
    registered_centre = models.ForeignKey(
        "orgs.HotlineCentre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理中心",
    )
    centre = models.ForeignKey(
        "orgs.HotlineCentre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="当前中心",
    )
    # The centre whose dispatcher dispatched it last: a send-back returns the ticket there.
    dispatched_by_centre = models.ForeignKey(
        "orgs.HotlineCentre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="派单中心",
    )
    # NULL, not "": tickets registered without a key must not collide on the unique constraint.
    idempotency_key = models.CharField("幂等键", max_length=200, null=True, blank=True)  # noqa: DJ001

    # Pending requests and results of the lifecycle.
    send_back_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never looked up by
        verbose_name="退单单位",
    )
    send_back_reason = models.TextField("退单理由", blank=True)
    send_back_count = models.PositiveIntegerField("退单次数", default=0)
    extension_status = models.CharField(
        "延期状态", max_length=16, blank=True
    )  # "", requested, approved, refused
    extension_days = models.PositiveSmallIntegerField("延期天数", null=True, blank=True)
    reply_text = models.TextField("办理结果", blank=True)
    reply_outcome = models.CharField("办理结论", max_length=16, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=24, blank=True)
    followed_up_at = models.DateTimeField("回访时间", null=True, blank=True)
    review_verdict = models.CharField("评价结论", max_length=16, blank=True)
    redo_count = models.PositiveIntegerField("重办次数", default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name="并入工单",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    last_seq = models.PositiveIntegerField("最新事件序号", default=0)
    last_hash = models.CharField("最新事件摘要", max_length=64, default="")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        constraints = [
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="ticket_idempotency_unique"),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "registered_at"]),
            models.Index(fields=["citizen_phone"], name="ticket_citizen_phone"),
            # Similar tickets: the newest of the same region and category in a window.
            models.Index(
                fields=["region", "category", "registered_at"], name="ticket_region_cat_time"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(AppendOnly):
    """One entry of a ticket's timeline. Append-only, hash-chained per ticket."""

    # Indexed by uniq_ticket_event_seq (ticket first).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, related_name="events", db_index=False, verbose_name="工单"
    )
    seq = models.PositiveIntegerField("序号")
    action = models.CharField("操作", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人账号", max_length=150)
    at = models.DateTimeField("时间")
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    data = models.JSONField("详情", default=dict)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "工单事件"
        verbose_name_plural = "工单事件"
        ordering = ["ticket_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="uniq_ticket_event_seq")
        ]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.seq} {self.action}"

    def chain_content(self, number: str) -> dict:
        return {
            "ticket": number,
            "seq": self.seq,
            "action": self.action,
            "actor": self.actor_name,
            "at": instant(self.at),
            "from": self.from_status,
            "to": self.to_status,
            "data": self.data,
        }


class TicketAssignment(models.Model):
    """The ticket was dispatched or forwarded to a unit (lead or co-unit). Drives what a unit sees."""

    LEAD, CO, COPY = "lead", "co", "copy"
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="assignments", verbose_name="工单"
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name="单位"
    )
    role = models.CharField(
        "承办角色", max_length=8, choices=[(LEAD, "主办"), (CO, "协办"), (COPY, "抄送")]
    )
    via = models.CharField("方式", max_length=16)  # dispatch, forward
    assigned_at = models.DateTimeField("派单时间")
    active = models.BooleanField("有效", default=True)
    event_seq = models.PositiveIntegerField("事件序号")

    class Meta:
        verbose_name = "派单记录"
        verbose_name_plural = "派单记录"
        indexes = [
            models.Index(fields=["unit", "ticket"]),
            models.Index(fields=["ticket", "active"]),
            # The assessment's month (assessment/setcounts.py): the tickets that reached a unit
            # as lead, or a co-unit, in a period. Without it, a seq scan of every assignment
            # (docs/benchmarks.md, "Ranking and dashboard, set-based").
            models.Index(
                fields=["role", "assigned_at", "ticket"], name="assignment_role_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.unit_id} ({self.role})"


class Clock(models.Model):
    """One clock on a ticket: when it started, when yellow and red come, when and how it stopped.

    ``due_at`` is null while the calendar of a year it needs is missing (``pending_calendar``);
    confirming that year computes it.
    """

    # Indexed by the (ticket, kind) index.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False, verbose_name="工单"
    )
    kind = models.CharField("时限类型", max_length=16, choices=workflow.CLOCK_CHOICES)
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="单位",
    )
    started_at = models.DateTimeField("开始时间")
    limit_amount = models.FloatField("时限数量")
    limit_unit = models.CharField("时限单位", max_length=16)
    yellow_at = models.DateTimeField("黄灯时间", null=True, blank=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    pending_calendar = models.BooleanField("待确认工作日历", default=False)
    # When the yellow and red warnings of this clock were sent (each at most once).
    yellow_warned_at = models.DateTimeField("黄灯预警时间", null=True, blank=True)
    red_warned_at = models.DateTimeField("红灯预警时间", null=True, blank=True)
    stopped_at = models.DateTimeField("结束时间", null=True, blank=True)
    stop_reason = models.CharField("结束原因", max_length=16, blank=True)
    met = models.BooleanField("按时", null=True)

    class Meta:
        verbose_name = "时限"
        verbose_name_plural = "时限"
        indexes = [
            models.Index(fields=["ticket", "kind"]),
            # The warning scanner's two queries: running clocks not yet warned (docs/benchmarks-
            # warnings.md: warned clocks in the index cost ~250 ms per scan at 1M tickets).
            models.Index(
                fields=["yellow_at"],
                condition=models.Q(stopped_at__isnull=True, yellow_warned_at__isnull=True),
                name="clock_unwarned_yellow",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(stopped_at__isnull=True, red_warned_at__isnull=True),
                name="clock_unwarned_due",
            ),
            # The supervision office's red and yellow tickets (supervision.selectors.
            # tickets_warned): running clocks whose yellow time has come, warned or not.
            # The unit too: the dashboard's count of the city's warnings reads the index
            # alone (assessment.dashboard.warning_counts).
            models.Index(
                fields=["yellow_at", "ticket", "due_at", "unit"],
                condition=models.Q(stopped_at__isnull=True),
                name="clock_running_yellow_unit",
            ),
            # A list sorted by deadline (tickets.selectors._sorted): a ticket's soonest running
            # deadline read from the index alone, not from its every clock (the red list by
            # deadline at 1,000,000 tickets, issue 15).
            models.Index(
                fields=["ticket", "due_at"],
                condition=models.Q(stopped_at__isnull=True),
                name="clock_running_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketSequence(models.Model):
    """The last number handed out on a day (Asia/Shanghai). Allocated inside the registering
    transaction, so a rolled-back registration leaves no gap."""

    day = models.DateField("日期", primary_key=True)
    last = models.PositiveIntegerField("当日最大序号", default=0)

    class Meta:
        verbose_name = "工单编号序列"
        verbose_name_plural = "工单编号序列"

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class Attachment(AppendOnly):
    """A file a unit's staff attached to an action (a reply's photo, a PDF, an office document):
    checked by its content and, for a photo, re-encoded without its EXIF metadata
    (``hotline.core.uploads``). Written by the transition function in the event's transaction;
    the bytes are kept in the database, so a rolled-back action leaves no file behind."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        related_name="attachments",
        db_index=False,  # led by attachment_ticket_seq
        verbose_name="工单",
    )
    seq = models.PositiveIntegerField("事件序号")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("文件名", max_length=100)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256 摘要", max_length=64)
    data = models.BinaryField("内容")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "工单附件"
        verbose_name_plural = "工单附件"
        ordering = ["ticket_id", "seq", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "seq", "position"], name="attachment_ticket_seq"
            )
        ]

    def __str__(self) -> str:
        return self.name
