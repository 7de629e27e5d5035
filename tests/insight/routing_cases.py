"""A labelled set for dispatch routing, written by the team for this project from the seeded
city's own places (districts, streets and the aliases of hotline/orgs/demo.py): each message
with the catalogue leaf (一级/二级/三级) and the unit a dispatcher should choose. Written as
citizens phone them in, before the weights were set; not copied from any file.

Each case: (leaf path, expected unit code, address, text). Units owned by the place (属地) are
the district's unit code (the district government: jiangan, hongshan, ...)."""

from __future__ import annotations

WATER = "城乡建设/城市建设和市政管理/自来水供应"
POWER = "城乡建设/城市建设和市政管理/电力供应"
GAS = "城乡建设/城市建设和市政管理/燃气供应"
HEATING = "城乡建设/城市建设和市政管理/冬季采暖"
BUS = "城乡建设/城市建设和市政管理/公共汽车"
METRO = "城乡建设/城市建设和市政管理/地铁城铁"
ENFORCE = "城乡建设/城市建设和市政管理/城管执法"
SANITATION = "城乡建设/城市建设和市政管理/环境卫生"
FACILITIES = "城乡建设/城市建设和市政管理/城市公共设施"
INFRA = "城乡建设/城市建设和市政管理/基础设施"
GREEN = "城乡建设/城市建设和市政管理/园林绿化"
ILLEGAL = "城乡建设/城乡规划/违章建筑"
PROPERTY = "城乡建设/住房保障与房地产/物业服务"
FUND = "城乡建设/住房保障与房地产/住房公积金"
DEVELOPER = "城乡建设/住房保障与房地产/房地产开发管理"
DEED = "城乡建设/住房保障与房地产/房产证登记、办理"
NOISE = "环境保护/环境污染/噪音污染"
AIR = "环境保护/环境污染/大气污染"
WATERPOL = "环境保护/环境污染/水污染"
WAGES = "劳动和社会保障/工资福利/工资发放"
PENSION = "劳动和社会保障/城镇职工社会保险/职工养老保险"
MEDINS = "劳动和社会保障/城镇职工社会保险/职工医疗保险"
CONTRACT = "劳动和社会保障/劳动关系/劳动合同纠纷"
FEES = "教育文体/教育收费/乱收费"
ENROL = "教育文体/考试招生/招生录取"
TUTORING = "教育文体/教育行政管理/校外机构管理"
FOOD = "卫生计生/食品药品监管/食品安全"
HOSPITAL = "卫生计生/医政监管/医疗技术和服务"
VACCINE = "卫生计生/公共卫生/疾病预防控制"
TAXI = "交通运输/出租车管理/行业监管"
RIDEHAIL = "交通运输/出租车管理/网约车问题"
PARCEL = "交通运输/邮政管理/快递市场管理"
TRAFFIC = "政法/交通管理/交通安全管理"
HUKOU = "政法/户籍证件/户籍管理"
SECURITY = "政法/社会治安/治安案件"
FIRE = "政法/社会治安/消防安全"
DIBAO = "民政/社会救助/城镇低保"
MARRIAGE = "民政/社会服务/婚姻登记"
LIFTS = "商贸旅游/质监检验检疫/特种设备管理"
SIGNAL = "科技与信息产业/电信/通信保障"
GOODS = "商贸旅游/市场监管/商品质量"

