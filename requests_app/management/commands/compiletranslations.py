"""Compile the translation catalogs (.po) into .mo files in pure Python, with Babel.

Django's own `compilemessages` needs GNU gettext's msgfmt; this command does the same job on a
machine without it (a slim Docker image, a fresh developer machine), so the install step can
always build the catalogs that are never committed (issue 3: "compiled catalogs are built by
the install, not committed by hand").

Like `msgfmt --check-format` it skips fuzzy entries, refuses a malformed catalog (bad syntax,
duplicate messages, placeholders that differ from the English, a wrong number of plural forms)
and says where. A catalog whose .mo is already up to date is left untouched, so running the
command twice changes nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class CatalogError(Exception):
    """A .po file that cannot be compiled; the message says where and why."""


@dataclass(frozen=True)
class Result:
    po: Path
    translated: int
    fuzzy: int
    untranslated: int
    changed: bool


# --- Where the catalogs are ---------------------------------------------------------------


def _is_project_code(path: Path) -> bool:
    # Installed packages ship their own compiled catalogs; never write into site-packages.
    parts = set(path.parts)
    return not parts & {"site-packages", "dist-packages", ".venv"} and path.is_relative_to(
        Path(settings.BASE_DIR).resolve()
    )


def locale_dirs() -> list[Path]:
    """settings.LOCALE_PATHS, then the `locale` folder of each of the project's own apps."""
    found: list[Path] = []
    candidates = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        app_locale = Path(config.path).resolve() / "locale"
        if _is_project_code(app_locale):
            candidates.append(app_locale)
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_dir() and resolved not in found:
            found.append(resolved)
    return found


def po_files(dirs: Iterable[Path], languages: set[str] | None) -> list[Path]:
    files = []
    for directory in dirs:
        for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
            if languages is None or po.parent.parent.name in languages:
                files.append(po)
    return files


# --- Checking a catalog -------------------------------------------------------------------

_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")
_STRING = re.compile(r'^"(?:[^"\\]|\\.)*"$')


class _Scan:
    """Where the scan of a .po file is: the state, and the message being read."""

    def __init__(self) -> None:
        self.state = "start"  # start | msgctxt | msgid | msgid_plural | msgstr
        self.context: list[str] = []
        self.msgid: list[str] = []
        self.line = 0  # where the message starts
        self.forms: set[int] | None = None  # msgstr[n] seen, for a plural message
        self.translated = False  # some msgstr is not empty

    def finish(self, nplurals: int | None) -> Iterator[str]:
        """The message is over (a blank line, a comment, the next message, the end)."""
        if self.state in ("msgctxt", "msgid", "msgid_plural"):
            yield f"line {self.line}: a message without msgstr"
        elif (
            self.translated
            and self.forms is not None
            and nplurals
            and self.forms != set(range(nplurals))
        ):
            # Only a translated message counts, as with msgfmt: makemessages writes two
            # empty forms for Spanish while its header says three.
            yield f"line {self.line}: needs {nplurals} plural forms, msgstr[0] to [{nplurals - 1}]"
        self.__init__()


def syntax_errors(text: str, nplurals: int | None = None) -> Iterator[str]:
    """The mistakes Babel's lenient parser lets through but msgfmt rejects: an unterminated
    or unquoted string, a keyword out of order, a message without msgstr, a duplicate, a
    plural message without one msgstr[n] for each of the language's `nplurals` forms."""
    seen: set[tuple[str, str]] = set()
    scan = _Scan()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):  # obsolete "#~" entries are ignored, as msgfmt does
            yield from scan.finish(nplurals)
            continue
        if line.startswith('"'):  # a continuation of the keyword above
            if scan.state == "start":
                yield f"line {lineno}: a string that belongs to no keyword"
            elif not _STRING.match(line):
                yield f"line {lineno}: the string is not closed with a quote"
            elif scan.state == "msgid":
                scan.msgid.append(line[1:-1])
            elif scan.state == "msgctxt":
                scan.context.append(line[1:-1])
            elif scan.state == "msgstr" and line != '""':
                scan.translated = True
            continue
        match = _KEYWORD.match(line)
        if not match:
            yield f"line {lineno}: unknown keyword: {line[:40]}"
            continue
        keyword, index, string = match.group(1), match.group(2), match.group(3).strip()
        if not _STRING.match(string):
            yield f"line {lineno}: {keyword} needs a string in double quotes"
            string = f'"\x00{lineno}"'  # reported once; never a "duplicate" as well
        if keyword in ("msgctxt", "msgid") and scan.state == "msgstr":
            yield from scan.finish(nplurals)  # the next message starts without a blank line
        if keyword == "msgctxt":
            if scan.state != "start":
                yield f"line {lineno}: msgctxt out of order"
            scan.context, scan.line, scan.state = [string[1:-1]], lineno, "msgctxt"
        elif keyword == "msgid":
            if scan.state not in ("start", "msgctxt"):
                yield f"line {lineno}: msgid out of order"
            scan.msgid, scan.state = [string[1:-1]], "msgid"
            scan.line = scan.line if scan.context else lineno
        elif keyword == "msgid_plural":
            if scan.state != "msgid":
                yield f"line {lineno}: msgid_plural without msgid"
            scan.state, scan.forms = "msgid_plural", set()
        else:  # msgstr or msgstr[n]
            if scan.state in ("msgid", "msgid_plural"):
                key = ("".join(scan.context), "".join(scan.msgid))
                if key in seen:
                    yield f"line {scan.line}: duplicate message definition"
                seen.add(key)
            elif scan.state != "msgstr":
                yield f"line {lineno}: msgstr without msgid"
            if scan.forms is None and index is not None:
                yield f"line {lineno}: msgstr[{index}] without msgid_plural"
            elif scan.forms is not None and index is None:
                yield f"line {lineno}: a plural message needs msgstr[n]"
            elif scan.forms is not None:
                scan.forms.add(int(index))
            scan.translated = scan.translated or string != '""'
            scan.state = "msgstr"
    yield from scan.finish(nplurals)


