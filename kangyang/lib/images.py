"""Photos people upload (a survival certification's photo): which image type the bytes are,
read from their first bytes (the name and the browser's content type can say anything), and
whether the size is acceptable. Domain-free: the caller says what the photo is for."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A phone camera's JPEG is 2–5 MB; a larger upload is a video or a mistake.
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MIN_PHOTO_BYTES = 100  # smaller is no photo at all

# type → (extension, content type); the types every phone browser sends from its camera.
TYPES = {
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "webp": ("webp", "image/webp"),
}


def image_type(data: bytes) -> str | None:
    """"jpeg", "png" or "webp" by the file's signature; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_photo(data: bytes, *, max_bytes: int = MAX_PHOTO_BYTES) -> str:
    """The photo's type, or a ValidationError that tells the person what to send instead."""
    if len(data) > max_bytes:
        raise ValidationError(
            _("The photo is too large (%(size).1f MB); send one of at most %(max)d MB.")
            % {"size": len(data) / 1024 / 1024, "max": max_bytes // (1024 * 1024)}, code="too_large",
        )
    kind = image_type(data)
    if kind is None or len(data) < MIN_PHOTO_BYTES:
        raise ValidationError(_("This file is not a photo: take one with the phone's camera, or choose a picture from the album."), code="not_image")
    return kind


def content_type(kind: str) -> str:
    return TYPES[kind][1]


def extension(kind: str) -> str:
    return TYPES[kind][0]
