"""Bates numbers and the confidentiality footer, added to pages without touching their content.

A record page is never decoded or re-rendered. Each page gets:
- in front of its content, a shared stream (one per page geometry) that saves the graphics
  state, shrinks the page a little towards the top and clips to it, which frees a strip at the
  bottom, so the stamp never covers what the page shows;
- after its content, a small stream of its own: restore the state, draw the shared footer
  (a Form XObject: the confidentiality sentence) and the page's Bates number.

Everything shared is one object in the file: the Helvetica font resource (a standard font,
nothing embedded), the footer and the opening stream. The per-page cost is the small stream
and two names in the page's resources, well under 200 bytes a page (bench/packet.py measures it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

STRIP = 30.0  # points freed at the bottom of each page (about 0.4 inch)
BATES_SIZE = 9.0
FOOTER_SIZE = 7.0
_MIN_FOOTER_SIZE = 5.0
_GAP = 12.0

# Helvetica advance widths (Adobe's AFM, per 1000 em) for ASCII 32..126 in WinAnsiEncoding,
# to right-align the Bates number and fit the footer. Accented letters count as 556.
_HELVETICA = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]  # fmt: skip


# Helvetica-Bold, the same way (for the headings of the drawn manifest and invoice).
_HELVETICA_BOLD = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
]  # fmt: skip


_WIDTHS = {chr(code): width for code, width in enumerate(_HELVETICA, start=32)}
_BOLD_WIDTHS = {chr(code): width for code, width in enumerate(_HELVETICA_BOLD, start=32)}
# Every digit is 556 wide: Bates numbers that differ only in their digits share a width.
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    widths = _BOLD_WIDTHS if bold else _WIDTHS
    return sum(widths.get(char, 556) for char in text) * size / 1000.0


# Letters with a stroke, which NFKD leaves whole: Vietnamese Đ (Đức, Đặng), Polish Ł, Maltese Ħ.
_BARRED = {"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ħ": "H", "ħ": "h", "ı": "i"}


def winansi(text: str) -> bytes:
    """`text` in WinAnsi (cp1252), the standard fonts' encoding: Spanish accents and ñ print as
    they are. A letter it lacks loses its accents rather than print as "?" (Vietnamese
    "Nguyễn" prints "Nguyen", "Đức" "Duc"); what has no Latin letter under it (CJK) is "?"."""
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        out = []
        for char in text:
            try:
                out.append(char.encode("cp1252"))
            except UnicodeEncodeError:
                # NFKD splits a letter from its accents (cp1252 has no combining accents);
                # the barred letters have no decomposition and are spelled out.
                char = _BARRED.get(char, char)
                plain = unicodedata.normalize("NFKD", char).encode("cp1252", errors="ignore")
                out.append(plain or b"?")
        return b"".join(out)


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (winansi)."""
    raw = winansi(text)
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _matrix(values: tuple[float, ...]) -> str:
    return " ".join(_num(v) for v in values)


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """m then n (PDF order: a point p goes to p*m*n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


@dataclass(frozen=True)
class Geometry:
    """The visible box of a page and how it is turned; `shown` is from the reader's side."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int

    @property
    def shown(self) -> tuple[float, float]:
        width, height = self.x1 - self.x0, self.y1 - self.y0
        return (height, width) if self.rotate in (90, 270) else (width, height)

    @property
    def to_user(self) -> tuple[float, ...]:
        """From shown coordinates (origin bottom-left as the reader sees the page) to the
        page's user space. /Rotate turns the page clockwise when displayed."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        return {
            0: (1, 0, 0, 1, x0, y0),
            90: (0, 1, -1, 0, x1, y0),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, -1, 1, 0, x0, y1),
        }[self.rotate]


def _dictionary(page: pikepdf.Page | pikepdf.Object) -> pikepdf.Object:
    """The page dictionary: the build works on page objects it has copied, tests on Pages."""
    return page.obj if isinstance(page, pikepdf.Page) else page


def _inherited(page: pikepdf.Page | pikepdf.Object, key: str) -> object | None:
    node = _dictionary(page)
    for _depth in range(64):  # a page tree deeper than this is damaged
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        if parent is None:
            return None
        node = parent
    return None


# Page keys as pikepdf Names, made once: a str key is converted to a Name on every access, and
# stamping reads and writes a handful of keys on every page. (The two resource names are
# strings: they also go into the content stream.)
_CROPBOX, _MEDIABOX, _ROTATE = Name.CropBox, Name.MediaBox, Name.Rotate
_RESOURCES, _FONT, _XOBJECT, _CONTENTS = Name.Resources, Name.Font, Name.XObject, Name.Contents
_FONT_NAME, _FOOTER_NAME = "/RoiF", "/RoiFt"


def _box_and_turn(obj: pikepdf.Object) -> tuple[pikepdf.Object | list[float], int]:
    """The page's visible box (CropBox, else MediaBox) and its /Rotate, as stored."""
    # Membership tests first: a pikepdf .get() of a missing key costs several times more, and
    # this runs for every page. pikepdf pushes inherited attributes down to the pages it lists,
    # so the page usually has them itself; the walk up the tree is for one that does not.
    if _CROPBOX in obj:
        box = obj[_CROPBOX]
    elif _MEDIABOX in obj:
        box = obj[_MEDIABOX]
    else:
        box = _inherited(obj, "/CropBox") or _inherited(obj, "/MediaBox") or [0, 0, 612, 792]
        return box, int(_inherited(obj, "/Rotate") or 0)
    return box, int(obj[_ROTATE]) if _ROTATE in obj else 0


