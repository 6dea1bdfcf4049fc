"""The invoice at the front of a packet when a fee is due, drawn directly (drawing.py).

It is rendered on every release with a fee, and WeasyPrint took as long for this one short
table as for the whole cover letter (about 25 ms, the most expensive part of a 1,000-page
build after the record pages themselves). The cover letter stays WeasyPrint: it carries the
entity's own text and letterhead.

Its words are the same translatable strings as templates/letters/invoice.html, which WeasyPrint
still renders when a name or an address holds a character the standard fonts cannot print
(letters.py decides, with invoice_drawable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pikepdf
from django.utils import formats
from django.utils.translation import gettext

from .drawing import BOTTOM, LEFT, RIGHT, TOP, Canvas, drawable, standard_fonts, wrap
from .stamp import text_width

if TYPE_CHECKING:
    from .letters import LetterInfo

TITLE_SIZE, TEXT_SIZE, LABEL_SIZE, NOTE_SIZE = 20.0, 11.0, 8.0, 9.5
LINE = 14.0
NAVY = (0.071, 0.208, 0.357)  # #12355b, the cover letter's letterhead colour
# Columns: the item, then quantity, unit price and amount, right-aligned. The unit price's
# column is the widest: its heading is "Precio por unidad" in Spanish.
COL_ITEM_WIDTH = 230.0
COL_QUANTITY_RIGHT, COL_PRICE_RIGHT, COL_AMOUNT_RIGHT = 358.0, 468.0, RIGHT


def _money(amount: object) -> str:
    # As the template writes "${{ amount }}": the decimal separator follows the language.
    return "$" + formats.localize(amount)


def _labels() -> dict[str, str]:
    """The invoice's own words, in the active language."""
    title = gettext("Invoice")
    return {
        "title": title,
        "continued": gettext("%(title)s (continued)") % {"title": title},
        "number": gettext("Invoice number"),
        "date": gettext("Date"),
        "bill_to": gettext("Bill to"),
        "item": gettext("Item"),
        "quantity": gettext("Quantity"),
        "unit_price": gettext("Unit price"),
        "amount": gettext("Amount"),
        "total": gettext("Total due"),
        "pay": gettext(
            "To pay, or to ask about this fee, call %(phone)s and give the invoice number "
            "%(number)s."
        ),
        "law": gettext(
            "The fee covers only what the law allows for copies. Unpaid medical bills never "
            "hold back your records."
        ),
    }


def invoice_drawable(info: LetterInfo) -> bool:
    """Whether the standard fonts can print all of the invoice, in the active language."""
    return drawable(
        info.recipient_name,
        info.recipient_address,
        info.invoice_basis,
        info.phone,
        info.request_number,
        formats.date_format(info.letter_date, "DATE_FORMAT"),
        *(line.label for line in info.invoice_lines),
        *_labels().values(),
    )


