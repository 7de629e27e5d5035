"""Photos a citizen attaches: checked by their content, never by name or declared type.

A file is accepted only if Pillow opens it as a JPEG, PNG, WebP or GIF (first frame) and it
decodes fully within the size and pixel caps. It is then re-encoded as a new JPEG from its
pixels alone: EXIF (with the GPS position), ICC and comments are dropped, and nothing that
was appended to or hidden in the original (an HTML or script polyglot) survives. SVG, HTML and
anything else Pillow does not decode as one of those formats is refused. No ORM here.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})
MAX_BYTES = 8 * 1024 * 1024  # one upload
MAX_PIXELS = 40_000_000  # decompression bombs
MAX_SIDE = 2048  # the re-encoded photo's longer side
JPEG_QUALITY = 85
MAX_PHOTOS = 9


# Markup or script inside an image file: an HTML, SVG or script polyglot posing as a photo.
# Real photos do not carry these byte strings; a file that does is refused, not cleaned.
MARKUP = (
    b"<script",
    b"<html",
    b"<svg",
    b"<?php",
    b"<!doctype",
    b"<iframe",
    b"<body",
    b"javascript:",
    b"onerror=",
    b"onload=",
)


class PhotoRefused(ValueError):
    """Why a file is not taken as a photo (in Chinese, shown next to the field)."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    sha256: str
    content_type: str = "image/jpeg"


def photo_clean(raw: bytes, *, max_bytes: int = MAX_BYTES) -> CleanPhoto:
    """Check ``raw`` by its content and return it re-encoded as a JPEG without metadata."""
    if not raw:
        raise PhotoRefused("文件为空")
    if len(raw) > max_bytes:
        raise PhotoRefused(f"单张照片不能超过 {max_bytes // (1024 * 1024)} MB")
    head = raw[:512].lstrip().lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")):
        raise PhotoRefused("只接受 JPEG、PNG、WebP 或 GIF 格式的照片")
    lowered = raw.lower()
    if any(marker in lowered for marker in MARKUP):
        raise PhotoRefused("文件中含有网页或脚本内容，不是照片")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise PhotoRefused("只接受 JPEG、PNG、WebP 或 GIF 格式的照片")
                if probe.width * probe.height > MAX_PIXELS:
                    raise PhotoRefused("照片像素过大")
                probe.verify()  # structure and checksums, before decoding
            with Image.open(io.BytesIO(raw)) as opened:
                opened.load()  # decodes every pixel: a truncated or forged file fails here
                image: Image.Image = ImageOps.exif_transpose(
                    opened
                )  # keep the photo upright once EXIF is gone
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, (255, 255, 255))
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                # A fresh image from the pixels: no exif=, icc_profile= or comment= is passed.
                Image.frombytes(image.mode, image.size, image.tobytes()).save(
                    out, format="JPEG", quality=JPEG_QUALITY, optimize=True
                )
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("无法识别的图片文件，只接受 JPEG、PNG、WebP 或 GIF 格式的照片") from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoRefused("图片文件已损坏或格式不正确") from None
    data = out.getvalue()
    return CleanPhoto(
        data=data, width=image.width, height=image.height, sha256=hashlib.sha256(data).hexdigest()
    )
