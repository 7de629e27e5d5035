"""A Wuhan-like city for the demo and the tests: the real districts, three streets each (real
names where known), a community and a grid under every street, ~30 city bureaus, the utility
companies, the hotline centre and the supervision and discipline offices. About 100 units are
assessed (districts, bureaus, companies, streets). The catalogue comes from the TipDM 2020
category tree when ``../shared/data`` is beside the project, a small built-in one otherwise."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Category, HotlineCentre, Level, Region, TimeUnit, Unit, UnitKind

DISTRICTS = [
    ("jiangan", "江岸区", ["大智街道", "一元街道", "车站街道"]),
    ("jianghan", "江汉区", ["民族街道", "花楼街道", "万松街道"]),
    ("qiaokou", "硚口区", ["古田街道", "韩家墩街道", "宗关街道"]),
    ("hanyang", "汉阳区", ["建桥街道", "鹦鹉街道", "洲头街道"]),
    ("wuchang", "武昌区", ["积玉桥街道", "杨园街道", "徐家棚街道"]),
    ("qingshan", "青山区", ["红卫路街道", "冶金街道", "新沟桥街道"]),
    ("hongshan", "洪山区", ["珞南街道", "关山街道", "狮子山街道"]),
    ("dongxihu", "东西湖区", ["吴家山街道", "将军路街道", "慈惠街道"]),
    ("caidian", "蔡甸区", ["蔡甸街道", "奓山街道", "永安街道"]),
    ("jiangxia", "江夏区", ["纸坊街道", "金口街道", "乌龙泉街道"]),
    ("huangpi", "黄陂区", ["前川街道", "祁家湾街道", "横店街道"]),
    ("xinzhou", "新洲区", ["邾城街道", "阳逻街道", "仓埠街道"]),
    ("kaifaqu", "武汉开发区（汉南区）", ["沌口街道", "军山街道", "纱帽街道"]),
    ("gaoxinqu", "东湖高新区", ["关东街道", "佛祖岭街道", "花山街道"]),
    ("fengjingqu", "东湖风景区", ["东湖街道", "磨山街道", "马鞍山街道"]),
    ("huagongqu", "化工区", ["八吉府街道", "北湖街道", "双柳街道"]),
]

BUREAUS = [
    ("housing", "市住房和城乡建设局"),
    ("fangguan", "市住房保障和房屋管理局"),
    ("planning", "市自然资源和规划局"),
    ("ecology", "市生态环境局"),
    ("transport", "市交通运输局"),
    ("traffic", "市公安局交通管理局"),
    ("education", "市教育局"),
    ("hrss", "市人力资源和社会保障局"),
    ("medicare", "市医疗保障局"),
    ("health", "市卫生健康委员会"),
    ("commerce", "市商务局"),
    ("culture", "市文化和旅游局"),
    ("market", "市市场监督管理局"),
    ("urban", "市城市管理执法委员会"),
    ("waterbureau", "市水务局"),
    ("gardens", "市园林和林业局"),
    ("civil", "市民政局"),
    ("police", "市公安局"),
    ("justice", "市司法局"),
    ("agriculture", "市农业农村局"),
    ("science", "市科学技术局"),
    ("economy", "市经济和信息化局"),
    ("ndrc", "市发展和改革委员会"),
    ("finance", "市财政局"),
    ("tax", "国家税务总局武汉市税务局"),
    ("emergency", "市应急管理局"),
    ("veterans", "市退役军人事务局"),
    ("sports", "市体育局"),
    ("data", "市政务服务和大数据管理局"),
    ("petition", "市信访局"),
]

COMPANIES = [
    ("water", "武汉市水务集团有限公司", "自来水供应"),
    ("power", "国网武汉供电公司", "电力供应"),
    ("gas", "武汉市燃气集团有限公司", "燃气供应"),
    ("heating", "武汉市热力有限公司", "冬季采暖"),
    ("bus", "武汉公交集团有限责任公司", ""),
    ("telecom", "中国电信武汉分公司", ""),
]

# First-level category -> default unit; second-level overrides.
LEVEL1_UNIT = {
    "城乡建设": "housing",
    "环境保护": "ecology",
    "交通运输": "transport",
    "教育文体": "education",
    "劳动和社会保障": "hrss",
    "商贸旅游": "commerce",
    "卫生计生": "health",
    "党务政务": "data",
    "农村农业": "agriculture",
    "国土资源": "planning",
    "政法": "police",
    "民政": "civil",
    "科技与信息产业": "economy",
    "纪检监察": "petition",
    "经济管理": "ndrc",
}
LEVEL2_UNIT = {
    "城市建设和市政管理": "urban",
    "住房保障与房地产": "fangguan",
    "交通管理": "traffic",
    "仲裁与调解": "justice",
    "法律服务": "justice",
    "市场监管": "market",
    "旅游管理": "culture",
    "文化": "culture",
    "体育": "sports",
    "食品药品监管": "market",
    "城镇居民社会保险": "medicare",
    "电信": "telecom",
    "优抚": "veterans",
    "复退安置": "veterans",
    "水利水电": "waterbureau",
}
# Leaves that need 15 working days (complex matters).
COMPLEX_WORDS = ("征收", "拆迁", "补偿", "仲裁", "诉讼", "行政复议", "工程质量", "土地")

BUILTIN_TREE = [
    ("城乡建设", "城市建设和市政管理", "自来水供应"),
    ("城乡建设", "城市建设和市政管理", "电力供应"),
    ("城乡建设", "城市建设和市政管理", "燃气供应"),
    ("城乡建设", "城市建设和市政管理", "冬季采暖"),
    ("城乡建设", "城市建设和市政管理", "道路桥梁"),
    ("城乡建设", "住房保障与房地产", "物业管理"),
    ("城乡建设", "国有土地上房屋征收与补偿", "征收补偿"),
    ("环境保护", "环境污染", "噪声污染"),
    ("环境保护", "环境污染", "大气污染"),
    ("交通运输", "出租车管理", "拒载绕路"),
    ("教育文体", "教育收费", "乱收费"),
    ("劳动和社会保障", "工资福利", "拖欠工资"),
    ("商贸旅游", "市场监管", "消费维权"),
    ("卫生计生", "医患纠纷", "医疗服务"),
    ("政法", "社会治安", "治安问题"),
    ("民政", "社会救助", "低保"),
]


def _data_dir() -> Path:
    return Path(
        getattr(settings, "HOTLINE_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data")
    )


def category_rows() -> list[tuple[str, str, str]]:
    path = _data_dir() / "teddycup2020c" / "category_tree.csv"
    if not path.exists():
        return list(BUILTIN_TREE)
    with path.open(encoding="utf-8") as handle:
        return [
            (r["一级分类"].strip(), r["二级分类"].strip(), r["三级分类"].strip())
            for r in csv.DictReader(handle)
        ]


def _phone(seed: int) -> str:
    return f"1{3 + seed % 6}{(seed * 7919) % 10**9:09d}"


@transaction.atomic
def build_org() -> dict[str, Unit]:
    """Create (or complete) the demo org tree and catalogue. Idempotent."""
    units: dict[str, Unit] = {}
    counter = [100]

    def region(code, name, level, parent):
        obj, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
        return obj

    def unit(code, name, level, kind, parent, reg=None, assessed=False):
        counter[0] += 1
        n = counter[0]
        obj, _ = Unit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "kind": kind,
                "parent": parent,
                "region": reg,
                "assessed": assessed,
                "deputy_leader_name": f"{name[:2]}分管领导",
                "deputy_leader_phone": _phone(n * 3 + 1),
                "principal_leader_name": f"{name[:2]}主要领导",
                "principal_leader_phone": _phone(n * 3 + 2),
                "contact_phone": _phone(n * 3),
            },
        )
        units[code] = obj
        return obj

    city_region = region("wuhan", "武汉市", Level.CITY, None)
    city = unit("wuhan", "武汉市人民政府", Level.CITY, UnitKind.GOVERNMENT, None, city_region)
    unit("center", "武汉市12345市长专线", Level.CITY, UnitKind.CENTRE, city, city_region)
    unit("supervision", "市政府督查室", Level.CITY, UnitKind.OFFICE, city, city_region)
    unit("discipline", "市纪委监委", Level.CITY, UnitKind.OFFICE, city, city_region)
    for code, name in BUREAUS:
        unit(code, name, Level.CITY, UnitKind.BUREAU, city, city_region, assessed=True)
    for code, name, _ in COMPANIES:
        unit(code, name, Level.CITY, UnitKind.COMPANY, city, city_region, assessed=True)
    for code, name, streets in DISTRICTS:
        d_region = region(code, name, Level.DISTRICT, city_region)
        district = unit(
            code,
            f"{name}人民政府",
            Level.DISTRICT,
            UnitKind.GOVERNMENT,
            city,
            d_region,
            assessed=True,
        )
        for i, street_name in enumerate(streets, start=1):
            s_code = f"{code}-{i:02d}"
            s_region = region(s_code, street_name, Level.STREET, d_region)
            street = unit(
                s_code,
                f"{name}{street_name}办事处",
                Level.STREET,
                UnitKind.STREET_OFFICE,
                district,
                s_region,
                assessed=True,
            )
            c_code = f"{s_code}-01"
            c_name = street_name.replace("街道", "") + "社区"
            c_region = region(c_code, c_name, Level.COMMUNITY, s_region)
            community = unit(
                c_code, f"{c_name}居委会", Level.COMMUNITY, UnitKind.COMMUNITY, street, c_region
            )
            g_code = f"{c_code}-01"
            g_region = region(g_code, f"{c_name}第一网格", Level.GRID, c_region)
            unit(
                g_code,
                f"{c_name}第一网格站",
                Level.GRID,
                UnitKind.GRID_STATION,
                community,
                g_region,
            )
    build_centres(units)
    build_catalogue(units)
    return units


# Each district's 区长专线 (the demo's numbers are made up, in Wuhan's 027 area).
DISTRICT_LINES = {code: f"027-8{n:02d}12345" for n, (code, _, _) in enumerate(DISTRICTS, start=1)}


def build_centres(units: dict[str, Unit]) -> None:
    """The city's 12345 市长专线 and a 区长专线 in every district, at the district government."""
    city, _ = HotlineCentre.objects.get_or_create(
        unit=units["center"],
        defaults={
            "covers": units["wuhan"],
            "name": "武汉市12345市长专线",
            "phone": "12345",
            "mailbox": "市长信箱",
        },
    )
    for code, name, _ in DISTRICTS:
        HotlineCentre.objects.get_or_create(
            unit=units[code],
            defaults={
                "covers": units[code],
                "parent": city,
                "name": f"{name}区长专线",
                "phone": DISTRICT_LINES[code],
                "mailbox": f"{name}区长信箱",
            },
        )


