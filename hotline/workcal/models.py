from __future__ import annotations

from django.conf import settings
from django.db import models


class DayKind(models.TextChoices):
    WORKDAY = "workday", "工作日"
    WEEKEND = "weekend", "周末"
    HOLIDAY = "holiday", "法定节假日"
    MAKEUP = "makeup", "调休上班"


class CalendarYear(models.Model):
    """One year of the working-day calendar. Deadlines in a year that is not confirmed fail
    loudly; an admin reviews the seeded days each year and confirms them."""

    year = models.PositiveIntegerField("年份", primary_key=True)
    confirmed = models.BooleanField("已确认", default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    source = models.CharField("来源", max_length=128, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}{'（已确认）' if self.confirmed else '（未确认）'}"


class CalendarDay(models.Model):
    date = models.DateField("日期", primary_key=True)
    year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度"
    )
    kind = models.CharField("类型", max_length=16, choices=DayKind.choices)
    name = models.CharField("节日", max_length=64, blank=True)

    class Meta:
        verbose_name = "日历日"
        verbose_name_plural = "日历日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.MAKEUP)
