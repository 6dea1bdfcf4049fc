"""The printable request form (portal:request_form_pdf): a fillable PDF for people who mail,
fax or walk in, in English or Spanish, for one covered entity or for all of them.

The last tests cover the rendering helper behind it (requests_app/letters/render.py)."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pikepdf.form import Form, RadioButtonGroup

from requests_app.letters.render import (
    LETTER_BASE_URL,
    LetterFetcher,
    letter_language,
    page_numbers_css,
)
from requests_app.models import Location
from requests_app.rules.kinds import ReleaseScope

from ..factories import EntityFactory
from ..pdf import pdf_text

URL = reverse("portal:request_form_pdf")
COH_ADDRESS = "Attn: Health Information Management\n1500 East Duarte Road\nDuarte, CA 91010"


@pytest.fixture
def entity(entity_a):
    entity_a.address = COH_ADDRESS
    entity_a.fax = "626-218-8443"
    entity_a.phone = "626-218-2446"
    entity_a.save()
    Location.objects.create(
        entity=entity_a,
        name="Duarte campus",
        address="1500 East Duarte Road\nDuarte, CA 91010",
        hours="Monday–Friday, 8 a.m.–4:30 p.m.",
    )
    return entity_a


def words_with_heights(content: bytes, tmp_path: Path) -> list[tuple[int, float, float, str]]:
    """(page, top, height, word) for every word, from pdftotext's bounding boxes."""
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode("utf-8")
    words = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        for y_min, y_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            page,
        ):
            words.append((number, float(y_min), float(y_max) - float(y_min), word))
    return words


def fields(content: bytes) -> dict[str, object]:
    pdf = pikepdf.open(BytesIO(content))
    assert "/AcroForm" in pdf.Root, "the PDF has no form"
    return {field.fully_qualified_name: field for field in Form(pdf)}


