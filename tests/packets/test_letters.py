"""The cover letter's text: the entity's placeholders, escaped, Bates numbers kept whole."""

from __future__ import annotations

from requests_app.packets.letters import body_html, enclosure_sentence, fill_placeholders

from .letter_samples import enclosures

ENCLOSURES = enclosures(letter_pages=1, record_pages=10)


def test_it_fills_only_the_documented_placeholders() -> None:
    text = "Dear {patient}, {number} {patient.__class__} {unknown} {phone}"
    filled = fill_placeholders(text, {"patient": "Ana", "number": "ROI-1", "phone": "555"})
    assert filled == "Dear Ana, ROI-1 {patient.__class__} {unknown} 555"


def test_it_escapes_the_admin_text_and_the_values() -> None:
    html = body_html(
        "<b>Dear</b> {patient},\n\n{reason}",
        {"patient": "<script>x</script>"},
        enclosure_sentence(ENCLOSURES),
    )
    assert "&lt;b&gt;Dear&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html.count("<p>") == 2


def test_it_keeps_each_bates_number_on_one_line() -> None:
    sentence = enclosure_sentence(ENCLOSURES)
    assert '<span class="nowrap">COHNMC-ROI-2026-000042-0003</span>' in sentence
    assert "This packet has 12 pages" in sentence and "10 pages in 0 documents" in sentence
