"""PDF work for the released packet: reading record documents (sources), the page ranges staff
exclude (pages), the Bates stamp (stamp), the manifest, the letters at the front (letters) and
the build that puts them together (build). Pure functions over files and plain values: the
ORM, storage and Celery stay in services/packets.py and tasks/packets.py."""

from __future__ import annotations

from .build import EmptyPacket, Enclosures, PacketResult, SourceDocument, build_packet
from .manifest import ManifestEntry, bates_number, sha256_file
from .pages import PageRangeError, format_page_ranges, parse_page_ranges
from .sources import SourceError, SourceInfo, inspect_source

__all__ = [
    "EmptyPacket",
    "Enclosures",
    "ManifestEntry",
    "PacketResult",
    "PageRangeError",
    "SourceDocument",
    "SourceError",
    "SourceInfo",
    "bates_number",
    "build_packet",
    "format_page_ranges",
    "inspect_source",
    "parse_page_ranges",
    "sha256_file",
]
