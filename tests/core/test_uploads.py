"""Staff attachments are judged by content (hotline.core.uploads): photos re-encoded without
EXIF, PDFs and Office documents checked by their structure, the rest refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from hotline.core.uploads import PDF, UploadRefused, attachment_clean, safe_name

CAP = 1024 * 1024


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 35.0, 0.0)}  # GPS IFD: where the photo was taken
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def office(main: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


PDF_OK = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def test_a_photo_loses_its_exif_and_gets_a_jpg_name():
    raw = jpeg_with_exif()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif()  # the test photo does carry EXIF
    clean = attachment_clean(raw, "IMG_0001.HEIC.jpeg", max_bytes=CAP)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert "exif" not in image.info
    assert clean.content_type == "image/jpeg" and clean.name == "IMG_0001.HEIC.jpg"
    assert b"PhoneMaker" not in clean.data


def test_a_pdf_is_kept_as_sent():
    clean = attachment_clean(PDF_OK, "整改报告.pdf", max_bytes=CAP)
    assert clean.content_type == PDF and clean.data == PDF_OK and clean.name == "整改报告.pdf"


def test_a_docx_is_named_by_its_content():
    clean = attachment_clean(office(DOCX), "report.zip", max_bytes=CAP)
    assert clean.name == "report.docx" and clean.content_type.endswith("document")


@pytest.mark.parametrize(
    "raw, name",
    [
        (b"<?php system($_GET['c']); ?>", "photo.jpg"),
        (b"\xff\xd8\xff\xe0<?php echo 1; ?>", "photo.jpg"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.png"),
        (b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF", "a.pdf"),
        (b"%PDF-1.4\ntruncated", "a.pdf"),
        (office(DOCX, {"word/vbaProject.bin": b"macro"}), "a.docx"),
        (office("application/zip"), "a.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.doc"),  # OLE: old Office, may hold macros
        (b"", "empty.jpg"),
    ],
)
def test_anything_else_is_refused(raw, name):
    with pytest.raises(UploadRefused):
        attachment_clean(raw, name, max_bytes=CAP)


def test_too_big_is_refused_before_decoding():
    with pytest.raises(UploadRefused, match="不能超过"):
        attachment_clean(PDF_OK + b" " * CAP, "big.pdf", max_bytes=CAP)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd", "passwd.pdf"),
        ('a"b<c>.pdf', "a_b_c_.pdf"),
        ("C:\\Users\\x\\现场.png", "现场.pdf"),
        ("", "file.pdf"),
        ("\x00\x1f.pdf", "file.pdf"),
    ],
)
def test_names_are_made_safe(name, expected):
    assert safe_name(name, "pdf") == expected
