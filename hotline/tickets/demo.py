"""Demo tickets in every state, drawn from real citizen messages when ``../shared/data`` is
there. Every ticket is created and moved through the same services the API uses."""

from __future__ import annotations

import csv
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import HotlineError
from hotline.orgs.models import Category, Region, Unit

from . import services
from .models import Ticket

FALLBACK = [
    (
        "小区楼下餐馆油烟扰民",
        "XX路XX小区楼下的餐馆每天排放油烟，住户无法开窗，请相关部门处理。",
        "环境保护",
    ),
    (
        "小区停水三天无人处理",
        "我们小区已经停水三天，物业和水务公司互相推诿，请尽快恢复供水。",
        "城乡建设",
    ),
    (
        "公司拖欠工资半年",
        "本人在某公司工作，公司已拖欠半年工资，多次讨要无果，请求劳动监察介入。",
        "劳动和社会保障",
    ),
    (
        "学校违规收取补课费",
        "孩子所在学校以自愿名义收取补课费，实际上强制参加，请教育部门调查。",
        "教育文体",
    ),
    ("出租车拒载", "晚上在火车站打车，多辆出租车拒载短途乘客，请交通部门整治。", "交通运输"),
]


def _messages(limit: int) -> list[tuple[str, str, str]]:
    path = (
        Path(getattr(settings, "HOTLINE_SHARED_DATA", settings.BASE_DIR.parent / "shared" / "data"))
        / "teddycup2020c"
        / "messages_labeled.csv"
    )
    if not path.exists():
        return [FALLBACK[i % len(FALLBACK)] for i in range(limit)]
    rows = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            detail = re.sub(r"\s+", " ", (row["留言详情"] or "").replace("_x000D_", "")).strip()
            if not detail:
                continue
            rows.append((row["留言主题"].strip()[:200], detail[:2000], row["一级标签"]))
    random.Random(12345).shuffle(rows)
    return rows[:limit]


def _judgements(verdict: str) -> dict:
    """The four judgements of a demo review: a redo finds the unit's handling wanting."""
    ok = verdict != "redo"
    return {
        "complaint_reasonable": {"value": True, "note": "诉求事实清楚，理由合理"},
        "complaint_lawful": {"value": True, "note": "诉求于法有据"},
        "process_compliant": {
            "value": ok,
            "note": "办理流程" + ("规范" if ok else "未按时现场核实"),
        },
        "result_lawful": {"value": ok, "note": "处理结果" + ("依法" if ok else "未落实整改")},
    }


