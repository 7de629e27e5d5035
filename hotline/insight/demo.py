"""The demo's routing rules (edited in the admin afterwards): construction dust goes to the
housing bureau that licenses the site; any emergency about gas to the gas company, whatever
leaf it lands in. Run after ``hotline.orgs.demo.build_org``."""

from __future__ import annotations

from django.db import transaction

from hotline.orgs.models import Category, Region, Unit

from .models import RoutingRule

# (name, priority, "二级/三级" of the leaf or "", region code or "", words, urgency, unit code)
DEMO_RULES = [
    ("工地扬尘归住建局", 20, "环境污染/大气污染", "", "工地 施工 扬尘", "", "housing"),
    ("燃气紧急情况归燃气集团", 50, "", "", "燃气 天然气 煤气 漏气", "emergency", "gas"),
]


@transaction.atomic
def seed_rules() -> None:
    """Create the demo rules when there are none (an admin's rules are left alone)."""
    if RoutingRule.objects.exists():
        return
    for name, priority, key, region, words, urgency, unit in DEMO_RULES:
        category = None
        if key:
            second, third = key.split("/")
            category = Category.objects.filter(level=3, name=third, parent__name=second).first()
            if category is None:  # the built-in catalogue has no such leaf
                continue
        RoutingRule.objects.create(
            name=name,
            priority=priority,
            category=category,
            region=Region.objects.filter(code=region).first() if region else None,
            keywords=words,
            urgency=urgency,
            unit=Unit.objects.filter(code=unit).first(),
        )
