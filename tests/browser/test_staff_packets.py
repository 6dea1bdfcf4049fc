"""A clerk gathers the records on the request file, releases, watches the packet build,
downloads it, and the PDF has every page stamped. Screenshots: var/shots/staff-packets-*.png,
and pages of the packet rendered with pdftoppm."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from requests_app.models import LetterText, Packet, TimelineEvent
from requests_app.services.packets import packet_build
from requests_app.tasks.packets import build_packet
from requests_app.workflow import Status

from ..packets.conftest import make_ready
from ..packets.samples import pdf_bytes, tiff_bytes
from .helpers import sign_in_staff, tool

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


def _page_text(pdf: Path, number: int) -> str:
    return subprocess.run(
        [tool("pdftotext"), "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_it_releases_a_stamped_packet(
    live_server, page: Page, client, entity_a, staff_a, representative, tmp_path, monkeypatch
) -> None:
    entity_a.phone = "626-218-2446"
    entity_a.address = "1500 East Duarte Road\nDuarte, CA 91010"
    entity_a.him_department = "Health Information Management"
    entity_a.save()
    LetterText.objects.create(
        entity=entity_a,
        kind="cover",
        language="en",
        subject="Your medical records, request {number}",
        body="Dear {patient},\n\nEnclosed are the records released under request {number}.\n\n"
        "{reason}\n\nIf anything is missing, call {phone}.\n\nSincerely,\nRelease of "
        "Information, {entity}",
    )
    req = make_ready(entity_a, staff_a, requester=representative)
    # The worker is played by this test, so the page is seen while the packet is queued.
    queued: list[tuple] = []
    monkeypatch.setattr(
        build_packet, "apply_async", lambda args=(), **options: queued.append(tuple(args))
    )

    summary = tmp_path / "discharge-summary.pdf"
    summary.write_bytes(pdf_bytes(3, "Discharge summary"))
    fax = tmp_path / "lab-fax.tif"
    fax.write_bytes(tiff_bytes(2))

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1000})
    sign_in_staff(page, client, staff_a, live_server)
    page.goto(live_server.url + reverse("staff:request_file", args=[req.number]))
    panel = page.locator("#pk-panel")
    expect(panel.get_by_role("heading", name="Records to release")).to_be_visible()
    expect(panel).to_contain_text("at most 50 MB")

    panel.get_by_label("Add a record document").set_input_files(str(summary))
    panel.get_by_label("Title (optional)").fill("Discharge summary")
    panel.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added “Discharge summary” (3 pages).")).to_be_visible()

    panel = page.locator("#pk-panel")
    panel.get_by_label("Add a record document").set_input_files(str(fax))
    panel.get_by_label("Title (optional)").fill("Faxed lab results")
    panel.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Added “Faxed lab results” (2 pages).")).to_be_visible()

    # The lab results go first; page 2 of the summary stays out.
    page.get_by_role("button", name="Move “Faxed lab results” up").click()
    first = page.locator(".pk-doc").first
    expect(first).to_contain_text("Faxed lab results")
    summary_item = page.locator(".pk-doc", has_text="Discharge summary")
    summary_item.get_by_label("Pages to leave out").fill("2")
    summary_item.get_by_role("button", name="Save pages").click()
    expect(page.locator(".pk-doc", has_text="Discharge summary")).to_contain_text(
        "1 page left out: 2"
    )
    page.locator("#pk-panel").screenshot(path=str(SHOTS / "staff-packets-panel.png"))

    page.get_by_role("button", name="Release: build the packet").click()
    expect(page.get_by_text("Waiting to build the packet…")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Packet build")).to_be_visible()
    page.locator("#pk-panel").screenshot(path=str(SHOTS / "staff-packets-progress.png"))
    assert len(queued) == 1

    # The worker builds; the page, polling, reloads itself when it is done.
    packet_id, actor_id = queued[0]
    assert packet_build(packet_id=packet_id, actor_id=actor_id).state == "built"
    download_link = page.get_by_role("link", name="Download the packet (PDF)")
    expect(download_link).to_be_visible(timeout=15_000)
    expect(page.locator(".rf-status")).to_have_text("Released")
    page.screenshot(path=str(SHOTS / "staff-packets-request-file.png"), full_page=True)

    with page.expect_download() as info:
        download_link.click()
    pdf_path = SHOTS / "staff-packets-packet.pdf"
    info.value.save_as(str(pdf_path))

    # Cover letter, manifest, 2 fax pages, 2 of the 3 summary pages.
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == 6
    packet = Packet.objects.get(request=req)
    assert packet.page_count == 6
    prefix = f"COHNMC-{req.number}"
    for number in range(1, 7):
        text = _page_text(pdf_path, number)
        assert f"{prefix}-{number:04d}" in text, number
        assert "CONFIDENTIAL health information" in text
    assert "Enclosed are the records released" in _page_text(pdf_path, 1)
    assert "Manifest of enclosed records" in _page_text(pdf_path, 2)
    assert "Discharge summary page 1" in _page_text(pdf_path, 5)
    assert "Discharge summary page 3" in _page_text(pdf_path, 6)
    req.refresh_from_db()
    assert req.status == Status.RELEASED
    assert TimelineEvent.objects.filter(request=req, kind="download", actor=staff_a).count() == 1

    # Pages to look at: the cover letter, the manifest, a fax page and a PDF page.
    for number in (1, 2, 3, 6):
        subprocess.run(
            [
                tool("pdftoppm"),
                "-png",
                "-r",
                "60",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(pdf_path),
                str(SHOTS / f"staff-packets-page-{number}"),
            ],
            check=True,
        )
        assert (SHOTS / f"staff-packets-page-{number}.png").stat().st_size > 0


def test_a_damaged_document_is_named_and_the_clerk_releases_without_it(
    live_server, page: Page, client, entity_a, staff_a, representative, monkeypatch
) -> None:
    import hashlib

    from django.core.files.base import ContentFile

    from requests_app.models import RecordDocument
    from requests_app.services.documents import document_add

    from ..packets.samples import corrupt_pdf_bytes

    req = make_ready(entity_a, staff_a, requester=representative)
    document_add(
        request=req,
        actor=staff_a,
        upload=ContentFile(pdf_bytes(2, "Progress notes"), name="notes.pdf"),
        title="Progress notes",
    )
    # A file that got damaged after it was checked (the upload refuses damaged files).
    damaged = RecordDocument(
        request=req,
        title="Cardiology 2023",
        original_name="cardio.pdf",
        content_type="application/pdf",
        page_count=3,
        position=2,
        sha256=hashlib.sha256(corrupt_pdf_bytes()).hexdigest(),
    )
    damaged.file.save("cardio.pdf", ContentFile(corrupt_pdf_bytes()), save=True)
    queued: list[tuple] = []
    monkeypatch.setattr(
        build_packet, "apply_async", lambda args=(), **options: queued.append(tuple(args))
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_staff(page, client, staff_a, live_server)
    page.goto(live_server.url + reverse("staff:packet", args=[req.number]))
    page.get_by_role("button", name="Release: build the packet").click()
    expect(page.get_by_text("Waiting to build the packet…")).to_be_visible()
    assert packet_build(packet_id=queued[0][0], actor_id=queued[0][1]).state == "failed"

    alert = page.get_by_role("alert").filter(has_text="The packet was not built")
    expect(alert).to_be_visible(timeout=15_000)
    expect(alert).to_contain_text("“Cardiology 2023” could not be read: the file is damaged.")
    page.locator("#pk-panel").screenshot(path=str(SHOTS / "staff-packets-failed.png"))
    req.refresh_from_db()
    assert req.status == Status.READY

    page.locator(".pk-doc", has_text="Cardiology 2023").get_by_role(
        "button", name="Exclude document"
    ).click()
    expect(page.get_by_text("“Cardiology 2023” is left out of the packet.")).to_be_visible()
    page.get_by_role("button", name="Release: build the packet").click()
    assert packet_build(packet_id=queued[1][0], actor_id=queued[1][1]).state == "built"
    expect(page.get_by_role("link", name="Download the packet (PDF)")).to_be_visible(timeout=15_000)
    assert Packet.objects.get(request=req).page_count == 1 + 1 + 2


def test_a_packet_with_a_fee_carries_the_invoice_after_the_cover_letter(
    live_server, page: Page, client, entity_a, staff_a, representative, monkeypatch
) -> None:
    from django.core.files.base import ContentFile

    from requests_app.services.documents import document_add

    req = make_ready(entity_a, staff_a, requester=representative)
    req.fee_estimate = {
        "lines": [
            {"label": "Copies (paper)", "quantity": 2, "unit_price": "0.10", "amount": "0.20"},
            {"label": "Clerical time", "quantity": 1, "unit_price": "4.00", "amount": "4.00"},
        ],
        "total": "4.20",
        "basis": "Third-party schedule (Cal. Evidence Code 1158).",
    }
    req.save(update_fields=["fee_estimate"])
    document_add(
        request=req,
        actor=staff_a,
        upload=ContentFile(pdf_bytes(2, "Progress notes"), name="notes.pdf"),
        title="Progress notes",
    )
    queued: list[tuple] = []
    monkeypatch.setattr(
        build_packet, "apply_async", lambda args=(), **options: queued.append(tuple(args))
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in_staff(page, client, staff_a, live_server)
    page.goto(live_server.url + reverse("staff:packet", args=[req.number]))
    page.get_by_role("button", name="Release: build the packet").click()
    assert packet_build(packet_id=queued[0][0], actor_id=queued[0][1]).state == "built"
    download_link = page.get_by_role("link", name="Download the packet (PDF)")
    expect(download_link).to_be_visible(timeout=15_000)
    with page.expect_download() as info:
        download_link.click()
    pdf_path = SHOTS / "staff-packets-invoice.pdf"
    info.value.save_as(str(pdf_path))

    # Cover letter, invoice (drawn), manifest, the two record pages.
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) == 5
        # Drawn with the standard fonts, nothing embedded (WeasyPrint embeds its fonts).
        fonts = [str(font.BaseFont) for font in pdf.pages[1].obj.Resources.Font.values()]
        assert "/Helvetica-Bold" in fonts
        assert all("/DescendantFonts" not in f for f in pdf.pages[1].obj.Resources.Font.values())
    prefix = f"COHNMC-{req.number}"
    for number in range(1, 6):
        assert f"{prefix}-{number:04d}" in _page_text(pdf_path, number), number
    assert "An invoice for the copying fee (next page)" in _page_text(pdf_path, 1)
    invoice = _page_text(pdf_path, 2)
    for expected in ("Invoice", "Copies (paper)", "Clerical time", "$4.00", "Total due", "$4.20"):
        assert expected in invoice, expected
    assert req.number in invoice
    assert "Manifest of enclosed records" in _page_text(pdf_path, 3)
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "60", "-f", "2", "-l", "2", "-singlefile",
         str(pdf_path), str(SHOTS / "staff-packets-invoice-page")],
        check=True,
    )  # fmt: skip
    assert (SHOTS / "staff-packets-invoice-page.png").stat().st_size > 0
