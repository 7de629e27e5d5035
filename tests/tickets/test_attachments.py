"""Attachments go through the transition function: stored with the action's event in its
transaction, only on the actions that take them, within the caps."""

from __future__ import annotations

import hashlib

import pytest

from hotline.accounts.models import User
from hotline.core.errors import BadInput, Conflict, NotFound
from hotline.core.uploads import CleanFile, attachment_clean
from hotline.tickets import selectors, services
from hotline.tickets.models import Attachment, Ticket, TicketEvent
from tests.core.test_uploads import PDF_OK, jpeg_with_exif
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db

REPLY = {"text": "已清理路面并恢复通行", "outcome": "resolved"}


def handler() -> User:
    return User.objects.get(username="jiangan-handler")


def photo() -> CleanFile:
    return attachment_clean(jpeg_with_exif(), "现场.jpg", max_bytes=2**20)


def test_a_reply_stores_its_files_with_the_event():
    ticket = ticket_in("in_progress")
    pdf = attachment_clean(PDF_OK, "报告.pdf", max_bytes=2**20)
    services.ticket_transition(
        actor=handler(),
        number=ticket.number,
        action="reply",
        data=REPLY,
        attachments=[photo(), pdf],
    )
    event = TicketEvent.objects.get(ticket=ticket, action="reply")
    rows = list(Attachment.objects.filter(ticket=ticket))
    assert [(r.seq, r.position, r.name) for r in rows] == [
        (event.seq, 1, "现场.jpg"),
        (event.seq, 2, "报告.pdf"),
    ]
    assert event.data["attachments"] == ["现场.jpg", "报告.pdf"]
    assert rows[0].uploaded_by == handler() and rows[0].content_type == "image/jpeg"
    assert rows[0].sha256 == hashlib.sha256(bytes(rows[0].data)).hexdigest()
    assert rows[1].size == len(PDF_OK)


def test_an_action_that_takes_no_files_refuses_them_and_writes_nothing():
    ticket = ticket_in("dispatched")
    with pytest.raises(BadInput) as refused:
        services.ticket_transition(
            actor=handler(), number=ticket.number, action="accept", attachments=[photo()]
        )
    assert refused.value.field == "attachments"
    assert Ticket.objects.get(pk=ticket.pk).status == "dispatched"
    assert not Attachment.objects.exists()


def test_the_state_is_checked_before_the_files():
    ticket = ticket_in("dispatched")  # not accepted yet: a reply is a 409
    with pytest.raises(Conflict):
        services.ticket_transition(
            actor=handler(), number=ticket.number, action="reply", data=REPLY, attachments=[photo()]
        )
    assert not Attachment.objects.exists()


def test_too_many_files_or_unchecked_bytes_are_refused(settings):
    settings.HOTLINE_ATTACHMENT_MAX_COUNT = 2
    ticket = ticket_in("in_progress")
    for files in ([photo()] * 3, [b"raw bytes"]):
        with pytest.raises(BadInput) as refused:
            services.ticket_transition(
                actor=handler(), number=ticket.number, action="reply", data=REPLY, attachments=files
            )
        assert refused.value.field == "attachments"
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert not Attachment.objects.exists()


def test_a_crash_after_the_files_are_stored_leaves_nothing(monkeypatch):
    ticket = ticket_in("in_progress")
    before = TicketEvent.objects.filter(ticket=ticket).count()
    stored = []
    real_save = Ticket.save

    def crash(self, *args, **kwargs):
        stored.append(Attachment.objects.filter(ticket=self).count())
        raise RuntimeError("disk gone")

    monkeypatch.setattr(Ticket, "save", crash)
    with pytest.raises(RuntimeError):
        services.ticket_transition(
            actor=handler(), number=ticket.number, action="reply", data=REPLY, attachments=[photo()]
        )
    monkeypatch.setattr(Ticket, "save", real_save)
    assert stored == [1]  # the row was written in the transaction before the crash
    assert not Attachment.objects.exists()
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == "in_progress" and fresh.reply_text == ""
    assert TicketEvent.objects.filter(ticket=ticket).count() == before


def test_only_those_who_see_the_ticket_read_an_attachment():
    ticket = ticket_in("in_progress")
    services.ticket_transition(
        actor=handler(),
        number=ticket.number,
        action="comment",
        data={"text": "现场照片"},
        attachments=[photo()],
    )
    row = Attachment.objects.get()
    assert selectors.attachment_get_visible(handler(), ticket.number, row.pk).pk == row.pk
    other = User.objects.get(username="hanyang-handler")
    with pytest.raises(NotFound):
        selectors.attachment_get_visible(other, ticket.number, row.pk)
    another = ticket_in("in_progress")
    with pytest.raises(NotFound):  # the right id under another ticket's number
        selectors.attachment_get_visible(handler(), another.number, row.pk)
