"""The words of a PDF the app made, as a reader sees them: poppler's pdftotext, whitespace
squeezed to single spaces so that a phrase is found whatever the line breaks."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from requests_app.models import Letter


def pdf_text(pdf: bytes | Letter, *, page: int | None = None) -> str:
    """The text of `pdf` (its bytes, or a Letter's stored file), every page or only `page`
    (counted from 1)."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils", pytrace=False)
    if isinstance(pdf, Letter):
        with pdf.file.open("rb") as fh:
            pdf = fh.read()
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", *pages, "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return " ".join(out.stdout.decode("utf-8").split())
