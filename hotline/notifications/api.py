"""``GET /api/v1/notifications``: was the citizen told? For admins and supervisors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.api import PageNumber, PageSize, paginate
from hotline.core.errors import Forbidden
from hotline.core.formatting import iso, mask_phone

from . import selectors
from .models import Outbox

router = Router(tags=["notifications"])

READ_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
STATUSES = (Outbox.PENDING, Outbox.SENT, Outbox.FAILED)


def _row(row: Outbox, *, unmasked: bool) -> dict[str, Any]:
    return {
        "id": row.pk,
        "ticket": row.ticket.number if row.ticket_id else None,
        "kind": row.kind,
        "channel": row.channel,
        "recipient": row.recipient if unmasked else mask_phone(row.recipient),
        "status": row.status,
        "attempts": row.attempts,
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
    }


@router.get(
    "/notifications",
    response=dict[str, Any],
    summary="Outbox rows (SMS, voice calls) with their delivery state",
)
def notifications(
    request: HttpRequest,
    ticket: Annotated[str, Field(max_length=32)] | None = None,
    kind: Annotated[str, Field(max_length=32)] | None = None,
    status: Literal["pending", "sent", "failed"] | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    roles = grants_for(request.user).roles
    if not roles & READ_ROLES:
        raise Forbidden("the notification outbox is for admins and supervisors")
    unmasked = Role.ADMIN in roles
    qs = selectors.outbox_list(request.user, ticket=ticket, kind=kind, status=status)
    return paginate(request, qs, page, page_size, lambda row: _row(row, unmasked=unmasked))