def build_catalogue(units: dict[str, Unit]) -> None:
    utility_unit = {leaf: code for code, _, leaf in COMPANIES if leaf}
    level1: dict[str, Category] = {}
    level2: dict[tuple[str, str], Category] = {}
    for a, b, c in category_rows():
        if a not in level1:
            code = f"C{len(level1) + 1:02d}"
            level1[a] = Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": a,
                    "level": 1,
                    "default_unit": units.get(LEVEL1_UNIT.get(a, "data")),
                },
            )[0]
        if (a, b) not in level2:
            parent = level1[a]
            n = sum(1 for key in level2 if key[0] == a) + 1
            unit_code = LEVEL2_UNIT.get(b, LEVEL1_UNIT.get(a, "data"))
            level2[(a, b)] = Category.objects.get_or_create(
                code=f"{parent.code}-{n:02d}",
                defaults={
                    "name": b,
                    "level": 2,
                    "parent": parent,
                    "default_unit": units.get(unit_code),
                },
            )[0]
        parent2 = level2[(a, b)]
        n = Category.objects.filter(parent=parent2).count() + 1
        if Category.objects.filter(parent=parent2, name=c).exists():
            continue
        utility = c in utility_unit
        unit_code = utility_unit.get(c) or LEVEL2_UNIT.get(b) or LEVEL1_UNIT.get(a, "data")
        complex_ = any(word in b + c for word in COMPLEX_WORDS)
        Category.objects.create(
            code=f"{parent2.code}-{n:02d}",
            name=c,
            level=3,
            parent=parent2,
            default_unit=units.get(unit_code),
            default_kind="complaint",
            time_limit=24 if utility else (15 if complex_ else 5),
            time_limit_unit=TimeUnit.HOURS if utility else TimeUnit.WORKING_DAYS,
            utility=utility,
            copy_to_discipline=(a == "纪检监察"),
            copy_to_supervision=(b == "安全生产"),
        )
