"""Pages drawn directly as PDF text with the standard Helvetica fonts: the manifest
(manifest_page.py) and the invoice (invoice_page.py).

Not WeasyPrint: these are plain grids, and WeasyPrint spends about 25 ms laying out one short
table page (a thousand-row manifest takes it seconds), on every release. The standard fonts are
never embedded; they print WinAnsi (cp1252) text, which covers English and Spanish. Other
letters lose their accents (stamp.winansi: "Nguyễn" prints "Nguyen"), which a manifest title
can bear; a name on an invoice cannot, so the invoice asks `drawable` first and lets WeasyPrint
render it when the answer is no.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name

from .stamp import pdf_string, text_width

PAGE_W, PAGE_H = 612.0, 792.0  # US Letter
# The text area of a drawn page; the bottom keeps clear of the stamp strip (stamp.STRIP).
LEFT, RIGHT, TOP, BOTTOM = 54.0, 558.0, 738.0, 60.0


def drawable(*texts: str) -> bool:
    """Whether every text prints as it is in WinAnsi (the standard fonts' encoding)."""
    try:
        for text in texts:
            text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def wrap(text: str, size: float, width: float, max_lines: int = 100) -> list[str]:
    """Greedy word wrap with Helvetica widths; a last line that does not fit ends in "...".
    A word wider than the column is cut (file names have no spaces)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size) > width:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "...", size) > width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last + "..."]
    return lines or [""]


def standard_fonts(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A font resource dictionary: H (Helvetica), HB (bold), C (Courier), all WinAnsi."""

    def font(base: str) -> pikepdf.Object:
        return pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name(f"/{base}"),
                Encoding=Name.WinAnsiEncoding,
            )
        )

    return Dictionary(H=font("Helvetica"), HB=font("Helvetica-Bold"), C=font("Courier"))


class Canvas:
    """The content of one page, as PDF operators."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def text(
        self,
        x: float,
        y: float,
        font: str,
        size: float,
        text: str,
        gray: float | tuple[float, float, float] = 0,
    ) -> None:
        """`gray` is a gray level, or an RGB colour as three numbers from 0 to 1."""
        fill = f"{gray:g} g" if isinstance(gray, int | float) else "{:g} {:g} {:g} rg".format(*gray)
        self.parts.append(
            f"BT /{font} {size:g} Tf {fill} {x:.2f} {y:.2f} Td ".encode()
            + pdf_string(text)
            + b" Tj ET\n"
        )

    def right(self, x: float, y: float, font: str, size: float, text: str, gray: float = 0) -> None:
        width = text_width(text, size, bold=font == "HB")
        self.text(x - width, y, font, size, text, gray)

    def rule(self, x0: float, x1: float, y: float, width: float, gray: float = 0.4) -> None:
        self.parts.append(f"{width:g} w {gray:g} G {x0:g} {y:.2f} m {x1:g} {y:.2f} l S\n".encode())

    def add_page(self, pdf: pikepdf.Pdf, fonts: pikepdf.Dictionary) -> None:
        page = pdf.add_blank_page(page_size=(PAGE_W, PAGE_H))
        page.obj.Resources = Dictionary(Font=fonts)
        page.obj.Contents = pdf.make_stream(b"".join(self.parts))
