"""`manage.py compiletranslations`: .po catalogs become .mo files in pure Python (Babel), so a
machine without GNU gettext still gets its Spanish pages."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real

HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: es\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

SPANISH = (
    HEADER
    + """\
msgid "Compiled by the test"
msgstr "Compilado por la prueba"

#, python-format
msgid "Hello %(name)s"
msgstr "Hola %(name)s, ¿qué tal?"

msgid "%(count)s test file"
msgid_plural "%(count)s test files"
msgstr[0] "%(count)s archivo de prueba"
msgstr[1] "%(count)s archivos de prueba"

#, fuzzy
msgid "A guess by a machine"
msgstr "Una suposición"

msgid "Not translated yet"
msgstr ""

#~ msgid "An old message"
#~ msgstr "Un mensaje viejo"
"""
)


def write_po(locale_dir: Path, text: str, language: str = "es", domain: str = "django") -> Path:
    po = locale_dir / language / "LC_MESSAGES" / f"{domain}.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_text(text, encoding="utf-8")
    return po


def compile_translations(*args: str) -> str:
    out = StringIO()
    call_command("compiletranslations", *args, stdout=out)
    return out.getvalue()


def forget_loaded_catalogs() -> None:
    # Django keeps each language's merged catalog for the life of the process; the test has
    # just written a new one, so drop what was loaded before it.
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = trans_real.Local()


@pytest.fixture
def locale_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No msgfmt anywhere on PATH: the command must not need GNU gettext.
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    path = tmp_path / "locale"
    path.mkdir()
    with override_settings(LOCALE_PATHS=[path]):
        forget_loaded_catalogs()
        yield path
    forget_loaded_catalogs()


def test_it_compiles_a_spanish_catalog_that_django_then_uses(locale_dir: Path) -> None:
    po = write_po(locale_dir, SPANISH)

    output = compile_translations()

    assert po.with_suffix(".mo").is_file()
    assert "3 translated, 1 fuzzy skipped, 1 untranslated (compiled)" in output
    forget_loaded_catalogs()
    with translation.override("es"):
        assert translation.gettext("Compiled by the test") == "Compilado por la prueba"
        assert translation.gettext("Hello %(name)s") % {"name": "Ana"} == "Hola Ana, ¿qué tal?"
        files = translation.ngettext("%(count)s test file", "%(count)s test files", 2)
        assert files % {"count": 2} == "2 archivos de prueba"
        # Untranslated and obsolete entries fall back to the English text.
        assert translation.gettext("Not translated yet") == "Not translated yet"
    with translation.override("en"):
        assert translation.gettext("Compiled by the test") == "Compiled by the test"


def test_it_skips_fuzzy_entries_like_msgfmt(locale_dir: Path) -> None:
    write_po(locale_dir, SPANISH)
    compile_translations()
    forget_loaded_catalogs()
    with translation.override("es"):
        assert translation.gettext("A guess by a machine") == "A guess by a machine"


def test_it_includes_fuzzy_entries_when_asked(locale_dir: Path) -> None:
    write_po(locale_dir, SPANISH)
    compile_translations("--use-fuzzy")
    forget_loaded_catalogs()
    with translation.override("es"):
        assert translation.gettext("A guess by a machine") == "Una suposición"


def test_it_changes_nothing_the_second_time(locale_dir: Path) -> None:
    po = write_po(locale_dir, SPANISH)
    compile_translations()
    mo = po.with_suffix(".mo")
    first, first_mtime = mo.read_bytes(), mo.stat().st_mtime_ns

    output = compile_translations()

    assert "(unchanged)" in output
    assert "0 compiled, 1 already up to date" in output
    assert mo.read_bytes() == first
    assert mo.stat().st_mtime_ns == first_mtime
    assert sorted(p.name for p in mo.parent.iterdir()) == ["django.mo", "django.po"]


def test_it_recompiles_when_the_catalog_changes(locale_dir: Path) -> None:
    po = write_po(locale_dir, SPANISH)
    compile_translations()
    po.write_text(SPANISH.replace("Compilado por la prueba", "Compilado otra vez"), "utf-8")

    assert "1 compiled" in compile_translations()
    forget_loaded_catalogs()
    with translation.override("es"):
        assert translation.gettext("Compiled by the test") == "Compilado otra vez"


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ('msgid "Unclosed\nmsgstr "Sin cerrar"\n', "line 7: msgid needs a string"),
        ('msgid "Twice"\nmsgstr "Dos"\n\nmsgid "Twice"\nmsgstr "Dos veces"\n', "duplicate"),
        ('msgid "No answer"\n\n', "line 7: a message without msgstr"),
        ('msgstr "Alone"\n', "line 7: msgstr without msgid"),
        ('msgid "A"\nmsgstr "B"\nnonsense here\n', "unknown keyword"),
        (
            '#, python-format\nmsgid "Due on %(date)s"\nmsgstr "Vence el %(fecha)s"\n',
            "placeholder",
        ),
        ('msgid "one"\nmsgid_plural "many"\nmsgstr[0] "uno"\n', "needs 2 plural forms"),
        ('msgid "one"\nmsgstr[0] "uno"\n', "msgstr[0] without msgid_plural"),
    ],
)
def test_it_refuses_a_malformed_catalog_and_says_where(
    locale_dir: Path, broken: str, expected: str
) -> None:
    good = write_po(locale_dir, SPANISH)
    bad = write_po(locale_dir, HEADER + broken, domain="broken")

    with pytest.raises(CommandError) as excinfo:
        compile_translations()

    message = str(excinfo.value)
    assert "1 catalog(s) could not be compiled" in message
    assert "es/LC_MESSAGES/broken.po" in message
    assert expected in message
    assert not bad.with_suffix(".mo").exists()
    assert good.with_suffix(".mo").is_file()  # the good catalog is still compiled


def test_it_accepts_what_makemessages_writes_for_spanish(locale_dir: Path) -> None:
    """makemessages gives Spanish three plural forms in the header but writes two empty ones
    for each new message, and marks the header fuzzy; msgfmt accepts that, and so must we."""
    header = HEADER.replace("nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n != 1);")
    write_po(
        locale_dir,
        "#, fuzzy\n"
        + header
        + 'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] ""\nmsgstr[1] ""\n',
    )

    assert "0 translated, 0 fuzzy skipped, 1 untranslated" in compile_translations()


def test_it_refuses_a_catalog_that_is_not_utf8(locale_dir: Path) -> None:
    po = locale_dir / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(HEADER.encode() + 'msgid "Año"\nmsgstr "Año"\n'.encode("latin-1"))

    with pytest.raises(CommandError, match="not UTF-8"):
        compile_translations()


def test_it_compiles_only_the_languages_asked_for(locale_dir: Path) -> None:
    es = write_po(locale_dir, SPANISH)
    fr = write_po(locale_dir, HEADER.replace("es", "fr"), language="fr")

    compile_translations("--locale", "es")

    assert es.with_suffix(".mo").is_file()
    assert not fr.with_suffix(".mo").exists()


def test_it_says_so_when_there_is_nothing_to_compile(locale_dir: Path) -> None:
    assert "No .po files to compile" in compile_translations()


def test_it_exits_non_zero_from_the_command_line(tmp_path: Path) -> None:
    """The install step runs it as a program: a broken catalog must fail the install."""
    locale = tmp_path / "locale"
    write_po(locale, HEADER + 'msgid "Unclosed\nmsgstr "x"\n')
    (tmp_path / "catalog_settings.py").write_text(
        f"from roi_portal.settings import *  # noqa: F403\nLOCALE_PATHS = [{str(locale)!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "catalog_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        "PATH": str(tmp_path),  # no msgfmt
    }
    manage = Path(settings.BASE_DIR) / "manage.py"

    result = subprocess.run(
        [sys.executable, str(manage), "compiletranslations"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "es/LC_MESSAGES/django.po" in result.stderr
    assert "line 7" in result.stderr
