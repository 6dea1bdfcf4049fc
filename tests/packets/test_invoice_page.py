"""The invoice at the front of a packet: drawn with the standard fonts in English and Spanish,
rendered by WeasyPrint when a name needs more than they print, and flowing onto a second page
with the packet's numbers still right."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from django.utils import translation

from requests_app.packets import SourceDocument, build_packet, invoice_page
from requests_app.packets.letters import InvoiceLine, letters_renderer, render_letters
from requests_app.packets.stamp import text_width

from ..pdf import pdf_text
from .letter_samples import LETTER_INFO, enclosures
from .samples import page_texts, pdf_bytes

INFO = LETTER_INFO
ENCLOSURES = enclosures(letter_pages=2, record_pages=1000)


def _pdf_bytes(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _fonts(pdf: pikepdf.Pdf, index: int) -> list[pikepdf.Object]:
    return list(pdf.pages[index].obj.Resources.Font.values())


def test_it_draws_the_invoice_after_the_cover_letter_with_the_standard_fonts() -> None:
    letters = render_letters(INFO, ENCLOSURES)
    assert len(letters.pages) == 2
    invoice = page_texts(_pdf_bytes(letters))[1]
    for expected in (
        "Invoice",
        "BILL TO",
        "Linda Ortiz",
        "Pasadena, CA 91101",
        "INVOICE NUMBER",
        "ROI-2026-000042",
        "March 2, 2026",
        "Copies (paper)",
        "1000",
        "$0.10",
        "$100.00",
        "Total due",
        "Third-party schedule (Cal. Evidence Code 1158).",
        "call 626-218-2446 and give the invoice number ROI-2026-000042.",
        "Unpaid medical bills never hold back your records.",
    ):
        assert expected in invoice
    assert {str(font.BaseFont) for font in _fonts(letters, 1)} >= {
        "/Helvetica",
        "/Helvetica-Bold",
    }
    assert all("/FontDescriptor" not in font for font in _fonts(letters, 1))  # nothing embedded


def test_it_draws_the_invoice_in_spanish() -> None:
    letters = render_letters(replace(INFO, language="es"), ENCLOSURES)
    invoice = page_texts(_pdf_bytes(letters))[1]
    for expected in ("Factura", "FACTURAR A", "Precio por unidad", "Total a pagar", "2 de marzo"):
        assert expected in invoice
    # Amounts as the template and the emails write them in Spanish: a decimal comma.
    assert "$0,10" in invoice and "$100,00" in invoice and "$100.00" not in invoice


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_column_headings_never_touch(language: str) -> None:
    with translation.override(language):
        labels = invoice_page._labels()

    def left_edge(right: float, label: str) -> float:
        return right - text_width(label, invoice_page.TEXT_SIZE, bold=True)

    item_end = invoice_page.LEFT + invoice_page.COL_ITEM_WIDTH
    assert left_edge(invoice_page.COL_QUANTITY_RIGHT, labels["quantity"]) > item_end + 6
    assert left_edge(invoice_page.COL_PRICE_RIGHT, labels["unit_price"]) > (
        invoice_page.COL_QUANTITY_RIGHT + 6
    )
    assert left_edge(invoice_page.COL_AMOUNT_RIGHT, labels["amount"]) > (
        invoice_page.COL_PRICE_RIGHT + 6
    )


def test_a_name_the_standard_fonts_cannot_print_goes_to_weasyprint(tmp_path: Path) -> None:
    """Vietnamese needs letters beyond WinAnsi: drawn, "Nguyễn" would print as "Nguy?n"."""
    info = replace(INFO, recipient_name="Nguyễn Thị Lan")
    letters = render_letters(info, ENCLOSURES)
    assert len(letters.pages) == 2
    # WeasyPrint embeds its fonts (a subset of DejaVu Sans, as composite fonts).
    assert all("/DescendantFonts" in font for font in _fonts(letters, 1))
    path = tmp_path / "letters.pdf"
    letters.save(path)
    text = pdf_text(path.read_bytes(), page=2)
    assert "Nguyễn Thị Lan" in text and "Invoice" in text and "$100.00" in text


def test_a_long_invoice_takes_two_pages_and_the_numbers_follow(tmp_path: Path) -> None:
    lines = tuple(
        InvoiceLine(f"Film copy of imaging study {n}", 1, Decimal("12.00"), Decimal("12.00"))
        for n in range(1, 51)
    )
    info = replace(INFO, invoice_lines=lines, invoice_total=Decimal("600.00"))
    source = tmp_path / "record.pdf"
    source.write_bytes(pdf_bytes(3, "Record"))
    out = tmp_path / "packet.pdf"
    result = build_packet(
        documents=[SourceDocument(title="Discharge summary", path=source)],
        bates_prefix="COHNMC-ROI-2026-000042",
        footer="CONFIDENTIAL health information.",
        out=out,
        render_letters=letters_renderer(info),
        request_number="ROI-2026-000042",
    )
    texts = page_texts(out)
    # The cover letter, two invoice pages, the manifest, then the three record pages.
    assert result.front_pages == 4 and result.page_count == 7
    assert "Invoice (continued)" in texts[2] and "Total due" in texts[2]
    # The table's headings again at the top of the continued page.
    assert texts[2].index("Unit price") < texts[2].index("Film copy of imaging study 50")
    assert "Film copy of imaging study 50" in texts[2]
    assert "Record page 1" in texts[4]
    assert result.manifest[0]["first_bates"] == "COHNMC-ROI-2026-000042-0005"
    for number, text in enumerate(texts, start=1):
        assert f"COHNMC-ROI-2026-000042-{number:04d}" in text