def format_errors(catalog: Catalog, use_fuzzy: bool) -> Iterator[str]:
    """Placeholders and plural forms, checked like `msgfmt --check-format` on the entries
    that will be compiled: a wrong placeholder would raise KeyError when the page renders."""
    compiled = {id(m) for m in catalog if m.id and m.string and (use_fuzzy or not m.fuzzy)}
    for message, errors in catalog.check():
        if id(message) in compiled:
            for error in errors:
                where = f"line {message.lineno}" if message.lineno else "message"
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                yield f"{where}: {error} (msgid {msgid[:50]!r})"


def read_catalog(po: Path, use_fuzzy: bool) -> Catalog:
    data = po.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    problems = list(syntax_errors(text))
    if problems:
        raise CatalogError("; ".join(problems[:5]))
    try:
        catalog = read_po(BytesIO(data), abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise CatalogError(str(exc)) from exc
    # Babel pads a missing plural form with "", so count them on the text, now that the
    # header has told how many the language has.
    problems = list(syntax_errors(text, catalog.num_plurals))
    problems += format_errors(catalog, use_fuzzy)
    if problems:
        raise CatalogError("; ".join(problems[:5]))
    return catalog


# --- Writing ------------------------------------------------------------------------------


def _is_translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def compile_po(po: Path, *, use_fuzzy: bool = False) -> Result:
    catalog = read_catalog(po, use_fuzzy)
    messages = [m for m in catalog if m.id]  # the header has an empty msgid
    fuzzy = sum(1 for m in messages if m.fuzzy and m.string)
    translated = sum(1 for m in messages if _is_translated(m) and (use_fuzzy or not m.fuzzy))
    untranslated = sum(1 for m in messages if not _is_translated(m))
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=use_fuzzy)
    content = buffer.getvalue()
    mo = po.with_suffix(".mo")
    changed = not (mo.is_file() and mo.read_bytes() == content)
    if changed:
        # Written beside the target and renamed over it: a web worker reading the catalog
        # never sees half a file.
        try:
            fd, tmp = tempfile.mkstemp(dir=po.parent, prefix=f".{mo.name}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, mo)
        except OSError as exc:
            raise CatalogError(f"cannot write {mo.name}: {exc.strerror}") from exc
    return Result(po, translated, fuzzy if not use_fuzzy else 0, untranslated, changed)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    # Compiling catalogs needs no database and no URLs: the install step runs it before
    # anything else is set up, and a system-check failure elsewhere must not stop it.
    requires_system_checks: list[str] = []
    help = (
        "Compile every locale/<lang>/LC_MESSAGES/*.po (LOCALE_PATHS and the project's apps) "
        "into .mo files with Babel; no GNU gettext needed. Fuzzy entries are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            default=[],
            help="Compile only this language (repeat for several), e.g. -l es.",
        )
        parser.add_argument(
            "--use-fuzzy",
            "-f",
            action="store_true",
            help="Include fuzzy translations (like msgfmt --use-fuzzy).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        languages = set(options["locale"]) or None
        dirs = locale_dirs()
        files = po_files(dirs, languages)
        if not files:
            where = ", ".join(_shown(d) for d in dirs) or "LOCALE_PATHS (none exist yet)"
            self.stdout.write(f"No .po files to compile in {where}.")
            return
        results: list[Result] = []
        failures: list[str] = []
        for po in files:
            try:
                result = compile_po(po, use_fuzzy=options["use_fuzzy"])
            except (CatalogError, OSError) as exc:
                failures.append(f"{_shown(po)}: {exc}")
                continue
            results.append(result)
            if options["verbosity"] >= 1:
                status = "compiled" if result.changed else "unchanged"
                self.stdout.write(
                    f"{_shown(po)}: {result.translated} translated, {result.fuzzy} fuzzy "
                    f"skipped, {result.untranslated} untranslated ({status})"
                )
        changed = sum(1 for r in results if r.changed)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(results)} catalog(s): {changed} compiled, {len(results) - changed} "
                f"already up to date."
            )
        )
        if failures:
            raise CommandError(
                f"{len(failures)} catalog(s) could not be compiled:\n" + "\n".join(failures)
            )
