from __future__ import annotations

from django.db.models import QuerySet

from .models import Category, HotlineCentre, Region, Unit


def units_list(
    *, level: str | None = None, assessed: bool | None = None, parent: str | None = None
) -> QuerySet[Unit]:
    qs = Unit.objects.filter(active=True).select_related("parent", "region")
    if level:
        qs = qs.filter(level=level)
    if assessed is not None:
        qs = qs.filter(assessed=assessed)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs.order_by("path")


def regions_list(*, level: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("path")


def categories_list(*, level: int | None = None) -> QuerySet[Category]:
    qs = Category.objects.filter(active=True).select_related("parent", "default_unit")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("code")


def unit_default_for_categories() -> dict[str, str]:
    """First-level category name -> default unit code, for the dispatch suggester."""
    out = {}
    for name, code in Category.objects.filter(level=1, default_unit__isnull=False).values_list(
        "name", "default_unit__code"
    ):
        out[name] = code
    return out


def centres_all() -> list[HotlineCentre]:
    """Every active hotline centre with its unit and the unit it covers (a short table)."""
    return list(
        HotlineCentre.objects.filter(active=True).select_related("unit", "covers", "parent")
    )


def centre_ancestry(centre_id: int | None) -> list[int]:
    """The centre and the centres above it, nearest first; ``None`` (a ticket of no recorded
    centre) is the city's centre."""
    parents = dict(HotlineCentre.objects.values_list("id", "parent_id"))
    if centre_id is None:
        root = next((cid for cid, parent in parents.items() if parent is None), None)
        return [root] if root is not None else []
    chain = []
    while centre_id is not None and centre_id not in chain:
        chain.append(centre_id)
        centre_id = parents.get(centre_id)
    return chain
