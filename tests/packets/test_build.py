"""The packet pipeline on files: letters, manifest, records in order, every page stamped."""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from pathlib import Path

import pikepdf
import pytest

from requests_app.packets import (
    EmptyPacket,
    Enclosures,
    SourceDocument,
    SourceError,
    build_packet,
)
from requests_app.packets.letters import letters_renderer

from .letter_samples import LETTER_INFO
from .samples import (
    corrupt_pdf_bytes,
    encrypted_pdf_bytes,
    image_bytes,
    page_texts,
    pdf_bytes,
    tiff_bytes,
    write,
)

PREFIX = "COHNMC-ROI-2026-000042"
FOOTER = "CONFIDENTIAL health information."


def _letters(enclosures: Enclosures, pages: int) -> bytes:
    """A stand-in for the WeasyPrint letters: pages that print what they were told."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    text = f"LETTER {enclosures.total_pages} {enclosures.first_record_bates}".encode()
    for _page in range(pages):
        page = pdf.add_blank_page()
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET")
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def _one_page_letter(enclosures: Enclosures) -> bytes:
    return _letters(enclosures, 1)


def _build(tmp_path: Path, documents: list[SourceDocument], **kwargs) -> tuple[Path, object]:
    out = tmp_path / "packet.pdf"
    kwargs.setdefault("render_letters", _one_page_letter)
    result = build_packet(
        documents=documents,
        bates_prefix=PREFIX,
        footer=FOOTER,
        out=out,
        request_number="ROI-2026-000042",
        **kwargs,
    )
    return out, result


def _doc(tmp_path: Path, name: str, data: bytes, **kwargs) -> SourceDocument:
    return SourceDocument(
        title=name, path=write(tmp_path, name, data), original_name=name, **kwargs
    )


def test_it_puts_letters_manifest_and_records_in_order_with_a_bates_number_on_every_page(
    tmp_path: Path,
) -> None:
    documents = [
        _doc(tmp_path, "B.pdf", pdf_bytes(3, "Bravo")),
        _doc(tmp_path, "A.pdf", pdf_bytes(2, "Alpha")),
    ]
    out, result = _build(tmp_path, documents)
    texts = page_texts(out)
    assert result.page_count == len(texts) == 1 + 1 + 3 + 2  # letter, manifest, records
    assert result.front_pages == 2 and result.record_pages == 5
    assert texts[0].startswith(f"LETTER 7 {PREFIX}-0003")
    assert "Manifest of enclosed records" in texts[1]
    records = texts[2:]
    assert "Bravo page 1" in records[0] and "Bravo page 3" in records[2]
    assert "Alpha page 1" in records[3] and "Alpha page 2" in records[4]
    for number, text in enumerate(texts, start=1):
        assert f"{PREFIX}-{number:04d}" in text
        assert FOOTER in text
    assert hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    assert out.stat().st_size == result.size


def test_letters_longer_than_guessed_are_rendered_again_with_the_final_numbers(
    tmp_path: Path,
) -> None:
    # Guessed at one page (no estimate), the letters take two: every number moves by one.
    documents = [_doc(tmp_path, "a.pdf", pdf_bytes(3, "Record"))]
    out, result = _build(tmp_path, documents, render_letters=lambda e: _letters(e, 2))
    texts = page_texts(out)
    assert result.front_pages == 3 and result.page_count == len(texts) == 6
    assert texts[0].startswith(f"LETTER 6 {PREFIX}-0004")
    assert texts[1].startswith(f"LETTER 6 {PREFIX}-0004")
    assert "Record page 1" in texts[3] and texts[3].count(PREFIX) == 1  # stamped once
    assert result.manifest[0]["first_bates"] == f"{PREFIX}-0004"
    for number, text in enumerate(texts, start=1):
        assert f"{PREFIX}-{number:04d}" in text


def test_record_pages_are_copied_as_they_are_never_decoded(tmp_path: Path) -> None:
    # Content compressed at zlib level 1: decoding and encoding again (qpdf's default level)
    # would change the bytes, so equal bytes in the packet mean they were never decoded.
    text = b"".join(
        b"BT /F1 9 Tf 72 %d Td (Line %d of the chart) Tj ET\n" % (700 - n, n) for n in range(60)
    )
    raw = zlib.compress(text, 1)
    assert raw != zlib.compress(text)
    source = pikepdf.Pdf.new()
    page = source.add_blank_page()
    page.obj.Contents = source.make_stream(raw, Filter=pikepdf.Name.FlateDecode)
    path = tmp_path / "chart.pdf"
    source.save(path)
    out, result = _build(tmp_path, [SourceDocument(title="Chart", path=path)])
    with pikepdf.open(out) as packet:
        contents = packet.pages[result.front_pages].obj.Contents
        assert len(contents) == 3  # the stamp's opening stream, the record's, the stamp
        assert contents[1].Filter == pikepdf.Name.FlateDecode
        assert contents[1].read_raw_bytes() == raw


def test_it_leaves_out_excluded_pages_and_numbers_on_without_gaps(tmp_path: Path) -> None:
    documents = [
        _doc(tmp_path, "chart.pdf", pdf_bytes(6, "Chart"), excluded_pages=frozenset({2, 5}))
    ]
    out, result = _build(tmp_path, documents)
    records = page_texts(out)[2:]
    assert [r.split(" page ")[1].split()[0] for r in records] == ["1", "3", "4", "6"]
    assert all(f"{PREFIX}-{n:04d}" in r for n, r in zip(range(3, 7), records, strict=True))
    entry = result.manifest[0]
    assert (entry["pages"], entry["source_pages"], entry["excluded_pages"]) == (4, 6, [2, 5])
    assert (entry["first_bates"], entry["last_bates"]) == (f"{PREFIX}-0003", f"{PREFIX}-0006")


def test_it_turns_images_into_pages(tmp_path: Path) -> None:
    documents = [
        _doc(tmp_path, "fax.tif", tiff_bytes(3)),
        _doc(tmp_path, "photo.jpg", image_bytes("JPEG")),
        _doc(tmp_path, "scan.png", image_bytes("PNG")),
    ]
    out, result = _build(tmp_path, documents)
    assert result.page_count == 2 + 3 + 1 + 1
    with pikepdf.open(out) as pdf:
        for page in list(pdf.pages)[2:]:
            assert "/Im0" in page.obj.Resources.XObject
    assert [m["content_type"] for m in result.manifest] == ["image/tiff", "image/jpeg", "image/png"]


def test_it_records_each_document_sha256_in_the_manifest_and_inside_the_pdf(
    tmp_path: Path,
) -> None:
    data = [pdf_bytes(2, "One"), image_bytes("PNG")]
    documents = [_doc(tmp_path, "one.pdf", data[0]), _doc(tmp_path, "two.png", data[1])]
    out, result = _build(tmp_path, documents)
    expected = [hashlib.sha256(d).hexdigest() for d in data]
    assert [m["sha256"] for m in result.manifest] == expected
    manifest_text = page_texts(out)[1]
    for digest in expected:
        assert digest in manifest_text
    with pikepdf.open(out) as pdf:
        attached = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
    assert [d["sha256"] for d in attached["documents"]] == expected
    assert attached["request"] == "ROI-2026-000042"


@pytest.mark.parametrize(
    ("data", "code"),
    [(corrupt_pdf_bytes(), "corrupt"), (encrypted_pdf_bytes(), "encrypted")],
)
def test_it_names_the_document_it_cannot_read(tmp_path: Path, data: bytes, code: str) -> None:
    documents = [
        _doc(tmp_path, "good.pdf", pdf_bytes(2)),
        SourceDocument(title="Cardiology notes 2023", path=write(tmp_path, "bad.pdf", data)),
    ]
    with pytest.raises(SourceError) as info:
        _build(tmp_path, documents)
    assert info.value.code == code
    assert "Cardiology notes 2023" in info.value.message
    assert not (tmp_path / "packet.pdf").exists()


def test_it_names_a_broken_image(tmp_path: Path) -> None:
    documents = [_doc(tmp_path, "xray.jpg", image_bytes("JPEG")[:700])]
    with pytest.raises(SourceError) as info:
        _build(tmp_path, documents)
    assert "xray.jpg" in info.value.message


def test_it_refuses_a_file_that_changed_since_it_was_added(tmp_path: Path) -> None:
    document = _doc(tmp_path, "a.pdf", pdf_bytes(1), expected_sha256="0" * 64)
    with pytest.raises(SourceError) as info:
        _build(tmp_path, [document])
    assert info.value.code == "changed"


def test_it_refuses_an_empty_packet(tmp_path: Path) -> None:
    document = _doc(tmp_path, "a.pdf", pdf_bytes(2), excluded_pages=frozenset({1, 2}))
    with pytest.raises(EmptyPacket):
        _build(tmp_path, [document])


def test_it_reports_progress_up_to_the_end(tmp_path: Path) -> None:
    seen: list[int] = []
    _build(tmp_path, [_doc(tmp_path, "a.pdf", pdf_bytes(30))], progress=seen.append)
    assert seen == sorted(seen)
    assert seen[0] <= 2 and seen[-1] >= 95


def test_it_renders_the_real_letters_and_numbers_the_records_after_them(tmp_path: Path) -> None:
    info = LETTER_INFO
    documents = [_doc(tmp_path, "a.pdf", pdf_bytes(4, "Record"))]
    out, result = _build(tmp_path, documents, render_letters=letters_renderer(info))
    texts = page_texts(out)
    # The cover letter (WeasyPrint), the invoice (drawn), the manifest, then the four record
    # pages.
    assert result.front_pages == 3 and result.page_count == 7
    assert "Record page 1" in texts[3]
    assert result.manifest[0]["first_bates"] == f"{PREFIX}-0004"
    for number, text in enumerate(texts, start=1):
        assert f"{PREFIX}-{number:04d}" in text
