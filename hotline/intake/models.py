"""Rows of the citizen channels (DESIGN section 6).

Portal: one-time codes sent by SMS, rate-limit counters shared by every web process, photos
attached to a ticket, follow-up links already used. Bulk import: one row per imported source
row. None of these writes a ticket: tickets are registered through
``hotline.tickets.services.ticket_register`` and changed through ``ticket_transition``.
"""

from __future__ import annotations

from django.conf import settings
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
    code_hash = models.CharField("验证码摘要", max_length=64)
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

    key = models.CharField("计数键", max_length=160)
    window_start = models.DateTimeField("窗口开始")
    hits = models.PositiveIntegerField("次数", default=0)

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
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="portal_photos",
        verbose_name="工单",
    )
    position = models.PositiveSmallIntegerField("序号")
    content_type = models.CharField("文件类型", max_length=32, default="image/jpeg")
    data = models.BinaryField("内容")
    width = models.PositiveIntegerField("宽度")
    height = models.PositiveIntegerField("高度")
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256 摘要", max_length=64)
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

    token_hash = models.CharField("链接摘要", max_length=64)
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
        "tickets.Ticket",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="工单",
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


# =============================================================================================
# Open311 GeoReport v2 (hotline/intake/open311/)
# =============================================================================================


class Open311Key(models.Model):
    """An API key of an outside system filing requests through Open311. Only the SHA-256 of
    the key is stored; the key itself is shown once, when it is made. Each key acts as its own
    integration user (role ``integration`` at the centre), so its tickets name it."""

    name = models.CharField("名称", max_length=64, unique=True)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
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


class Open311Attribute(models.Model):
    """An extra field a service asks for when a request is filed (GeoReport v2's service
    definition ``attributes``), kept per catalogue leaf in the admin. A service with any has
    ``metadata`` true; POST requests takes them as ``attribute[code]=value``."""

    DATATYPES = [
        ("string", "文本（单行）"),
        ("text", "文本（多行）"),
        ("number", "数字"),
        ("datetime", "日期时间"),
        ("singlevaluelist", "单选"),
        ("multivaluelist", "多选"),
    ]

    category = models.ForeignKey(
        "orgs.Category",
        on_delete=models.CASCADE,
        related_name="open311_attributes",
        verbose_name="服务（目录末级）",
    )
    code = models.CharField("代码", max_length=64)
    description = models.CharField("问题", max_length=255)
    datatype = models.CharField("类型", max_length=16, choices=DATATYPES, default="string")
    required = models.BooleanField("必填", default=False)
    datatype_description = models.CharField("填写说明", max_length=255, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    values = models.JSONField(
        "选项",
        default=list,
        blank=True,
        help_text='单选、多选的选项：[{"key": "1", "name": "路灯"}, ...]',
    )

    class Meta:
        verbose_name = "Open311 服务字段"
        verbose_name_plural = "Open311 服务字段"
        ordering = ["category_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"


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
    email = models.CharField("电子邮箱", max_length=254, blank=True)
    device_id = models.CharField("设备标识", max_length=128, blank=True)
    account_id = models.CharField("账号标识", max_length=128, blank=True)
    media_url = models.CharField("图片链接", max_length=1000, blank=True)  # a link, never fetched
    # attribute[code] values, checked against the service's attributes
    attributes = models.JSONField("服务字段", default=dict, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

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

    openid = models.CharField("微信用户标识", max_length=64, unique=True)
    step = models.CharField(
        "当前步骤", max_length=16, default="idle"
    )  # idle, description, place, confirm
    description = models.TextField("诉求描述", blank=True)
    address = models.CharField("地址", max_length=255, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    pictures = models.JSONField("图片", default=list, blank=True)
    # guessed from the text, or as the citizen corrected it
    kind = models.CharField("诉求类型", max_length=16, blank=True)
    updated_at = models.DateTimeField("更新时间")
    last_ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="最近工单",
    )

    class Meta:
        verbose_name = "微信会话"
        verbose_name_plural = "微信会话"

    def __str__(self) -> str:
        return f"{self.openid} ({self.step})"


class WechatMessage(models.Model):
    """A message received (by MsgId, or sender and time for events) and the reply it got, so a
    redelivery gets the same reply and changes nothing."""

    key = models.CharField("消息标识", max_length=128, unique=True)
    openid = models.CharField("微信用户标识", max_length=64)
    reply = models.TextField("回复内容", blank=True)
    replied_at = models.BigIntegerField("回复时间戳", default=0)  # the reply's CreateTime
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="工单",
    )
    created_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "微信消息"
        verbose_name_plural = "微信消息"

    def __str__(self) -> str:
        return self.key


class WechatTicket(models.Model):
    """A ticket registered through WeChat: whom to send its progress notices to, and up to
    which timeline event they were sent."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="wechat", verbose_name="工单"
    )
    openid = models.CharField("微信用户标识", max_length=64)
    notified_seq = models.PositiveIntegerField(
        "已通知事件序号", default=1
    )  # the register event needs none

    class Meta:
        verbose_name = "微信工单"
        verbose_name_plural = "微信工单"

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.openid}"
