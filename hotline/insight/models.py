"""Stored fingerprints for finding repeats and duplicates without scanning every ticket."""

from __future__ import annotations

from django.db import models


class TicketSignature(models.Model):
    """One MinHash-LSH band key of a ticket's title (``similar.ticket_keys``): tickets that
    share keys are candidate repeats or duplicates. Written with the ticket, in its transaction."""

    # Looked up by key only (uniq_signature_key_ticket); tickets are never deleted (their
    # events protect them), so no index on ticket: 16 fewer index entries per registration.
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="signatures",
        db_index=False,
        verbose_name="工单",
    )
    key = models.BigIntegerField("指纹")

    class Meta:
        verbose_name = "工单指纹"
        verbose_name_plural = "工单指纹"
        constraints = [
            models.UniqueConstraint(fields=["key", "ticket"], name="uniq_signature_key_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.key}"


class RoutingRule(models.Model):
    """An admin's rule for who gets a leaf's tickets (like Signalen's routing rules): when the
    leaf, the place, the words and the urgency match, the unit named here (or the district of
    the place) is suggested. The active matching rule with the highest priority wins; without
    one, the leaf's owner decides."""

    name = models.CharField("名称", max_length=100)
    active = models.BooleanField("启用", default=True)
    priority = models.IntegerField("优先级", default=0, help_text="高者优先")
    category = models.ForeignKey(
        "orgs.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="分类",
        help_text="此分类及其下级；空：任何分类",
    )
    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="区域",
        help_text="此区域及其下级；空：任何地点",
    )
    keywords = models.TextField(
        "关键词", blank=True, help_text="任一出现即匹配，以空格或逗号分隔；空：不限"
    )
    urgency = models.CharField(
        "紧急程度",
        max_length=16,
        blank=True,
        choices=[("normal", "一般"), ("urgent", "紧急"), ("emergency", "特急")],
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办单位",
        help_text="空：派给地点所在的区（属地）",
    )

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return self.name


class DispatchRecord(models.Model):
    """What was suggested when a ticket was dispatched and what the dispatcher chose: the
    acceptance rates per leaf and per rule, and what retraining learns from."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name="工单"
    )
    at = models.DateTimeField("时间", db_index=True)
    actor = models.CharField("派单员", max_length=150, blank=True)
    suggested = models.JSONField("建议", default=list)
    suggested_category = models.CharField("建议分类", max_length=32, blank=True)
    suggested_unit = models.CharField("建议单位", max_length=32, blank=True)
    rule = models.ForeignKey(
        RoutingRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        verbose_name="规则",
    )
    chosen_unit = models.CharField("选定单位", max_length=32)
    chosen_category = models.CharField("工单分类", max_length=32, blank=True)
    accepted = models.BooleanField("采纳首选单位", default=False)
    unit_in_top3 = models.BooleanField("单位在前三", default=False)

    class Meta:
        verbose_name = "派单记录"
        verbose_name_plural = "派单记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.suggested_unit} -> {self.chosen_unit}"


class RepeatCheck(models.Model):
    """The repeat detector's verdict on one ticket, taken once (``services.repeats_check``):
    whether it repeats an earlier ticket of the same citizen within a year, and which (the best
    scored). The assessment counts these verdicts as its ``repeats``, so the count and the
    ticket's "possible repeats" list follow one definition (docs/assessment.md)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="repeat_check",
        verbose_name="工单",
    )
    repeat_of = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="重复的工单",
    )
    score = models.FloatField("相似度", null=True, blank=True)
    reasons = models.JSONField("依据", default=list, blank=True)
    checked_at = models.DateTimeField("判定时间")

    class Meta:
        verbose_name = "重复投诉判定"
        verbose_name_plural = "重复投诉判定"

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.repeat_of_id}"


class HotSpotSnapshot(models.Model):
    """The hot spots of a scope's tickets over the last ``days`` days, as found at
    ``computed_at`` (``services.hot_spots_refresh``, run by the worker every few minutes): the
    dashboard shows the newest snapshot and its links list the tickets of that snapshot, so a
    hot spot's count always equals its list, even after newer tickets arrived."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="范围"
    )
    days = models.PositiveSmallIntegerField("天数")
    computed_at = models.DateTimeField("计算时间")
    # [{rank, topic, place, heat, growth, count, citizens, examples: [{id, title}], ids}]
    spots = models.JSONField("热点", default=list)

    class Meta:
        verbose_name = "热点快照"
        verbose_name_plural = "热点快照"
        indexes = [models.Index(fields=["unit", "days", "-computed_at"], name="hotspot_latest")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.days}d {self.computed_at:%Y-%m-%d %H:%M}"
