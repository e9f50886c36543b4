"""Files at rest: every file the platform stores (uploaded sheets, rejected-row files) is
encrypted with the field key, so a copy of the media directory without the key reveals
nothing, not even the full ID numbers those sheets hold.

EncryptedFileSystemStorage is the default storage (settings.STORAGES): it encrypts on save
and decrypts on open, so FileField code reads and writes plain bytes. Files are written
0600 in directories 0700 (FILE_UPLOAD_PERMISSIONS, FILE_UPLOAD_DIRECTORY_PERMISSIONS).
A file stored before encryption was switched on has no header and is read as it is.

A file is encrypted whole, in memory: the stored files are import sheets and their
rejected rows, a few megabytes at most.
"""

import os
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models

from kangyang.lib import crypto


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files are AES-256-GCM encrypted under the field key."""

    def _save(self, name: str, content) -> str:
        data = b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in content.chunks())
        return super()._save(name, ContentFile(crypto.encrypt_bytes(data)))

    def _open(self, name: str, mode: str = "rb") -> ContentFile:
        if any(flag in mode for flag in "wa+"):
            raise ValueError("encrypted files are written with save(), not opened for writing")
        with open(self.path(name), "rb") as f:
            blob = f.read()
        plain = crypto.decrypt_bytes(blob) if crypto.is_encrypted_bytes(blob) else blob
        # A ContentFile, not a File: FieldFile reopens it after a close (seek to 0).
        return ContentFile(plain, name=name)

    def reencrypt(self, name: str) -> bool:
        """Rewrite one stored file under the current key (for a key rotation), in place.
        Returns whether it was rewritten; a file in clear is encrypted too."""
        path = self.path(name)
        with open(path, "rb") as f:
            blob = f.read()
        if crypto.is_current_bytes(blob):
            return False
        plain = crypto.decrypt_bytes(blob) if crypto.is_encrypted_bytes(blob) else blob
        tmp = f"{path}.rotating"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(crypto.encrypt_bytes(plain))
        os.replace(tmp, path)
        return True


def reencrypt_stored_files(names) -> int:
    """Re-encrypt the given files of the default storage under the current key; files that
    are gone (pruned) are skipped. Returns how many were rewritten."""
    storage = default_storage
    if not isinstance(storage, EncryptedFileSystemStorage):
        return 0
    count = 0
    for name in names:
        if name and storage.exists(name):
            count += storage.reencrypt(name)
    return count


def stored_file_names(*, skip=()) -> Iterator[str]:
    """The names of every file held by a FileField of any model (the models in `skip` left
    out), so a key rotation re-encrypts files of apps the rotating command does not know
    (a survival certification's photo)."""
    from django.apps import apps

    for model in apps.get_models():
        if model in skip:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for name in names:
            yield from model._base_manager.exclude(**{name: ""}).values_list(name, flat=True).iterator()
