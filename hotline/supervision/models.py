from __future__ import annotations

from django.conf import settings
from django.db import models


class SupervisionOrder(models.Model):
    """督办单: a supervisor's formal push on a ticket with its own deadline. Level 2 = 二次督办."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="supervision_orders"
    )
    level = models.PositiveSmallIntegerField("督办次数")
    note = models.TextField("督办意见")
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="被督办单位",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    event_seq = models.PositiveIntegerField()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "level"], name="uniq_supervision_level")
        ]

    def __str__(self) -> str:
        return f"督办 {self.ticket_id} #{self.level}"