def _geometry(box: pikepdf.Object | list[float], rotate: int) -> Geometry:
    try:
        rect = pikepdf.Rectangle(box)
        x0, y0, x1, y1 = rect.llx, rect.lly, rect.urx, rect.ury
    except (TypeError, ValueError, pikepdf.PdfError):
        x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    rotate = rotate % 360
    return Geometry(x0, y0, x1, y1, rotate if rotate in (0, 90, 180, 270) else 0)


def page_geometry(page: pikepdf.Page | pikepdf.Object) -> Geometry:
    return _geometry(*_box_and_turn(_dictionary(page)))


@dataclass(frozen=True)
class _Plan:
    """What every page of one geometry shares: computed once."""

    opener: pikepdf.Object
    footer: pikepdf.Object
    right: float  # where the Bates number ends
    baseline: float
    to_user: str  # "" or "a b c d e f cm"
    # The stamp's operators up to the Bates string, by (font name, footer name, the number's
    # shape): every digit is as wide as "0", so numbers of one length share one position.
    heads: dict[tuple[str, str, str], bytes] = field(default_factory=dict)


class Stamper:
    """Stamps the pages of one PDF; build one per output file."""

    def __init__(self, pdf: pikepdf.Pdf, *, footer: str, longest_bates: str) -> None:
        self.pdf = pdf
        self.footer = footer
        self.bates_width = text_width(longest_bates, BATES_SIZE)
        self.font = pdf.make_indirect(
            Dictionary(
                Type=Name.Font,
                Subtype=Name.Type1,
                BaseFont=Name.Helvetica,
                Encoding=Name.WinAnsiEncoding,
            )
        )
        self._openers: dict[Geometry, pikepdf.Object] = {}
        self._footers: dict[float, pikepdf.Object] = {}
        self._layouts: dict[float, tuple[float, float, float, float]] = {}
        self._plans: dict[Geometry, _Plan] = {}
        # By the box as written in the file and the turn: pages of one document mostly repeat
        # the same few, and reading the text back is cheaper than building a Rectangle.
        self._plans_by_box: dict[tuple[bytes, int], _Plan] = {}

    # -------------------------------------------------------------- shared objects

    def _opener(self, geometry: Geometry) -> pikepdf.Object:
        """q, shrink towards the top centre (leaving STRIP at the shown bottom), clip."""
        found = self._openers.get(geometry)
        if found is not None:
            return found
        width, height = geometry.shown
        scale = max(0.5, (height - STRIP) / height)
        shrink = (scale, 0, 0, scale, width * (1 - scale) / 2, STRIP)
        to_user = geometry.to_user
        a, b, c, d, e, f = to_user
        det = a * d - b * c
        from_user = (
            d / det,
            -b / det,
            -c / det,
            a / det,
            (c * f - d * e) / det,
            (b * e - a * f) / det,
        )
        # user -> shown -> shrunk shown -> user
        transform = _multiply(_multiply(from_user, shrink), to_user)
        x0, y0 = geometry.x0, geometry.y0
        w, h = geometry.x1 - x0, geometry.y1 - y0
        data = f"q {_matrix(transform)} cm {_num(x0)} {_num(y0)} {_num(w)} {_num(h)} re W n\n"
        stream = self.pdf.make_stream(data.encode())
        self._openers[geometry] = stream
        return stream

    def _footer_layout(self, width: float) -> tuple[float, float, float, float]:
        """(side margin, footer size, footer baseline, Bates baseline) for a page this wide."""
        found = self._layouts.get(width)
        if found is None:
            found = self._layouts[width] = self._compute_layout(width)
        return found

    def _compute_layout(self, width: float) -> tuple[float, float, float, float]:
        side = min(36.0, width * 0.06)
        room = width - 2 * side
        size = FOOTER_SIZE
        if text_width(self.footer, size) + _GAP + self.bates_width <= room:
            return side, size, 11.0, 11.0
        # Two lines: the Bates number above, the footer below, shrunk to fit if it must.
        while size > _MIN_FOOTER_SIZE and text_width(self.footer, size) > room:
            size -= 0.5
        return side, size, 6.0, 17.0

    def _footer(self, width: float) -> pikepdf.Object:
        found = self._footers.get(width)
        if found is not None:
            return found
        side, size, baseline, _bates = self._footer_layout(width)
        data = (
            b"BT/F "
            + _num(size).encode()
            + b" Tf 0 g "
            + f"{_num(side)} {_num(baseline)}".encode()
            + b" Td"
            + pdf_string(self.footer)
            + b"Tj ET"
        )
        stream = self.pdf.make_stream(
            data,
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=Array([0, 0, width, STRIP]),
            Resources=Dictionary(Font=Dictionary(F=self.font)),
        )
        self._footers[width] = stream
        return stream

    # ---------------------------------------------------------------------- pages

    def _plan(self, geometry: Geometry) -> _Plan:
        plan = self._plans.get(geometry)
        if plan is None:
            width, _height = geometry.shown
            side, _size, _baseline, bates_baseline = self._footer_layout(width)
            identity = geometry.to_user == (1, 0, 0, 1, 0, 0)
            plan = self._plans[geometry] = _Plan(
                opener=self._opener(geometry),
                footer=self._footer(width),
                right=width - side,
                baseline=bates_baseline,
                to_user="" if identity else _matrix(geometry.to_user) + " cm",
            )
        return plan

    def _plan_for(self, obj: pikepdf.Object) -> _Plan:
        box, rotate = _box_and_turn(obj)
        key = (box.unparse() if isinstance(box, pikepdf.Object) else repr(box).encode(), rotate)
        plan = self._plans_by_box.get(key)
        if plan is None:
            plan = self._plans_by_box[key] = self._plan(_geometry(box, rotate))
        return plan

    @staticmethod
    def _named(
        resources: pikepdf.Dictionary, category: Name, name: str, obj: pikepdf.Object
    ) -> str:
        """Put `obj` in the page's resources under `name`, or `name` and a number when the
        page already uses that name for something else."""
        if category not in resources:
            resources[category] = Dictionary({name: obj})
            return name
        group = resources[category]
        for index in range(100):
            candidate = f"{name}{index}" if index else name
            if candidate not in group:
                group[candidate] = obj
                return candidate
            current = group[candidate]
            if current.is_indirect and current.objgen == obj.objgen:
                return candidate
        raise ValueError("no free resource name")

    def stamp(self, page: pikepdf.Page | pikepdf.Object, bates: str) -> None:
        obj = _dictionary(page)
        plan = self._plan_for(obj)
        if _RESOURCES in obj:
            resources = obj[_RESOURCES]
        else:
            resources = obj[_RESOURCES] = Dictionary()
        font_name = self._named(resources, _FONT, _FONT_NAME, self.font)
        footer_name = self._named(resources, _XOBJECT, _FOOTER_NAME, plan.footer)
        key = (font_name, footer_name, bates.translate(_DIGITS_AS_ZERO))
        head = plan.heads.get(key)
        if head is None:
            x = plan.right - text_width(bates, BATES_SIZE)
            head = plan.heads[key] = (
                f"Q {plan.to_user}{footer_name} Do BT{font_name} {_num(BATES_SIZE)} Tf "
                f"{_num(x)} {_num(plan.baseline)} Td"
            ).encode()
        stream = self.pdf.make_stream(head + pdf_string(bates) + b"Tj ET")
        if _CONTENTS not in obj:
            obj[_CONTENTS] = Array([plan.opener, stream])
            return
        contents = obj[_CONTENTS]
        if isinstance(contents, Array):
            obj[_CONTENTS] = Array([plan.opener, *contents, stream])
        else:
            obj[_CONTENTS] = Array([plan.opener, contents, stream])
