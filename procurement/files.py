"""Serving stored documents safely."""

from django.http import FileResponse


def download_response(file, *, name: str) -> FileResponse:
    """Always a download, never rendered by the browser: an uploaded file cannot run as a page."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
