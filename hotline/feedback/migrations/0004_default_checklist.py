"""A starting checklist for spot checks; admins edit it in the admin (质检清单)."""

from django.db import migrations

CASE_ITEMS = [  # the elements of a good reply
    "核实了诉求所述事实（现场查看或调查）",
    "说明了处理依据（法规、政策或职责）",
    "写明了处理结果或解决时间",
    "回应了诉求中的每个问题",
    "留有承办人及联系电话",
    "用语规范、态度诚恳，无推诿",
]
CALL_ITEMS = [
    "规范问候与结束语",
    "完整准确记录诉求（时间、地点、事件、诉求人）",
    "政策解答准确或正确转派",
    "服务态度耐心、礼貌",
    "通话时长合理，无不必要等待",
]


def seed(apps, schema_editor):
    CheckItem = apps.get_model("feedback", "CheckItem")
    if CheckItem.objects.exists():
        return
    for kind, items in (("case", CASE_ITEMS), ("call", CALL_ITEMS)):
        for position, text in enumerate(items, start=1):
            CheckItem.objects.create(kind=kind, text=text, max_points=10, position=position)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_spot_checks")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
