"""Models of the intake channels. Each channel keeps its own section; tickets themselves live
in hotline.tickets and are written only through its services."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# =============================================================================================
# Open311 GeoReport v2 (hotline/intake/open311/)
# =============================================================================================


class Open311Key(models.Model):
    """An API key of an outside system filing requests through Open311. Only the SHA-256 of
    the key is stored; the key itself is shown once, when it is made. Each key acts as its own
    integration user (role ``integration`` at the centre), so its tickets name it."""

    name = models.CharField("名称", max_length=64, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_key",
        verbose_name="接口用户",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Open311Request(models.Model):
    """What an Open311 POST brought besides the ticket: the submitter's fields the ticket has
    no column for, and the client's token (its ``Idempotency-Key``), for GET tokens/{token}."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="open311", verbose_name="工单"
    )
    key = models.ForeignKey(
        Open311Key, on_delete=models.PROTECT, related_name="requests", verbose_name="接口密钥"
    )
    token = models.CharField("令牌", max_length=128, null=True, blank=True)  # noqa: DJ001
    email = models.CharField(max_length=254, blank=True)
    device_id = models.CharField(max_length=128, blank=True)
    account_id = models.CharField(max_length=128, blank=True)
    media_url = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Open311 诉求"
        verbose_name_plural = "Open311 诉求"
        constraints = [
            models.UniqueConstraint(fields=["key", "token"], name="open311_token_per_key")
        ]
        indexes = [models.Index(fields=["token"], name="open311_token")]

    def __str__(self) -> str:
        return f"open311 {self.ticket_id}"


# =============================================================================================
# WeChat Official Account (hotline/intake/wechat/)
# =============================================================================================


class WechatConversation(models.Model):
    """Where one citizen (OpenID) is in the conversation that gathers a request."""

    openid = models.CharField(max_length=64, unique=True)
    step = models.CharField(max_length=16, default="idle")  # idle, description, place, confirm
    description = models.TextField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    pictures = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()
    last_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "微信会话"
        verbose_name_plural = "微信会话"

    def __str__(self) -> str:
        return f"{self.openid} ({self.step})"


class WechatMessage(models.Model):
    """A message received (by MsgId, or sender and time for events) and the reply it got, so a
    redelivery gets the same reply and changes nothing."""

    key = models.CharField(max_length=128, unique=True)
    openid = models.CharField(max_length=64)
    reply = models.TextField(blank=True)
    replied_at = models.BigIntegerField(default=0)  # the reply's CreateTime
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "微信消息"
        verbose_name_plural = "微信消息"

    def __str__(self) -> str:
        return self.key


class WechatTicket(models.Model):
    """A ticket registered through WeChat: whom to send its progress notices to, and up to
    which timeline event they were sent."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.PROTECT, related_name="wechat")
    openid = models.CharField(max_length=64)
    notified_seq = models.PositiveIntegerField(default=1)  # the register event needs none

    class Meta:
        verbose_name = "微信工单"
        verbose_name_plural = "微信工单"

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.openid}"
