"""Scoring rule sets (edited in the admin, frozen once a publication used them) and published
months (append-only: a correction is the next version, nothing rewrites a version)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from hotline.core.models import AppendOnly

from . import formulas


class RuleSet(models.Model):
    """A versioned scoring rule set. The one in force for a month is the highest version whose
    ``effective_from`` is on or before the month's first day. A rule set a publication used is
    frozen: change the rules by saving a new version (the admin's "save as new")."""

    version = models.PositiveIntegerField("版本", unique=True)
    name = models.CharField("名称", max_length=100)
    effective_from = models.DateField("生效月份起")
    note = models.TextField("说明", blank=True)
    w_timely_transfer = models.FloatField(
        "权重：及时转办率", default=formulas.DEFAULT_WEIGHTS["timely_transfer_rate"]
    )
    w_timely_acceptance = models.FloatField(
        "权重：及时签收率", default=formulas.DEFAULT_WEIGHTS["timely_acceptance_rate"]
    )
    w_completion = models.FloatField(
        "权重：办结率", default=formulas.DEFAULT_WEIGHTS["completion_rate"]
    )
    w_on_time = models.FloatField(
        "权重：按时办结率", default=formulas.DEFAULT_WEIGHTS["on_time_rate"]
    )
    w_follow_up = models.FloatField(
        "权重：回访率", default=formulas.DEFAULT_WEIGHTS["follow_up_rate"]
    )
    w_satisfaction = models.FloatField(
        "权重：满意率", default=formulas.DEFAULT_WEIGHTS["satisfaction_rate"]
    )
    w_repeat = models.FloatField(
        "权重：重复投诉率（越低越好）", default=formulas.DEFAULT_WEIGHTS["repeat_rate"]
    )
    w_send_back = models.FloatField(
        "权重：退单率（越低越好）", default=formulas.DEFAULT_WEIGHTS["send_back_rate"]
    )
    p_late_transfer = models.FloatField(
        "扣分：每件转办不及时", default=formulas.DEFAULT_POINTS["late_transfer"]
    )
    p_red_warning = models.FloatField(
        "扣分：每件红灯预警", default=formulas.DEFAULT_POINTS["red_warning"]
    )
    p_supervision_order = models.FloatField(
        "扣分：每件督办", default=formulas.DEFAULT_POINTS["supervision_order"]
    )
    p_accountability = models.FloatField(
        "扣分：每件追责问责", default=formulas.DEFAULT_POINTS["accountability"]
    )
    p_spot_check = models.FloatField(
        "扣分：每件抽查不合格",
        default=formulas.DEFAULT_POINTS["spot_check"],
        help_text="每周抽查（工单质检）得分率低于合格线的每件工单扣分",
    )
    spot_pass_score = models.FloatField(
        "抽查合格线（得分率%）",
        default=formulas.DEFAULT_SPOT_PASS,
        help_text="抽查工单的得分低于满分的这一百分比即为不合格",
    )
    min_received = models.PositiveIntegerField("参与排名的最低受理量", default=1)
    bands = models.CharField(
        "受理量分档",
        max_length=255,
        blank=True,
        help_text="name:lowest received, comma separated, e.g. 小:0, 中:500, 大:5000",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核规则"
        verbose_name_plural = "考核规则"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    WEIGHT_FIELDS = {
        "timely_transfer_rate": "w_timely_transfer",
        "timely_acceptance_rate": "w_timely_acceptance",
        "completion_rate": "w_completion",
        "on_time_rate": "w_on_time",
        "follow_up_rate": "w_follow_up",
        "satisfaction_rate": "w_satisfaction",
        "repeat_rate": "w_repeat",
        "send_back_rate": "w_send_back",
    }
    POINT_FIELDS = {
        "late_transfer": "p_late_transfer",
        "red_warning": "p_red_warning",
        "supervision_order": "p_supervision_order",
        "accountability": "p_accountability",
        "spot_check": "p_spot_check",
    }

    def clean(self) -> None:
        try:
            formulas.parse_bands(self.bands)
        except ValueError as exc:
            raise ValidationError({"bands": str(exc)}) from None
        for name in (*self.WEIGHT_FIELDS.values(), *self.POINT_FIELDS.values()):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                raise ValidationError({name: "must not be negative"})
        if self.spot_pass_score is not None and not 0 <= self.spot_pass_score <= 100:
            raise ValidationError({"spot_pass_score": "a percentage, 0 to 100"})

    def as_rules(self) -> formulas.Rules:
        return formulas.Rules(
            version=self.version,
            weights={rate: getattr(self, f) for rate, f in self.WEIGHT_FIELDS.items()},
            points={rule: getattr(self, f) for rule, f in self.POINT_FIELDS.items()},
            min_received=self.min_received,
            bands=formulas.parse_bands(self.bands),
            spot_pass=self.spot_pass_score,
        )

    @property
    def frozen(self) -> bool:
        return self.pk is not None and self.publications.exists()


class Publication(AppendOnly):
    """One published version of a month: the rows of every assessed unit as computed at
    ``cut_off`` (= ``published_at``), under the frozen rule set."""

    month = models.DateField("月份")  # first day of the month
    version = models.PositiveIntegerField("版本")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )
    note = models.TextField("更正说明", blank=True)
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="publications", verbose_name="考核规则"
    )
    rules = models.JSONField("规则快照")
    cut_off = models.DateTimeField("截止时间")
    rows = models.JSONField("各单位指标")

    class Meta:
        verbose_name = "考核发布"
        verbose_name_plural = "考核发布"
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="uniq_publication_version")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"


