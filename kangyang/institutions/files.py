"""Files of the institutions' records (hazard photos, rating evidence) as responses: only
through a view that checked who may see them, never from a public media address."""

import mimetypes

from django.http import FileResponse, Http404


def photo_response(photo) -> FileResponse:
    """A hazard photo's file."""
    return file_response(photo.image)


def file_response(field_file) -> FileResponse:
    """A stored file, never cached, offered under its stored name (not the uploader's); a file
    gone from the disk (restored without its uploads) is a 404, not an error."""
    if not field_file:
        raise Http404
    try:
        file = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(file, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