def test_it_serves_a_fillable_pdf_for_one_entity(client, entity) -> None:
    response = client.get(URL, {"lang": "en", "entity": entity.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        'inline; filename="records-request-form-cohnmc-en.pdf"'
    )
    found = fields(response.content)
    for name in (
        "whose",
        "authority",
        "patient_first_name",
        "patient_other_names",
        "patient_date_of_birth",
        f"seen_location_{entity.locations.get().pk}",
        "type_complete",
        "type_pathology",
        "type_other",
        "dates_1_from",
        "delivery",
        "recipient_name",
        "purpose",
        "expires_on",
        "signed_on",
        "enclose_id",
    ):
        assert name in found, name
    assert "/StructTreeRoot" in pikepdf.open(BytesIO(response.content)).Root  # tagged
    assert isinstance(found["whose"], RadioButtonGroup)
    assert len(found["whose"].options) == 6  # the wizard's six answers

    text = pdf_text(response.content)
    assert "Request for health records" in text
    assert "Whose records are you asking for?" in text
    assert "City of Hope National Medical Center" in text
    assert "1500 East Duarte Road" in text
    assert "Duarte, CA 91010" in text
    assert "626-218-8443" in text
    assert "Duarte campus" in text
    assert "within 15 days" in text  # California's deadline for copies


def test_it_never_asks_for_a_social_security_number_a_notary_or_a_waiver(
    client, entity, entity_b
) -> None:
    for params in ({"lang": "en", "entity": entity.pk}, {"lang": "es"}, {"lang": "en"}):
        response = client.get(URL, params)
        text = pdf_text(response.content).lower()
        names = " ".join(fields(response.content)).lower()
        assert "social security" not in text
        assert "seguro social" not in text
        assert "ssn" not in names and "social" not in names
        assert "notarized" not in text and "notarizado" not in text
        assert "waive" not in text and "hold harmless" not in text and "liability" not in text


def test_it_prints_every_element_and_statement_of_an_authorization(client, entity) -> None:
    entity.policy.default_authorization_days = 60
    entity.policy.save()

    text = pdf_text(client.get(URL, {"entity": entity.pk}).content)

    # 164.508(c)(1): who discloses, what, to whom, why, until when, signature and date,
    # and the authority of a representative who signs.
    assert "I ask City of Hope National Medical Center to release the records" in text
    assert "What records do you want?" in text
    assert "Who should receive them?" in text
    assert "Why are the records needed?" in text
    assert "This permission ends on" in text
    # California wants a specific date: the form's default term gives one.
    assert "If you leave it blank, it ends 60 days after the date you sign." in text
    assert "Signature of the patient, or of the person acting for the patient" in text
    assert "Date signed" in text
    assert "If you sign for the patient: your authority" in text
    # 164.508(c)(2) statements and California's additions (Civil Code 56.11).
    assert "I may cancel (revoke) this permission at any time by sending a signed letter" in text
    assert "do not depend on whether I sign this permission" in text
    assert "that person could share them again" in text
    assert "I have the right to receive a copy of this signed form." in text
    assert "My signature below is used only for this permission." in text
    # What to enclose.
    assert "A copy of a photo ID" in text
    assert "a copy of the death certificate" in text


def test_the_authorization_is_printed_in_at_least_14_point_type(client, entity, tmp_path) -> None:
    content = client.get(URL, {"entity": entity.pk}).content
    words = words_with_heights(content, tmp_path)
    (page,) = {p for p, _top, _h, word in words if word == "understand"}
    body = [(h, word) for p, top, h, word in words if p == page and top < 792 - 0.7 * 72]

    # DejaVu Sans: a word's box is 1.164 em tall, so 14-point type gives 16.3 points.
    assert body
    assert min(h for h, _word in body) >= 14 * 1.16, sorted(body)[:5]


def test_it_offers_only_the_delivery_methods_of_the_entity(client, entity) -> None:
    entity.policy.delivery_methods = ["mail", "portal"]
    entity.policy.save()

    content = client.get(URL, {"entity": entity.pk}).content

    pdf = pikepdf.open(BytesIO(content))
    (delivery,) = [f for f in pdf.Root.AcroForm.Fields if str(f.get("/T")) == "delivery"]
    assert [str(value) for value in delivery.Opt] == ["mail", "portal"]
    assert str(delivery.TU) == "How should we send the records?"


def test_it_lists_every_entity_when_none_is_given(client, entity, entity_b) -> None:
    entity_b.address = "City of Hope Medical Foundation\n1500 East Duarte Road\nDuarte, CA"
    entity_b.save()
    Location.objects.create(
        entity=entity_b,
        name="Pasadena clinic",
        address="Pasadena, CA",
        release_scope=ReleaseScope.OWN_LOCATION,
    )
    EntityFactory(name="Not set up yet", with_policy=False)

    response = client.get(URL, {"lang": "en"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="records-request-form-en.pdf"'
    found = fields(response.content)
    assert f"seen_entity_{entity.pk}" in found
    assert f"seen_entity_{entity_b.pk}" in found
    text = pdf_text(response.content)
    assert "City of Hope National Medical Center" in text
    assert "City of Hope Medical Foundation" in text
    assert "Pasadena clinic (releases only its own records)" in text
    assert "Not set up yet" not in text


def test_it_renders_in_spanish(client, entity) -> None:
    english = client.get(URL, {"lang": "en", "entity": entity.pk})
    response = client.get(URL, {"lang": "es", "entity": entity.pk})

    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert response["Content-Disposition"].endswith('-es.pdf"')
    assert str(pikepdf.open(BytesIO(response.content)).Root.Lang) == "es"
    text = pdf_text(response.content)
    with translation.override("es"):
        # Whatever the catalog says, the form prints it: Spanish once translated.
        heading = translation.gettext("Whose records are you asking for?")
        email = translation.gettext("Email")
    assert heading in text
    assert email == "Correo electrónico"  # Django's own catalog: accents survive the PDF
    assert email in text
    assert text != pdf_text(english.content)
    assert "1500 East Duarte Road" in text  # addresses are not translated


def test_it_falls_back_to_english_for_an_unknown_language(client, entity) -> None:
    response = client.get(URL, {"lang": 'xx-evil"<>', "entity": entity.pk})

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert str(pikepdf.open(BytesIO(response.content)).Root.Lang) == "en"


def test_it_uses_the_visitors_language_when_none_is_asked(client, entity) -> None:
    response = client.get(URL, {"entity": entity.pk}, headers={"accept-language": "es"})

    assert response["Content-Language"] == "es"


@pytest.mark.parametrize("raw", ["999999", "abc", "-1", "1.0", "1e3", "٣", "9" * 30, "1 OR 1=1"])
def test_it_answers_404_for_an_unknown_or_malformed_entity(client, entity, raw) -> None:
    assert client.get(URL, {"entity": raw}).status_code == 404


def test_it_answers_404_for_an_entity_that_is_not_set_up(client, db) -> None:
    unset = EntityFactory(with_policy=False)

    assert client.get(URL, {"entity": unset.pk}).status_code == 404


def test_it_is_never_cached_and_only_answers_get(client, entity) -> None:
    response = client.get(URL, {"entity": entity.pk})
    assert "no-store" in response["Cache-Control"]

    assert client.post(URL).status_code == 405


# --- The rendering helper (requests_app/letters/render.py) ---------------------------------


def test_letter_language_accepts_only_offered_languages() -> None:
    assert letter_language("es") == "es"
    assert letter_language("es-MX") == "es"
    assert letter_language("es_MX") == "es"
    assert letter_language("ES") == "es"
    assert letter_language("fr") == settings.LANGUAGE_CODE
    assert letter_language("") == settings.LANGUAGE_CODE
    assert letter_language(None) == settings.LANGUAGE_CODE


def test_the_page_numbers_are_one_translated_sentence() -> None:
    with translation.override("en"):
        assert page_numbers_css() == '"Page " counter(page) " of " counter(pages) ""'


def test_the_letter_fetcher_serves_static_files_only() -> None:
    fetcher = LetterFetcher()
    css = fetcher.fetch(LETTER_BASE_URL + "static/css/letters.css")
    assert b"appearance: auto" in css.read()
    assert css.content_type == "text/css"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        LETTER_BASE_URL + "static/../roi_portal/settings.py",
        LETTER_BASE_URL + "static/%2e%2e/manage.py",
        LETTER_BASE_URL + "media/drafts/secret.pdf",
        LETTER_BASE_URL + "static/css/no-such-file.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