class _Story:
    """One demo ticket's life, told at its own moments by the demo's logins."""

    def __init__(self, users: dict[str, User], rng: random.Random, now: datetime) -> None:
        self.users, self.rng, self.now = users, rng, now

    def act(self, who: str | User, number: str, action: str, moment: datetime, **data) -> None:
        user = self.users[who] if isinstance(who, str) else who
        with services.acting_at(min(moment, self.now)):
            services.ticket_transition(actor=user, number=number, action=action, data=data)

    def route(self, number, t, *, category, district, streets, i) -> tuple[Unit, datetime]:
        """Dispatch to the district or the category's unit; a district often forwards on."""
        to_district = category.default_unit is None or self.rng.random() < 0.4
        target = district if to_district else category.default_unit
        self.act("dispatcher", number, "dispatch", t, unit=target.code)
        t += timedelta(hours=self.rng.randint(1, 20))
        if to_district and self.rng.random() < 0.7:
            street = streets[district.pk][i % len(streets[district.pk])]
            self.act(f"{district.code}-dispatcher", number, "forward", t, unit=street.code)
            target = street
            t += timedelta(hours=self.rng.randint(1, 20))
        return target, t

    def maybe_extend(self, handler: User, number: str, t: datetime) -> None:
        if self.rng.random() >= 0.1:
            return
        try:
            self.act(handler, number, "request_extension", t, days=5, reason="需协调多部门现场处置")
            approve = self.rng.random() < 0.8
            self.act(
                "dispatcher", number, "decide_extension", t + timedelta(hours=2), approve=approve
            )
        except HotlineError:
            pass

    def reply(self, handler: User, number: str, t: datetime) -> None:
        outcome = self.rng.choice(["resolved"] * 3 + ["explained", "cannot_resolve"])
        text = "经核实，已安排人员现场处置，问题已整改到位。联系人：王科长 027-85551234。"
        self.act(handler, number, "reply", t, text=text, outcome=outcome)

    def review(self, handler: User, number: str, t: datetime) -> None:
        """A dissatisfied citizen: the evaluator upholds the unit or orders a redo."""
        verdict = "redo" if self.rng.random() < 0.5 else "proper"
        note = "经复核，" + ("办理不到位，需重办" if verdict == "redo" else "单位已依法依规处置")
        self.act(
            "evaluator",
            number,
            "review",
            t,
            verdict=verdict,
            note=note,
            judgements=_judgements(verdict),
        )
        if verdict == "redo" and self.rng.random() < 0.6:
            t += timedelta(days=self.rng.randint(1, 4))
            text = "已重新核查并彻底整改，已电话告知市民。"
            self.act(handler, number, "reply", t, text=text, outcome="resolved")
            self.act(
                "callback", number, "follow_up", t + timedelta(hours=5), satisfaction="satisfied"
            )

    def live(self, number: str, moment: datetime, fate: float, **where) -> None:
        """Take the ticket as far as its ``fate`` says (the thresholds give the demo's mix)."""
        rng = self.rng
        t = moment + timedelta(minutes=rng.randint(5, 90))
        if fate < 0.06:
            return  # stays registered
        if fate < 0.09:
            return self.act("agent", number, "invalidate", t, reason="无效来电（测试/无内容）")
        if fate < 0.16:
            return self.act(
                "agent", number, "answer_directly", t, text="已按政策解答，市民表示清楚。"
            )
        target, t = self.route(number, t, **where)
        handler = self.users[f"{target.code}-handler"]
        if fate < 0.22:
            return  # dispatched, waiting for acceptance
        if fate < 0.25:
            return self.act(handler, number, "send_back", t, reason="该事项不属于本单位职责范围")
        self.act(handler, number, "accept", t)
        t += timedelta(hours=rng.randint(2, 60))
        self.maybe_extend(handler, number, t)
        if fate < 0.40:
            if rng.random() < 0.2:
                self.act("supervisor", number, "supervise", t, note="请加快办理进度，按时反馈。")
            return  # in progress
        t += timedelta(days=rng.randint(0, 6))
        self.reply(handler, number, t)
        if fate < 0.52:
            return  # replied, waiting for follow-up
        t += timedelta(hours=rng.randint(2, 40))
        sat = rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [6, 2, 2])[0]
        self.act("callback", number, "follow_up", t, satisfaction=sat)
        if sat == "dissatisfied" and fate >= 0.6:
            self.review(handler, number, t + timedelta(hours=rng.randint(2, 40)))


# Buildings and roads of a community, for the demo's addresses (the community is the seeded one).
PLACES = ["小区", "花园", "新村", "公寓", "家园"]


def demo_place(
    rng, district: Unit, street: Unit | None, communities: dict[int | None, Region]
) -> tuple[Region | None, str]:
    """Where a demo request comes from: a community of ``street`` (one of the district's streets
    in the seeded tree), as (region, address). The address names the district, the street and
    the community: 江岸区大智街道大智社区幸福小区3栋."""
    district_region = district.region
    district_name = district_region.name if district_region is not None else district.name
    street_region = street.region if street is not None else None
    if street_region is None:
        return district_region, f"{district_name}{rng.randint(1, 300)}号"
    community = communities.get(street_region.pk)
    if community is None:
        return street_region, f"{district_name}{street_region.name}{rng.randint(1, 300)}号"
    place = f"{community.name.replace('社区', '')}{rng.choice(PLACES)}"
    address = f"{district_name}{street_region.name}{community.name}{place}{rng.randint(1, 30)}栋"
    return community, address


def _citizen_request(rng, title, content, category, district, regions, place=None) -> dict:
    channels = ["phone"] * 6 + ["wechat", "web", "app", "mailbox", "letter", "leader_phone"]
    kinds = ["complaint"] * 5 + ["help", "help", "consultation", "report", "suggestion"]
    phone = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
    data = {
        "channel": rng.choice(channels),
        "kind": rng.choice(kinds),
        "title": title,
        "content": content,
        "region": district.region.code if district.region_id else None,
        "category": category.code,
        "address": f"{district.name.replace('人民政府', '')}{rng.randint(1, 300)}号",
        "citizen": {
            "name": rng.choice("张王李赵刘陈杨黄周吴") + rng.choice(["先生", "女士"]),
            "phone": phone,
            "confidential": rng.random() < 0.05,
        },
    }
    if place is not None:
        region, data["address"] = place
        data["region"] = region.code if region is not None else None
    if data["region"] not in regions:
        data.pop("region")
    return data


