"""The Bates stamp: added beside the content, never over it, and small."""

from __future__ import annotations

import io

import pikepdf
import pytest

from requests_app.packets import SourceDocument, build_packet
from requests_app.packets.stamp import STRIP, Stamper, page_geometry, text_width, winansi

from .samples import page_texts, pdf_bytes

FOOTER = "CONFIDENTIAL health information. Do not disclose it further except as the law allows."


def _stamped(data: bytes, prefix: str = "COHNMC-ROI-2026-000042") -> tuple[bytes, bytes]:
    """(unstamped, stamped) saved the same way."""
    outputs = []
    for stamp in (False, True):
        pdf = pikepdf.open(io.BytesIO(data))
        if stamp:
            stamper = Stamper(pdf, footer=FOOTER, longest_bates=f"{prefix}-9999")
            for number, page in enumerate(pdf.pages, start=1):
                stamper.stamp(page, f"{prefix}-{number:04d}")
        buffer = io.BytesIO()
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        outputs.append(buffer.getvalue())
    return outputs[0], outputs[1]


def test_it_stamps_every_page_and_keeps_the_content() -> None:
    _plain, stamped = _stamped(pdf_bytes(3, "Chart"))
    texts = page_texts(stamped)
    for number, text in enumerate(texts, start=1):
        assert f"Chart page {number}" in text
        assert f"COHNMC-ROI-2026-000042-{number:04d}" in text
        assert FOOTER in text


def test_it_adds_less_than_200_bytes_a_page() -> None:
    plain, stamped = _stamped(pdf_bytes(200))
    assert (len(stamped) - len(plain)) / 200 < 200


def test_it_shares_one_font_one_footer_and_one_opening_stream() -> None:
    _plain, stamped = _stamped(pdf_bytes(5))
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        fonts = {page.obj.Resources.Font.RoiF.objgen for page in pdf.pages}
        footers = {page.obj.Resources.XObject.RoiFt.objgen for page in pdf.pages}
        openers = {page.obj.Contents[0].objgen for page in pdf.pages}
        stamps = {page.obj.Contents[-1].objgen for page in pdf.pages}
    assert len(fonts) == len(footers) == len(openers) == 1
    assert len(stamps) == 5


def test_it_shrinks_the_page_to_free_a_strip_at_the_bottom() -> None:
    _plain, stamped = _stamped(pdf_bytes(1))
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        opener = pdf.pages[0].obj.Contents[0].read_bytes().decode()
    numbers = [float(v) for v in opener.split()[1:7]]
    scale, ty = numbers[0], numbers[5]
    assert scale == pytest.approx((792 - STRIP) / 792, abs=1e-3)
    assert ty == pytest.approx(STRIP)  # the content starts above the strip
    assert opener.strip().endswith("re W n")  # and cannot paint into it


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_it_stamps_a_turned_page_along_its_shown_bottom(rotate: int) -> None:
    _plain, stamped = _stamped(pdf_bytes(1, rotate=rotate))
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        page = pdf.pages[0]
        stamp = page.obj.Contents[-1].read_bytes().decode()
        assert page_geometry(page).rotate == rotate
    assert " cm" in stamp  # drawn through the rotation, so it reads upright
    assert "COHNMC-ROI-2026-000042-0001" in page_texts(stamped)[0]


def test_it_reads_the_box_and_turn_a_page_inherits() -> None:
    data = pdf_bytes(2, size=(595, 842), rotate=90, inherited=True)
    _plain, stamped = _stamped(data)
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        geometry = page_geometry(pdf.pages[1])
    assert (geometry.x1, geometry.y1, geometry.rotate) == (595, 842, 90)
    assert "COHNMC-ROI-2026-000042-0002" in page_texts(stamped)[1]


def test_it_fits_the_footer_on_a_narrow_page() -> None:
    _plain, stamped = _stamped(pdf_bytes(1, size=(288, 432)))  # a 4 x 6 inch receipt
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        footer = pdf.pages[0].obj.Resources.XObject.RoiFt.read_bytes().decode("cp1252")
    size = float(footer.split(" Tf")[0].split()[-1])
    assert text_width(FOOTER, size) <= 288 - 2 * min(36, 288 * 0.06)


def test_it_keeps_spanish_accents_in_the_footer() -> None:
    pdf = pikepdf.open(io.BytesIO(pdf_bytes(1)))
    Stamper(pdf, footer="Información de salud CONFIDENCIAL", longest_bates="X-0001").stamp(
        pdf.pages[0], "X-0001"
    )
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert "Información de salud CONFIDENCIAL" in page_texts(buffer.getvalue())[0]


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Información, niño, ¿sí?", "Información, niño, ¿sí?"),  # WinAnsi has them all
        ("Nguyễn Thị Lan", "Nguyen Thi Lan"),  # Vietnamese: the accents WinAnsi lacks go
        ("Trần Văn Đức", "Tran Van Duc"),  # Đ: a barred letter, spelled out
        ("王小明", "???"),
    ],
)
def test_letters_the_standard_fonts_lack_lose_their_accents_not_the_letter(
    text: str, printed: str
) -> None:
    assert winansi(text) == printed.encode("cp1252")


def test_the_manifest_prints_a_vietnamese_title_without_question_marks(tmp_path) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(pdf_bytes(2))
    out = tmp_path / "packet.pdf"
    build_packet(
        documents=[SourceDocument(title="Hồ sơ Nguyễn Văn An", path=source)],
        bates_prefix="X",
        footer="CONFIDENTIAL",
        out=out,
    )
    manifest = page_texts(out)[0]
    assert "Ho so Nguyen Van An" in manifest and "?" not in manifest


def test_bold_headings_are_measured_with_the_bold_widths() -> None:
    assert text_width("Amount", 11, bold=True) > text_width("Amount", 11)
    assert text_width("1000", 11, bold=True) == text_width("1000", 11)  # digits: 556 in both
