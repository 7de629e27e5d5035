"""工作日历. Years are imported from the chinese_calendar library, reviewed and confirmed by an
admin; days are edited one by one. Every write goes through hotline.workcal.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from hotline.core.errors import HotlineError

from . import selectors, services
from .models import CalendarDay, CalendarYear, DayKind

WEEKDAYS = "一二三四五六日"


class CalendarProblemsMixin:
    """Show the calendar's problems (missing or unconfirmed years) on top of the changelist."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for problem in selectors.calendar_problems():
                messages.warning(request, problem)
        return super().changelist_view(request, extra_context)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year",)
        help_texts = {
            "year": "保存后从 chinese_calendar 导入该年的节假日和调休；库中没有的年份按周一至周五生成，需逐日核对后确认。"
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("年份应在 2000 到 2100 之间")
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarProblemsMixin, admin.ModelAdmin):
    form = CalendarYearForm
    list_display = (
        "year",
        "confirmed",
        "confirmed_by",
        "confirmed_at",
        "source",
        "holidays",
        "makeups",
        "days_link",
    )
    list_select_related = ("confirmed_by",)
    actions = ("seed_years", "confirm_years")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_days=Count("days"),
                n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
                n_makeups=Count("days", filter=Q(days__kind=DayKind.MAKEUP)),
            )
        )

    @admin.display(description="法定节假日", ordering="n_holidays")
    def holidays(self, obj):
        return obj.n_holidays

    @admin.display(description="调休上班", ordering="n_makeups")
    def makeups(self, obj):
        return obj.n_makeups

    @admin.display(description="日历日")
    def days_link(self, obj):
        url = reverse("admin:workcal_calendarday_changelist")
        return format_html(
            '<a href="{}?year__year__exact={}">查看 {} 天</a>', url, obj.year, obj.n_days
        )

    # -- adding a year = importing it; nothing else is edited here ---------------------------

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("year",)
        return ("year", "confirmed", "confirmed_by", "confirmed_at", "source", "days_link")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # days change through the calendar days; confirming is an action

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        year = services.calendar_seed_year(year=obj.year, actor=request.user)
        obj.refresh_from_db()
        obj._state.adding = False
        self._report_seed(request, year)

    # -- actions ----------------------------------------------------------------------------

    def has_seed_permission(self, request):
        return request.user.has_perm("workcal.add_calendaryear") or request.user.has_perm(
            "workcal.change_calendaryear"
        )

    def has_confirm_permission(self, request):
        return request.user.has_perm("workcal.change_calendaryear")

    @admin.action(description="从 chinese_calendar 导入/重新导入", permissions=["seed"])
    def seed_years(self, request, queryset):
        for cal_year in queryset:
            if cal_year.confirmed:
                messages.warning(
                    request,
                    f"{cal_year.year} 年日历已确认，未重新导入；如需重新导入，请先修改其中一天（年度会变为未确认）。",
                )
                continue
            try:
                year = services.calendar_seed_year(year=cal_year.year, actor=request.user)
            except (HotlineError, ValueError) as exc:
                messages.error(request, f"{cal_year.year} 年导入失败：{exc}")
                continue
            self._report_seed(request, year)

    @admin.action(description="确认日历", permissions=["confirm"])
    def confirm_years(self, request, queryset):
        for cal_year in queryset:
            try:
                services.calendar_confirm_year(year=cal_year.year, actor=request.user)
            except (HotlineError, ValueError) as exc:
                messages.error(request, f"{cal_year.year} 年无法确认：{exc}")
                continue
            messages.success(request, f"已确认 {cal_year.year} 年工作日历。")

    def _report_seed(self, request, year: CalendarYear) -> None:
        if year.source == "chinese_calendar":
            messages.success(
                request, f"已从 chinese_calendar 导入 {year.year} 年，请核对节假日与调休后确认。"
            )
        else:
            messages.warning(
                request,
                f"chinese_calendar 没有 {year.year} 年的数据，已按周一至周五生成；"
                "请按国务院公布的放假安排逐日修改后确认。",
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarProblemsMixin, admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "year")
    list_filter = ("year", "kind")
    list_editable = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    list_per_page = 62
    fields = ("date", "year", "kind", "name")
    readonly_fields = ("date", "year")

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.weekday()]}"

    def has_add_permission(self, request):
        return False  # days come with their year (import)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Through the service, never ``obj.save()``: it audits the edit and un-confirms the year."""
        was_confirmed = CalendarYear.objects.filter(year=obj.date.year, confirmed=True).exists()
        services.calendar_set_day(day=obj.date, kind=obj.kind, name=obj.name, actor=request.user)
        if was_confirmed:
            messages.warning(
                request, f"{obj.date.year} 年日历已改为未确认，请核对后在「日历年度」中重新确认。"
            )
