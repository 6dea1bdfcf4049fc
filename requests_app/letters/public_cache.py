"""PDFs that carry no personal data (the blank printable request form), kept in Django's cache.

WeasyPrint takes a few hundred milliseconds of CPU for the form, and anyone may download it
without signing in. So the PDF is kept, keyed by a digest of everything its bytes depend on:
- the HTML handed to WeasyPrint. It is rendered on every download (a few milliseconds) from the
  database as it is now, so it already holds whatever the template shows: the entities, their
  addresses, locations, delivery methods, authorization term, help phone and hours, the
  deadline rule text (which the deadline policies and closures decide), the translations, the
  template itself and the absolute portal URL. An admin's change shows on the next download,
  with no list of models to keep in step with the template and no invalidation signal to miss;
- the static files that HTML links, followed through @import and url() (a deploy that changes
  letters.css or letters-base.css gives new keys);
- the render options (fillable fields, tags, radio group titles in the language);
- the renderer: WeasyPrint's, Pango's, pydyf's and pikepdf's versions and the source of
  letters/render.py.

A key never names stale bytes but for one thing it leaves out: the system's font files. A new
DejaVu package with the same Pango would keep serving the form set in the old one (a valid form
still) until the timeout, which otherwise only bounds how long an unused variant (an old
deploy's, a host's) occupies the cache. A visitor cannot mint keys: the entity must exist, and
an unknown language or host is refused or falls back before anything is rendered.

The cache is a speed-up, never a dependency: when it fails (Redis down or stalled past its
one-second socket timeout) the PDF is rendered as before and the failure is logged.

Never use this for a document with anything personal in it: the cache is shared by every
visitor and every web process.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pikepdf
import pydyf
import weasyprint
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from weasyprint.text.ffi import pango

from . import render
from .render import LETTER_BASE_URL, html_to_pdf, letter_html, letter_language, static_path

logger = logging.getLogger(__name__)

CACHE_TIMEOUT = 24 * 3600  # seconds; see the module docstring

# References to other files in HTML and CSS. What they name is checked against the static
# files (static_path), as LetterFetcher does when WeasyPrint asks for them.
_HTML_REFERENCE = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_CSS_REFERENCE = re.compile(
    r"""url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)["']""", re.IGNORECASE
)

# Computed once per process: a deploy that changes the renderer restarts the processes.
RENDERER = " ".join(
    (
        f"weasyprint={weasyprint.__version__}",
        f"pango={pango.pango_version()}",
        f"pydyf={pydyf.__version__}",
        f"pikepdf={pikepdf.__version__}",
        "render.py=" + hashlib.sha256(Path(render.__file__).read_bytes()).hexdigest(),
    )
)


def _references(text: str) -> list[str]:
    found = [ref for pair in _CSS_REFERENCE.findall(text) for ref in pair if ref]
    return found + _HTML_REFERENCE.findall(text)


class _StaticFiles:
    """Per static file: its content digest and, for CSS, the URLs it references; read again
    only when the file's modification time or size changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[Path, tuple[tuple[int, int], str, tuple[str, ...]]] = {}

    def read(self, path: Path) -> tuple[str, tuple[str, ...]]:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            known = self._known.get(path)
        if known is not None and known[0] == version:
            return known[1], known[2]
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        references = (
            tuple(_references(content.decode("utf-8", "replace"))) if path.suffix == ".css" else ()
        )
        with self._lock:
            self._known[path] = (version, digest, references)
        return digest, references


_static_files = _StaticFiles()


def static_fingerprint(html: str, base_url: str = LETTER_BASE_URL) -> str:
    """The digest of every static file the HTML uses, directly or through its stylesheets. A
    reference that is not a static file counts by its URL alone: the renderer refuses it, and
    if the file appears later the fingerprint changes."""
    seen: dict[str, str] = {}
    pending = [urljoin(base_url, ref) for ref in _references(html)]
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        path = static_path(url)
        if path is None or not path.is_file():
            seen[url] = "-"
            continue
        seen[url], references = _static_files.read(path)
        pending.extend(urljoin(url, ref) for ref in references)
    return hashlib.sha256(repr(sorted(seen.items())).encode()).hexdigest()


def cache_key(html: str, language: str, options: Mapping[str, object]) -> str:
    digest = hashlib.sha256()
    for part in (RENDERER, language, repr(sorted(options.items())), static_fingerprint(html), html):
        digest.update(part.encode())
        digest.update(b"\0")
    return "public-pdf:" + digest.hexdigest()


def public_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    language: str | None,
    request: HttpRequest | None = None,
    pdf_forms: bool = False,
    pdf_tags: bool = False,
    field_titles: Mapping[str, object] | None = None,
) -> bytes:
    """render_pdf's PDF, from the cache when the same bytes were rendered before."""
    lang = letter_language(language)
    html = letter_html(template_name, context, language=lang, request=request)
    with translation.override(lang):
        titles = {name: str(title) for name, title in (field_titles or {}).items()}
    options = {"pdf_forms": pdf_forms, "pdf_tags": pdf_tags, "field_titles": sorted(titles.items())}
    key = cache_key(html, lang, options)

    def rendered() -> bytes:
        return html_to_pdf(
            html, language=lang, pdf_forms=pdf_forms, pdf_tags=pdf_tags, field_titles=titles
        )

    try:
        cached = cache.get(key)
    except Exception:
        # Redis is away: serve the form all the same, at the old cost.
        logger.warning("PDF cache unavailable; rendering %s", template_name, exc_info=True)
        return rendered()
    if isinstance(cached, bytes):
        return cached
    pdf = rendered()
    try:
        cache.set(key, pdf, timeout=CACHE_TIMEOUT)
    except Exception:
        logger.warning("PDF cache unavailable; %s not kept", template_name, exc_info=True)
    return pdf
