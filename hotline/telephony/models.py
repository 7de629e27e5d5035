"""Call records from the telephony system (DESIGN sections 6, 9) and their links to tickets."""

from __future__ import annotations

from django.db import models

from .records import OUTCOMES


class CallRecord(models.Model):
    call_id = models.CharField("呼叫编号", max_length=64)  # unique: Meta.constraints
    line = models.CharField("线路", max_length=32)
    caller = models.CharField("主叫号码", max_length=32, blank=True)
    queued_at = models.DateTimeField("排队时间")
    answered_at = models.DateTimeField("接听时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间")
    agent = models.CharField("话务员", max_length=150, blank=True)  # username, "" for none
    outcome = models.CharField("结果", max_length=16, choices=[(o, o) for o in OUTCOMES])
    recording_ref = models.CharField("录音", max_length=255, blank=True)
    # Microseconds from queueing to answer (NULL: never answered), written with the row so that
    # "answered within 15 s" is a plain comparison on every database.
    wait_us = models.BigIntegerField("等待时长(微秒)", null=True, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "通话记录"
        verbose_name_plural = "通话记录"
        constraints = [
            models.UniqueConstraint(fields=["call_id"], name="callrecord_call_id_unique")
        ]
        indexes = [
            models.Index(fields=["queued_at", "line"], name="callrecord_queued_line"),
            models.Index(fields=["caller", "queued_at"], name="callrecord_caller_queued"),
        ]

    def __str__(self) -> str:
        return self.call_id


class CallTicket(models.Model):
    """A ticket registered from a call (linked explicitly by the agent or the intake screen)."""

    call = models.ForeignKey(
        CallRecord, on_delete=models.CASCADE, related_name="ticket_links", verbose_name="来电"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name="工单",
    )
    linked_by = models.CharField("关联方式", max_length=150)
    linked_at = models.DateTimeField("关联时间", auto_now_add=True)

    class Meta:
        verbose_name = "来电工单"
        verbose_name_plural = "来电工单"
        constraints = [models.UniqueConstraint(fields=["ticket", "call"], name="callticket_unique")]

    def __str__(self) -> str:
        return f"{self.call_id} -> {self.ticket_id}"
