"""WeCom work groups (DESIGN section 6): each dispatch and each warning can also be posted to
the group of the unit it concerns, mentioning the unit's handlers by mobile. Called
explicitly where the dispatch (tickets.services) and the warnings (supervision.warnings)
write their outbox rows, inside the same transaction; delivered by the ``wecom`` gateway.

The row's recipient is the unit's code: the gateway looks the webhook up when it sends, so
the secret webhook key never sits in outbox rows, and a corrected webhook applies to rows
still pending. A confidential ticket or a report (举报) is posted without its title."""

from __future__ import annotations

from django.utils import timezone

from hotline.accounts.models import Membership
from hotline.accounts.roles import Role

from .models import WorkGroup
from .services import outbox_enqueue_many

LEVELS = {"yellow": "黄灯预警", "red": "红灯预警"}


def _title(ticket) -> str:
    if ticket.citizen_confidential or ticket.kind == "report":
        return "保密工单"
    return (ticket.title or ticket.content[:30]).replace("\n", " ")


def _mobiles(group: WorkGroup) -> list[str]:
    mobiles: list[str] = []
    if group.mention_handlers:
        mobiles += Membership.objects.filter(
            unit_id=group.unit_id, role=Role.HANDLER, user__is_active=True
        ).values_list("user__phone", flat=True)
    mobiles += [m.strip() for m in group.extra_mobiles.split(",")]
    return sorted({m for m in mobiles if m})


def workgroup_rows(*, ticket, unit, event: str, key: str, clock: str = "", due_at=None) -> list:
    """Outbox rows (``outbox_enqueue_many``'s dicts) for posting ``event`` (``dispatch``,
    ``yellow`` or ``red``) of ``ticket`` to ``unit``'s work group; none when the unit has no
    active group or the group does not want that event."""
    if unit is None:
        return []
    group = WorkGroup.objects.filter(unit=unit, active=True).first()
    if group is None or not (group.on_dispatch if event == "dispatch" else group.on_warning):
        return []
    params = {
        "number": ticket.number,
        "title": _title(ticket),
        "unit": unit.name,
        "mobiles": _mobiles(group),
    }
    if event == "dispatch":
        template = "wecom_dispatch"
    else:
        template = "wecom_warning"
        due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M") if due_at else "未定"
        params.update(
            level=LEVELS[event],
            clock=clock,
            due=f"已于{due}超期" if event == "red" else f"将于{due}到期",
        )
    return [
        dict(
            kind=f"wecom_{event}",
            channel="wecom",
            recipient=unit.code,
            template=template,
            params=params,
            key=f"wecom:{key}",
            ticket=ticket,
        )
    ]


def workgroup_notify(*, ticket, unit, event: str, key: str, **extra) -> int:
    """Write the work-group rows of ``event`` now (inside the caller's transaction)."""
    rows = workgroup_rows(ticket=ticket, unit=unit, event=event, key=key, **extra)
    if rows:
        outbox_enqueue_many(rows)
    return len(rows)
