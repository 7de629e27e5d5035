"""Follow-up and third-party review: the evaluators' roster, review assignments and the
supervisors' re-check of verdicts (DESIGN sections 4 and 7)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Evaluator(models.Model):
    """A third-party evaluator (第三方评价员): a professional, or a volunteer who is a people's
    deputy (人大代表), a CPPCC member (政协委员) or from the media. The units and districts they
    belong to are never given their tickets to review."""

    PROFESSIONAL, VOLUNTEER = "professional", "volunteer"
    KINDS = [(PROFESSIONAL, "专业评价员"), (VOLUNTEER, "志愿评价员")]
    SUB_KINDS = [("deputy", "人大代表"), ("member", "政协委员"), ("media", "媒体")]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluator_profile",
        verbose_name="用户",
    )
    kind = models.CharField("类型", max_length=16, choices=KINDS, default=PROFESSIONAL)
    sub_kind = models.CharField("志愿者身份", max_length=16, choices=SUB_KINDS, blank=True)
    units = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name="所属单位"
    )
    districts = models.ManyToManyField(
        "orgs.Region",
        blank=True,
        related_name="+",
        verbose_name="所属区",
        limit_choices_to={"level": "district"},
    )
    active = models.BooleanField("在册", default=True)
    # The evaluators' coordinators (评价员协调人) get the review clock's red warnings and the
    # warnings of a ticket nobody is assigned yet, by SMS to their login's phone.
    coordinator = models.BooleanField(
        "评价员协调人", default=False, help_text="接收评价超期（红色）预警和未分配评价件的预警短信"
    )
    note = models.CharField("备注", max_length=255, blank=True)

    class Meta:
        verbose_name = "第三方评价员"
        verbose_name_plural = "第三方评价员名册"

    def __str__(self) -> str:
        return getattr(self.user, "display_name", "") or self.user.username

    def clean(self) -> None:
        if self.kind == self.VOLUNTEER and not self.sub_kind:
            raise ValidationError({"sub_kind": "志愿评价员须注明身份（人大代表、政协委员或媒体）"})
        if self.kind == self.PROFESSIONAL and self.sub_kind:
            raise ValidationError({"sub_kind": "专业评价员无志愿者身份"})


class ReviewAssignment(models.Model):
    """A dissatisfied ticket given to an evaluator, with the review clock (due_at)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name="工单"
    )
    evaluator = models.ForeignKey(
        Evaluator, on_delete=models.PROTECT, related_name="assignments", verbose_name="评价员"
    )
    round = models.PositiveIntegerField("轮次", default=0)  # the ticket's redo count then
    seed = models.BigIntegerField("随机种子")
    assigned_at = models.DateTimeField("分配时间")
    yellow_at = models.DateTimeField("黄灯时间", null=True, blank=True)
    due_at = models.DateTimeField("评价时限", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    event_seq = models.PositiveIntegerField("评价事件", null=True, blank=True)

    class Meta:
        verbose_name = "评价分配"
        verbose_name_plural = "评价分配"
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(done_at__isnull=True), name="review_one_open"
            )
        ]
        indexes = [models.Index(fields=["evaluator", "done_at"], name="review_evaluator_open")]

    def __str__(self) -> str:
        return f"{self.ticket_id} -> {self.evaluator_id}"


class VerdictSample(models.Model):
    """A supervisor's random draw of review verdicts to re-check (reproducible from its seed)."""

    seed = models.BigIntegerField("随机种子")
    date_from = models.DateField("起")
    date_to = models.DateField("止")
    size = models.PositiveIntegerField("抽样数")
    drawn_by = models.CharField("抽取人", max_length=150)
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价抽查"
        verbose_name_plural = "评价抽查"

    def __str__(self) -> str:
        return f"{self.date_from}..{self.date_to} #{self.seed}"


class VerdictCheck(models.Model):
    sample = models.ForeignKey(
        VerdictSample, on_delete=models.CASCADE, related_name="checks", verbose_name="样本"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name="工单"
    )
    event_seq = models.PositiveIntegerField("评价事件")
    evaluator = models.CharField("评价员", max_length=150)
    verdict = models.CharField("评价结论", max_length=16)
    agrees = models.BooleanField("复核同意", null=True, blank=True)
    note = models.TextField("复核意见", blank=True)
    checked_by = models.CharField("复核人", max_length=150, blank=True)
    checked_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价复核"
        verbose_name_plural = "评价复核"
        constraints = [
            models.UniqueConstraint(fields=["sample", "ticket", "event_seq"], name="check_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.event_seq}"


class VoiceFollowUp(models.Model):
    """The automated voice follow-up (电话语音自动回访) of one reply of a ticket: the calls placed
    through the outbox and how it ended."""

    CALLING, DONE, CALLBACK = "calling", "done", "callback"
    STATES = [(CALLING, "语音回访中"), (DONE, "已回访"), (CALLBACK, "转人工回访")]

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name="工单"
    )
    round = models.PositiveIntegerField("轮次", default=0)  # the ticket's redo count at the reply
    state = models.CharField("状态", max_length=16, choices=STATES, default=CALLING)
    attempts = models.PositiveIntegerField("呼叫次数", default=0)
    last_call_at = models.DateTimeField("最近呼叫", null=True, blank=True)
    reason = models.CharField("转人工原因", max_length=32, blank=True)
    satisfaction = models.CharField("满意度", max_length=24, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "语音回访"
        verbose_name_plural = "语音回访"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "round"], name="voice_follow_up_round")
        ]
        indexes = [models.Index(fields=["state"], name="voice_follow_up_state")]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.round}"


