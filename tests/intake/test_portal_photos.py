"""Photos are judged by their content: re-encoded as JPEG without metadata, or refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hotline.core.photos import MAX_SIDE, PhotoRefused, photo_clean


def image_bytes(fmt: str, size=(40, 30), mode="RGB", **kwargs) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 128 if mode == "L" else (10, 200, 30, 128)[: len(mode)]).save(
        out, format=fmt, **kwargs
    )
    return out.getvalue()


@pytest.mark.parametrize(
    "fmt, mode", [("JPEG", "RGB"), ("PNG", "RGBA"), ("PNG", "L"), ("WEBP", "RGB"), ("GIF", "P")]
)
def test_accepted_formats_come_out_as_jpeg(fmt, mode):
    clean = photo_clean(image_bytes(fmt, mode=mode))
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 30)
    assert clean.content_type == "image/jpeg" and len(clean.sha256) == 64


def test_a_large_photo_is_scaled_down():
    clean = photo_clean(image_bytes("JPEG", size=(4000, 1000)))
    assert (clean.width, clean.height) == (MAX_SIDE, MAX_SIDE // 4)


def test_orientation_is_applied_before_the_exif_goes():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees
    clean = photo_clean(image_bytes("JPEG", size=(40, 30), exif=exif))
    assert (clean.width, clean.height) == (30, 40)
    with Image.open(io.BytesIO(clean.data)) as image:
        assert not image.getexif()


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"  <html><body>hi</body></html>",
        image_bytes("PNG") + b"<script>alert(1)</script>",
        image_bytes("JPEG")[:100],
        image_bytes("BMP"),  # decodable, but not a photo format we take
        image_bytes("TIFF"),
        b"%PDF-1.4 not an image",
    ],
)
def test_refused(raw):
    with pytest.raises(PhotoRefused):
        photo_clean(raw)


def test_too_many_bytes_is_refused():
    with pytest.raises(PhotoRefused, match="不能超过"):
        photo_clean(image_bytes("JPEG"), max_bytes=100)


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("L", (9000, 9000)).save(out, format="PNG")  # 81 Mpx, a few hundred bytes
    with pytest.raises(PhotoRefused):
        photo_clean(out.getvalue())
