"""What the portal shows a citizen about a ticket: progress in words, their own description and
the unit's reply. Never internal notes, staff names, other units' data or other people's
tickets: the view is built field by field from an allow-list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hotline.orgs.models import Region
from hotline.tickets import workflow
from hotline.tickets.models import Ticket

from ..models import PortalPhoto

# The citizen's words for each state.
STATUS_WORDS: dict[str, str] = {
    workflow.REGISTERED: "已受理，等待分派",
    workflow.DISPATCHED: "已转交承办单位",
    workflow.IN_PROGRESS: "承办单位正在办理",
    workflow.REPLIED: "承办单位已答复，等待您的评价",
    workflow.UNDER_REVIEW: "您的评价为不满意，正在复核",
    workflow.CLOSED: "已办结",
    workflow.MERGED: "已与同一事项合并办理",
    workflow.INVALID: "未予受理",
}

# Timeline steps a citizen sees (no actor, no data: only what happened and when).
STEP_WORDS = {
    "register": "诉求已受理",
    "answer_directly": "已当场答复",
    "dispatch": "已派至承办单位",
    "forward": "已转至具体办理单位",
    "accept": "承办单位已签收",
    "send_back": "重新分派中",
    "reply": "承办单位已答复",
    "follow_up": "已回访评价",
    "review": "复核完成",
    "merge": "已合并办理",
    "invalidate": "未予受理",
}

PROGRESS = [
    ("受理", {workflow.REGISTERED}),
    ("办理", {workflow.DISPATCHED, workflow.IN_PROGRESS}),
    ("答复", {workflow.REPLIED, workflow.UNDER_REVIEW}),
    ("办结", {workflow.CLOSED, workflow.MERGED, workflow.INVALID}),
]


@dataclass
class CitizenView:
    number: str
    status: str
    status_words: str
    stage: int  # index into PROGRESS
    kind: str
    registered_at: datetime
    title: str
    content: str
    address: str
    region: str
    reply_text: str
    reply_outcome: str
    replied_at: datetime | None
    satisfaction: str
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    photos: list[int] = field(default_factory=list)
    may_rate: bool = False


def portal_ticket(number: str) -> Ticket | None:
    return Ticket.objects.filter(number=number).first()


def citizen_view(ticket: Ticket) -> CitizenView:
    stage = next(i for i, (_, states) in enumerate(PROGRESS) if ticket.status in states)
    region: str | None = ""
    if ticket.region_id:
        region = Region.objects.filter(pk=ticket.region_id).values_list("name", flat=True).first()
    steps = [
        (at, STEP_WORDS[action])
        for action, at in ticket.events.order_by("seq").values_list("action", "at")
        if action in STEP_WORDS
    ]
    # The reply is shown while it stands: not after a redo cleared it.
    return CitizenView(
        number=ticket.number,
        status=ticket.status,
        status_words=STATUS_WORDS[ticket.status],
        stage=stage,
        kind=workflow.KINDS.get(ticket.kind, ""),
        registered_at=ticket.registered_at,
        title=ticket.title,
        content=ticket.content,
        address=ticket.address,
        region=region or "",
        reply_text=ticket.reply_text,
        reply_outcome=workflow.OUTCOMES.get(ticket.reply_outcome, ""),
        replied_at=ticket.replied_at,
        satisfaction=workflow.SATISFACTIONS.get(ticket.satisfaction, ""),
        steps=steps,
        photos=list(
            PortalPhoto.objects.filter(ticket=ticket)
            .order_by("position")
            .values_list("pk", flat=True)
        ),
        may_rate=ticket.status == workflow.REPLIED,
    )


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Districts, each with itself and its streets: ``[(district name, [(code, name), ...])]``."""
    regions = list(Region.objects.filter(level__in=("district", "street")).order_by("path"))
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for region in regions:
        if region.level == "district":
            groups[region.pk] = (region.name, [(region.code, f"{region.name}（全区）")])
    for region in regions:
        if region.level == "street" and region.parent_id in groups:
            groups[region.parent_id][1].append((region.code, region.name))
    return list(groups.values())


def photo_of(number: str, photo_id: int) -> PortalPhoto | None:
    return PortalPhoto.objects.filter(pk=photo_id, ticket__number=number).first()
