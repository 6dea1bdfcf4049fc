"""Page ranges as staff type them ("3, 5-7") and as the page shows them back. Pure functions
with no ORM, so they are trivially testable."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Marked for the translation catalog only; the service translates the message when it shows it.
from django.utils.translation import gettext_noop

# A range is "5", "5-7", "5 - 7", or with an en dash, which word processors type for "-".
_RANGE = re.compile(r"^(\d{1,6})(?:\s*[-\u2013]\s*(\d{1,6}))?$")


class PageRangeError(ValueError):
    """The text is not a list of page numbers within the document; the message says why and
    is shown to staff as it is (the service translates it)."""

    def __init__(self, message: str, *, params: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}


def parse_page_ranges(text: str, page_count: int) -> list[int]:
    """The sorted, de-duplicated 1-based page numbers in `text`, each within 1..page_count.
    Empty text means no page. Commas, semicolons and spaces between ranges all separate."""
    pages: set[int] = set()
    for part in re.split(r"[,;]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if match is None:
            raise PageRangeError(
                gettext_noop("“%(part)s” is not a page or a range of pages such as 3 or 5-7."),
                params={"part": part},
            )
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first > last:
            raise PageRangeError(
                gettext_noop(
                    "The range “%(part)s” goes backwards; write it as %(last)s-%(first)s."
                ),
                params={"part": part, "first": first, "last": last},
            )
        if first < 1 or last > page_count:
            raise PageRangeError(
                gettext_noop("“%(part)s” is outside the document, which has pages 1 to %(count)s."),
                params={"part": part, "count": page_count},
            )
        pages.update(range(first, last + 1))
    return sorted(pages)


def format_page_ranges(pages: Iterable[int]) -> str:
    """[3, 5, 6, 7] -> "3, 5-7": the short form staff typed, for showing back in the input."""
    numbers = sorted(set(pages))
    parts: list[str] = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ", ".join(parts)


def included_pages(page_count: int, excluded: Iterable[int]) -> list[int]:
    """The 1-based pages that go into the packet, in document order."""
    skip = set(excluded)
    return [number for number in range(1, page_count + 1) if number not in skip]
