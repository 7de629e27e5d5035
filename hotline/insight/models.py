"""Stored fingerprints for finding repeats and duplicates without scanning every ticket."""

from __future__ import annotations

from django.db import models


class TicketSignature(models.Model):
    """One MinHash-LSH band key of a ticket's title (``similar.ticket_keys``): tickets that
    share keys are candidate repeats or duplicates. Written with the ticket, in its transaction."""

    # Looked up by key only (uniq_signature_key_ticket); tickets are never deleted (their
    # events protect them), so no index on ticket: 16 fewer index entries per registration.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="signatures", db_index=False
    )
    key = models.BigIntegerField()

    class Meta:
        verbose_name = "工单指纹"
        verbose_name_plural = "工单指纹"
        constraints = [
            models.UniqueConstraint(fields=["key", "ticket"], name="uniq_signature_key_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.key}"
