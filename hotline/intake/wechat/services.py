"""Writes of the WeChat channel: one received message (conversation step, and at its end the
ticket, registered only through ``ticket_register``, channel ``wechat``), and the progress
notices of WeChat tickets written to the outbox as template messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.accounts.selectors import SYSTEM
from hotline.accounts.services import membership_grant, user_create
from hotline.core.errors import HotlineError
from hotline.notifications.services import outbox_enqueue_many
from hotline.orgs.models import Unit
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.selectors import tickets_visible_to
from hotline.tickets.services import ticket_register
from hotline.tickets.workflow import STATUS_CHOICES

from ..models import WechatConversation, WechatMessage, WechatTicket
from . import conversation
from .messages import Incoming

log = logging.getLogger("hotline.wechat")

ACTOR = "wechat-gateway"
STATUS_WORDS: dict[str, str] = {str(value): str(label) for value, label in STATUS_CHOICES}


def wechat_actor() -> User:
    """The integration user that registers WeChat tickets (made on first use)."""
    user = User.objects.filter(username=ACTOR).first()
    if user is None:
        centre = Unit.objects.get(code=getattr(settings, "HOTLINE_CENTRE_UNIT", "center"))
        try:
            with transaction.atomic():
                user = user_create(username=ACTOR, display_name="微信公众号")
                membership_grant(user=user, unit=centre, role=Role.INTEGRATION)
        except IntegrityError:  # made at the same moment by another worker
            user = User.objects.get(username=ACTOR)
    return user


@dataclass
class Handled:
    reply: str
    replied_at: int
    replay: bool = False
    ticket: Ticket | None = None


def _state(conv: WechatConversation) -> conversation.State:
    return conversation.State(
        step=conv.step,
        description=conv.description,
        address=conv.address,
        lat=conv.lat,
        lon=conv.lon,
        pictures=tuple(conv.pictures or ()),
        updated_at=int(conv.updated_at.timestamp()),
        kind=conv.kind,
    )


def _store(conv: WechatConversation, state: conversation.State, now: datetime) -> None:
    conv.step = state.step
    conv.description = state.description
    conv.address = state.address
    conv.lat, conv.lon = state.lat, state.lon
    conv.pictures = list(state.pictures)
    conv.kind = state.kind
    conv.updated_at = now


def _ticket_data(request: conversation.Request) -> dict:
    content = request.description
    if request.pictures:
        content += "\n图片：" + " ".join(request.pictures)
    return {
        "channel": "wechat",
        "kind": request.kind,
        "title": request.description[:30],
        "content": content,
        "address": request.address,
        "lat": request.lat,
        "lon": request.lon,
    }


def wechat_message_handle(*, message: Incoming, now: datetime | None = None) -> Handled:
    """Take one verified, decrypted message. A message delivered again (same key) gets the
    reply the first delivery got and changes nothing; a concurrent redelivery waits for the
    first (the unique key) and then does the same."""
    now = now or timezone.now()
    stamp = int(now.timestamp())
    existing = WechatMessage.objects.filter(key=message.key).first()
    if existing is not None:
        return Handled(existing.reply, existing.replied_at, replay=True, ticket=existing.ticket)
    try:
        with transaction.atomic():
            record = WechatMessage.objects.create(
                key=message.key, openid=message.openid, replied_at=stamp
            )
            conv = (
                WechatConversation.objects.select_for_update().filter(openid=message.openid).first()
            )
            if conv is None:
                conv = WechatConversation.objects.create(openid=message.openid, updated_at=now)
            outcome = conversation.advance(_state(conv), message, stamp)
            state, reply, ticket = outcome.state, outcome.reply, None
            if outcome.register:
                try:
                    ticket = _register(conversation.request_of(state), message, record.key)
                except HotlineError:
                    log.exception("wechat: registering for %s failed", message.openid)
                    reply = conversation.FAILED
                else:
                    reply = conversation.registered(ticket.number)
                    state = conversation.State(updated_at=stamp)
                    conv.last_ticket = ticket
            _store(conv, state, now)
            conv.save()
            record.reply, record.ticket = reply, ticket
            record.save(update_fields=["reply", "ticket"])
    except IntegrityError:
        existing = WechatMessage.objects.filter(key=message.key).first()
        if existing is None:
            raise
        return Handled(existing.reply, existing.replied_at, replay=True, ticket=existing.ticket)
    return Handled(reply, stamp, ticket=ticket)


def _register(request: conversation.Request, message: Incoming, key: str) -> Ticket:
    registration = ticket_register(
        actor=wechat_actor(), data=_ticket_data(request), idempotency_key=f"wechat:{key}"
    )
    WechatTicket.objects.get_or_create(
        ticket=registration.ticket, defaults={"openid": message.openid}
    )
    return registration.ticket


# --- progress notices ------------------------------------------------------------------------

NOTICE_ACTIONS = {
    "dispatch": "已转交承办单位办理",
    "forward": "已转交承办单位办理",
    "accept": "承办单位已签收",
    "reply": "承办单位已办理答复",
    "answer_directly": "已办结",
    "follow_up": "已回访",
    "review": "已复核",
    "merge": "已与相同诉求合并办理",
    "invalidate": "已办结",
}


def _detail(event: TicketEvent, units: dict[str, str]) -> str:
    data = event.data or {}
    if event.action in ("dispatch", "forward", "accept") and data.get("unit"):
        return units.get(data["unit"], "")
    if event.action in ("reply", "answer_directly"):
        return str(data.get("text", ""))[:200]
    if event.action == "merge":
        return f"并入工单{data.get('into', '')}"
    return ""


def wechat_progress_scan(*, limit: int = 200) -> int:
    """Write a template-message outbox row for each timeline event of a WeChat ticket the
    citizen has not been told of (dispatch, acceptance, reply, closing...). Each event is
    told once: the row's key is unique and ``notified_seq`` moves in the same transaction.
    Returns the number of rows written."""
    written = 0
    with transaction.atomic():
        tickets = list(
            tickets_visible_to(SYSTEM)
            .filter(wechat__isnull=False, last_seq__gt=F("wechat__notified_seq"))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("wechat")
            .order_by("pk")[:limit]
        )
        if not tickets:
            return 0
        links = {w.ticket_id: w for w in WechatTicket.objects.filter(ticket__in=tickets)}
        events = TicketEvent.objects.filter(
            ticket__in=tickets, seq__gt=0, action__in=NOTICE_ACTIONS
        ).order_by("ticket_id", "seq")
        codes = {e.data.get("unit") for e in events if isinstance(e.data, dict)}
        units = dict(Unit.objects.filter(code__in=codes - {None}).values_list("code", "name"))
        rows = []
        number = {t.pk: t.number for t in tickets}
        by_pk = {t.pk: t for t in tickets}
        for event in events:
            link = links[event.ticket_id]
            if event.seq <= link.notified_seq:
                continue
            rows.append(
                dict(
                    kind="wechat_progress",
                    channel="wechat",
                    recipient=link.openid,
                    template="wechat_progress",
                    params={
                        "number": number[event.ticket_id],
                        "progress": NOTICE_ACTIONS[event.action],
                        "status": STATUS_WORDS.get(event.to_status, event.to_status),
                        "detail": _detail(event, units) or "无",
                        "time": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                    },
                    key=f"wechat:{number[event.ticket_id]}:{event.seq}",
                    ticket=by_pk[event.ticket_id],
                )
            )
        outbox_enqueue_many(rows)
        written = len(rows)
        for ticket in tickets:
            WechatTicket.objects.filter(pk=links[ticket.pk].pk).update(notified_seq=ticket.last_seq)
    return written
