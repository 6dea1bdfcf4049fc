"""The letters at the front of a packet: the cover letter, rendered by WeasyPrint
(requests_app/letters/render.py) from templates/letters/cover_letter.html with the stylesheets
parsed once per worker (STYLESHEETS), and the invoice when a fee is due, drawn directly
(invoice_page.py) or, when its text needs more than the standard fonts, included in the cover
letter's rendering (templates/letters/invoice.html). The manifest that follows them is drawn
directly too (manifest_page.py).

Everything here is plain values (no ORM), so the benchmark renders the same letters as a
real release. services/packets.py builds a LetterInfo from the request.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pikepdf
from django.utils import translation
from django.utils.html import conditional_escape, escape, format_html, linebreaks, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from ..letters.render import render_pdf
from .build import Enclosures, Letters
from .invoice_page import invoice_drawable, invoice_pdf

COVER_TEMPLATE = "letters/cover_letter.html"
# The cover letter links no stylesheet: these are parsed once per worker and handed over.
STYLESHEETS = ("css/letters-base.css", "css/letters-packet.css")


_PLACEHOLDER = re.compile(r"\{(patient|number|due_date|reason|phone|entity)\}")


@dataclass(frozen=True)
class InvoiceLine:
    label: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LetterInfo:
    language: str
    letter_date: date
    request_number: str
    bates_prefix: str
    entity_name: str
    organization_name: str = ""
    department: str = ""
    entity_address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    help_hours: str = ""
    patient_name: str = ""
    patient_birth_date: date | None = None
    recipient_name: str = ""
    recipient_address: str = ""
    due_date: date | None = None
    # The entity's LetterText of kind "cover" in the request's language; empty: the default.
    subject: str = ""
    body: str = ""
    invoice_lines: tuple[InvoiceLine, ...] = field(default_factory=tuple)
    invoice_total: Decimal = Decimal("0")
    invoice_basis: str = ""
    footer: str = ""

    @property
    def fee_due(self) -> bool:
        return self.invoice_total > 0


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace the documented placeholders only. Not str.format: the text is typed by an
    admin, and format() would let "{patient.__class__}" reach into Python objects."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _nowrap(value: object) -> str:
    # A Bates number must not break at its hyphens across two lines.
    return format_html('<span class="nowrap">{}</span>', value)


def enclosure_sentence(enclosures: Enclosures) -> SafeString:
    """What the packet holds, as HTML: Bates numbers kept on one line."""
    documents = len(enclosures.documents)
    sentence = gettext(
        "This packet has %(total)s pages, numbered %(first)s to %(last)s. The records are "
        "%(records)s in %(documents)s, Bates numbers %(first_record)s to %(last_record)s."
    )
    return mark_safe(  # the sentence is escaped; the values are escaped or format_html
        conditional_escape(sentence)
        % {
            "total": enclosures.total_pages,
            "first": _nowrap(enclosures.first_bates),
            "last": _nowrap(enclosures.last_bates),
            "records": escape(
                ngettext("%(n)s page", "%(n)s pages", enclosures.record_pages)
                % {"n": enclosures.record_pages}
            ),
            "documents": escape(
                ngettext("%(n)s document", "%(n)s documents", documents) % {"n": documents}
            ),
            "first_record": _nowrap(enclosures.first_record_bates),
            "last_record": _nowrap(enclosures.last_record_bates),
        }
    )


def body_html(body: str, values: dict[str, str], reason: SafeString) -> SafeString:
    """The entity's plain-text body as paragraphs: the admin's text and the values escaped,
    {reason} (the enclosure sentence, already HTML) put in as it is."""
    escaped = {name: str(escape(value)) for name, value in values.items()}
    escaped["reason"] = str(reason)
    filled = fill_placeholders(str(escape(body)), escaped)
    return mark_safe(linebreaks(filled))  # every part is escaped above


def render_letters(info: LetterInfo, enclosures: Enclosures) -> pikepdf.Pdf:
    """The cover letter (WeasyPrint) and, when a fee is due, the invoice: drawn directly
    (invoice_page.py) unless a name or an address needs more than the standard fonts print,
    in which case WeasyPrint renders it after the cover letter."""
    with translation.override(info.language):
        reason = enclosure_sentence(enclosures)
        values = {
            "patient": info.patient_name,
            "number": info.request_number,
            "due_date": info.due_date.isoformat() if info.due_date else "",
            "reason": strip_tags(reason),
            "phone": info.phone,
            "entity": info.entity_name,
        }
        subject = fill_placeholders(info.subject, values)
        body = body_html(info.body, values, reason) if info.body.strip() else ""
        draw_invoice = info.fee_due and invoice_drawable(info)
    context = {
        "info": info,
        "enclosures": enclosures,
        "subject": subject,
        "body": body,
        # Say what is enclosed even when the entity's text has no {reason} placeholder.
        "enclosure_sentence": "" if "{reason}" in info.body else reason,
        "invoice_in_html": info.fee_due and not draw_invoice,
    }
    cover = render_pdf(COVER_TEMPLATE, context, language=info.language, stylesheets=STYLESHEETS)
    letters = pikepdf.open(io.BytesIO(cover))
    if draw_invoice:
        with translation.override(info.language), invoice_pdf(info) as invoice:
            letters.pages.extend(invoice.pages)
    return letters


@dataclass(frozen=True)
class LettersRenderer:
    """The callable build_packet wants, with a first guess of the letters' page count so the
    letters are usually rendered once."""

    info: LetterInfo

    def __call__(self, enclosures: Enclosures) -> pikepdf.Pdf:
        return render_letters(self.info, enclosures)

    def estimate_pages(self) -> int:
        return 2 if self.info.fee_due else 1


def letters_renderer(info: LetterInfo) -> Letters:
    return LettersRenderer(info)
