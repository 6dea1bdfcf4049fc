"""Reading record documents by their content: PDFs as they are, images as pages."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from requests_app.packets.sources import (
    JPEG,
    PDF,
    PNG,
    TIFF,
    SourceError,
    image_pdf,
    inspect_source,
    open_source,
)

from .samples import (
    corrupt_pdf_bytes,
    encrypted_pdf_bytes,
    image_bytes,
    pdf_bytes,
    tiff_bytes,
    write,
)


@pytest.mark.parametrize(
    ("data", "content_type", "pages"),
    [
        (pdf_bytes(3), PDF, 3),
        (tiff_bytes(4), TIFF, 4),
        (image_bytes("JPEG"), JPEG, 1),
        (image_bytes("PNG"), PNG, 1),
    ],
)
def test_it_knows_a_file_by_its_content(
    tmp_path: Path, data: bytes, content_type: str, pages: int
) -> None:
    # The names lie: the content decides.
    path = write(tmp_path, "scan.txt", data)
    info = inspect_source(path, "Scan")
    assert (info.content_type, info.page_count) == (content_type, pages)
    assert inspect_source(io.BytesIO(data), "Scan").page_count == pages


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Just some text, named records.pdf", "format"),
        (b"GIF89a" + b"\x00" * 100, "format"),
        (encrypted_pdf_bytes(), "encrypted"),
        (corrupt_pdf_bytes(), "corrupt"),
        (image_bytes("JPEG")[:600], "corrupt"),
        (image_bytes("PNG")[:200], "corrupt"),
    ],
)
def test_it_refuses_what_cannot_go_into_a_packet(tmp_path: Path, data: bytes, code: str) -> None:
    path = write(tmp_path, "records.pdf", data)
    with pytest.raises(SourceError) as info:
        inspect_source(path, "Lab results 2024")
    assert info.value.code == code
    assert "Lab results 2024" in info.value.message


def test_it_opens_an_owner_password_pdf_that_anyone_may_read(tmp_path: Path) -> None:
    # Restrictions without a user password are common in hospital exports; readers open them.
    source = pikepdf.open(io.BytesIO(pdf_bytes(2)))
    buffer = io.BytesIO()
    source.save(buffer, encryption=pikepdf.Encryption(user="", owner="owner"))
    path = write(tmp_path, "restricted.pdf", buffer.getvalue())
    with open_source(path, "Restricted") as pdf:
        assert len(pdf.pages) == 2


def test_it_turns_each_tiff_frame_into_a_letter_page(tmp_path: Path) -> None:
    path = write(tmp_path, "fax.tif", tiff_bytes(3))
    with image_pdf(path, "Fax") as pdf:
        assert len(pdf.pages) == 3
        for page in pdf.pages:
            assert [float(v) for v in page.mediabox] == [0, 0, 612, 792]
            image = page.obj.Resources.XObject.Im0
            assert image.BitsPerComponent == 1


def test_it_puts_a_jpeg_in_as_it_is(tmp_path: Path) -> None:
    data = image_bytes("JPEG", dpi=(300, 300))
    path = write(tmp_path, "photo.jpg", data)
    with image_pdf(path, "Photo") as pdf:
        image = pdf.pages[0].obj.Resources.XObject.Im0
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == data  # not decoded, not re-compressed


def test_it_turns_a_wide_image_into_a_landscape_page(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.png", image_bytes("PNG", size=(1600, 900)))
    with image_pdf(path, "Wide") as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == [0, 0, 792, 612]


def test_it_follows_the_camera_orientation(tmp_path: Path) -> None:
    # Stored landscape, shown portrait: EXIF orientation 6 (turn 90 degrees clockwise).
    image = Image.new("RGB", (1100, 850), "white")
    exif = image.getexif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    path = write(tmp_path, "phone.jpg", buffer.getvalue())
    with image_pdf(path, "Phone photo") as pdf:
        page = pdf.pages[0]
        assert [float(v) for v in page.mediabox] == [0, 0, 612, 792]
        matrix = [
            float(v)
            for v in pikepdf.parse_content_stream(page)[1].operands  # q, cm, Do, Q
        ]
        assert matrix[0] == 0 and matrix[3] == 0  # rotated, not stretched


def test_it_keeps_a_small_image_at_its_size(tmp_path: Path) -> None:
    path = write(tmp_path, "sig.png", image_bytes("PNG", size=(300, 150), dpi=(150, 150)))
    with image_pdf(path, "Signature") as pdf:
        operands = pikepdf.parse_content_stream(pdf.pages[0])[1].operands
        assert round(float(operands[0])) == 144  # 300 px at 150 dpi is 2 inches
