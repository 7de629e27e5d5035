"""Files attached to a ticket's actions: the caps, storing them with the action's event (called
by the transition function, in its transaction); ``selectors`` reads them for those who may
see the ticket. The content checks are ``hotline.core.uploads`` (no ORM)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from hotline.core.errors import BadInput
from hotline.core.uploads import CleanFile

from .models import Attachment, Ticket, TicketEvent

# Actions that may carry files: a handler's reply, and a comment on the timeline.
ATTACHABLE = frozenset({"reply", "comment"})
FIELD = "attachments"


def max_bytes() -> int:
    return int(getattr(settings, "HOTLINE_ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024))


def max_count() -> int:
    return int(getattr(settings, "HOTLINE_ATTACHMENT_MAX_COUNT", 5))


def attachments_check(action: str, files: Sequence[CleanFile]) -> None:
    """400 naming ``attachments`` when the action takes no files, there are too many, or one
    was not checked by content (is not a CleanFile) or is over the cap."""
    if not files:
        return
    if action not in ATTACHABLE:
        raise BadInput(FIELD, f"{action} takes no attachments")
    if len(files) > max_count():
        raise BadInput(FIELD, f"at most {max_count()} attachments")
    for file in files:
        if not isinstance(file, CleanFile):
            raise BadInput(FIELD, "attachments must be checked by content first")
        if file.size > max_bytes():
            raise BadInput(FIELD, f"{file.name}: over {max_bytes()} bytes")


def attachments_store(
    ticket: Ticket, event: TicketEvent, files: Sequence[CleanFile], *, actor, at: datetime
) -> list[Attachment]:
    """Store ``files`` as attachments of ``event`` (the caller's transaction)."""
    if not files:
        return []
    return Attachment.objects.bulk_create(
        Attachment(
            ticket=ticket,
            seq=event.seq,
            position=position,
            name=file.name,
            content_type=file.content_type,
            size=file.size,
            sha256=file.sha256,
            data=file.data,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            created_at=at,
        )
        for position, file in enumerate(files, start=1)
    )
