"""Render a letter template to PDF bytes with WeasyPrint.

Three things every letter needs and none should redo:
- the language: the template is rendered inside `translation.override`, so {% translate %},
  lazy labels and dates all come out in the requester's language, whatever the web request's;
- the static files: templates link CSS and images with {% static %}; they are read from disk
  through Django's staticfiles finders (no web server, no collectstatic needed);
- safety: the renderer never fetches anything else. A letter may carry text a requester typed,
  so a URL in it must not make the server open a network address or a local file.

Fonts: letters-base.css asks for DejaVu Sans, which every Debian machine and the Docker image
(fonts-dejavu-core) have, and which covers Spanish accents, ñ, ¿ and ¡.

Speed: the packet's letters are rendered on every release while the worker builds, so what does
not change between letters is made once per worker thread and reused: the font configuration
(fontconfig and Pango's font map) and the stylesheets a template names in `stylesheets=`
instead of linking them (parsed again only when the file changes). Nothing personal is kept:
only fonts and static CSS.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Mapping, Sequence
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pikepdf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base URL letters resolve against. It is never contacted (".invalid" cannot resolve):
# LetterFetcher answers for it from the static files and refuses every other URL.
LETTER_BASE_URL = "https://letters.invalid/"


def letter_language(language: str | None) -> str:
    """A language the site offers ("es-MX" counts as "es"); anything else is the default."""
    codes = {code for code, _name in settings.LANGUAGES}
    candidate = (language or "").strip().lower().replace("_", "-")
    if candidate in codes:
        return candidate
    base = candidate.split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def _static_prefixes() -> list[str]:
    """The URL prefixes {% static %} produces: the path of STATIC_URL under the letter base,
    and STATIC_URL itself when it is absolute (a CDN in production)."""
    static_url = settings.STATIC_URL or "/static/"
    path = urlsplit(static_url).path or "/static/"
    prefixes = [LETTER_BASE_URL + path.strip("/") + "/"]
    if urlsplit(static_url).scheme:
        prefixes.append(static_url if static_url.endswith("/") else static_url + "/")
    return prefixes


def _static_file(relative: str) -> Path | None:
    parts = PurePosixPath(relative).parts
    if not relative or relative.startswith("/") or ".." in parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:  # production after collectstatic, without the source folders
        candidate = Path(settings.STATIC_ROOT, *parts)
        if candidate.is_file():
            return candidate
    return None


def static_path(url: str) -> Path | None:
    """The static file a letter's URL names, or None for any other URL (LetterFetcher refuses
    those)."""
    for prefix in _static_prefixes():
        if url.startswith(prefix):
            return _static_file(unquote(urlsplit(url).path[len(urlsplit(prefix).path) :]))
    return None


class LetterFetcher(URLFetcher):
    """Serves static files and data: URLs; refuses everything else (WeasyPrint logs the
    refusal and renders without the resource)."""

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_path(url)
        if path is None:
            raise ValueError(f"Letters may only use static files, not {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


class _Shared(threading.local):
    """Per thread: a FontConfiguration wraps a Pango font map, which is not thread-safe, and a
    parsed stylesheet belongs to the font configuration it was parsed with."""

    def __init__(self) -> None:
        self.font_config: FontConfiguration | None = None
        self.stylesheets: dict[str, tuple[int, CSS]] = {}


_shared = _Shared()


def font_config() -> FontConfiguration:
    if _shared.font_config is None:
        _shared.font_config = FontConfiguration()
    return _shared.font_config


def letter_stylesheet(relative: str) -> CSS:
    """A static stylesheet ("css/letters-packet.css"), parsed once and again only after the file
    changes. It is fetched through LetterFetcher, so its @import and url() stay static too."""
    path = _static_file(relative)
    if path is None:
        raise ValueError(f"No static file {relative}")
    changed = path.stat().st_mtime_ns
    cached = _shared.stylesheets.get(relative)
    if cached is not None and cached[0] == changed:
        return cached[1]
    sheet = CSS(
        url=_static_prefixes()[0] + relative,
        url_fetcher=LetterFetcher(),
        font_config=font_config(),
    )
    _shared.stylesheets[relative] = (changed, sheet)
    return sheet


def page_numbers_css() -> str:
    """A CSS `content` value for "Page 1 of 3" in the active language, for @page margin boxes.
    One translatable sentence with placeholders, because word order differs by language."""
    sentence = gettext("Page %(page)s of %(pages)s")
    escaped = sentence.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = escaped % {"page": marker_page, "pages": marker_pages}
    return (
        '"'
        + text.replace(marker_page, '" counter(page) "').replace(marker_pages, '" counter(pages) "')
        + '"'
    )


def tidy_form_fields(pdf_bytes: bytes, field_titles: Mapping[str, object] | None = None) -> bytes:
    """Two fixes to WeasyPrint's form fields.

    WeasyPrint lists every radio button twice: as a widget of its group and as a field of its
    own with the group's name, so PDF readers see a field "whose.whose" beside "whose" and may
    not treat the buttons as one choice. Each button becomes a plain widget of its group.

    A radio group's accessible name (/TU) is its first option's label; `field_titles` gives
    the question instead (field name -> text)."""
    titles = {name: str(title) for name, title in (field_titles or {}).items()}
    with pikepdf.open(BytesIO(pdf_bytes)) as pdf:
        acroform = pdf.Root.get("/AcroForm")
        if acroform is None or "/Fields" not in acroform:
            return pdf_bytes
        roots = pikepdf.Array()
        for field in acroform.Fields:
            if "/Parent" in field:
                for key in ("/T", "/FT"):  # a widget inherits both from its group
                    if key in field:
                        del field[key]
            else:
                name = str(field.get("/T", ""))
                if name in titles:
                    field.TU = pikepdf.String(titles[name])
                roots.append(field)
        acroform.Fields = roots
        out = BytesIO()
        pdf.save(out)
        return out.getvalue()


def letter_html(
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    language: str | None,
    request: HttpRequest | None = None,
) -> str:
    """The HTML `render_pdf` hands to WeasyPrint: `template_name` rendered in `language`, with
    `letter_language` (for <html lang>, which becomes the PDF's /Lang) and `page_numbers_css`
    added to the context."""
    lang = letter_language(language)
    with translation.override(lang):
        return render_to_string(
            template_name,
            {
                **(context or {}),
                "letter_language": lang,
                "page_numbers_css": page_numbers_css(),
            },
            request=request,
        )


def html_to_pdf(
    html: str,
    *,
    language: str | None,
    pdf_forms: bool = False,
    pdf_tags: bool = False,
    field_titles: Mapping[str, object] | None = None,
    base_url: str = LETTER_BASE_URL,
    stylesheets: Sequence[str] = (),
) -> bytes:
    """The PDF of a letter's HTML (see `render_pdf` for the options). `language` is the one the
    HTML was rendered in: lazy `field_titles` are written in it."""
    with translation.override(letter_language(language)):
        document = HTML(string=html, base_url=base_url, url_fetcher=LetterFetcher())
        pdf = document.write_pdf(
            pdf_forms=pdf_forms,
            pdf_tags=pdf_tags,
            font_config=font_config(),
            stylesheets=[letter_stylesheet(name) for name in stylesheets],
        )
        return tidy_form_fields(pdf, field_titles) if pdf_forms else pdf


def render_pdf(
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    language: str | None,
    request: HttpRequest | None = None,
    pdf_forms: bool = False,
    pdf_tags: bool = False,
    field_titles: Mapping[str, object] | None = None,
    base_url: str = LETTER_BASE_URL,
    stylesheets: Sequence[str] = (),
) -> bytes:
    """Render `template_name` in `language` (unknown languages fall back to the default) and
    return the PDF. With `pdf_forms`, <input>, <textarea> and <select> become fillable PDF
    form fields (the CSS must give them `appearance: auto`; letters.css does). A field's
    accessible name is its `title` attribute; `field_titles` names radio groups (field name ->
    text, lazy strings welcome). `pdf_tags` writes a tagged PDF (headings, lists, reading
    order) for screen readers, at some cost in rendering time. `stylesheets` are static CSS
    files ("css/letters-base.css") for templates that do not <link> them, parsed once
    (letter_stylesheet).

    The context gets `letter_language` and `page_numbers_css` (letter_html). No letter is
    cached: letters carry personal data. (The blank request form, which carries none, is:
    letters/public_cache.py.)"""
    return html_to_pdf(
        letter_html(template_name, context, language=language, request=request),
        language=language,
        pdf_forms=pdf_forms,
        pdf_tags=pdf_tags,
        field_titles=field_titles,
        base_url=base_url,
        stylesheets=stylesheets,
    )
