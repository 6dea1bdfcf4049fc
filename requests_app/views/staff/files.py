"""Serving a record file (a document, an attachment, a letter, the packet) to staff."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.http import content_disposition_header


def private_file(response: FileResponse, name: str, *, attachment: bool = False) -> FileResponse:
    """Name the file, and keep the browser from guessing its type. Medical records: never kept
    by a shared cache or the browser's disk cache."""
    response["Content-Disposition"] = content_disposition_header(attachment, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