class _Flow:
    """Lines top to bottom, onto a new page when one is full; a table's headings are drawn
    again at the top of the next page."""

    def __init__(self, pdf: pikepdf.Pdf, continued: str) -> None:
        self.pdf = pdf
        self.continued = continued
        self.fonts = standard_fonts(pdf)
        self.canvas = Canvas()
        self.y = TOP
        self.headings: Callable[[], None] | None = None  # while a table is being drawn

    def room(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.canvas.add_page(self.pdf, self.fonts)
            self.canvas = Canvas()
            self.y = TOP - TITLE_SIZE
            self.canvas.text(LEFT, self.y, "HB", TEXT_SIZE, self.continued, gray=NAVY)
            self.y -= LINE * 2
            if self.headings is not None:
                self.headings()

    def paragraph(self, text: str, size: float) -> None:
        for line in wrap(text, size, RIGHT - LEFT):
            self.room(size * 1.3)
            self.canvas.text(LEFT, self.y, "H", size, line)
            self.y -= size * 1.3
        self.y -= 6

    def finish(self) -> None:
        self.canvas.add_page(self.pdf, self.fonts)


def _parties(flow: _Flow, info: LetterInfo, labels: dict[str, str]) -> None:
    """Bill to on the left; the invoice number and date on the right."""
    canvas, top = flow.canvas, flow.y
    date = formats.date_format(info.letter_date, "DATE_FORMAT")
    y = top
    for label, value in ((labels["number"], info.request_number), (labels["date"], date)):
        canvas.right(RIGHT, y, "H", LABEL_SIZE, label.upper(), gray=0.27)
        canvas.right(RIGHT, y - LINE, "H", TEXT_SIZE, value)
        y -= LINE * 2 + 4
    left_width = (
        RIGHT
        - LEFT
        - 16
        - max(text_width(info.request_number, TEXT_SIZE), text_width(date, TEXT_SIZE), 120)
    )
    lines = [info.recipient_name, *info.recipient_address.splitlines()]
    address = [part for line in lines if line.strip() for part in wrap(line, TEXT_SIZE, left_width)]
    canvas.text(LEFT, top, "H", LABEL_SIZE, labels["bill_to"].upper(), gray=0.27)
    left_y = top - LINE
    for line in address:
        canvas.text(LEFT, left_y, "H", TEXT_SIZE, line)
        left_y -= LINE
    flow.y = min(y, left_y) - 10


def _table(flow: _Flow, info: LetterInfo, labels: dict[str, str]) -> None:
    def headings() -> None:
        canvas, y = flow.canvas, flow.y
        canvas.text(LEFT, y, "HB", TEXT_SIZE, labels["item"])
        canvas.right(COL_QUANTITY_RIGHT, y, "HB", TEXT_SIZE, labels["quantity"])
        canvas.right(COL_PRICE_RIGHT, y, "HB", TEXT_SIZE, labels["unit_price"])
        canvas.right(COL_AMOUNT_RIGHT, y, "HB", TEXT_SIZE, labels["amount"])
        canvas.rule(LEFT, RIGHT, y - 5, 1, gray=0.2)
        flow.y = y - LINE - 6

    headings()
    flow.headings = headings
    for line in info.invoice_lines:
        item_lines = wrap(line.label, TEXT_SIZE, COL_ITEM_WIDTH)
        flow.room(LINE * len(item_lines) + 6)
        canvas = flow.canvas
        y = flow.y
        canvas.right(COL_QUANTITY_RIGHT, y, "H", TEXT_SIZE, str(line.quantity))
        canvas.right(COL_PRICE_RIGHT, y, "H", TEXT_SIZE, _money(line.unit_price))
        canvas.right(COL_AMOUNT_RIGHT, y, "H", TEXT_SIZE, _money(line.amount))
        for item_line in item_lines:
            canvas.text(LEFT, y, "H", TEXT_SIZE, item_line)
            y -= LINE
        canvas.rule(LEFT, RIGHT, y + LINE - 5, 0.5, gray=0.73)
        flow.y = y - 6
    flow.room(LINE * 2)
    flow.headings = None
    canvas = flow.canvas
    y = flow.y
    canvas.rule(LEFT, RIGHT, y + LINE - 3, 1.5, gray=0.2)
    canvas.text(LEFT, y, "HB", TEXT_SIZE, labels["total"])
    canvas.right(COL_AMOUNT_RIGHT, y, "HB", TEXT_SIZE, _money(info.invoice_total))
    flow.y = y - LINE - 10


def invoice_pdf(info: LetterInfo) -> pikepdf.Pdf:
    """The invoice as a PDF of its own (usually one page), in the active language."""
    labels = _labels()
    pdf = pikepdf.Pdf.new()
    flow = _Flow(pdf, labels["continued"])
    flow.y = TOP - TITLE_SIZE
    flow.canvas.text(LEFT, flow.y, "HB", TITLE_SIZE, labels["title"], gray=NAVY)
    flow.y -= TITLE_SIZE + 14
    _parties(flow, info, labels)
    _table(flow, info, labels)
    if info.invoice_basis:
        flow.paragraph(info.invoice_basis, NOTE_SIZE)
    pay = labels["pay"] % {"phone": info.phone, "number": info.request_number}
    flow.paragraph(pay, TEXT_SIZE)
    flow.paragraph(labels["law"], NOTE_SIZE)
    flow.finish()
    return pdf
