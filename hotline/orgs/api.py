"""The org tree and the catalogue (DESIGN section 9)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from hotline.core.api import PageNumber, PageSize, paginate

from . import selectors

router = Router(tags=["org"])


@router.get("/units", response=dict[str, Any], summary="Units, a flat list")
def units(
    request: HttpRequest,
    level: str | None = None,
    assessed: bool | None = None,
    parent: str | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    qs = selectors.units_list(level=level, assessed=assessed, parent=parent)
    return paginate(
        request,
        qs,
        page,
        page_size,
        lambda u: {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent": u.parent.code if u.parent_id else None,
            "kind": u.kind,
            "region": u.region.code if u.region_id else None,
            "assessed": u.assessed,
        },
    )


@router.get("/regions", response=dict[str, Any], summary="Regions, a flat list")
def regions(
    request: HttpRequest,
    level: str | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    qs = selectors.regions_list(level=level)
    return paginate(
        request,
        qs,
        page,
        page_size,
        lambda r: {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent": r.parent.code if r.parent_id else None,
        },
    )


@router.get("/categories", response=dict[str, Any], summary="The dispatch catalogue, a flat list")
def categories(
    request: HttpRequest,
    level: int | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    qs = selectors.categories_list(level=level)
    return paginate(
        request,
        qs,
        page,
        page_size,
        lambda c: {
            "code": c.code,
            "name": c.name,
            "level": c.level,
            "parent": c.parent.code if c.parent_id else None,
            "default_unit": c.default_unit.code if c.default_unit_id else None,
            "default_kind": c.default_kind or None,
            "time_limit": c.time_limit,
            "time_limit_unit": c.time_limit_unit if c.time_limit else None,
        },
    )
