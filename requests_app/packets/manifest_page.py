"""The manifest pages: a table of the enclosed documents, their pages, Bates numbers and SHA-256,
drawn directly as PDF text with the standard Helvetica and Courier fonts (drawing.py): a table
of a hundred documents takes WeasyPrint seconds to lay out, and this is a plain grid. The
layout depends only on the titles (never on the page numbers), so how many pages the manifest
takes is known before the Bates numbers are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from django.utils.translation import gettext

from .drawing import BOTTOM, LEFT, RIGHT, TOP, Canvas, standard_fonts, wrap
from .manifest import ManifestEntry

TITLE_SIZE, TEXT_SIZE, SMALL_SIZE, HASH_SIZE = 15.0, 9.0, 8.0, 7.5
LINE = 11.0
COL_NUMBER, COL_TITLE, COL_PAGES_RIGHT, COL_BATES = LEFT, LEFT + 22, 392.0, 402.0
TITLE_WIDTH = COL_PAGES_RIGHT - 40 - COL_TITLE
_MAX_TITLE_LINES = 3


@dataclass(frozen=True)
class _Row:
    entry: ManifestEntry
    title_lines: list[str]
    note: str

    @property
    def text_lines(self) -> int:
        # The Bates column has two lines (first and last); the title column may have more.
        return max(2, len(self.title_lines) + (1 if self.note else 0))

    @property
    def height(self) -> float:
        return LINE * (self.text_lines + 1) + 5  # and the SHA-256 line, and a gap


def _rows(entries: list[ManifestEntry]) -> list[_Row]:
    rows = []
    for entry in entries:
        notes = []
        if entry.original_name and entry.original_name != entry.title:
            notes.append(entry.original_name)
        if entry.excluded_pages:
            notes.append(
                gettext("%(count)s of %(total)s pages not released")
                % {"count": len(entry.excluded_pages), "total": entry.source_pages}
            )
        note = " · ".join(notes)
        note_lines = wrap(note, SMALL_SIZE, TITLE_WIDTH, 1) if note else []
        title_lines = wrap(entry.title, TEXT_SIZE, TITLE_WIDTH, _MAX_TITLE_LINES)
        rows.append(_Row(entry, title_lines, note_lines[0] if note_lines else ""))
    return rows


def _header_height(first: bool) -> float:
    return (TITLE_SIZE + 8 + 3 * LINE + 6) if first else (TITLE_SIZE + 8 + LINE + 6)


def _paginate(rows: list[_Row]) -> list[list[_Row]]:
    pages: list[list[_Row]] = [[]]
    room = TOP - BOTTOM - _header_height(True)
    for row in rows:
        if pages[-1] and row.height > room:
            pages.append([])
            room = TOP - BOTTOM - _header_height(False)
        pages[-1].append(row)
        room -= row.height
    return pages


def manifest_page_count(entries: list[ManifestEntry]) -> int:
    return len(_paginate(_rows(entries)))


def manifest_pdf(entries: list[ManifestEntry], *, request_number: str) -> pikepdf.Pdf:
    """The manifest as a PDF of its own, ready to be copied into the packet."""
    pdf = pikepdf.Pdf.new()

    fonts = standard_fonts(pdf)
    pages = _paginate(_rows(entries))
    for index, rows in enumerate(pages):
        canvas = Canvas()
        y = TOP - TITLE_SIZE
        title = gettext("Manifest of enclosed records")
        if index:
            title = gettext("%(title)s (continued)") % {"title": title}
        canvas.text(LEFT, y, "HB", TITLE_SIZE, title, gray=0.07)
        y -= TITLE_SIZE + 8
        if index == 0:
            intro = gettext(
                "Each document released under request %(number)s, in the order enclosed. The "
                "SHA-256 fingerprint identifies the exact file our staff added to the request."
            ) % {"number": request_number}
            for line in wrap(intro, TEXT_SIZE, RIGHT - LEFT, 2):
                canvas.text(LEFT, y, "H", TEXT_SIZE, line)
                y -= LINE
            y -= 4
        canvas.text(COL_NUMBER, y, "HB", TEXT_SIZE, "#")
        canvas.text(COL_TITLE, y, "HB", TEXT_SIZE, gettext("Document"))
        canvas.right(COL_PAGES_RIGHT, y, "HB", TEXT_SIZE, gettext("Pages"))
        canvas.text(COL_BATES, y, "HB", TEXT_SIZE, gettext("Bates numbers"))
        canvas.rule(LEFT, RIGHT, y - 4, 0.8)
        y -= LINE + 6
        for row in rows:
            entry = row.entry
            canvas.text(COL_NUMBER, y, "H", TEXT_SIZE, str(entry.position))
            canvas.right(COL_PAGES_RIGHT, y, "H", TEXT_SIZE, str(entry.pages))
            canvas.text(COL_BATES, y, "H", SMALL_SIZE, entry.first_bates)
            canvas.text(COL_BATES, y - LINE, "H", SMALL_SIZE, entry.last_bates)
            line_y = y
            for line in row.title_lines:
                canvas.text(COL_TITLE, line_y, "H", TEXT_SIZE, line)
                line_y -= LINE
            if row.note:
                canvas.text(COL_TITLE, line_y, "H", SMALL_SIZE, row.note, gray=0.3)
            y -= LINE * row.text_lines
            canvas.text(COL_TITLE, y, "C", HASH_SIZE, f"SHA-256 {entry.sha256}")
            canvas.rule(LEFT, RIGHT, y - 4, 0.3)
            y -= LINE + 5
        canvas.add_page(pdf, fonts)
    return pdf
