"""The unit tree keeps materialised paths, so 'this unit and its sub-tree' stays one prefix query."""

from __future__ import annotations

from hotline.orgs.models import Unit


def test_moving_a_street_moves_its_whole_sub_tree():
    street = Unit.objects.get(code="jiangan-01")
    grid = Unit.objects.get(code="jiangan-01-01-01")
    hanyang = Unit.objects.get(code="hanyang")
    street.parent = hanyang
    street.save()
    grid.refresh_from_db()
    assert grid.path.startswith(hanyang.path + f"{street.pk}/")
    assert hanyang.is_ancestor_of(grid)
    assert not Unit.objects.get(code="jiangan").is_ancestor_of(grid)


def test_a_new_unit_gets_a_path_below_its_parent():
    parent = Unit.objects.get(code="wuchang")
    unit = Unit.objects.create(
        code="wuchang-99", name="测试街道", level="street", kind="street_office", parent=parent
    )
    assert unit.path == f"{parent.path}{unit.pk}/"
