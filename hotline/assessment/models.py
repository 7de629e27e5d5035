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
        indexes = [
            models.Index(fields=["unit", "reached_at"], name="unitfact_unit_reach"),
            # The rows whose counts change with time or the rules (sums.py reads them live):
            # a handling clock running, an accept clock running, a scored case spot check.
            models.Index(
                fields=["unit", "reached_at"],
                name="unitfact_unit_reach_live",
                condition=models.Q(replied=False, running_due_at__isnull=False)
                | models.Q(accept_stopped_at__isnull=True, accept_due_at__isnull=False)
                | models.Q(spot_max__gt=0),
                # read from the index alone (PostgreSQL): a month's open rows are tens of
                # thousands at a large city's size, scattered over the table
                include=[
                    "reach_day",
                    "replied",
                    "running_due_at",
                    "accept_started_at",
                    "accept_stopped_at",
                    "accept_due_at",
                    "spot_points",
                    "spot_max",
                    "sb_valid",
                    "merged",
                ],  # fmt: skip
            ),
        ]
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


# --- running sums of the facts (docs/assessment.md, "The sums") --------------------------------

# The counts a cohort row adds to whatever the cut-off, once it is recorded (the cut-off now):
# the sums keep them; ``received_own`` is read from the registering centre at query time, and
# ``overdue``, the open part of ``accept_due`` and ``spot_checks_failed`` (a deadline passing, the
# pass mark) from the few fact rows they can hold for (sums.py).
SUM_COUNTS = (
    "forwarded",
    "forwarded_late",
    "accepted_on_time",
    "accept_closed",  # an accept clock that started and stopped (its part of accept_due)
    "replied",
    "replied_on_time",
    "followed_up",
    "satisfied",
    "repeats",
    "send_backs_invalid",
    "red_warnings",
    "supervision_orders",
    "accountabilities",
)


class FoldedSum(models.Model):  # noqa: DJ008 - abstract
    """A change to a running sum of a unit (sums.py): appended by the write path, folded by the
    worker into one row per key (``compacted``)."""

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, db_index=False, related_name="+",
        verbose_name="单位",
    )  # fmt: skip
    compacted = models.BooleanField("已合并", default=False)

    class Meta:
        abstract = True


class CohortSum(FoldedSum):
    """A change to the sums of a unit's cohort rows (``UnitFact``, not merged, not validly sent
    back) that first reached its sub-tree on one local day and were registered by one centre:
    the write path adds one row per (unit, day, centre) for the rows it removes (negative) and
    one for those it writes; the worker folds each key's rows into one (``compacted``)."""

    reach_day = models.DateField("到达日")
    centre_id = models.IntegerField("登记中心")  # 0: none
    n = models.BigIntegerField("受理量", default=0)
    forwarded = models.BigIntegerField("转办", default=0)
    forwarded_late = models.BigIntegerField("转办超时", default=0)
    accepted_on_time = models.BigIntegerField("按时签收", default=0)
    accept_closed = models.BigIntegerField("签收计时已结束", default=0)
    replied = models.BigIntegerField("已答复", default=0)
    replied_on_time = models.BigIntegerField("按时答复", default=0)
    followed_up = models.BigIntegerField("已回访", default=0)
    satisfied = models.BigIntegerField("满意", default=0)
    repeats = models.BigIntegerField("重复投诉", default=0)
    send_backs_invalid = models.BigIntegerField("无效退单", default=0)
    red_warnings = models.BigIntegerField("红灯预警", default=0)
    supervision_orders = models.BigIntegerField("督办", default=0)
    accountabilities = models.BigIntegerField("追责问责", default=0)
    # the sum of the seconds since local midnight of the replied rows' reach
    reach_secs = models.DecimalField("到达秒数合计", max_digits=24, decimal_places=6, default=0)

    class Meta:
        verbose_name = "考核事实合计"
        verbose_name_plural = "考核事实合计"
        indexes = [
            # read from the index alone (PostgreSQL): the city's month is a few thousand rows
            models.Index(
                fields=["unit", "reach_day"],
                name="cohortsum_unit_day",
                include=["centre_id", "n", *SUM_COUNTS, "reach_secs"],
            ),
            models.Index(
                fields=["unit", "reach_day", "centre_id"],
                name="cohortsum_fresh",
                condition=models.Q(compacted=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.reach_day} {self.centre_id} n={self.n}"


class ReplySum(FoldedSum):
    """A change to the number of a unit's replied cohort rows that reached its sub-tree in one
    local month and were first replied on one local day, and to the sum of their reply's
    seconds since local midnight (``avg_handling_days``); written and folded as ``CohortSum``."""

    month = models.DateField("到达月")  # the first day
    reply_day = models.DateField("答复日")
    n = models.BigIntegerField("已答复", default=0)
    secs = models.DecimalField("答复秒数合计", max_digits=24, decimal_places=6, default=0)

    class Meta:
        verbose_name = "考核答复合计"
        verbose_name_plural = "考核答复合计"
        indexes = [
            models.Index(fields=["unit", "month"], name="replysum_unit_month"),
            models.Index(
                fields=["unit", "month", "reply_day"],
                name="replysum_fresh",
                condition=models.Q(compacted=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.reply_day} n={self.n}"


class GroupSum(FoldedSum):
    """A change to the number of a unit's cohort rows by channel and local day of first reach
    of its sub-tree, or by kind or category and local month (``dim``: ``channel``, ``kind`` or
    ``category``; ``day``: the day for a channel, the month's first day otherwise; ``value``:
    the code, or the category's id, '' for none): the dashboard's volume and breakdowns.
    Written and folded as ``CohortSum``."""

    day = models.DateField("日期")
    dim = models.CharField("维度", max_length=8)
    value = models.CharField("取值", max_length=32, blank=True)
    n = models.BigIntegerField("受理量", default=0)

    class Meta:
        verbose_name = "考核分组合计"
        verbose_name_plural = "考核分组合计"
        indexes = [
            models.Index(fields=["unit", "day"], name="groupsum_unit_day"),
            models.Index(
                fields=["unit", "day", "dim", "value"],
                name="groupsum_fresh",
                condition=models.Q(compacted=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.dim}={self.value} n={self.n}"


class CoFact(models.Model):
    """A ticket with a co-handling assignment to a unit of the unit's sub-tree in one local
    month (``co_handled``), kept by the write path with the other facts."""

    fact = models.ForeignKey(
        TicketFact, on_delete=models.CASCADE, db_column="ticket_id", related_name="co_units",
        verbose_name="工单事实",
    )  # fmt: skip
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.CASCADE, db_index=False, related_name="+",
        verbose_name="单位",
    )  # fmt: skip
    month = models.DateField("月份")  # the first day

    class Meta:
        verbose_name = "考核协办事实"
        verbose_name_plural = "考核协办事实"
        constraints = [
            models.UniqueConstraint(fields=["fact", "unit", "month"], name="uniq_cofact")
        ]

    def __str__(self) -> str:
        return f"{self.fact_id} {self.unit_id} {self.month:%Y-%m}"


class CoSum(FoldedSum):
    """A change to the number of a unit's co-handled tickets (not merged) of one local month
    (``CoFact``); written and folded as ``CohortSum``."""

    month = models.DateField("月份")
    n = models.BigIntegerField("协办", default=0)

    class Meta:
        verbose_name = "考核协办合计"
        verbose_name_plural = "考核协办合计"
        indexes = [
            models.Index(fields=["unit", "month"], name="cosum_unit_month"),
            models.Index(
                fields=["unit", "month"], name="cosum_fresh", condition=models.Q(compacted=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} n={self.n}"
