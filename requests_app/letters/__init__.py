"""Printed letters and forms: Django templates rendered to PDF by WeasyPrint.

`render_pdf` is the one entry point: a template under templates/letters/, a context and a
language give the PDF bytes. Letters extend templates/letters/base_letter.html.
"""

from __future__ import annotations

from .render import letter_language, render_pdf

__all__ = ["letter_language", "render_pdf"]
