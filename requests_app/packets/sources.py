"""Record documents as the packet reads them: PDF, TIFF (multi-page), JPEG and PNG.

A file is judged by its first bytes and by opening it, never by its name or the browser's
content type. PDFs are opened with pikepdf and their pages are copied as they are: never
decoded or re-rendered. Images become pages here, one per image (one per TIFF frame), placed on
a US Letter page with a margin. A JPEG goes in as it is (the PDF DCTDecode filter reads JPEG
data), so a phone photo is not decoded and re-compressed; PNG and TIFF are decoded by Pillow
and stored losslessly (Flate).
"""

from __future__ import annotations

import contextlib
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from django.utils.translation import gettext, gettext_noop
from PIL import Image, ImageFile, ImageSequence, UnidentifiedImageError

PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"
SUFFIXES = {PDF: ".pdf", TIFF: ".tif", JPEG: ".jpg", PNG: ".png"}

LETTER = (612.0, 792.0)  # US Letter in points
IMAGE_MARGIN = 36.0  # half an inch around a converted image
# A scan rarely says its resolution wrongly; a screenshot says 72 dpi. Below 50 or above
# 1200 the metadata is not believable, and an image is assumed scanned at 150 dpi.
_DEFAULT_DPI = 150.0

# What staff read when a document cannot go into the packet; %(name)s is the document's title.
MESSAGES = {
    "format": gettext_noop(
        "“%(name)s” is not a PDF, TIFF, JPEG or PNG file. Save the record as one of those."
    ),
    "encrypted": gettext_noop(
        "“%(name)s” is a PDF protected by a password. Save a copy without the password and "
        "add that instead."
    ),
    "corrupt": gettext_noop(
        "“%(name)s” could not be read: the file is damaged. Scan or save it again and add the "
        "new copy."
    ),
    "empty": gettext_noop("“%(name)s” has no pages."),
    "too_large": gettext_noop(
        "“%(name)s” is an image too large to convert safely. Scan it at 300 dpi or less."
    ),
    "changed": gettext_noop(
        "“%(name)s” no longer matches the file that was added (its SHA-256 changed). Add the "
        "original again."
    ),
    "missing": gettext_noop("The file of “%(name)s” is missing from storage. Add it again."),
}


class SourceError(Exception):
    """A document that cannot go into the packet, named so staff know which one to fix."""

    def __init__(self, name: str, code: str, detail: str = "") -> None:
        super().__init__(f"{name}: {code} {detail}".strip())
        self.name = name
        self.code = code
        self.detail = detail  # the library's words, for the log; never shown to staff

    @property
    def message(self) -> str:
        """The plain-language message, in the active language."""
        return gettext(MESSAGES[self.code]) % {"name": self.name}


@dataclass(frozen=True)
class SourceInfo:
    content_type: str
    suffix: str
    page_count: int


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    # Readers accept a PDF header after a little junk, within the first 1 KB.
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def _head(source: Path | BinaryIO) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(1024)
    source.seek(0)
    head = source.read(1024)
    source.seek(0)
    return head


# What qpdf and pikepdf raise on a damaged file, whichever object the damage is in.
DAMAGE = (pikepdf.PdfError, OSError, ValueError, KeyError, TypeError)


