"""Files staff attach to a ticket (a handler's reply, a comment): checked by their content,
never by their name or the type the browser declared. No ORM here.

- Photos (JPEG, PNG, WebP, GIF) go through ``photos.photo_clean``: decoded fully and re-encoded
  as a new JPEG from the pixels alone, so EXIF (with the GPS position) and anything appended
  to the file are gone.
- PDFs: the ``%PDF-`` magic at the start, an ``%%EOF`` near the end, and no active content
  (JavaScript, launch actions, embedded files) anywhere in the bytes.
- Office documents (Word, Excel, PowerPoint of Office 2007 and later): a ZIP whose
  ``[Content_Types].xml`` declares the main part of that kind, without macros
  (``vbaProject.bin``, macro-enabled content types) or ActiveX.

Everything else (executables, scripts, HTML, SVG, old binary Office files, archives) is
refused. The stored name is the original name's stem with the extension of what the content is.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from .photos import PhotoRefused, photo_clean

PDF = "application/pdf"
OFFICE_TYPES = {
    # main part in [Content_Types].xml -> (content type, extension)
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
}
# Active content a PDF reader may run: refused rather than cleaned.
PDF_ACTIVE = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia", b"/xfa")
OFFICE_ACTIVE = ("vbaproject.bin", "activex", "macroenabled", "vbadata")
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_RATIO = 100  # uncompressed / compressed: zip bombs
REFUSED = "只接受照片（JPEG、PNG、WebP、GIF）、PDF 或 Word/Excel/PowerPoint 文档"


class UploadRefused(PhotoRefused):
    """Why a file is not taken as an attachment (in Chinese, shown next to the field)."""


@dataclass(frozen=True)
class CleanFile:
    name: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def safe_name(name: str, extension: str) -> str:
    """The original name's stem, without paths, control characters or quotes, at most 80
    characters, with ``extension`` (that of the content, not the one the sender gave)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(c for c in stem if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"[\"'<>:;|?*`$%]", "_", stem).strip(" .")[:80]
    return f"{stem or 'file'}.{extension}"


def _pdf(raw: bytes) -> str:
    if not raw.startswith(b"%PDF-"):
        raise UploadRefused(REFUSED)
    if b"%%EOF" not in raw[-2048:]:
        raise UploadRefused("PDF 文件不完整")
    lowered = raw.lower()
    for marker in PDF_ACTIVE:
        # "/JS" is a prefix of "/JSON"-like names only in theory; a key is followed by a
        # delimiter or whitespace.
        if re.search(re.escape(marker) + rb"[\s/<(\[]", lowered):
            raise UploadRefused("PDF 中含有脚本或可执行内容，不予接收")
    return "pdf"


def _office(raw: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise UploadRefused("文档结构异常")
            total = sum(e.file_size for e in entries)
            if total > MAX_ZIP_RATIO * max(len(raw), 1):
                raise UploadRefused("文档结构异常")
            names = [e.filename.lower() for e in entries]
            if any(mark in n for n in names for mark in OFFICE_ACTIVE):
                raise UploadRefused("文档中含有宏或控件，不予接收")
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError):
        raise UploadRefused(REFUSED) from None
    if any(mark in types for mark in OFFICE_ACTIVE):
        raise UploadRefused("文档中含有宏或控件，不予接收")
    for main, (content_type, extension) in OFFICE_TYPES.items():
        if main in types:
            return content_type, extension
    raise UploadRefused(REFUSED)


def attachment_clean(raw: bytes, name: str, *, max_bytes: int) -> CleanFile:
    """Check ``raw`` (sent as ``name``) by its content; return what is stored, or raise
    UploadRefused saying why."""
    if not raw:
        raise UploadRefused("文件为空")
    if len(raw) > max_bytes:
        raise UploadRefused(f"单个附件不能超过 {max_bytes / (1024 * 1024):g} MB")
    if raw.startswith(b"%PDF-"):
        extension = _pdf(raw)
        return CleanFile(safe_name(name, extension), raw, PDF, hashlib.sha256(raw).hexdigest())
    if raw.startswith(b"PK\x03\x04"):
        content_type, extension = _office(raw)
        return CleanFile(
            safe_name(name, extension), raw, content_type, hashlib.sha256(raw).hexdigest()
        )
    try:
        photo = photo_clean(raw, max_bytes=max_bytes)
    except PhotoRefused as refused:
        message = str(refused)
        if message.startswith("无法识别") or message.startswith("只接受"):
            message = REFUSED
        raise UploadRefused(message) from None
    return CleanFile(safe_name(name, "jpg"), photo.data, photo.content_type, photo.sha256)
