"""A signed-in patient switches the portal to Español on the home page and asks for her own
records on a phone (375 px), reading Spanish on every step; a screenshot of each page goes to
var/shots/es-*.png. Spanish runs about a fifth longer than English: nothing may overflow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from requests_app.models import Location, Request

from .helpers import sign_in_staff
from .test_portal_wizard import continue_, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "shots"
WIDTH = 375


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"es-{name}.png"), full_page=True)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The longer Spanish words must wrap, never push the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name


def heading(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_a_patient_files_her_own_request_in_spanish_on_a_phone(
    live_server, page: Page, entity_a, client, staff_a
) -> None:
    Location.objects.create(
        entity=entity_a, name="Duarte campus", address="1500 East Duarte Road\nDuarte, CA 91010"
    )
    page.set_viewport_size({"width": WIDTH, "height": 812})
    sign_in(page, live_server)

    # The home page, switched to Spanish with the language menu.
    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    heading(page, "Obtenga una copia de sus registros médicos")
    expect(page.get_by_label("Idioma")).to_have_value("es")
    expect(page.get_by_role("button", name="Cambiar")).to_be_visible()
    expect(page.get_by_text("Su derecho a sus registros: 45 CFR 164.524.")).to_be_visible()
    shot(page, "0-home")
    page.get_by_role("link", name="Pida sus registros en línea").click()

    heading(page, "Sus registros médicos")
    expect(page.get_by_text("Hola, María García. ¿Qué le gustaría hacer?")).to_be_visible()
    shot(page, "1-portal")
    page.get_by_role("link", name="Pedir registros").first.click()

    heading(page, "Pedir registros médicos")
    expect(page.get_by_text("Tenga a la mano, si corresponde:")).to_be_visible()
    shot(page, "2-start")
    page.get_by_role("button", name="Empezar").click()

    expect(page).to_have_url(re.compile(r"/whose/$"))
    heading(page, "¿De quién son los registros?")
    expect(page.get_by_role("group", name="¿De quién son los registros que pide?")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Paso 1 de \d+$"))).to_be_visible()
    expect(page.get_by_role("button", name="Guardar y continuar")).to_be_visible()
    shot(page, "3-whose")
    page.get_by_label("Mis propios registros").check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/patient/$"))
    heading(page, "¿Quién es el paciente?")
    expect(page.get_by_label("Nombre", exact=True)).to_have_value("María")
    page.get_by_label("Apellido", exact=True).fill("")
    page.get_by_label("Fecha de nacimiento").fill("1980-02-29")
    continue_(page)
    # The missing last name is explained in Spanish beside the field; the rest is kept.
    expect(page.get_by_text("Por favor, revise las respuestas marcadas abajo.")).to_be_visible()
    expect(page.get_by_text("Este campo es obligatorio.")).to_be_visible()
    expect(page.get_by_label("Fecha de nacimiento")).to_have_value("1980-02-29")
    shot(page, "4-patient-error")
    page.get_by_label("Apellido", exact=True).fill("García")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/where/$"))
    heading(page, "¿Dónde recibió atención?")
    shot(page, "5-where")
    page.get_by_label(entity_a.name).check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/records/$"))
    heading(page, "¿Qué registros quiere?")
    shot(page, "6-records")
    page.get_by_label("Todo (mi expediente médico completo)").check()
    page.locator("input[name=sensitive][value=no]").check()
    continue_(page)

    expect(page).to_have_url(re.compile(r"/delivery/$"))
    heading(page, "¿Cómo los quiere recibir?")
    expect(page.get_by_label("Descargar del portal")).to_be_checked()
    shot(page, "7-delivery")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/uploads/$"))
    heading(page, "Sus documentos")
    expect(page.get_by_text(re.compile("Puede enviar un PDF o una foto"))).to_be_visible()
    shot(page, "8-uploads")
    continue_(page)

    expect(page).to_have_url(re.compile(r"/review/$"))
    heading(page, "Revisar y firmar")
    heading(page, "Solicitud de acceso a registros de salud")
    expect(page.get_by_text("Esto crea 1 solicitud:")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Ley de California: en un plazo de 15 días")).first
    ).to_be_visible()
    shot(page, "9-review")
    page.get_by_label("Escriba su nombre completo para firmar").fill("María García")
    page.get_by_label(re.compile("Leí el texto de arriba")).check()
    page.get_by_role("button", name="Firmar y enviar").click()

    expect(page).to_have_url(re.compile(r"/done/$"))
    heading(page, "Su solicitud se envió")
    request = Request.objects.get()
    expect(page.get_by_text(request.number)).to_be_visible()
    heading(page, "Qué pasa ahora")
    shot(page, "10-done")
    assert request.language == "es"
    assert request.kind == "access"

    page.get_by_role("link", name="Mis solicitudes").first.click()
    heading(page, "Mis solicitudes")
    expect(page.get_by_text("Enviada", exact=True)).to_be_visible()
    shot(page, "11-my-requests")
    page.get_by_role("link", name="Una copia de los registros").click()
    expect(
        page.get_by_text("Tenemos su solicitud. Pronto empezaremos a trabajar en ella.").first
    ).to_be_visible()
    shot(page, "12-detail")
    # Why the due date: in her language here...
    expect(
        page.get_by_text(re.compile(r"Por qué esta fecha: Ley de California: en un plazo de 15"))
    ).to_be_visible()

    # ...and in the clerk's on the request file (the rule is stored as its parts).
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_staff(page, client, staff_a, live_server)
    page.goto(live_server.url + reverse("staff:request_file", args=[request.number]))
    expect(page.get_by_text(re.compile(r"^California law: within 15 days"))).to_be_visible()
    expect(page.get_by_text(re.compile("Ley de California"))).to_have_count(0)
    page.screenshot(path=str(SHOTS / "es-13-staff-file-english-rule.png"))
