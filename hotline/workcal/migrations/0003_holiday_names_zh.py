"""Holidays seeded before the calendar named them in Chinese: 元旦, 春节, 清明节 ..."""

from django.db import migrations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def to_chinese(apps, schema_editor):
    day = apps.get_model("workcal", "CalendarDay")
    for english, chinese in NAMES.items():
        day.objects.filter(name=english).update(name=chinese)


def to_english(apps, schema_editor):
    day = apps.get_model("workcal", "CalendarDay")
    for english, chinese in NAMES.items():
        day.objects.filter(name=chinese).update(name=english)


class Migration(migrations.Migration):
    dependencies = [("workcal", "0002_verbose_names_zh")]
    operations = [migrations.RunPython(to_chinese, to_english)]
