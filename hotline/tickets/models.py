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
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
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
    )
    # NULL, not "": tickets registered without a key must not collide on the unique constraint.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001

    # Pending requests and results of the lifecycle.
    send_back_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # never looked up by
    )
    send_back_reason = models.TextField(blank=True)
    send_back_count = models.PositiveIntegerField(default=0)
    extension_status = models.CharField(
        max_length=16, blank=True
    )  # "", requested, approved, refused
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reply_text = models.TextField(blank=True)
    reply_outcome = models.CharField(max_length=16, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(max_length=24, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    review_verdict = models.CharField(max_length=16, blank=True)
    redo_count = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    updated_at = models.DateTimeField(auto_now=True)

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
        Ticket, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

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
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=8, choices=[(LEAD, "主办"), (CO, "协办"), (COPY, "抄送")])
    via = models.CharField(max_length=16)  # dispatch, forward
    assigned_at = models.DateTimeField()
    active = models.BooleanField(default=True)
    event_seq = models.PositiveIntegerField()

    class Meta:
        verbose_name = "派单记录"
        verbose_name_plural = "派单记录"
        indexes = [
            models.Index(fields=["unit", "ticket"]),
            models.Index(fields=["ticket", "active"]),
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
        Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=16, choices=workflow.CLOCK_CHOICES)
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    limit_amount = models.FloatField()
    limit_unit = models.CharField(max_length=16)
    yellow_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    pending_calendar = models.BooleanField(default=False)
    # When the yellow and red warnings of this clock were sent (each at most once).
    yellow_warned_at = models.DateTimeField(null=True, blank=True)
    red_warned_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=16, blank=True)
    met = models.BooleanField(null=True)

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
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketSequence(models.Model):
    """The last number handed out on a day (Asia/Shanghai). Allocated inside the registering
    transaction, so a rolled-back registration leaves no gap."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"
