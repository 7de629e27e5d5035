"""Attachments in the console: the file field of the reply and comment forms (each file checked
by its content before the service sees it), the rows the ticket page lists, and the view that
serves a file to those who may see its ticket."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hotline.accounts.selectors import grants_for
from hotline.core.errors import NotFound
from hotline.core.uploads import CleanFile, UploadRefused, attachment_clean
from hotline.tickets import attachments as caps
from hotline.tickets import selectors

# What the file chooser offers first; the server decides by content whatever is sent.
ACCEPT = (
    "image/*,application/pdf,.docx,.xlsx,.pptx,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)


class MultipleFileInput(forms.ClearableFileInput):
    """A file chooser (several files) and, beside it, the phone's camera (``capture``): both
    post under the same name."""

    allow_multiple_selected = True
    template_name = "console/widgets/attachments.html"


class AttachmentsField(forms.FileField):
    """Several files under one name, each checked by content: cleans to a list of CleanFile."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT, "class": "attachments-input"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):  # noqa: ARG002
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > caps.max_count():
            raise forms.ValidationError(
                _("最多上传 %(count)d 个附件") % {"count": caps.max_count()}
            )
        cleaned: list[CleanFile] = []
        errors = []
        for upload in uploads:
            if (upload.size or 0) > caps.max_bytes():
                errors.append(
                    _("%(name)s：单个附件不能超过 %(mb)s MB")
                    % {"name": upload.name, "mb": f"{caps.max_bytes() / 2**20:g}"}
                )
                continue
            try:
                cleaned.append(
                    attachment_clean(upload.read(), upload.name, max_bytes=caps.max_bytes())
                )
            except UploadRefused as refused:
                errors.append(f"{upload.name}：{refused}")
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def attachments_field() -> AttachmentsField:
    return AttachmentsField(
        label=gettext_lazy("附件"),
        help_text=gettext_lazy("现场照片（可直接拍照）、PDF 或 Office 文档，按内容检查"),
    )


def attachment_rows(ticket) -> list[dict]:
    """The ticket's attachments in timeline order (``seq``: the event they came with), for the
    page's list and its timeline."""
    return [
        {
            "id": item.pk,
            "seq": item.seq,
            "name": item.name,
            "size_kb": max(1, round(item.size / 1024)),
            "is_image": item.content_type.startswith("image/"),
            "url": reverse(
                "console:ticket_attachment",
                kwargs={"number": ticket.number, "attachment_id": item.pk},
            ),
        }
        for item in selectors.attachments_of(ticket)
    ]


@never_cache
@require_GET
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """The file, to a signed-in user who may see the ticket; 404 for anyone else (also not
    signed in: the URL says nothing about the ticket)."""
    if not request.user.is_authenticated or not grants_for(request.user).reads_tickets:
        raise Http404(_("没有这个附件"))
    try:
        found = selectors.attachment_get_visible(request.user, number, attachment_id)
    except NotFound:
        raise Http404(_("没有这个附件")) from None
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    disposition = "inline" if found.content_type.startswith("image/") else "attachment"
    ascii_name = found.name.encode("ascii", "replace").decode().replace("?", "_")
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
