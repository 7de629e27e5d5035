"""The outbox: every notification is a row written in the same transaction as the change
that causes it, then delivered by a worker."""

from __future__ import annotations

from django.db import models

from hotline.core.scoping import TicketScopedQuerySet


class Outbox(models.Model):
    PENDING, SENT, FAILED = "pending", "sent", "failed"

    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
        verbose_name="工单",
    )
    kind = models.CharField("类型", max_length=32)
    channel = models.CharField("通道", max_length=16, default="sms")
    recipient = models.CharField("接收人", max_length=64)
    template = models.CharField("模板", max_length=64)
    params = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=16, default=PENDING)  # see Meta.indexes
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    idempotency_key = models.CharField("幂等键", max_length=128)  # unique: Meta.constraints
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    receipt = models.CharField("回执", max_length=128, blank=True)

    objects = TicketScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知发件箱"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="outbox_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WorkGroup(models.Model):
    """A unit's WeCom (企业微信) work group: its group robot's webhook, and which of the unit's
    dispatches and warnings are posted there, mentioning the unit's handlers by mobile."""

    unit = models.OneToOneField(
        "orgs.Unit", on_delete=models.CASCADE, related_name="work_group", verbose_name="单位"
    )
    webhook_url = models.URLField(
        "群机器人 Webhook 地址",
        max_length=500,
        help_text="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...",
    )
    on_dispatch = models.BooleanField("派单时推送", default=True)
    on_warning = models.BooleanField("黄灯/红灯预警时推送", default=True)
    mention_handlers = models.BooleanField("@本单位承办人", default=True)
    extra_mobiles = models.CharField(
        "另行@的手机号", max_length=255, blank=True, help_text="多个用逗号分隔"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "企业微信工作群"
        verbose_name_plural = "企业微信工作群"

    def __str__(self) -> str:
        return f"{self.unit} 工作群"
