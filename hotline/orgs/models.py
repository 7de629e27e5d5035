"""The place tree (Region), the organisations that handle tickets (Unit) and the dispatch
catalogue (Category). Units and regions keep a materialised path of primary keys so that
"this unit and its sub-tree" is one indexed prefix query."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr


class Level(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"


class TreeNode(models.Model):  # noqa: DJ008 - abstract
    path = models.CharField("树路径", max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            old_path = self.path
            new_path = f"{self._parent_path()}{self.pk}/"
            if self.parent_id and f"/{self.pk}/" in self._parent_path():  # type: ignore[attr-defined]
                raise ValueError("a node cannot be its own ancestor")
            self.path = new_path
            super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})
            if old_path and old_path != new_path:
                # Moved: rewrite the prefix of every descendant's path in one statement.
                type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                )

    def _parent_path(self) -> str:
        parent = getattr(self, "parent", None)
        return parent.path if parent is not None else "/"

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class Region(TreeNode):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级",
    )
    # The node's centre, when known: a map point on a ticket resolves to the nearest node.
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class RegionAlias(models.Model):
    """Another name of a region that citizens use (a road, an estate, a landmark, a short
    name): the place resolver matches it as it matches the region's own name."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="aliases", verbose_name="区域"
    )
    name = models.CharField("别名", max_length=64)

    class Meta:
        verbose_name = "区域别名"
        verbose_name_plural = "区域别名"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_region_alias")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    CENTRE = "centre", "热线中心"
    GOVERNMENT = "government", "人民政府"
    BUREAU = "bureau", "职能部门"
    STREET_OFFICE = "street_office", "街道办事处"
    COMMUNITY = "community", "社区居委会"
    GRID_STATION = "grid_station", "网格站"
    COMPANY = "company", "公共服务企业"
    OFFICE = "office", "督查/纪检机构"


class Unit(TreeNode):
    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    kind = models.CharField("类型", max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级单位",
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name="所属区域",
    )
    assessed = models.BooleanField("参加考核", default=False)
    active = models.BooleanField("启用", default=True)
    deputy_leader_name = models.CharField("分管领导", max_length=64, blank=True)
    deputy_leader_phone = models.CharField("分管领导电话", max_length=32, blank=True)
    principal_leader_name = models.CharField("主要领导", max_length=64, blank=True)
    principal_leader_phone = models.CharField("主要领导电话", max_length=32, blank=True)
    contact_phone = models.CharField("联系电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_ancestor_of(self, other: Unit) -> bool:
        return other.path.startswith(self.path) and other.pk != self.pk


class TimeUnit(models.TextChoices):
    MINUTES = "minutes", "分钟"
    HOURS = "hours", "小时"
    WORKING_HOURS = "working_hours", "工作小时"
    WORKING_DAYS = "working_days", "工作日"


class Owner(models.TextChoices):
    UNIT = "unit", "指定单位"
    PLACE = "place", "属地"


class Category(models.Model):
    """A node of the three-level dispatch catalogue (派单目录)."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("层级")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级分类",
    )
    default_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="默认承办单位",
    )
    default_kind = models.CharField("默认诉求类型", max_length=16, blank=True)
    time_limit = models.PositiveIntegerField("办理时限", null=True, blank=True)
    time_limit_unit = models.CharField(
        "时限单位", max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    utility = models.BooleanField("水电气暖", default=False)
    # Who owns a leaf: a named unit (the default unit: a bureau, a utility company) or the
    # place (属地: the district of the ticket's place, which forwards down).
    owner = models.CharField("归属", max_length=8, choices=Owner.choices, default=Owner.UNIT)
    keywords = models.TextField("关键词", blank=True, help_text="市民常用说法，以空格或逗号分隔")
    copy_to_supervision = models.BooleanField("抄送督查室", default=False)
    copy_to_discipline = models.BooleanField("抄送纪检监察", default=False)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "派单目录"
        verbose_name_plural = "派单目录"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = [self.name]
        node = self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class HotlineCentre(models.Model):
    """A hotline centre (热线中心): the city's 市长专线 and a district's 区长专线. Its agents,
    dispatchers and callback agents hold their roles at ``unit``; it serves the tickets of the
    sub-tree of ``covers`` (the whole city for the city's centre, the district for a district's)
    and answers to ``parent`` (the city's centre has none)."""

    unit = models.OneToOneField(
        Unit, on_delete=models.PROTECT, related_name="centre", verbose_name="中心所在单位"
    )
    covers = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="服务范围（单位及其下级）"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级中心",
    )
    name = models.CharField("热线名称", max_length=64)
    phone = models.CharField("热线号码", max_length=32)
    mailbox = models.CharField("信箱", max_length=128, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "热线中心"
        verbose_name_plural = "热线中心"
        ordering = ["covers__path"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        """A centre is named by its unit's code in the API."""
        return self.unit.code
