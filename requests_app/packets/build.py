"""Build the packet: letters, then the record pages, every page stamped, into one PDF file.

A pure function over file paths and plain values: no ORM, no storage, no Celery. The service
(services/packets.py) copies the stored files to a temporary folder and calls it; the benchmark
(bench/packet.py) calls it on generated files.

Order of the packet: the letters (the cover letter, rendered by WeasyPrint, and the invoice when
a fee is due, drawn directly unless a name needs WeasyPrint too: packets/letters.py, through a
callable the caller gives), the manifest (drawn directly), then each record document in order
without its excluded pages, images converted to pages. Every page gets its Bates number, the
letters included. The records' Bates numbers depend on how many pages the letters take, and the
letters print those numbers, so the letters are rendered again in the rare case their page
count differs from the first guess.

Record pages are copied object by object as they are: their content streams are never decoded.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from .manifest import (
    ManifestEntry,
    bates_number,
    manifest_attachment,
    manifest_json,
    sha256_file,
)
from .manifest_page import manifest_page_count, manifest_pdf
from .pages import included_pages
from .sources import DAMAGE, PDF, SourceError, open_source, sniff
from .stamp import Stamper

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
# Renders the letters for what the packet encloses: the PDF, or its bytes.
Letters = Callable[["Enclosures"], "pikepdf.Pdf | bytes"]


@dataclass(frozen=True)
class SourceDocument:
    title: str
    path: Path
    original_name: str = ""
    excluded_pages: frozenset[int] = field(default_factory=frozenset)
    # The hash recorded when the file was added; a different file now is refused.
    expected_sha256: str = ""


@dataclass(frozen=True)
class Enclosures:
    """What the letters say about the packet: computed before they are rendered."""

    documents: tuple[ManifestEntry, ...]
    letter_pages: int
    manifest_pages: int
    record_pages: int
    total_pages: int
    first_bates: str
    last_bates: str
    first_record_bates: str
    last_record_bates: str

    @property
    def manifest_first_page(self) -> int:
        return self.letter_pages + 1


@dataclass(frozen=True)
class PacketResult:
    page_count: int
    front_pages: int  # letters and manifest
    record_pages: int
    size: int
    sha256: str
    manifest: list[dict[str, Any]]


class EmptyPacket(ValueError):
    """No page to release: every document or every page is excluded."""


@dataclass
class _Opened:
    document: SourceDocument
    pdf: pikepdf.Pdf
    sha256: str
    content_type: str
    pages: list[int]  # 1-based pages enclosed


def _open_all(documents: Sequence[SourceDocument], progress: Progress) -> list[_Opened]:
    opened: list[_Opened] = []
    try:
        for index, document in enumerate(documents):
            try:
                digest = sha256_file(document.path)
                with document.path.open("rb") as handle:
                    content_type = sniff(handle.read(1024)) or ""
            except OSError as exc:
                raise SourceError(document.title, "missing", str(exc)) from exc
            if document.expected_sha256 and digest != document.expected_sha256:
                raise SourceError(document.title, "changed", digest)
            pdf = open_source(document.path, document.title, resolve=False)
            pages = included_pages(len(pdf.pages), document.excluded_pages)
            opened.append(_Opened(document, pdf, digest, content_type, pages))
            progress(2 + 18 * (index + 1) // max(1, len(documents)))
    except BaseException:
        for item in opened:
            item.pdf.close()
        raise
    return opened


def _entries(opened: list[_Opened], prefix: str, letter_pages: int) -> list[ManifestEntry]:
    entries: list[ManifestEntry] = []
    page = letter_pages
    for item in opened:
        if not item.pages:
            continue
        first, page = page + 1, page + len(item.pages)
        entries.append(
            ManifestEntry(
                position=len(entries) + 1,
                title=item.document.title,
                original_name=item.document.original_name,
                content_type=item.content_type or PDF,
                sha256=item.sha256,
                source_pages=len(item.pdf.pages),
                pages=len(item.pages),
                excluded_pages=tuple(sorted(item.document.excluded_pages)),
                first_page=first,
                last_page=page,
                first_bates=bates_number(prefix, first),
                last_bates=bates_number(prefix, page),
            )
        )
    return entries


def _copy_pages(
    packet: pikepdf.Pdf, source: pikepdf.Pdf, numbers: Sequence[int] | None = None
) -> list[pikepdf.Object]:
    """Copies of the source's pages (1-based `numbers`, all when None), owned by `packet` and
    not yet in its page tree. Copying follows every object a page uses, so a damaged object
    raises here. Listing the source's pages first pushes inherited attributes (MediaBox,
    Resources, Rotate) down to each page, so the copies keep them. The source stays open until
    the packet is written: a copied stream reads its data from there.

    One copy_foreign per page and a page tree built once (_page_tree): pikepdf's pages.extend
    looks up the page count on every insert, which makes a 1,000-page merge quadratic."""
    pages = list(source.pages)
    chosen = pages if numbers is None else [pages[number - 1] for number in numbers]
    return [packet.copy_foreign(page.obj) for page in chosen]


def _page_tree(packet: pikepdf.Pdf, pages: list[pikepdf.Object]) -> None:
    """Make `pages` the packet's pages, in order, in one flat /Pages node. Called once, before
    anything asks pikepdf for packet.pages (which qpdf caches)."""
    tree = packet.Root.Pages
    tree.Kids = pikepdf.Array(pages)
    tree.Count = len(pages)
    for page in pages:
        page.Parent = tree


def _culprit(opened: list[_Opened]) -> _Opened | None:
    """After writing failed: the source that cannot be written on its own, if one."""
    for item in opened:
        try:
            item.pdf.save(io.BytesIO())
        except (pikepdf.PdfError, OSError, ValueError):
            return item
    return None


def _enclosures(
    entries: list[ManifestEntry], prefix: str, letter_pages: int, manifest_pages: int
) -> Enclosures:
    front = letter_pages + manifest_pages
    record_pages = sum(entry.pages for entry in entries)
    return Enclosures(
        documents=tuple(entries),
        letter_pages=letter_pages,
        manifest_pages=manifest_pages,
        record_pages=record_pages,
        total_pages=front + record_pages,
        first_bates=bates_number(prefix, 1),
        last_bates=bates_number(prefix, front + record_pages),
        first_record_bates=bates_number(prefix, front + 1),
        last_record_bates=bates_number(prefix, front + record_pages),
    )


def _letters(
    render: Letters | None,
    opened: list[_Opened],
    prefix: str,
    manifest_pages: int,
) -> tuple[pikepdf.Pdf | None, list[ManifestEntry]]:
    """The letters and the manifest entries with their final numbers: rendered with a guess of
    their own length, and again in the rare case they come out longer or shorter."""
    if render is None:
        return None, _entries(opened, prefix, manifest_pages)
    estimate = getattr(render, "estimate_pages", None)
    guess = estimate() if estimate else 1
    for _attempt in range(4):
        entries = _entries(opened, prefix, guess + manifest_pages)
        enclosures = _enclosures(entries, prefix, guess, manifest_pages)
        rendered = render(enclosures)
        letters = (
            rendered if isinstance(rendered, pikepdf.Pdf) else pikepdf.open(io.BytesIO(rendered))
        )
        if len(letters.pages) == guess:
            return letters, entries
        guess = len(letters.pages)
        letters.close()
    raise RuntimeError("The letters' page count does not settle.")


def build_packet(
    *,
    documents: Sequence[SourceDocument],
    bates_prefix: str,
    footer: str,
    out: Path,
    render_letters: Letters | None = None,
    request_number: str = "",
    title: str = "",
    progress: Progress | None = None,
    stamp: bool = True,
) -> PacketResult:
    """Write the packet to `out`. Raises SourceError naming the document that cannot be read,
    EmptyPacket when nothing is left to release. `stamp=False` exists for the benchmark, which
    measures what stamping adds."""
    report = progress or (lambda _value: None)
    report(1)
    opened = _open_all(documents, report)
    packet = pikepdf.Pdf.new()
    # The letters and the manifest stay open until the packet is written: copied streams read
    # their data from the file they came from.
    front: list[pikepdf.Pdf] = []
    try:
        record_pages = sum(len(item.pages) for item in opened)
        if record_pages == 0:
            raise EmptyPacket("Every document or page is excluded.")
        # The manifest's length depends on the titles only, never on the numbers in it.
        manifest_pages = manifest_page_count(_entries(opened, bates_prefix, 0))
        letters, entries = _letters(render_letters, opened, bates_prefix, manifest_pages)
        if letters is not None:
            front.append(letters)
        front.append(manifest_pdf(entries, request_number=request_number))
        report(30)

        pages = [page for part in front for page in _copy_pages(packet, part)]
        for index, item in enumerate(opened):
            try:
                pages += _copy_pages(packet, item.pdf, item.pages)
            except DAMAGE as exc:
                raise SourceError(item.document.title, "corrupt", str(exc)) from exc
            report(30 + 30 * (index + 1) // len(opened))
        _page_tree(packet, pages)

        total = len(pages)
        if stamp:
            stamper = Stamper(
                packet, footer=footer, longest_bates=bates_number(bates_prefix, total)
            )
            step = max(1, total // 10)
            for number, page in enumerate(pages, start=1):
                stamper.stamp(page, bates_number(bates_prefix, number))
                if number % step == 0:
                    report(60 + 25 * number // total)

        packet.attachments["manifest.json"] = pikepdf.AttachedFileSpec(
            packet,
            manifest_attachment(
                request_number=request_number, bates_prefix=bates_prefix, entries=entries
            ),
            filename="manifest.json",
            mime_type="application/json",
        )
        if title:
            packet.docinfo[pikepdf.Name.Title] = title
        packet.docinfo[pikepdf.Name.Producer] = "roi-portal"
        report(88)
        try:
            # Object streams pack the page dictionaries; they roughly halve what stamping adds.
            packet.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        except (pikepdf.PdfError, OSError, ValueError) as exc:
            culprit = _culprit(opened)
            if culprit is None:
                raise
            raise SourceError(culprit.document.title, "corrupt", str(exc)) from exc
        report(97)
        size = out.stat().st_size
        return PacketResult(
            page_count=total,
            front_pages=total - record_pages,
            record_pages=record_pages,
            size=size,
            sha256=sha256_file(out),
            manifest=manifest_json(entries),
        )
    finally:
        packet.close()
        for part in front:
            part.close()
        for item in opened:
            item.pdf.close()
