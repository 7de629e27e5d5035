from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.core.scoping import TicketScopedQuerySet


class SupervisionOrder(models.Model):
    """督办单: a supervisor's formal push on a ticket with its own deadline. Level 2 = 二次督办.
    A leader's signed instruction (领导签批, action ``sign``) opens one too, of kind ``sign``:
    the ticket is then supervised like any other, in the supervision office's queue."""

    SUPERVISE, SIGN = "supervise", "sign"
    KINDS = {SUPERVISE: "督办", SIGN: "领导签批"}
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="supervision_orders",
        verbose_name="工单",
    )
    level = models.PositiveSmallIntegerField("督办次数")
    note = models.TextField("督办意见")
    kind = models.CharField("来源", max_length=16, choices=list(KINDS.items()), default=SUPERVISE)
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="被督办单位",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="督办人"
    )
    created_at = models.DateTimeField("督办时间")
    due_at = models.DateTimeField("督办时限", null=True, blank=True)
    event_seq = models.PositiveIntegerField("事件序号")

    objects = TicketScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level"], name="uniq_supervision_level")
        ]

    def __str__(self) -> str:
        return f"督办 {self.ticket_id} #{self.level}"


class Referral(models.Model):
    """A ticket put in the supervision office's queue automatically (3 redos or 3 send-backs)."""

    REDOS, SEND_BACKS = "redos", "send_backs"
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="referrals", verbose_name="工单"
    )
    reason = models.CharField(
        "原因", max_length=16, choices=[(REDOS, "三次重办"), (SEND_BACKS, "三次退单")]
    )
    created_at = models.DateTimeField("移送时间")
    event_seq = models.PositiveIntegerField("事件序号")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = TicketScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "自动移送督办"
        verbose_name_plural = "自动移送督办"
        constraints = [models.UniqueConstraint(fields=["ticket", "reason"], name="uniq_referral")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.reason}"


class Accountability(models.Model):
    """追责问责: a named person or unit held responsible over a ticket."""

    MEASURES = {
        "talk": "约谈",
        "notice": "通报批评",
        "admonish": "诫勉谈话",
        "warning": "警告处分",
        "demerit": "记过处分",
        "other": "其他",
    }
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="accountabilities",
        verbose_name="工单",
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    person = models.CharField("责任人", max_length=64, blank=True)
    reason = models.TextField("问责事由")
    measure = models.CharField("问责方式", max_length=16, choices=list(MEASURES.items()))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    decided_at = models.DateTimeField("决定时间")

    objects = TicketScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "追责问责记录"
        verbose_name_plural = "追责问责记录"
        indexes = [models.Index(fields=["unit", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.get_measure_display()}"
