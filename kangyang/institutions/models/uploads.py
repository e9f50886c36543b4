"""Where the institutions' uploads are stored: under a random name in the topic's folder, never
the uploader's file name (it may carry a person's name); the extension is kept."""

import uuid
from pathlib import PurePath

from django.utils.deconstruct import deconstructible

__all__ = ["Renamed"]


@deconstructible
class Renamed:
    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePath(filename or "").suffix.lower()
        suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
        return f"{self.folder}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Renamed) and other.folder == self.folder
