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
    seed_routing()
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


# --- routing: who owns each leaf, the words citizens use, where places are ---------------------

# Leaves owned by the place (属地): the district of the ticket's place, which forwards down.
PLACE_LEAVES = {
    "城市建设和市政管理/城管执法",
    "城市建设和市政管理/环境卫生",
    "城市建设和市政管理/园林绿化环卫",
    "城市建设和市政管理/小区管理",
    "城市建设和市政管理/居民服务设施",
    "城市建设和市政管理/城市公共设施",
    "城市建设和市政管理/基础设施",
    "城乡规划/违章建筑",
    "住房保障与房地产/物业服务",
    "环境污染/噪音污染",
    "国有土地上房屋征收与补偿/房屋拆迁",
    "国有土地上房屋征收与补偿/安置补偿",
    "国有土地上房屋征收与补偿/回迁房",
    "国有土地上房屋征收与补偿/棚户区和城中村改造",
    "集体土地上房屋拆迁与补偿/房屋拆迁",
    "集体土地上房屋拆迁与补偿/安置补偿",
    "集体土地上房屋拆迁与补偿/回迁房",
    "基层选举和社区建设/社区建设",
    "社会救助/城镇低保",
    "社会救助/农村低保",
    "社会救助/特困人员供养",
    "村务管理/村务公开",
    "土地承包经营/宅基地纠纷",
    "土地承包经营/土地承包",
    # the built-in catalogue (when the TipDM tree is not beside the project)
    "住房保障与房地产/物业管理",
    "环境污染/噪声污染",
    "城市建设和市政管理/道路桥梁",
}
# A named owner other than the default the class gives.
LEAF_UNIT = {
    "城市建设和市政管理/公共汽车": "bus",
    "城市建设和市政管理/地铁城铁": "transport",
    "城市建设和市政管理/公园管理": "gardens",
    "城市建设和市政管理/园林绿化": "gardens",
    "交通管理/交通安全管理": "traffic",
    "质监检验检疫/特种设备管理": "market",
    "户籍证件/户籍管理": "police",
    "社会治安/消防安全": "emergency",
    "金融财税/税收征管": "tax",
    "工资福利/住房公积金": "fangguan",
}
# The words citizens use for a leaf (admins keep them in the catalogue's admin).
LEAF_KEYWORDS = {
    "城市建设和市政管理/自来水供应": "停水 没水 断水 水压低 水压小 自来水 水管爆裂 爆管 水表 水费 水质浑浊 黄水 供水",
    "城市建设和市政管理/电力供应": "停电 断电 没电 跳闸 电压不稳 电表 电费 供电 变压器 电线杆",
    "城市建设和市政管理/燃气供应": "燃气 天然气 煤气 燃气表 燃气费 开通燃气 燃气管道 漏气",
    "城市建设和市政管理/冬季采暖": "暖气 供暖 采暖 暖气片 集中供热 地暖",
    "城市建设和市政管理/公共汽车": "公交车 公交 公交站 公交线路 末班车 班次 站台",
    "城市建设和市政管理/地铁城铁": "地铁 轨道交通 地铁站 地铁口 城铁",
    "城市建设和市政管理/公园管理": "公园 游园",
    "城市建设和市政管理/园林绿化": "树木 绿化带 修剪 砍树 行道树 草坪 树枝 绿化",
    "城市建设和市政管理/环境卫生": "垃圾 垃圾桶 垃圾站 清运 保洁 脏乱差 公厕 化粪池",
    "城市建设和市政管理/城管执法": "占道经营 摆摊 流动摊贩 乱摆 店外经营 烧烤摊 渣土车 乱贴 小广告",
    "城市建设和市政管理/小区管理": "业委会 业主委员会 小区停车 小区大门",
    "城市建设和市政管理/城市公共设施": "路灯 井盖 窨井盖 护栏 隔离栏 公共座椅",
    "城市建设和市政管理/基础设施": "坑洼 路面塌陷 路面破损 下水道 排水管 人行道 积水 道路破损",
    "城市建设和市政管理/居民服务设施": "健身器材 充电桩 晾衣 便民",
    "住房保障与房地产/物业服务": "物业 物业费 物业公司 保安 门禁",
    "城乡规划/违章建筑": "违建 违章搭建 违规搭建 私搭乱建 加盖 楼顶加建 搭建",
    "环境污染/噪音污染": "噪音 噪声 扰民 太吵 广场舞 夜间施工",
    "环境污染/大气污染": "油烟 粉尘 扬尘 废气 烟尘 焚烧 臭味 刺鼻",
    "环境污染/水污染": "排污 污水直排 河水发臭 湖水污染 黑臭 排污口",
    "住房保障与房地产/住房公积金": "公积金 提取公积金 公积金贷款",
    "住房保障与房地产/保障性住房": "公租房 廉租房 保障房 经适房",
    "住房保障与房地产/房产证登记、办理": "房产证 不动产证 产权证 办证",
    "住房保障与房地产/房屋租赁": "租房 房东 租金 押金",
    "住房保障与房地产/房地产开发管理": "开发商 延期交房 交房 楼盘 期房",
    "住房保障与房地产/修缮装修": "漏水 墙体开裂 装修 维修基金 渗水",
    "国有土地上房屋征收与补偿/房屋拆迁": "拆迁 强拆 征收",
    "国有土地上房屋征收与补偿/安置补偿": "补偿款 安置 还建房 过渡费",
    "建筑市场/拖欠工程款": "工程款",
    "工程质量/施工安全": "工地安全 脚手架 塔吊",
    "工资福利/工资发放": "欠薪 拖欠 拖欠工资 工资不发 讨薪 克扣工资 欠工资 不发工资",
    "城镇职工社会保险/职工养老保险": "养老保险 养老金 社保缴费 断缴 社保",
    "城镇职工社会保险/职工医疗保险": "医保 报销 医保卡",
    "劳动关系/劳动合同纠纷": "劳动合同 不签合同 违约金",
    "劳动关系/辞职辞退": "辞退 开除 离职 经济补偿",
    "劳动保护/工作时间和休息休假": "加班 加班费 休假 年假 双休",
    "教育收费/乱收费": "补课费 乱收费 资料费 择校费",
    "考试招生/招生录取": "入学 招生 划片 学位 录取",
    "教育行政管理/校外机构管理": "培训机构 补习班 校外培训",
    "教育行政管理/校园安全": "校园 霸凌 校门口",
    "食品药品监管/食品安全": "过期 变质 食物中毒 外卖 无证经营 地沟油 卫生状况",
    "食品药品监管/药品和医疗器械管理": "药店 假药 药品",
    "医政监管/医疗技术和服务": "医院 医生 看病 挂号 护士",
    "公共卫生/疾病预防控制": "疫苗 接种 防疫 狂犬",
    "市场监管/商品质量": "质量问题 假货 劣质 以次充好",
    "市场监管/物价监督": "涨价 明码标价 价格欺诈 乱涨价",
    "质监检验检疫/特种设备管理": "电梯故障 困电梯 电梯 锅炉",
    "出租车管理/网约车问题": "网约车 滴滴 顺风车",
    "出租车管理/行业监管": "出租车 的士 拒载 绕路 宰客",
    "邮政管理/快递市场管理": "快递 快递员 包裹 丢件",
    "交通管理/交通安全管理": "红绿灯 信号灯 斑马线 违停 乱停车 交通拥堵 堵车",
    "交通管理/交通事故": "车祸 交通事故 追尾",
    "交通管理/机动车和驾驶员管理": "驾驶证 驾照 行驶证 车牌 年检",
    "户籍证件/户籍管理": "户口 落户 迁户 户籍",
    "户籍证件/身份证管理": "身份证",
    "户籍证件/出入境管理": "护照 港澳通行证 签证",
    "社会治安/治安案件": "打架 盗窃 被偷 敲诈 斗殴",
    "社会治安/消防安全": "消防通道 灭火器 消防栓 楼道堆放 电动车充电",
    "社会治安/黄赌毒": "赌博 吸毒 卖淫 麻将馆",
    "社会救助/城镇低保": "低保 最低生活保障",
    "社会救助/特困人员供养": "特困 五保",
    "社会服务/婚姻登记": "结婚登记 离婚登记 结婚证",
    "社会服务/殡葬管理": "殡葬 墓地 公墓 骨灰",
    "基层选举和社区建设/社区建设": "居委会 社区服务 社区工作人员",
    "福利慈善/福利事业": "养老院 高龄补贴 敬老院",
    "优抚/老退役军人待遇": "退役军人 老兵",
    "村务管理/村务公开": "村委会 村务 村干部",
    "土地承包经营/宅基地纠纷": "宅基地",
    "水利水电/防汛抗旱": "防汛 内涝 渍水",
    "水利水电/江河湖治理": "填湖 河道 湖泊",
    "电信/通信保障": "信号差 没有信号 基站 宽带 断网",
    "电信/电信资费": "话费 乱扣费 套餐 流量",
    "金融财税/税收征管": "发票 纳税 个税 税务",
    "金融财税/集资融资": "非法集资 理财 爆雷",
    "旅游管理/旅游市场管理": "旅行社 导游 强制购物 旅游团",
    "旅游管理/景区管理": "景区 门票",
    "文化/文化市场与文化执法": "网吧 KTV",
    "体育/体育事业": "体育馆 游泳馆 健身房",
    # the built-in catalogue
    "住房保障与房地产/物业管理": "物业 物业费 物业公司 保安 门禁",
    "环境污染/噪声污染": "噪音 噪声 扰民 太吵 广场舞 夜间施工",
    "城市建设和市政管理/道路桥梁": "坑洼 路面塌陷 路面破损 人行道 道路破损 桥梁",
    "工资福利/拖欠工资": "欠薪 拖欠工资 工资不发 讨薪 克扣工资 欠工资 不发工资",
    "出租车管理/拒载绕路": "出租车 的士 拒载 绕路 宰客",
    "社会救助/低保": "低保 最低生活保障",
}
# Names citizens use for places (roads, estates, landmarks), kept by admins as region aliases.
REGION_ALIASES = {
    "jiangan": "后湖 百步亭 永清 二七",
    "jiangan-01": "大智路 黎黄陂路 大智",
    "jiangan-02": "一元路 一元",
    "jiangan-03": "车站路",
    "jianghan": "江汉路 武广 唐家墩 王家墩 汉口火车站",
    "jianghan-01": "民族路 民生路",
    "jianghan-02": "花楼街",
    "jianghan-03": "万松园 万松",
    "qiaokou": "汉正街 宝丰路 硚口",
    "qiaokou-01": "古田二路 古田四路 古田",
    "qiaokou-02": "韩家墩",
    "qiaokou-03": "宗关",
    "hanyang": "钟家村 四新 王家湾 龟山 汉阳",
    "hanyang-01": "建桥",
    "hanyang-02": "鹦鹉大道 鹦鹉洲",
    "hanyang-03": "洲头",
    "wuchang": "中南路 司门口 黄鹤楼 首义 水果湖 武昌火车站",
    "wuchang-01": "积玉桥",
    "wuchang-02": "杨园",
    "wuchang-03": "徐家棚",
    "qingshan": "钢都 武钢 青山",
    "qingshan-01": "红卫路",
    "qingshan-02": "冶金",
    "qingshan-03": "新沟桥",
    "hongshan": "珞喻路 街道口 南湖 青菱 白沙洲 洪山",
    "hongshan-01": "珞南",
    "hongshan-02": "关山",
    "hongshan-03": "狮子山",
    "dongxihu": "金银湖 常青花园",
    "dongxihu-01": "吴家山",
    "dongxihu-02": "将军路",
    "dongxihu-03": "慈惠",
    "caidian": "知音湖 中法生态城 蔡甸",
    "caidian-02": "奓山",
    "caidian-03": "永安",
    "jiangxia": "藏龙岛 庙山 江夏",
    "jiangxia-01": "纸坊",
    "jiangxia-02": "金口",
    "jiangxia-03": "乌龙泉",
    "huangpi": "盘龙城 木兰山 天河机场 黄陂",
    "huangpi-01": "前川",
    "huangpi-02": "祁家湾",
    "huangpi-03": "横店",
    "xinzhou": "问津 新洲",
    "xinzhou-01": "邾城",
    "xinzhou-02": "阳逻",
    "xinzhou-03": "仓埠",
    "kaifaqu": "经开区 武汉经开 汉南",
    "kaifaqu-01": "沌口",
    "kaifaqu-02": "军山",
    "kaifaqu-03": "纱帽",
    "gaoxinqu": "光谷 未来科技城 东湖高新",
    "gaoxinqu-01": "关东",
    "gaoxinqu-02": "佛祖岭",
    "gaoxinqu-03": "花山",
    "fengjingqu": "东湖绿道 听涛 东湖风景区",
    "fengjingqu-02": "磨山",
    "fengjingqu-03": "马鞍山",
    "huagongqu": "化工区",
    "huagongqu-01": "八吉府",
    "huagongqu-02": "北湖",
    "huagongqu-03": "双柳",
}
# Approximate centres of the districts (a map point resolves to the nearest).
DISTRICT_CENTRES = {
    "jiangan": (30.62, 114.31),
    "jianghan": (30.60, 114.27),
    "qiaokou": (30.58, 114.23),
    "hanyang": (30.55, 114.23),
    "wuchang": (30.55, 114.32),
    "qingshan": (30.63, 114.39),
    "hongshan": (30.50, 114.35),
    "dongxihu": (30.67, 114.13),
    "caidian": (30.58, 114.03),
    "jiangxia": (30.38, 114.32),
    "huangpi": (30.88, 114.37),
    "xinzhou": (30.84, 114.80),
    "kaifaqu": (30.46, 114.14),
    "gaoxinqu": (30.48, 114.42),
    "fengjingqu": (30.56, 114.39),
    "huagongqu": (30.66, 114.50),
}


