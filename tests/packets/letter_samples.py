"""The plain values the packet's letters are rendered from, shared by the letter tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from requests_app.packets import Enclosures
from requests_app.packets.letters import InvoiceLine, LetterInfo

PREFIX = "COHNMC-ROI-2026-000042"

# A third party's packet with a fee: the cover letter and the invoice.
LETTER_INFO = LetterInfo(
    language="en",
    letter_date=date(2026, 3, 2),
    request_number="ROI-2026-000042",
    bates_prefix="COHNMC",
    entity_name="City of Hope National Medical Center",
    phone="626-218-2446",
    patient_name="María García",
    recipient_name="Linda Ortiz",
    recipient_address="12 Main Street\nPasadena, CA 91101",
    invoice_lines=(InvoiceLine("Copies (paper)", 1000, Decimal("0.10"), Decimal("100.00")),),
    invoice_total=Decimal("100.00"),
    invoice_basis="Third-party schedule (Cal. Evidence Code 1158).",
)


def enclosures(letter_pages: int, record_pages: int, manifest_pages: int = 1) -> Enclosures:
    """What the letters say about a packet of this shape (no documents listed)."""
    front = letter_pages + manifest_pages
    total = front + record_pages
    return Enclosures(
        documents=(),
        letter_pages=letter_pages,
        manifest_pages=manifest_pages,
        record_pages=record_pages,
        total_pages=total,
        first_bates=f"{PREFIX}-0001",
        last_bates=f"{PREFIX}-{total:04d}",
        first_record_bates=f"{PREFIX}-{front + 1:04d}",
        last_record_bates=f"{PREFIX}-{total:04d}",
    )