def build_tickets(count: int = 300, *, days: int = 45, seed: int = 2026) -> int:
    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.all()}
    leaves: dict[str, list[Category]] = {}
    for cat in Category.objects.filter(level=3).select_related("parent__parent", "default_unit"):
        leaves.setdefault(cat.parent.parent.name, []).append(cat)
    districts = list(
        Unit.objects.filter(level="district").select_related("region").order_by("code")
    )
    streets: dict[int, list[Unit]] = {}
    for street in Unit.objects.filter(level="street").select_related("region").order_by("code"):
        streets.setdefault(street.parent_id, []).append(street)
    regions = {r.code: r for r in Region.objects.all()}
    communities = {
        r.parent_id: r
        for r in sorted(regions.values(), key=lambda r: r.code)
        if r.level == "community"
    }
    now = timezone.now()
    start = now - timedelta(days=days)
    story = _Story(users, rng, now)
    made = 0
    for i, (title, content, label) in enumerate(_messages(count)):
        moment = start + timedelta(seconds=rng.randint(0, days * 86400 - 3 * 86400))
        category = rng.choice(leaves.get(label) or [c for group in leaves.values() for c in group])
        district = districts[i % len(districts)]
        # The street a district forwards to (``route``) is the one the citizen lives in.
        own = streets.get(district.pk, [])
        place = demo_place(rng, district, own[i % len(own)] if own else None, communities)
        data = _citizen_request(rng, title, content, category, district, regions, place)
        try:
            with services.acting_at(min(moment, now)):
                ticket = services.ticket_register(actor=users["agent"], data=data).ticket
            made += 1
            where = {"category": category, "district": district, "streets": streets, "i": i}
            story.live(ticket.number, moment, rng.random(), **where)
        except HotlineError:
            continue
    _merge_some(users["dispatcher"])
    if count <= 0:  # the org tree alone (a benchmark loads its own tickets)
        return made
    return made + _hot_spot(rng, story, leaves, districts, streets, communities, regions, now)


# A burst of calls about one problem in one place over the last days, as a city sees every week
# (a water main, a blocked road): the leaders' dashboard finds it as a hot spot.
HOT_SPOT_CALLS = (
    ("{place}停水两天了", "{place}从前天早上开始停水，一直没有通知什么时候恢复供水。"),
    ("{place}停水没有通知", "{place}突然停水，听说是供水管道爆了，不知道什么时候恢复供水。"),
    ("{place}停水一天多", "{place}停水已经一天多，请尽快安排抢修，恢复供水。"),
    ("{place}全部停水", "{place}全部停水，几栋楼都没有水，供水公司电话一直占线。"),
    ("{place}长时间停水", "{place}停水超过二十四小时，希望尽快恢复供水。"),
    ("{place}停水请求送水", "{place}停水，家里有卧床老人，请求临时送水、尽快恢复供水。"),
)


def _hot_spot(rng, story, leaves, districts, streets, communities, regions, now) -> int:
    """Six calls about the water being off in one community over the last three days."""
    if not districts:
        return 0
    district = districts[0]
    own = streets.get(district.pk, [])
    region, address = demo_place(rng, district, own[0] if own else None, communities)
    place = address.split("社区")[-1].rstrip("0123456789栋") if "社区" in address else address
    water = [c for group in leaves.values() for c in group if "自来水" in c.name or "供水" in c.name]
    category = water[0] if water else next(c for group in leaves.values() for c in group)
    made = 0
    for i, (title, content) in enumerate(HOT_SPOT_CALLS):
        moment = now - timedelta(hours=70 - i * 11, minutes=rng.randint(0, 50))
        data = _citizen_request(
            rng,
            title.format(place=place),
            content.format(place=place),
            category,
            district,
            regions,
            (region, address),
        )
        try:
            with services.acting_at(moment):
                ticket = services.ticket_register(actor=story.users["agent"], data=data).ticket
        except HotlineError:
            continue
        made += 1
        # i=0: a street the district forwards to is own[0], where the calls come from
        story.live(ticket.number, moment, rng.random(), category=category, district=district,
                   streets=streets, i=0)  # fmt: skip
    return made


def _merge_some(dispatcher: User) -> None:
    """A few duplicates merged into the ticket they repeat."""
    open_tickets = list(Ticket.objects.filter(status="registered").order_by("pk")[:8])
    for a, b in zip(open_tickets[::2], open_tickets[1::2], strict=False):
        try:
            services.ticket_transition(
                actor=dispatcher, number=b.number, action="merge", data={"into": a.number}
            )
        except HotlineError:
            pass