@transaction.atomic
def seed_routing() -> None:
    """Owners, keywords, aliases and district centres. Only fills what is empty or still at
    its default, so an admin's edits survive a re-run."""
    units = {u.code: u for u in Unit.objects.filter(level=Level.CITY)}
    leaves = Category.objects.filter(level=3).select_related("parent")
    by_key: dict[str, list[Category]] = {}
    for leaf in leaves:
        second = leaf.parent.name if leaf.parent else ""
        by_key.setdefault(f"{second}/{leaf.name}", []).append(leaf)
    for key, cats in by_key.items():
        for leaf in cats:
            _route_leaf(leaf, key, units)
    _seed_places()


def _route_leaf(leaf: Category, key: str, units: dict[str, Unit]) -> None:
    """A leaf's owner, keywords and default unit, where still empty or at the default."""
    from .models import Owner

    changed = []
    if key in PLACE_LEAVES and leaf.owner != Owner.PLACE:
        leaf.owner = Owner.PLACE
        changed.append("owner")
    if key in LEAF_KEYWORDS and not leaf.keywords:
        leaf.keywords = LEAF_KEYWORDS[key]
        changed.append("keywords")
    wanted = units.get(LEAF_UNIT.get(key, ""))
    if wanted is not None and leaf.default_unit_id != wanted.pk:
        leaf.default_unit = wanted
        changed.append("default_unit")
    if changed:
        leaf.save(update_fields=changed)


def _seed_places() -> None:
    """The regions' aliases, and the districts' centres where no point is set."""
    from .models import RegionAlias

    regions = {r.code: r for r in Region.objects.all()}
    for code, names in REGION_ALIASES.items():
        if code in regions:
            for name in names.split():
                RegionAlias.objects.get_or_create(region=regions[code], name=name)
    for code, (lat, lon) in DISTRICT_CENTRES.items():
        if code in regions and regions[code].lat is None:
            Region.objects.filter(pk=regions[code].pk).update(lat=lat, lon=lon)