class VoiceResult(models.Model):
    """A result posted by the telephony system, once per call id."""

    call_id = models.CharField("呼叫编号", max_length=64)  # unique: Meta.constraints
    follow_up = models.ForeignKey(
        VoiceFollowUp, on_delete=models.CASCADE, related_name="results", verbose_name="语音回访"
    )
    attempt = models.PositiveIntegerField("第几次呼叫")
    answered = models.BooleanField("接通")
    digit = models.CharField("按键", max_length=8, blank=True)
    effect = models.CharField("处理结果", max_length=16)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "语音回访结果"
        verbose_name_plural = "语音回访结果"
        constraints = [models.UniqueConstraint(fields=["call_id"], name="voice_result_call_id")]

    def __str__(self) -> str:
        return self.call_id


class CheckItem(models.Model):
    """One item of the spot-check checklist (e.g. the six elements of a good reply), scored
    from 0 to ``max_points``. ``kind`` says whether it scores calls or handled tickets."""

    CALL, CASE = "call", "case"
    KINDS = [(CALL, "话务质检"), (CASE, "工单质检")]

    kind = models.CharField("类型", max_length=8, choices=KINDS)
    text = models.CharField("检查项", max_length=200)
    max_points = models.PositiveSmallIntegerField("满分", default=10)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "质检项"
        verbose_name_plural = "质检清单"
        ordering = ["kind", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class SpotCheck(models.Model):
    """One weekly draw (抽查) of calls per line and handled tickets per unit."""

    week = models.DateField("周（周一）")
    seed = models.BigIntegerField("随机种子")
    calls_per_line = models.PositiveSmallIntegerField("每条线路抽查通话")
    tickets_per_unit = models.PositiveSmallIntegerField("每个单位抽查工单")
    drawn_by = models.CharField("抽取人", max_length=150)
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = "每周抽查"
        verbose_name_plural = "每周抽查"

    def __str__(self) -> str:
        return f"{self.week} #{self.seed}"


class SpotSample(models.Model):
    """A call or a handled ticket drawn for a spot check. Never the same call (or ticket) twice
    in one week: the database refuses it."""

    draw = models.ForeignKey(
        SpotCheck, on_delete=models.CASCADE, related_name="samples", verbose_name="抽查批次"
    )
    week = models.DateField("周（周一）")
    kind = models.CharField("类型", max_length=8, choices=CheckItem.KINDS)
    call = models.ForeignKey(
        "telephony.CallRecord",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="来电",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="工单",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="单位",
    )
    line = models.CharField("线路", max_length=32, blank=True)
    agent = models.CharField("话务员", max_length=150, blank=True)

    class Meta:
        verbose_name = "抽查样本"
        verbose_name_plural = "抽查样本"
        constraints = [
            models.UniqueConstraint(
                fields=["week", "call"], condition=Q(call__isnull=False), name="spot_call_once"
            ),
            models.UniqueConstraint(
                fields=["week", "ticket"],
                condition=Q(ticket__isnull=False),
                name="spot_ticket_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id or self.ticket_id}"


class SpotScore(models.Model):
    sample = models.ForeignKey(
        SpotSample, on_delete=models.CASCADE, related_name="scores", verbose_name="样本"
    )
    item = models.ForeignKey(
        CheckItem, on_delete=models.PROTECT, related_name="+", verbose_name="评分项"
    )
    points = models.PositiveSmallIntegerField("得分")
    note = models.CharField("说明", max_length=500, blank=True)
    scored_by = models.CharField("评分人", max_length=150)
    scored_at = models.DateTimeField("评分时间")

    class Meta:
        verbose_name = "抽查评分"
        verbose_name_plural = "抽查评分"
        constraints = [models.UniqueConstraint(fields=["sample", "item"], name="spot_score_once")]

    def __str__(self) -> str:
        return f"{self.sample_id}:{self.item_id}={self.points}"
