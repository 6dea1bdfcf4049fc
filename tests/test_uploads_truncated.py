"""WeasyPrint's import must not make the upload checks accept truncated images."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from requests_app.letters.render import render_pdf  # noqa: F401  (imports WeasyPrint)
from requests_app.services.uploads import upload_check


def test_a_truncated_png_is_refused_after_weasyprint_was_imported() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), "white").save(buffer, "PNG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("id.png", truncated, content_type="image/png"))
