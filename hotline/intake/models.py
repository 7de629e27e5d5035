"""Rows of the citizen channels (DESIGN section 6).

Portal: one-time codes sent by SMS, rate-limit counters shared by every web process, photos
attached to a ticket, follow-up links already used. Bulk import: one row per imported source
row. None of these writes a ticket: tickets are registered through
``hotline.tickets.services.ticket_register`` and changed through ``ticket_transition``.
"""

from __future__ import annotations

from django.db import models


class PortalCode(models.Model):
    """A one-time code sent by SMS: to confirm the phone of a new request (``submit``) or to
    open a ticket (``lookup``, sent to the phone the ticket was registered with). Only a hash
    of the code is kept; a code is used at most once and refused after ``expires_at`` or after
    too many wrong tries."""

    SUBMIT, LOOKUP = "submit", "lookup"
    PURPOSES = [(SUBMIT, "提交诉求"), (LOOKUP, "查询工单")]

    purpose = models.CharField("用途", max_length=8, choices=PURPOSES)
    phone = models.CharField("手机号", max_length=32)
    number = models.CharField("工单编号", max_length=16, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    tries = models.PositiveSmallIntegerField("错误次数", default=0)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["purpose", "phone", "number", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """Hits of one key (``submit:ip:1.2.3.4``, ``code:phone:138...``) in one fixed window.
    Counted in the database, so every web process on every machine sees the same count."""

    key = models.CharField(max_length=160)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "限流计数"
        verbose_name_plural = "限流计数"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} {self.hits}"


class PortalPhoto(models.Model):
    """A photo a citizen attached to a request: checked by content, re-encoded to JPEG without
    its EXIF metadata. The original upload is never kept."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="portal_photos"
    )
    position = models.PositiveSmallIntegerField("序号")
    content_type = models.CharField(max_length=32, default="image/jpeg")
    data = models.BinaryField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "市民上传照片"
        verbose_name_plural = "市民上传照片"
        ordering = ["ticket_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "position"], name="portal_photo_position")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.position}"


class FollowUpLinkUse(models.Model):
    """A signed follow-up link that has been used: a link rates once."""

    token_hash = models.CharField(max_length=64)
    number = models.CharField("工单编号", max_length=16)
    used_at = models.DateTimeField("使用时间")

    class Meta:
        verbose_name = "回访链接使用记录"
        verbose_name_plural = "回访链接使用记录"
        constraints = [models.UniqueConstraint(fields=["token_hash"], name="follow_up_link_once")]

    def __str__(self) -> str:
        return self.number


class ImportedRow(models.Model):
    """A source row brought in by ``import_tickets``: a re-run finds it here and skips it."""

    mapping = models.CharField("映射", max_length=32)
    source_key = models.CharField("来源标识", max_length=128)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    file_name = models.CharField("文件", max_length=255)
    row_number = models.PositiveIntegerField("行号")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        constraints = [
            models.UniqueConstraint(fields=["mapping", "source_key"], name="imported_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.mapping}:{self.source_key}"
