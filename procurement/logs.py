"""Log records as an operator reads them: a refused request is one line, not a traceback."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """Turns Django's record of a 4xx answer into one line naming the path and the user.

    Django logs a ``PermissionDenied`` (and a 404 or bad request raised as an exception) to
    ``django.request`` with the exception attached, so each refusal printed a whole traceback:
    noise in the log for something the service does on purpose. A 5xx keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 500:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"
        record.msg = f"{record.getMessage()} ({who})"
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
