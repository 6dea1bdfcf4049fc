"""The manifest: which documents a packet encloses, where they are in it, and the SHA-256 of
each file as staff added it (the chain of custody: the same hash was recorded at upload)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def bates_number(prefix: str, page: int) -> str:
    """COHNMC-ROI-2026-000042 and page 1 give COHNMC-ROI-2026-000042-0001 (four digits, more
    past page 9999)."""
    return f"{prefix}-{page:04d}"


@dataclass(frozen=True)
class ManifestEntry:
    position: int  # 1-based, in packet order
    title: str
    original_name: str
    content_type: str
    sha256: str
    source_pages: int  # pages in the file
    pages: int  # pages enclosed (source_pages less the excluded ones)
    excluded_pages: tuple[int, ...]
    first_page: int  # packet page numbers, so the Bates range is first..last
    last_page: int
    first_bates: str
    last_bates: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["excluded_pages"] = list(self.excluded_pages)
        return data


def manifest_json(entries: list[ManifestEntry]) -> list[dict[str, Any]]:
    """What Packet.manifest stores: one dict per enclosed document, in packet order."""
    return [entry.as_json() for entry in entries]


def manifest_attachment(
    *, request_number: str, bates_prefix: str, entries: list[ManifestEntry]
) -> bytes:
    """The manifest as JSON, attached inside the PDF for whoever receives it."""
    document = {
        "request": request_number,
        "bates_prefix": bates_prefix,
        "documents": manifest_json(entries),
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
