"""Static files that a phone on a slow network fetches once: each URL {% static %} writes carries
its file's content hash (?v=…), and a request for the current version of a file is answered
with a year-long, immutable Cache-Control (StaticCacheMiddleware). A new release changes the
hash, hence the URL, so nobody keeps an old stylesheet. Files asked for without the version
(images a stylesheet names, an old page) keep WhiteNoise's short max-age and revalidate.

No collectstatic is needed (WhiteNoise serves through the finders, `kangyang serve`), which is
why this is not ManifestStaticFilesStorage: that one needs collectstatic's manifest."""

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedStaticFilesStorage

YEAR = 365 * 24 * 3600


def _digest(path: str, mtime_ns: int, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


_cached_digest = lru_cache(maxsize=2048)(_digest)


@lru_cache(maxsize=2048)
def _find(name: str) -> str | None:
    return finders.find(name)


def version_of(name: str) -> str | None:
    """The content hash of static file `name`, or None when there is no such file."""
    path = (finders.find(name) if settings.DEBUG else _find(name))
    if not path:
        return None
    stat = Path(path).stat()
    return _cached_digest(path, stat.st_mtime_ns, stat.st_size)


class VersionedStaticFilesStorage(CompressedStaticFilesStorage):
    def url(self, name: str) -> str:
        url = super().url(name)
        version = version_of(name) if name else None
        return f"{url}?v={version}" if version else url


class StaticCacheMiddleware:
    """Placed before WhiteNoise: a static file asked for at its current version may be kept a year."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        version = request.GET.get("v")
        if (version and request.path.startswith(self.prefix) and response.status_code in (200, 304)
                and version == version_of(request.path[len(self.prefix):])):
            response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
