"""Writes of the citizen portal. Tickets are registered only through ``ticket_register``
(channel ``web``) and rated only through ``ticket_transition`` (``follow_up``), both as the
portal's own system user; photos and used links commit in the same transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.core.errors import Conflict, NotFound
from hotline.core.photos import CleanPhoto
from hotline.notifications.models import Outbox
from hotline.notifications.services import outbox_enqueue
from hotline.tickets import workflow
from hotline.tickets.models import Ticket
from hotline.tickets.services import (
    ticket_register,
    ticket_registered_with_key,
    ticket_transition,
)

from ..models import FollowUpLinkUse, PortalCode, PortalPhoto
from ..system_users import system_user
from .codes import code_use

PORTAL_USERNAME = "portal"
# The portal registers as a citizen and records the citizen's own rating as a follow-up.
PORTAL_ROLES = (Role.CITIZEN, Role.CALLBACK)
FOLLOW_UP_SALT = "hotline.intake.portal.follow_up"
FOLLOW_UP_DAYS = 15


def portal_actor() -> User:
    """The portal's system user: the citizen role (to register) and the callback role (to
    record a citizen's own rating) at the city's hotline centre."""
    return system_user(username=PORTAL_USERNAME, display_name="市民服务门户", roles=PORTAL_ROLES)


@dataclass(frozen=True)
class Submission:
    kind: str
    title: str
    content: str
    phone: str
    name: str = ""
    address: str = ""
    region: str = ""  # a Region code
    confidential: bool = False
    centre: str = ""  # the hotline centre whose portal entry it came through (its unit code)


def portal_submitted(*, key: str, phone: str) -> Ticket | None:
    """The ticket the form ``key`` registered already for ``phone``, if any: a retry that
    arrives after the first commit but before its session was saved has a used code, and must
    still get the first number (DESIGN 10: retries return the same ticket)."""
    ticket = ticket_registered_with_key(actor=portal_actor(), idempotency_key=f"portal:{key}")
    if ticket is None or ticket.citizen_phone != phone:
        return None
    return ticket


def portal_submit(
    *, submission: Submission, code: PortalCode, photos: list[CleanPhoto], key: str
) -> tuple[Ticket, bool]:
    """Register the request, use the phone's code up and store the photos, in one transaction.
    Returns the ticket and whether it is new (the same ``key`` again returns the first one)."""
    actor = portal_actor()
    data = {
        "channel": "web",
        "kind": submission.kind,
        "title": submission.title,
        "content": submission.content,
        "address": submission.address,
        "region": submission.region or None,
        "centre": submission.centre or None,
        "citizen": {
            "name": submission.name,
            "phone": submission.phone,
            "confidential": submission.confidential,
        },
    }
    with transaction.atomic():
        registration = ticket_register(actor=actor, data=data, idempotency_key=f"portal:{key}")
        if registration.created:
            code_use(code)
            now = timezone.now()
            PortalPhoto.objects.bulk_create(
                PortalPhoto(
                    ticket=registration.ticket,
                    position=i,
                    content_type=photo.content_type,
                    data=photo.data,
                    width=photo.width,
                    height=photo.height,
                    size=len(photo.data),
                    sha256=photo.sha256,
                    created_at=now,
                )
                for i, photo in enumerate(photos, start=1)
            )
    return registration.ticket, registration.created


# --- follow-up links ------------------------------------------------------------------------


def _reply_mark(ticket: Ticket) -> str:
    return ticket.replied_at.isoformat() if ticket.replied_at else ""


def follow_up_token(ticket: Ticket) -> str:
    """A signed token naming the ticket and the reply it rates: a later reply (after a redo)
    makes older links stale."""
    return signing.dumps({"n": ticket.number, "r": _reply_mark(ticket)}, salt=FOLLOW_UP_SALT)


def follow_up_link(ticket: Ticket) -> str:
    return f"{settings.HOTLINE_PUBLIC_URL}/portal/rate/{follow_up_token(ticket)}/"


def follow_up_read(token: str, *, now: datetime | None = None) -> Ticket:
    """The ticket a follow-up link rates. ``NotFound`` for a forged, expired or stale link;
    ``Conflict`` when the link was used or the ticket is no longer waiting for a rating."""
    max_age = getattr(settings, "HOTLINE_PORTAL_FOLLOW_UP_DAYS", FOLLOW_UP_DAYS) * 86400
    try:
        payload = signing.loads(token, salt=FOLLOW_UP_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise NotFound("评价链接已过期") from None
    except signing.BadSignature:
        raise NotFound("评价链接无效") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise NotFound("评价链接无效")
    ticket = Ticket.objects.select_related("unit").filter(number=payload["n"]).first()
    if ticket is None or payload.get("r") != _reply_mark(ticket):
        raise NotFound("评价链接已失效")
    if FollowUpLinkUse.objects.filter(token_hash=_token_hash(token)).exists():
        raise Conflict("该评价链接已使用，感谢您的评价")
    if ticket.status != workflow.REPLIED:
        raise Conflict("该工单当前不在待评价状态")
    return ticket


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_rate(*, token: str, satisfaction: str, note: str = "") -> Ticket:
    """Record the citizen's rating as the ``follow_up`` action. The link is used once: the
    used-link row and the transition commit together."""
    ticket = follow_up_read(token)
    data = {"satisfaction": satisfaction}
    if note:
        data["note"] = f"市民网上评价：{note}"
    else:
        data["note"] = "市民网上评价"
    try:
        with transaction.atomic():
            FollowUpLinkUse.objects.create(
                token_hash=_token_hash(token), number=ticket.number, used_at=timezone.now()
            )
            return ticket_transition(
                actor=portal_actor(), number=ticket.number, action="follow_up", data=data
            )
    except IntegrityError:
        raise Conflict("该评价链接已使用，感谢您的评价") from None


def follow_up_send(*, ticket: Ticket) -> bool:
    """Queue the SMS with the follow-up link to the citizen of a replied ticket (once per
    reply). False when there is nobody to send it to."""
    if ticket.status != workflow.REPLIED or not ticket.citizen_phone or ticket.citizen_anonymous:
        return False
    with transaction.atomic():
        outbox_enqueue(
            kind="follow_up",
            recipient=ticket.citizen_phone,
            template="follow_up",
            params={"number": ticket.number, "link": follow_up_link(ticket)},
            key=f"portal-follow-up:{ticket.number}:{_reply_mark(ticket)}",
            ticket=ticket,
        )
    return True


def follow_up_send_due(*, limit: int = 500) -> int:
    """Send the follow-up link for replied tickets that came in through the portal, oldest
    reply first. A ticket whose current reply already has its link queued is skipped in the
    query itself, so a backlog larger than ``limit`` is worked through run after run instead
    of re-reading the same oldest tickets."""
    already = Outbox.objects.filter(
        ticket=OuterRef("pk"), kind="follow_up", created_at__gte=OuterRef("replied_at")
    )
    tickets = (
        Ticket.objects.filter(status=workflow.REPLIED, channel="web", citizen_anonymous=False)
        .exclude(citizen_phone="")
        .exclude(Exists(already))
    )
    sent = 0
    for ticket in tickets.order_by("replied_at")[:limit]:
        sent += follow_up_send(ticket=ticket)
    return sent
