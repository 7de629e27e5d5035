"""Base model and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hotline.core.chain import instant


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise PermissionError("append-only: rows cannot be updated")

    def delete(self):
        raise PermissionError("append-only: rows cannot be deleted")


class AppendOnly(models.Model):
    """Rows are written once. Updates and deletes through the application raise."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("append-only: rows cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("append-only: rows cannot be deleted")


class AuditEvent(AppendOnly):
    """Who did what outside a ticket's own timeline: showing a masked phone, logins, admin edits."""

    seq = models.BigAutoField("序号", primary_key=True)
    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=64)
    target = models.CharField("对象", max_length=128, blank=True)
    reason = models.TextField("理由", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计日志"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.action}"

    def chain_content(self) -> dict:
        return {
            "at": instant(self.at),
            "actor": self.actor_id,
            "action": self.action,
            "target": self.target,
            "reason": self.reason,
            "data": self.data,
        }


class PeriodicRun(models.Model):
    """One firing of a periodic job for one period. The unique constraint makes the job fire
    once per period however many schedulers run, on however many machines."""

    job = models.CharField("任务", max_length=64)
    period_start = models.DateTimeField("周期开始")
    fired_at = models.DateTimeField("执行时间", auto_now_add=True)
    scheduler = models.CharField("调度进程", max_length=128, blank=True)

    class Meta:
        verbose_name = "定时任务记录"
        verbose_name_plural = "定时任务记录"
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="uniq_periodic_run")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start}"
