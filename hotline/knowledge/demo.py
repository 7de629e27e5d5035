"""Demo articles of the knowledge base, written by the agent and published by the dispatcher
through the services (so each has its versions and audit entries). Run after the org tree and
the logins exist; idempotent."""

from __future__ import annotations

from hotline.accounts.models import User
from hotline.orgs.models import Category

from . import services
from .models import Article

ARTICLES = [
    (
        ("自来水供应",),
        "停水报修流程",
        "一、先问清停水范围：仅本户、整栋楼还是整个小区。\n"
        "二、仅本户停水：请市民先查看水表阀门、是否欠费（可拨打水务集团客服或在“武汉水务”公众号查询），"
        "户内管道问题由业主自行维修或联系物业。\n"
        "三、整栋或整个小区停水：先查询水务集团的计划停水公告；有公告的，告知市民恢复供水时间，可直接答复办结。\n"
        "四、无公告的突发停水、爆管：按“自来水供应”派单至水务集团，紧急程度选“紧急”，记录详细地址和停水开始时间。\n"
        "五、停水超过 24 小时或涉及医院、学校、养老机构的，同时报值班长。",
    ),
    (
        ("噪声污染", "噪音污染"),
        "噪音投诉受理范围",
        "受理：建筑施工噪声（夜间 22 时至次日 6 时施工须有夜间施工许可）、商业经营噪声（门店高音喇叭、"
        "娱乐场所）、社会生活噪声（广场舞等公共场所活动）、工业噪声。\n"
        "派单：施工噪声派属地区城管执法或住建部门；商业与娱乐场所噪声派属地区城管或公安；"
        "广场舞等派属地街道。\n"
        "不属受理范围或需引导的：邻里之间的生活噪声（装修时间内的正常装修、家中走动）建议先与邻居或物业协商，"
        "协商不成可申请社区调解；正在发生且严重扰民的，可建议市民同时拨打 110。\n"
        "记录要点：噪声来源、地点（精确到门牌）、发生时段、持续多久。",
    ),
    (
        ("物业管理", "物业服务"),
        "物业服务投诉答复口径",
        "物业收费、服务质量、公共维修等问题，先确认小区名称和物业公司名称。\n"
        "收费标准问题可答复：住宅前期物业服务收费实行政府指导价，具体标准可向区房管局咨询。\n"
        "涉及电梯停运、二次供水、消防通道堵塞等安全问题的，按紧急件派单至属地街道并抄送区房管局。",
    ),
    (
        ("电力供应",),
        "停电报修与查询",
        "先确认是否仅本户停电：查看家中空气开关是否跳闸、电费是否欠缴。\n"
        "片区停电：可告知市民拨打 95598 供电服务热线查询计划停电；突发停电派单至供电公司。\n"
        "有电线落地、变压器冒烟等危险情况的，提醒市民远离现场，紧急程度选“紧急”。",
    ),
]


def _leaf(names: tuple[str, ...]) -> Category | None:
    for name in names:
        found = Category.objects.filter(name=name, active=True).order_by("level").last()
        if found is not None:
            return found
    return None


def build_articles() -> int:
    """Write and publish the demo articles if the knowledge base is empty; returns how many."""
    if Article.objects.exists():
        return 0
    writer = User.objects.filter(username="agent").first()
    reviewer = User.objects.filter(username="dispatcher").first()
    if writer is None or reviewer is None:
        return 0
    made = 0
    for names, title, body in ARTICLES:
        category = _leaf(names)
        if category is None:
            continue
        article = services.article_create(
            actor=writer, data={"category": category.code, "title": title, "body": body}
        )
        services.article_act(actor=writer, article_id=article.pk, action="submit")
        services.article_act(actor=reviewer, article_id=article.pk, action="publish")
        made += 1
    return made