class PublishedTicket(AppendOnly):
    """One ticket behind one count of one unit in a publication."""

    publication = models.ForeignKey(
        Publication,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
        verbose_name="发布批次",
    )
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="单位"
    )
    metric = models.CharField("指标", max_length=32)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name="工单"
    )

    class Meta:
        verbose_name = "发布工单明细"
        verbose_name_plural = "发布工单明细"
        indexes = [models.Index(fields=["publication", "unit", "metric"])]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.unit_id} {self.metric} {self.ticket_id}"


# --- per-ticket assessment facts (docs/assessment.md, "How the counts are computed") ---------


class TicketConditions(models.Model):  # noqa: DJ008 - abstract
    """A ticket's conditions with no cut-off (every recorded row), those that depend on the
    cut-off stored as the moment they compare."""

    merged = models.BooleanField("已并单", default=False)
    replied = models.BooleanField("已答复", default=False)
    followed = models.BooleanField("已回访", default=False)
    # followed, and the last good rating (a satisfied follow-up or a review found proper)
    # comes at or after the last follow-up
    satisfied = models.BooleanField("满意", default=False)
    # the first reply stopped a handling clock on or before its deadline
    on_time = models.BooleanField("按时答复", default=False)
    # the earliest deadline of the handling clocks still running (overdue at C: not replied
    # and running_due_at <= C)
    running_due_at = models.DateTimeField("办理时限（运行中）", null=True)
    first_reply_at = models.DateTimeField("首次答复时间", null=True)
    repeated = models.BooleanField("重复投诉", default=False)
    # the registering centre (its parent and covered unit are read at query time: 自办件)
    centre = models.ForeignKey(
        "orgs.HotlineCentre",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="登记中心",
    )
    channel = models.CharField("渠道", max_length=16)
    kind = models.CharField("诉求类型", max_length=16)
    category_id = models.IntegerField("分类", null=True)

    class Meta:
        abstract = True