CASES: list[tuple[str, str, str, str]] = [
    # water: always the water company, wherever it is
    (WATER, "water", "江岸区大智路", "大智路小区停水三天了，一直没有通知什么时候来水"),
    (WATER, "water", "", "我住在汉阳钟家村，家里自来水水压很小，五楼以上基本没水"),
    (WATER, "water", "洪山区珞喻路", "珞喻路这边的自来水发黄，烧开了还有沉淀，水质有问题"),
    (WATER, "water", "", "青山区红卫路路口水管爆裂，水流了一上午没人来修"),
    (WATER, "water", "武昌区徐家棚", "徐家棚这一片突然断水，也没有提前通知，老人孩子没法做饭"),
    # power: the power company
    (POWER, "power", "", "江汉区万松园一带晚上停电了三个小时，冰箱里的东西都坏了"),
    (POWER, "power", "东西湖区吴家山", "吴家山我们小区经常跳闸停电，电压不稳，电器都烧了"),
    (POWER, "power", "", "光谷未来科技城附近的变压器一直嗡嗡响，晚上还断电"),
    (POWER, "power", "硚口区宗关", "宗关这边的电表走得特别快，电费比上个月翻了一倍"),
    # gas: the gas company
    (GAS, "gas", "", "新洲区邾城我家的天然气开通申请交了一个月了还没人来装"),
    (GAS, "gas", "江夏区纸坊", "纸坊这边燃气费突然涨了很多，燃气表是不是有问题"),
    (GAS, "gas", "", "黄陂前川小区的燃气管道改造拖了半年，一直没有天然气用"),
    (GAS, "gas", "汉阳区建桥", "建桥街这边燃气经常没气，做饭做到一半就熄火"),
    # heating: the heating company
    (HEATING, "heating", "", "武昌水果湖我们小区集中供热，暖气片一点都不热"),
    (HEATING, "heating", "江岸区后湖", "后湖这边交了采暖费，暖气到现在还没来"),
    (HEATING, "heating", "", "青山钢都花园的供暖温度太低，室内只有十二度"),
    (HEATING, "heating", "洪山区关山", "关山这边地暖交了钱但是一直不供暖，找不到人负责"),
    # bus: the bus company
    (BUS, "bus", "", "江汉路站的公交车末班车提前二十分钟就走了，晚上下班赶不上"),
    (BUS, "bus", "汉阳区鹦鹉大道", "鹦鹉大道这一站公交经常不停靠，司机直接开过去"),
    (BUS, "bus", "", "东西湖金银湖到市区的公交线路太少，班次间隔一个小时"),
    (BUS, "bus", "武昌区中南路", "中南路公交站台的顶棚坏了，下雨天等车全身淋湿"),
    # metro: the transport bureau
    (METRO, "transport", "", "光谷广场地铁站的出口指示不清楚，换乘要绕很远"),
    (METRO, "transport", "", "建议地铁延长运营时间，汉口火车站晚上到站的旅客坐不上地铁"),
    (METRO, "transport", "洪山区街道口", "街道口地铁口附近施工围挡占了人行道，进出地铁很不方便"),
    (METRO, "transport", "", "黄陂盘龙城的轨道交通什么时候能通到前川"),
    # street trading and the like: the district of the place
    (ENFORCE, "gaoxinqu", "", "光谷步行街晚上烧烤摊占道经营，油烟和垃圾很多"),
    (ENFORCE, "jianghan", "江汉区花楼街", "花楼街路边流动摊贩乱摆，把路都堵了"),
    (ENFORCE, "wuchang", "", "武昌积玉桥菜场门口店外经营严重，行人只能走机动车道"),
    (ENFORCE, "qiaokou", "硚口区汉正街", "汉正街的渣土车晚上乱跑，撒得一路都是泥"),
    (ENFORCE, "hongshan", "", "洪山区狮子山街道小区门口到处乱贴小广告，清理了又贴"),
    # sanitation: the district
    (SANITATION, "qingshan", "青山区冶金街", "冶金街这边的垃圾站好几天没有清运，臭气熏天"),
    (SANITATION, "dongxihu", "", "东西湖慈惠这里的公厕没人打扫，脏乱差"),
    (SANITATION, "caidian", "蔡甸区奓山", "奓山街上的垃圾桶都满了，没人来收"),
    (SANITATION, "jiangxia", "", "江夏金口老街的化粪池满了往外冒，没人管"),
    # street lights, manhole covers: the district
    (FACILITIES, "jiangan", "江岸区一元路", "一元路和胜利街交叉口的路灯坏了一个多星期"),
    (FACILITIES, "hanyang", "", "汉阳四新大道上有个井盖丢了，晚上很危险"),
    (FACILITIES, "xinzhou", "新洲区阳逻", "阳逻开发区主干道的护栏被撞坏了一直没修"),
    (FACILITIES, "kaifaqu", "", "沌口这边新修的路一排路灯都不亮"),
    # roads and drains: the district
    (INFRA, "wuchang", "", "武昌杨园铁机路路面塌陷了一个大坑，电动车摔了好几个"),
    (INFRA, "hongshan", "洪山区南湖", "南湖这边一下雨就积水，下水道堵了没人疏通"),
    (INFRA, "huangpi", "", "黄陂横店街上的人行道砖都翘起来了，老人经常绊倒"),
    (INFRA, "qiaokou", "硚口区古田二路", "古田二路的路面坑洼不平，车子开过去水溅到行人身上"),
    # trees and lawns: the parks and forestry bureau
    (GREEN, "gardens", "", "江汉区唐家墩路的行道树树枝太低，挡住了路灯和红绿灯"),
    (GREEN, "gardens", "武昌区首义", "首义广场的草坪被人踩坏了，绿化没人维护"),
    (GREEN, "gardens", "", "汉阳王家湾的绿化带杂草比人还高，建议修剪"),
    (GREEN, "gardens", "洪山区青菱", "青菱这边有人私自砍树，一下砍了十几棵"),
    # unauthorised building: the district
    (ILLEGAL, "jiangan", "", "江岸区百步亭小区一楼住户违章搭建，把公共绿地围成了自家院子"),
    (ILLEGAL, "wuchang", "武昌区司门口", "司门口老小区有人在楼顶加建了两层"),
    (ILLEGAL, "dongxihu", "", "东西湖常青花园有业主私搭乱建，占用消防通道旁边的空地"),
    (ILLEGAL, "huangpi", "黄陂区祁家湾", "祁家湾街上有一户正在违建，已经盖到第四层"),
    # property management: the district
    (PROPERTY, "hongshan", "", "洪山区珞南街的小区物业什么都不管，电梯坏了也不修，还要涨物业费"),
    (PROPERTY, "jianghan", "江汉区民族街", "民族路我们小区物业公司收了钱不干事，门禁坏了半年"),
    (PROPERTY, "caidian", "", "蔡甸知音湖小区的物业保安天天不在岗，外来人员随便进出"),
    (PROPERTY, "jiangxia", "江夏区藏龙岛", "藏龙岛小区物业擅自把公共车位出租牟利"),
    # housing fund: the housing administration
    (FUND, "fangguan", "", "我在江汉区上班，想提取公积金付首付，中心说材料不全，到底要什么材料"),
    (FUND, "fangguan", "武昌区中南路", "公积金贷款审批已经两个月了还没放款"),
    (FUND, "fangguan", "", "单位一直没给我交住房公积金，光谷这边的公司"),
    (FUND, "fangguan", "", "离职后公积金怎么转到新单位，青山区这边怎么办理"),
    # developers: the housing administration
    (DEVELOPER, "fangguan", "", "汉阳四新的楼盘开发商延期交房一年了，也不给违约金"),
    (DEVELOPER, "fangguan", "东西湖区将军路", "将军路这个期房项目停工半年，开发商联系不上"),
    (DEVELOPER, "fangguan", "", "江夏庙山的楼盘交房时发现面积缩水，开发商不认账"),
    (DEVELOPER, "fangguan", "黄陂区盘龙城", "盘龙城这个楼盘开发商虚假宣传，说好的学校没有了"),
    # property deeds: the housing administration
    (DEED, "fangguan", "", "我在洪山关山买的房子交房五年了还办不了房产证"),
    (DEED, "fangguan", "硚口区韩家墩", "韩家墩的还建房一直办不了不动产证，说是开发商欠税"),
    (DEED, "fangguan", "", "江岸区二七这边的老房子产权证丢了，怎么补办"),
    (DEED, "fangguan", "新洲区问津", "问津这边的小区业主至今拿不到房产证"),
    # noise: the district
    (NOISE, "hanyang", "", "钟家村小区楼下每天晚上广场舞噪音太吵，音响开得很大"),
    (NOISE, "jiangan", "江岸区车站路", "车站路旁边的工地夜间施工到凌晨两点，严重扰民"),
    (NOISE, "gaoxinqu", "", "光谷这边的酒吧音乐噪音太大，半夜都睡不着"),
    (NOISE, "qingshan", "青山区新沟桥", "新沟桥的KTV每天晚上唱到两三点，噪声扰民"),
    # air: the ecology bureau (construction dust: the housing bureau, by rule)
    (AIR, "ecology", "", "化工区北湖一带的工厂晚上偷排废气，空气里都是刺鼻的味道"),
    (AIR, "ecology", "硚口区宝丰路", "宝丰路这家饭店的油烟直接排到居民楼里"),
    (AIR, "ecology", "", "蔡甸中法生态城附近有人焚烧垃圾，浓烟很大"),
    (AIR, "housing", "江夏区纸坊", "纸坊这边的工地扬尘太大，也不洒水，窗户都不敢开"),
    # water pollution: the ecology bureau
    (WATERPOL, "ecology", "", "汉阳龟山脚下的湖水污染严重，水面漂着死鱼，发黑发臭"),
    (WATERPOL, "ecology", "东西湖区金银湖", "金银湖边上有个排污口一直往湖里排污水"),
    (WATERPOL, "ecology", "", "黄陂横店这边的河水发臭，上游有养猪场直排"),
    (WATERPOL, "ecology", "江夏区乌龙泉", "乌龙泉的小河被工厂排污染成了红色"),
    # wages: the human resources and social security bureau
    (WAGES, "hrss", "", "我在光谷一家公司上班，公司拖欠我三个月工资一直不发"),
    (WAGES, "hrss", "江岸区永清", "永清这边一个装修工地的老板欠工资跑了，十几个工人讨薪无门"),
    (WAGES, "hrss", "", "汉南纱帽的工厂克扣工资，说是扣质量罚款"),
    (WAGES, "hrss", "武昌区杨园", "杨园这边的餐馆老板拖欠服务员工资两个月"),
    # pensions: the human resources and social security bureau
    (PENSION, "hrss", "", "我在青山区退休，养老金这个月没有按时到账"),
    (PENSION, "hrss", "东湖高新区关东", "关东这边的公司一直没给员工交养老保险"),
    (PENSION, "hrss", "", "江夏区我之前在外地交的社保怎么转回武汉，养老保险能不能合并"),
    (PENSION, "hrss", "", "新洲阳逻的企业给我们断缴社保半年了"),
    # medical insurance: the human resources and social security bureau
    (MEDINS, "hrss", "", "我在汉阳住院花了三万，职工医保报销比例怎么这么低"),
    (MEDINS, "hrss", "硚口区古田", "古田这边的药店不能刷医保卡了，说是系统问题"),
    (MEDINS, "hrss", "", "单位给我交了医疗保险，可是在江岸区医院看病刷不了医保"),
    (MEDINS, "hrss", "", "在洪山区的医院异地就医医保报销流程太麻烦"),
    # labour contracts: the human resources and social security bureau
    (CONTRACT, "hrss", "", "我在东西湖一家物流公司干了一年，公司一直不签劳动合同"),
    (CONTRACT, "hrss", "江汉区武广", "武广这边的商场让我们签的劳动合同里写着离职要交违约金"),
    (CONTRACT, "hrss", "", "黄陂天河机场附近的公司试用期满了不给签合同还要辞退我"),
    (CONTRACT, "hrss", "", "汉南的工厂劳动合同到期不续签，也不给经济补偿"),
    # school fees: the education bureau
    (FEES, "education", "", "江岸区一所小学强制收取资料费和补课费，每人八百元"),
    (FEES, "education", "洪山区关山", "关山这边的中学乱收费，要求家长交择校费才给入读"),
    (FEES, "education", "", "青山区一所幼儿园以兴趣班名义乱收费"),
    (FEES, "education", "武昌区积玉桥", "积玉桥的小学让家长交班费买空调，属于乱收费吗"),
    # enrolment: the education bureau
    (ENROL, "education", "", "我们小区在汉阳四新，孩子入学划片被划到了五公里外的学校"),
    (ENROL, "education", "江汉区万松园", "万松园这边孩子上小学的学位不够，招生说满了"),
    (ENROL, "education", "", "外地户口的孩子在洪山区上初中怎么录取，需要什么材料"),
    (ENROL, "education", "", "东西湖区新建的学校什么时候招生，我们小区划在哪个学校"),
    # tutoring centres: the education bureau
    (TUTORING, "education", "", "光谷一家培训机构卷款跑路，预交的一万多学费退不了"),
    (TUTORING, "education", "硚口区宗关", "宗关这边的补习班在居民楼里上课，没有资质"),
    (TUTORING, "education", "", "江岸后湖的校外培训机构在周末违规上课"),
    (TUTORING, "education", "", "武昌中南路的培训机构不给退费，合同写的可以退"),
    # food: the market regulation bureau
    (FOOD, "market", "", "江汉路一家餐馆卖的菜过期变质，吃了拉肚子"),
    (FOOD, "market", "洪山区街道口", "街道口的外卖店没有营业执照，后厨卫生状况很差"),
    (FOOD, "market", "", "青山区一家超市卖过期的牛奶，还改了生产日期"),
    (FOOD, "market", "江夏区纸坊", "纸坊一所学校食堂的饭菜有问题，好几个学生食物中毒"),
    # hospitals: the health commission
    (HOSPITAL, "health", "", "武昌一家医院的医生态度恶劣，看病排队三个小时"),
    (HOSPITAL, "health", "江岸区大智路", "大智路附近的医院挂号太难，网上根本挂不上"),
    (HOSPITAL, "health", "", "洪山区一家医院护士打针打错了药，家属找医院没人管"),
    (HOSPITAL, "health", "", "黄陂前川的医院急诊没有医生值班，病人等了一个小时"),
    # vaccines: the health commission
    (VACCINE, "health", "", "汉阳四新的社区卫生服务中心疫苗接种总是约不上"),
    (VACCINE, "health", "东西湖区慈惠", "慈惠这边被狗咬了要打狂犬疫苗，附近没有接种点"),
    (VACCINE, "health", "", "江夏区孩子打完疫苗出现高烧，想问接种的是哪个批次"),
    (VACCINE, "health", "", "新洲区的流感疫苗什么时候可以接种"),
    # taxis: the transport bureau
    (TAXI, "transport", "", "在汉口火车站打出租车，司机拒载，说太近了不去"),
    (TAXI, "transport", "武昌区武昌火车站", "武昌火车站出租车不打表，一口价要一百"),
    (TAXI, "transport", "", "光谷的的士司机故意绕路，多收了四十块钱"),
    (TAXI, "transport", "", "天河机场出租车排队宰客，司机要求拼车"),
    # ride hailing: the transport bureau
    (RIDEHAIL, "transport", "", "在江岸区坐网约车，司机中途让我下车还扣了全程车费"),
    (RIDEHAIL, "transport", "", "滴滴司机在洪山街道口绕路，平台不处理投诉"),
    (RIDEHAIL, "transport", "汉阳区王家湾", "王家湾的网约车司机和注册的车牌不一致"),
    (RIDEHAIL, "transport", "", "顺风车司机在东西湖半路加价，不给就不走"),
    # parcels: the transport bureau (postal administration under it)
    (PARCEL, "transport", "", "江汉区唐家墩这边的快递员不送货上门，直接放快递柜还收费"),
    (PARCEL, "transport", "硚口区古田", "古田这边快递丢件，快递公司推来推去不赔偿"),
    (PARCEL, "transport", "", "洪山区的快递网点包裹堆在路边，下雨全淋湿了"),
    (PARCEL, "transport", "", "青山区快递点的包裹被人冒领，快递员说不管"),
    # traffic: the traffic police
    (TRAFFIC, "traffic", "", "江岸区一元路路口的红绿灯时间太短，行人过不去"),
    (TRAFFIC, "traffic", "武昌区中南路", "中南路晚高峰交通拥堵，路口违停的车太多"),
    (TRAFFIC, "traffic", "", "汉阳钟家村的斑马线没有信号灯，车都不让人"),
    (TRAFFIC, "traffic", "", "光谷关山大道上每天早上堵车，建议调整信号灯配时"),
    # household registration: the police
    (HUKOU, "police", "", "我在洪山区买了房，想把户口迁过来，派出所说还要排队"),
    (HUKOU, "police", "江汉区民族街", "孩子出生后落户需要什么材料，民族街派出所说不清楚"),
    (HUKOU, "police", "", "大学毕业生在东湖高新区落户，户籍窗口要求的证明太多"),
    (HUKOU, "police", "", "新洲邾城户口迁出要回老家开证明，能不能网上办"),
    # public order: the police
    (SECURITY, "police", "", "江岸区后湖小区最近多次发生电动车被偷，报警后没有回音"),
    (SECURITY, "police", "汉阳区钟家村", "钟家村夜市经常有人打架，很不安全"),
    (SECURITY, "police", "", "武昌积玉桥有人在小区门口敲诈老人"),
    (SECURITY, "police", "", "东西湖吴家山的网吧门口经常有人斗殴"),
    # fire safety: the emergency management bureau
    (FIRE, "emergency", "", "江汉区万松园小区的消防通道被私家车堵死了"),
    (FIRE, "emergency", "洪山区珞南", "珞南这栋楼的楼道堆放杂物，还有人在楼道里给电动车充电"),
    (FIRE, "emergency", "", "硚口宗关一个商场的灭火器都过期了，消防栓也没水"),
    (FIRE, "emergency", "", "青山区红卫路有小区的消防设施形同虚设"),
    # minimum living allowance: the district
    (DIBAO, "wuchang", "", "武昌区徐家棚我家是困难家庭，申请低保半年了还没批下来"),
    (DIBAO, "jiangxia", "江夏区金口", "金口这边低保的评定不公平，有车有房的也吃低保"),
    (DIBAO, "qiaokou", "", "硚口区韩家墩的老人低保金这个月没有发"),
    (DIBAO, "huangpi", "黄陂区横店", "横店的最低生活保障标准是多少，怎么申请"),
    # marriage registration: the civil affairs bureau
    (MARRIAGE, "civil", "", "在江岸区办理结婚登记需要预约吗，周末能不能办"),
    (MARRIAGE, "civil", "", "洪山区婚姻登记处排队太久，一上午都没办完"),
    (MARRIAGE, "civil", "汉阳区", "结婚证丢了怎么补办，户口在汉阳"),
    (MARRIAGE, "civil", "", "离婚登记冷静期是多久，在武昌哪里办理"),
    # lifts: the market regulation bureau
    (LIFTS, "market", "", "江汉区一栋高层的电梯故障，有人被困电梯里一个小时"),
    (LIFTS, "market", "洪山区南湖", "南湖这边小区的电梯年检过期了还在用"),
    (LIFTS, "market", "", "青山区商场的扶梯突然反转，电梯没有安全检测"),
    (LIFTS, "market", "", "光谷一栋写字楼电梯经常困人，物业说是电梯公司的事"),
    # mobile signal and broadband: the telecom company
    (SIGNAL, "telecom", "", "黄陂木兰山附近手机没有信号，电话都打不出去"),
    (SIGNAL, "telecom", "江夏区藏龙岛", "藏龙岛小区宽带经常断网，报修了一周没人来"),
    (SIGNAL, "telecom", "", "新洲仓埠这边手机信号差，建议增加基站"),
    (SIGNAL, "telecom", "", "东西湖我们小区的电信宽带速度特别慢"),
    # goods quality: the market regulation bureau
    (GOODS, "market", "", "在江汉路一家商场买的羽绒服质量问题很大，商家不给退"),
    (GOODS, "market", "", "武昌一家家具店卖的沙发以次充好，标的是实木"),
    (GOODS, "market", "硚口区宝丰路", "宝丰路的电器店卖假货，说是原装的其实是翻新机"),
    (GOODS, "market", "", "光谷一家手机店卖的手机是劣质产品，用了一周就坏了"),
]
