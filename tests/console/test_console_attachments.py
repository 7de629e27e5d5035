"""Reply attachments in the console: a photo taken on the phone goes up with the reply, checked
by content; refusals are a 400 naming the field with nothing written; the file is served only
to those who may see the ticket."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from hotline.tickets.models import Attachment, Ticket, TicketEvent
from tests.core.test_uploads import PDF_OK, jpeg_with_exif
from tests.factories import ticket_in

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="demo")
    return client


def reply_url(number: str) -> str:
    return f"/console/tickets/{number}/actions/reply/"


def reply(client: Client, number: str, *files: SimpleUploadedFile):
    return client.post(
        reply_url(number),
        {"text": "路灯已修复，现场照片见附件", "outcome": "resolved", "attachments": list(files)},
    )


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_reply_form_offers_the_camera_and_is_multipart():
    ticket = ticket_in("in_progress")
    page = login("jiangan-handler").get(f"/console/tickets/{ticket.number}/").content.decode()
    form = page[page.index(reply_url(ticket.number)) - 200 :]
    assert 'enctype="multipart/form-data"' in form[:600]
    assert 'capture="environment"' in page and 'accept="image/*,application/pdf' in page


def test_a_photo_with_exif_comes_back_without_it():
    ticket = ticket_in("in_progress")
    client = login("jiangan-handler")
    response = reply(client, ticket.number, upload("IMG_2041.jpg", jpeg_with_exif()))
    assert response.status_code == 302
    row = Attachment.objects.get(ticket=ticket)
    page = client.get(f"/console/tickets/{ticket.number}/").content.decode()
    url = f"/console/tickets/{ticket.number}/attachments/{row.pk}/"
    assert url in page and "IMG_2041.jpg" in page
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith('inline; filename="IMG_2041.jpg"')
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == "JPEG" and not image.getexif()
    assert Ticket.objects.get(pk=ticket.pk).status == "replied"


def test_a_pdf_is_served_as_a_download():
    ticket = ticket_in("in_progress")
    client = login("jiangan-handler")
    assert (
        reply(client, ticket.number, upload("报告.pdf", PDF_OK, "application/pdf")).status_code
        == 302
    )
    row = Attachment.objects.get(ticket=ticket)
    served = client.get(f"/console/tickets/{ticket.number}/attachments/{row.pk}/")
    assert served.content == PDF_OK and served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "name, data",
    [
        ("shell.jpg", b"<?php system($_GET['c']); ?>"),
        ("shell.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF<?php echo 1; ?>"),
    ],
)
def test_a_script_named_jpg_is_refused_with_nothing_written(name, data):
    ticket = ticket_in("in_progress")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    response = reply(login("jiangan-handler"), ticket.number, upload(name, data))
    assert response.status_code == 400
    form = response.context["actions"]
    reply_form = next(a["form"] for a in form if a["action"] == "reply")
    assert "attachments" in reply_form.errors and name in reply_form.errors["attachments"][0]
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    assert not Attachment.objects.exists()


def test_too_big_and_too_many_are_refused(settings):
    settings.HOTLINE_ATTACHMENT_MAX_BYTES = 2_000
    settings.HOTLINE_ATTACHMENT_MAX_COUNT = 1
    ticket = ticket_in("in_progress")
    client = login("jiangan-handler")
    big = upload("big.pdf", PDF_OK + b" " * 3_000, "application/pdf")
    response = reply(client, ticket.number, big)
    assert response.status_code == 400
    assert "不能超过" in response.content.decode()
    two = [upload(f"{i}.pdf", PDF_OK, "application/pdf") for i in range(2)]
    response = reply(client, ticket.number, *two)
    assert response.status_code == 400 and "最多上传 1 个附件" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert not Attachment.objects.exists()


def test_another_units_handler_and_strangers_get_404():
    ticket = ticket_in("in_progress")
    assert (
        reply(
            login("jiangan-handler"), ticket.number, upload("a.jpg", jpeg_with_exif())
        ).status_code
        == 302
    )
    url = f"/console/tickets/{ticket.number}/attachments/{Attachment.objects.get().pk}/"
    assert login("hanyang-handler").get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert login("dispatcher").get(url).status_code == 200


def test_the_ticket_page_lists_attachments_without_a_query_per_file():
    client = login("jiangan-handler")
    counts = []
    for n in (1, 4):
        ticket = ticket_in("in_progress")
        files = [upload(f"{n}-{i}.pdf", PDF_OK, "application/pdf") for i in range(n)]
        assert reply(client, ticket.number, *files).status_code == 302
        client.get(f"/console/tickets/{ticket.number}/")  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/console/tickets/{ticket.number}/").content.decode()
        assert page.count('class="event-attachment"') == n
        assert all(f"{n}-{i}.pdf" in page for i in range(n))
        counts.append(len(queries))
    assert counts[0] == counts[1]
