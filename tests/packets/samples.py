"""Sample record documents for the packet tests (PDFs made with pikepdf, images with Pillow),
and a text extractor for what the packet stamps (standard-font text, read with pikepdf)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, Operator
from PIL import Image


def pdf_bytes(
    pages: int,
    label: str = "DOC",
    *,
    size: tuple[float, float] = (612, 792),
    rotate: int = 0,
    inherited: bool = False,
) -> bytes:
    """A PDF whose page n says "<label> page n". `inherited` puts the MediaBox, Rotate and
    Resources on the page tree instead of the pages, as some scanners write them."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    resources = Dictionary(Font=Dictionary(F1=font))
    for number in range(1, pages + 1):
        text = f"{label} page {number}".encode()
        content = b"BT /F1 14 Tf 72 700 Td (" + text + b") Tj ET"
        page = pdf.add_blank_page(page_size=size)
        page.obj.Contents = pdf.make_stream(content)
        if not inherited:
            page.obj.Resources = resources
            if rotate:
                page.obj.Rotate = rotate
    if inherited:
        root = pdf.Root.Pages
        root.MediaBox = pikepdf.Array([0, 0, *size])
        root.Resources = resources
        if rotate:
            root.Rotate = rotate
        for page in pdf.pages:
            del page.obj["/MediaBox"]
            if "/Resources" in page.obj:
                del page.obj["/Resources"]
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    source = pikepdf.open(io.BytesIO(pdf_bytes(2, "SECRET")))
    buffer = io.BytesIO()
    source.save(buffer, encryption=pikepdf.Encryption(user="patient", owner="owner"))
    return buffer.getvalue()


def corrupt_pdf_bytes() -> bytes:
    return b"%PDF-1.7\n" + b"\x00garbage that is not a PDF body\n" * 40


def image_bytes(fmt: str, size: tuple[int, int] = (850, 1100), **save: object) -> bytes:
    image = Image.new("RGB", size, "white")
    # A dark block at the top left, to check placement and orientation by eye.
    image.paste((20, 40, 120), (0, 0, size[0] // 3, size[1] // 5))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def tiff_bytes(frames: int = 3) -> bytes:
    images = [Image.new("1", (850, 1100), 1) for _ in range(frames)]
    for index, image in enumerate(images):
        image.paste(0, (50, 50 + index * 100, 400, 120 + index * 100))
    buffer = io.BytesIO()
    images[0].save(buffer, "TIFF", save_all=True, append_images=images[1:], compression="group4")
    return buffer.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _strings(operands: list) -> list[str]:
    found = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            found.append(bytes(operand).decode("cp1252", errors="replace"))
        elif isinstance(operand, pikepdf.Array):
            found.extend(_strings(list(operand)))
    return found


def _text(owner: object, resources: pikepdf.Object | None, depth: int = 0) -> list[str]:
    out: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(owner):
        if operator in (Operator("Tj"), Operator("TJ"), Operator("'"), Operator('"')):
            out.append("".join(_strings(list(operands))))
        elif operator == Operator("Do") and resources is not None and depth < 3:
            xobjects = resources.get("/XObject") or {}
            xobject = xobjects.get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == Name.Form:
                out.extend(_text(xobject, xobject.get("/Resources", resources), depth + 1))
    return out


def page_texts(path: Path | bytes) -> list[str]:
    """The text each page draws with simple fonts, stamps included (form XObjects too)."""
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    with pikepdf.open(source) as pdf:
        texts = []
        for page in pdf.pages:
            resources = page.obj.get("/Resources")
            texts.append(" ".join(_text(page, resources)))
        return texts