def open_pdf(source: Path | BinaryIO, name: str, *, resolve: bool = True) -> pikepdf.Pdf:
    """Open a PDF and resolve its page objects, so damage shows here, with the document's name,
    and not later while the packet is written. Page contents are not parsed.

    `resolve=False` leaves the page objects to whoever reads them next: the packet build copies
    every object of every page anyway, and names the document when a copy fails."""
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError as exc:
        raise SourceError(name, "encrypted", str(exc)) from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise SourceError(name, "corrupt", str(exc)) from exc
    try:
        if len(pdf.pages) == 0:
            raise SourceError(name, "empty")
        for page in pdf.pages if resolve else ():
            # Touching the keys makes qpdf resolve the objects behind them.
            page.obj.get("/Contents")
            page.obj.get("/Resources")
            page.mediabox  # noqa: B018 - resolves the inherited box; raises when damaged
    except SourceError:
        pdf.close()
        raise
    except DAMAGE as exc:
        pdf.close()
        raise SourceError(name, "corrupt", str(exc)) from exc
    return pdf


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """A damaged image must fail here. WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES
    when it is imported (for its own images), which would quietly pad a truncated scan with
    grey; it is switched off while a record is decoded."""
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _open_image(source: Path | BinaryIO, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SourceError(name, "too_large", str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise SourceError(name, "corrupt", str(exc)) from exc


def _frames(image: Image.Image, name: str):
    """Each frame of the image, decoded; damage raises SourceError naming the document."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            for frame in ImageSequence.Iterator(image):
                with _strict_decoding():
                    frame.load()
                yield frame
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SourceError(name, "too_large", str(exc)) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SourceError(name, "corrupt", str(exc)) from exc


def inspect_source(source: Path | BinaryIO, name: str) -> SourceInfo:
    """The document's real type and page count, or SourceError. Decodes images completely, so
    a truncated scan is refused when it is added and not when the packet is built."""
    content_type = sniff(_head(source))
    if content_type is None:
        raise SourceError(name, "format")
    if content_type == PDF:
        with open_pdf(source, name) as pdf:
            count = len(pdf.pages)
    else:
        image = _open_image(source, name)
        with image:
            detected = {"JPEG": JPEG, "PNG": PNG, "TIFF": TIFF}.get(image.format or "")
            if detected != content_type:
                raise SourceError(name, "format", f"header {content_type}, Pillow {image.format}")
            count = sum(1 for _frame in _frames(image, name))
        if count == 0:
            raise SourceError(name, "empty")
    if not isinstance(source, Path):
        source.seek(0)
    return SourceInfo(content_type, SUFFIXES[content_type], count)


# ----------------------------------------------------------------------- images to pages

# EXIF orientation -> where the stored image's unit square goes in the displayed one:
# (u, v) -> (a*u + c*v + e, b*u + d*v + f). PDF image space has v = 1 at the first row.
_ORIENTATION = {
    1: (1, 0, 0, 1, 0, 0),
    2: (-1, 0, 0, 1, 1, 0),
    3: (-1, 0, 0, -1, 1, 1),
    4: (1, 0, 0, -1, 0, 1),
    5: (0, -1, -1, 0, 1, 1),
    6: (0, -1, 1, 0, 0, 1),
    7: (0, 1, 1, 0, 0, 0),
    8: (0, 1, -1, 0, 1, 0),
}


def _orientation(image: Image.Image) -> int:
    try:
        value = int(image.getexif().get(0x0112, 1))
    except (TypeError, ValueError, OSError, SyntaxError):
        return 1
    return value if value in _ORIENTATION else 1


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else float(dpi or 0)
    except (TypeError, ValueError):
        value = 0.0
    return value if 50 <= value <= 1200 else _DEFAULT_DPI


def _add_image_page(
    pdf: pikepdf.Pdf, xobject: pikepdf.Stream, size: tuple[int, int], orientation: int, dpi: float
) -> None:
    width_px, height_px = size
    turned = orientation >= 5  # 5 to 8 swap width and height when displayed
    shown_w, shown_h = (height_px, width_px) if turned else (width_px, height_px)
    page_w, page_h = LETTER if shown_h >= shown_w else (LETTER[1], LETTER[0])
    natural_w, natural_h = shown_w * 72.0 / dpi, shown_h * 72.0 / dpi
    fit = min((page_w - 2 * IMAGE_MARGIN) / natural_w, (page_h - 2 * IMAGE_MARGIN) / natural_h, 1.0)
    box_w, box_h = natural_w * fit, natural_h * fit
    # Centred across, from the top: a small image sits where a reader looks first.
    x, y = (page_w - box_w) / 2, page_h - IMAGE_MARGIN - box_h
    a, b, c, d, e, f = _ORIENTATION[orientation]
    matrix = (box_w * a, box_h * b, box_w * c, box_h * d, x + box_w * e, y + box_h * f)
    content = "q {} cm /Im0 Do Q".format(" ".join(f"{v:.4f}" for v in matrix)).encode()
    page = pdf.add_blank_page(page_size=(page_w, page_h))
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject))
    page.obj.Contents = pdf.make_stream(content)


def _jpeg_xobject(pdf: pikepdf.Pdf, data: bytes, image: Image.Image) -> pikepdf.Stream:
    spaces = {"L": pikepdf.Name.DeviceGray, "RGB": pikepdf.Name.DeviceRGB}
    xobject = pdf.make_stream(
        data,
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        BitsPerComponent=8,
        ColorSpace=spaces.get(image.mode, pikepdf.Name.DeviceCMYK),
        Filter=pikepdf.Name.DCTDecode,
    )
    if image.mode == "CMYK" and "adobe" in image.info:
        # Adobe writes CMYK JPEGs inverted; readers need the Decode array to undo it.
        xobject.Decode = pikepdf.Array([1, 0, 1, 0, 1, 0, 1, 0])
    return xobject


def _raster_xobject(pdf: pikepdf.Pdf, frame: Image.Image) -> pikepdf.Stream:
    if frame.mode == "1":
        bits, space, pixels = 1, pikepdf.Name.DeviceGray, frame
    elif frame.mode == "CMYK":
        bits, space, pixels = 8, pikepdf.Name.DeviceCMYK, frame
    elif frame.mode in ("L", "I;16", "I", "F"):
        bits, space, pixels = 8, pikepdf.Name.DeviceGray, frame.convert("L")
    else:
        rgba = frame.convert("RGBA")
        # Transparent areas print white, as they look on screen against a page.
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        bits, space, pixels = 8, pikepdf.Name.DeviceRGB, flat
    return pdf.make_stream(
        zlib.compress(pixels.tobytes(), 6),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=frame.width,
        Height=frame.height,
        BitsPerComponent=bits,
        ColorSpace=space,
        Filter=pikepdf.Name.FlateDecode,
    )


def image_pdf(source: Path, name: str) -> pikepdf.Pdf:
    """A PDF with one page per image (per TIFF frame)."""
    pdf = pikepdf.Pdf.new()
    image = _open_image(source, name)
    with image:
        if image.format == "JPEG" and image.mode in ("L", "RGB", "CMYK"):
            try:
                with _strict_decoding():
                    image.load()  # checks the data is whole; the bytes go in as they are
            except (OSError, ValueError, SyntaxError) as exc:
                raise SourceError(name, "corrupt", str(exc)) from exc
            xobject = _jpeg_xobject(pdf, source.read_bytes(), image)
            _add_image_page(pdf, xobject, image.size, _orientation(image), _dpi(image))
        elif image.format in ("PNG", "TIFF", "JPEG"):
            orientation, dpi = _orientation(image), _dpi(image)
            for frame in _frames(image, name):
                xobject = _raster_xobject(pdf, frame)
                _add_image_page(pdf, xobject, frame.size, orientation, dpi)
        else:
            raise SourceError(name, "format", str(image.format))
    if len(pdf.pages) == 0:
        raise SourceError(name, "empty")
    return pdf


def open_source(path: Path, name: str, *, resolve: bool = True) -> pikepdf.Pdf:
    """The document as a PDF, whatever it was uploaded as (`resolve`: see open_pdf)."""
    try:
        content_type = sniff(_head(path))
    except OSError as exc:
        raise SourceError(name, "missing", str(exc)) from exc
    if content_type == PDF:
        return open_pdf(path, name, resolve=resolve)
    if content_type in (JPEG, PNG, TIFF):
        return image_pdf(path, name)
    raise SourceError(name, "format")
