"""Files of the institutions' records (hazard photos) as responses: only through a view that
checked who may see them, never from a public media address."""

import mimetypes

from django.http import FileResponse, Http404


def photo_response(photo) -> FileResponse:
    """A hazard photo's file, never cached; a file gone from the disk (restored without its
    uploads) is a 404, not an error."""
    try:
        file = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(file, content_type=kind)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
