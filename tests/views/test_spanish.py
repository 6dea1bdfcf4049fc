"""Co-equal Spanish (DOMAIN.md section 8): the pages a patient uses, the printable form, the
status words, the defect messages and the confirmation email come out in Spanish when the
person chose Spanish; and the catalog has no message left in English or marked fuzzy.

Run `manage.py compiletranslations` first (make test does): Django reads the compiled .mo."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from requests_app.models import Request
from requests_app.rules.authorization import AuthorizationFacts, authorization_defects
from requests_app.rules.kinds import RequesterRole, RequestKind
from requests_app.workflow import Status

from ..pdf import pdf_text
from .portal_wizard.steps import PATIENT, answer, key_of, start, step

pytestmark = pytest.mark.django_db

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def words(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def spanish_page(client: Client, url: str) -> str:
    response = client.get(url, **SPANISH)
    assert response["Content-Language"] == "es"
    assert '<html lang="es"' in response.content.decode()
    return words(response)


@pytest.fixture
def patient_client(client: Client, patient_user) -> Client:
    patient_user.email = "maria@example.org"
    patient_user.save()
    client.force_login(patient_user)
    return client


# --- The pages


def test_the_home_page_is_in_spanish(client, entity_a) -> None:
    page = spanish_page(client, "/")
    assert "Obtenga una copia de sus registros médicos" in page
    assert "Pida sus registros en línea" in page
    assert "Su derecho a sus registros: 45 CFR 164.524." in page  # the citation is kept
    assert "Get a copy of your medical records" not in page


def test_the_portal_home_is_in_spanish(client, entity_a) -> None:
    page = spanish_page(client, reverse("portal:home"))
    assert "Sus registros médicos" in page
    assert "¿Cómo quiere continuar?" in page
    assert "Continuar sin una cuenta" in page
    assert "Nunca le pedimos su número de Seguro Social ni un formulario notarizado." in page


def test_the_sign_up_page_is_in_spanish(client, entity_a) -> None:
    page = spanish_page(client, reverse("portal:signup"))
    assert "Crear una cuenta" in page
    assert "Elija una contraseña" in page
    assert "¿En qué idioma quiere que le escribamos?" in page
    assert "Crear mi cuenta" in page


def test_the_sign_in_page_is_in_spanish(client, entity_a) -> None:
    page = spanish_page(client, reverse("portal:login"))
    assert "Iniciar sesión" in page
    assert "¿Olvidó su contraseña?" in page
    assert "Forgot your password?" not in page


def test_the_language_cookie_alone_is_enough(client, entity_a) -> None:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = words(client.get(reverse("portal:signup")))
    assert "Crear una cuenta" in page


def test_the_wizard_starts_in_spanish(patient_client, entity_a) -> None:
    start_page = spanish_page(patient_client, reverse("portal:wizard_start"))
    assert "Pedir registros médicos" in start_page
    assert "Tenga a la mano, si corresponde:" in start_page

    patient_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(patient_client))
    whose = spanish_page(patient_client, step(key, "whose"))
    assert "¿De quién son los registros que pide?" in whose
    assert re.search(r"Paso 1 de \d+", whose)
    assert "Mis propios registros" in whose
    assert "Usted tiene derecho a obtener sus propios registros (45 CFR 164.524)." in whose
    assert "Guardar y continuar" in whose
    assert whose.index("Mis propios registros") < whose.index("Registros de alguien a quien")

    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    patient = spanish_page(patient_client, step(key, "patient"))
    assert "Nunca le pedimos un número de Seguro Social." in patient
    assert "Fecha de nacimiento" in patient


def test_a_missing_answer_is_explained_in_spanish(patient_client, entity_a) -> None:
    patient_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    response = answer(patient_client, key, "patient", {**PATIENT, "last_name": ""})
    page = words(response)
    assert "Por favor, revise las respuestas marcadas abajo." in page
    assert "Este campo es obligatorio." in page  # Django's own Spanish catalog


def test_my_requests_is_in_spanish(patient_client, entity_a) -> None:
    page = spanish_page(patient_client, reverse("portal:my_requests"))
    assert "Mis solicitudes" in page
    assert "Todavía no ha pedido ningún registro." in page
    assert "¿Hay algo mal en sus registros? Pídanos que lo corrijamos." in page


def test_the_amendment_form_is_in_spanish(patient_client, patient, entity_a) -> None:
    page = spanish_page(patient_client, reverse("portal:amendment_new"))
    assert "Pídanos que corrijamos sus registros" in page
    assert "(45 CFR 164.526)" in page
    assert "¿Qué está mal en los registros?" in page
    assert "Es gratis." in page
    assert "Enviar la solicitud" in page


def test_the_printable_form_is_in_spanish(client, entity_a) -> None:
    response = client.get(reverse("portal:request_form_pdf"), {"lang": "es"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Solicitud de registros de salud" in text
    assert "¿De quién son los registros que pide?" in text
    assert "¿Cómo debemos enviar los registros?" in text
    assert "Su permiso y su firma" in text
    assert "45 CFR 164.524" in text
    assert "Request for health records" not in text


# --- Words built in Python


def test_status_labels_are_in_spanish() -> None:
    with translation.override("es"):
        assert str(Status.SUBMITTED.label) == "Enviada"
        assert str(Status.PENDING_REQUESTER.label) == "Esperando información de usted"
        assert str(Status.RELEASED.label) == "Entregada"
        assert str(Status.PARTIALLY_DENIED.label) == "Denegada en parte"
    with translation.override("en"):
        assert str(Status.SUBMITTED.label) == "Submitted"


def test_authorization_defects_are_in_spanish() -> None:
    facts = AuthorizationFacts(kind=RequestKind.AUTHORIZED, requester_role=RequesterRole.SELF)
    with translation.override("es"):
        defects = {
            d.code: d.message
            for d in authorization_defects(facts, jurisdiction="CA", today=date(2026, 3, 2))
        }
    assert defects["missing_signature"] == "Por favor, firme el formulario."
    assert defects["missing_purpose"] == "Díganos para qué se necesitan los registros."
    assert defects["missing_recipient_name"] == "Díganos quién debe recibir los registros."
    english = ("Tell us", "Please", "The form must", "Describe")
    assert not [m for m in defects.values() if m.startswith(english)]


@time_machine.travel(NOW, tick=False)
def test_a_request_filed_in_spanish_is_confirmed_by_email_in_spanish(
    patient_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    patient_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    records = {"types": ["complete"], "sensitive": "no"}
    answer(patient_client, key, "records", records, expect="delivery")
    answer(patient_client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(patient_client, key, "uploads", {}, expect="review")
    review = spanish_page(patient_client, step(key, "review"))
    assert "Revisar y firmar" in review
    assert "Solicitud de acceso a registros de salud" in review
    assert "17 de marzo de 2026" in review  # the due date, written the Spanish way
    assert "Costo estimado" in review

    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            step(key, "review"), {"signature_name": "María García", "attest": "on"}
        )
    assert response.status_code == 302
    done = spanish_page(patient_client, response.url)
    assert "Su solicitud se envió" in done
    assert "Qué pasa ahora" in done

    request = Request.objects.get()
    assert request.language == "es"
    (message,) = [m for m in mailoutbox if request.number in m.subject]
    assert message.subject == f"Recibimos su solicitud de registros {request.number}"
    assert message.to == ["maria@example.org"]
    body = message.body
    assert "Hola, María García:" in body
    assert "Recibimos su solicitud de los registros médicos de María García." in body
    assert "Fecha límite: 17 de marzo de 2026" in body
    assert "Qué pasa ahora:" in body
    assert "Inicie sesión en el portal para ver su solicitud en Mis solicitudes." in body
    assert "We received" not in body


# --- The catalog


def test_the_spanish_catalog_is_complete_and_checked() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.locale and str(catalog.locale) == "es"
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") in {"(n!=1)", "n!=1"}
    messages = [m for m in catalog if m.id]
    assert len(messages) > 1000
    untranslated = [
        m.id for m in messages if not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    # Placeholders that differ from the English would raise KeyError when a page renders.
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    # The compiled catalog is the one Django loads.
    with translation.override("es"):
        assert translation.gettext("My requests") == "Mis solicitudes"
