"""Logging helpers with no domain knowledge."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refusal (a 4xx answer: PermissionDenied, Http404, a bad request) is one line in the
    log, not a traceback: Django's django.request logger attaches the exception to every
    such record, which turned each 403 into a dozen lines that looked like a crash. 5xx
    records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