class TicketFact(TicketConditions):
    """What the counts read of one ticket, kept true by the write path (``facts.py``): one row
    per ticket with a lead assignment."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="工单",
    )

    class Meta:
        verbose_name = "考核工单事实"
        verbose_name_plural = "考核工单事实"

    def __str__(self) -> str:
        return str(self.ticket_id)


class UnitFact(TicketConditions):
    """What the counts read of one ticket for one unit at or above a unit it reached as lead:
    when it first reached the unit's sub-tree, whether a unit of the sub-tree sent it back
    validly (out of the cohort), what units of the sub-tree did (flags), the worst case spot
    check of the sub-tree and the sub-tree's first accept clock; and a copy of its ticket's
    conditions, so that a month's counts read one index range of one table (joined to
    TicketFact, the read scanned the whole of it: docs/assessment.md)."""

    fact = models.ForeignKey(
        TicketFact,
        on_delete=models.CASCADE,
        db_column="ticket_id",
        related_name="units",
        verbose_name="工单事实",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        db_index=False,
        related_name="+",
        verbose_name="单位",
    )
    reached_at = models.DateTimeField("首次到达时间")
    sb_valid = models.BooleanField("有效退单", default=False)
    fwd = models.BooleanField("已转办", default=False)
    late = models.BooleanField("转办超时", default=False)
    sb_invalid = models.BooleanField("无效退单", default=False)
    red = models.BooleanField("红灯预警", default=False)
    sup = models.BooleanField("督办", default=False)
    acc = models.BooleanField("追责问责", default=False)  # an accountability record
    # the sub-tree's case spot check of the lowest points / max points (max > 0)
    spot_points = models.IntegerField("抽查得分", null=True)
    spot_max = models.IntegerField("抽查满分", null=True)
    # the local day of reached_at and of first_reply_at and their seconds since local
    # midnight (avg_handling_days sums them per day: setcounts.local_day, local_secs)
    reach_day = models.DateField("到达日", null=True)
    reach_secs = models.DecimalField("到达秒数", max_digits=12, decimal_places=6, null=True)
    reply_day = models.DateField("答复日", null=True)
    reply_secs = models.DecimalField("答复秒数", max_digits=12, decimal_places=6, null=True)
    # the sub-tree's first accept clock
    accept_started_at = models.DateTimeField("签收计时开始", null=True)
    accept_stopped_at = models.DateTimeField("签收计时结束", null=True)
    accept_due_at = models.DateTimeField("签收时限", null=True)
    accept_stop_reason = models.CharField("签收计时结束原因", max_length=16, null=True)  # noqa: DJ001 - none: NULL

    class Meta:
        verbose_name = "考核单位事实"
        verbose_name_plural = "考核单位事实"
        indexes = [models.Index(fields=["unit", "reached_at"], name="unitfact_unit_reach")]
        constraints = [
            models.UniqueConstraint(fields=["fact", "unit"], name="uniq_unitfact_ticket_unit")
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} {self.unit_id}"


class FactsState(models.Model):
    """One row: whether the facts are complete and true for the current unit tree. Set by a
    rebuild; cleared in the same transaction as a move of a unit that facts were built on
    (paths decide the sub-trees) and by the start of a rebuild. No row: not ready."""

    ready = models.BooleanField("可用", default=False)
    changed_at = models.DateTimeField("变更时间", null=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "考核事实状态"
        verbose_name_plural = "考核事实状态"

    def __str__(self) -> str:
        return f"ready={self.ready}"


class FactMonth(models.Model):
    """A counter per unit and month of first reach (local month), raised in the transaction of
    every write of the facts of a ticket that reached the unit's sub-tree that month: a month's
    counts computed at version N still hold while the version is N (and no deadline of its
    cohort has passed since: ``MonthCounts.valid_until``)."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位"
    )
    month = models.DateField("月份")  # the first day
    version = models.BigIntegerField("版本", default=1)

    class Meta:
        verbose_name = "考核事实月版本"
        verbose_name_plural = "考核事实月版本"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="factmonth_unit_month")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} v{self.version}"


class MonthCounts(models.Model):
    """A unit's counts of one month at a live cut-off, kept for the 12-month trend
    (``setcounts.monthly_counts``): read again while the month's ``FactMonth`` version, the
    spot-check pass mark and the hotline centres are what they were and no deadline of the
    cohort has passed (``valid_until``); recomputed otherwise."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位"
    )
    month = models.DateField("月份")
    version = models.BigIntegerField("事实版本")
    spot_pass = models.FloatField("抽查合格线")
    centres = models.CharField("热线中心", max_length=64)  # a digest of the centres' tree
    computed_at = models.DateTimeField("计算时间")
    # The first moment a count of the month changes with time alone (a running deadline
    # passes); None: none is running.
    valid_until = models.DateTimeField("有效至", null=True)
    counts = models.JSONField("计数")

    class Meta:
        verbose_name = "月度计数缓存"
        verbose_name_plural = "月度计数缓存"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="monthcounts_unit_month")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} v{self.version}"
