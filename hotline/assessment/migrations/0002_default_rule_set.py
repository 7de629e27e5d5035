from django.db import migrations


def default_rule_set(apps, schema_editor):
    RuleSet = apps.get_model("assessment", "RuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(
            version=1,
            name="默认规则",
            effective_from="2000-01-01",
            note="转办不及时每件扣1分；其他扣分项由管理员配置。",
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(default_rule_set, migrations.RunPython.noop)]
