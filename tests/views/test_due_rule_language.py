"""The rule behind a due date is written in the reader's language, whoever filed the request and
in whatever language: a request keeps what the rule is made of (Request.due_rule_parts), never
the words. A patient files in Spanish; the English-speaking clerk reads the rule in English, the
patient in Spanish (or English, after switching), and the confirmation email goes out in the
requester's language even when an English-speaking clerk typed the request in."""

from __future__ import annotations

import time_machine
from django.test import Client
from django.urls import reverse

from requests_app.models import Request

from ..factories import RequesterFactory, submit
from .portal_wizard.steps import PATIENT, answer, key_of, start, step
from .test_spanish import NOW, SPANISH, words

CITATION = "Cal. Health & Safety Code 123110"
ENGLISH_RULE = f"California law: within 15 days ({CITATION})"
SPANISH_RULE = f"Ley de California: en un plazo de 15 días ({CITATION})"


def file_in_spanish(client: Client, entity) -> Request:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(client))
    answer(client, key, "whose", {"choice": "self"}, expect="patient")
    answer(client, key, "patient", PATIENT, expect="where")
    answer(client, key, "where", {"place": f"entity:{entity.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    answer(client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(client, key, "uploads", {}, expect="review")
    response = client.post(step(key, "review"), {"signature_name": "María García", "attest": "on"})
    assert response.status_code == 302
    assert SPANISH_RULE in words(client.get(response.url, **SPANISH))  # the "sent" page
    return Request.objects.get()


@time_machine.travel(NOW, tick=False)
def test_each_reader_sees_the_rule_in_their_own_language(
    client, patient_user, entity_a, staff_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    patient_user.email = "maria@example.org"
    patient_user.save()
    client.force_login(patient_user)
    with django_capture_on_commit_callbacks(execute=True):
        request = file_in_spanish(client, entity_a)
    assert request.language == "es"
    detail = reverse("portal:request_detail", args=[request.number])

    # The patient, in Spanish.
    page = words(client.get(detail, **SPANISH))
    assert f"Por qué esta fecha: {SPANISH_RULE}." in page
    assert f"Regla de la fecha límite {SPANISH_RULE}" in page  # on the timeline too
    assert "California law" not in page
    # The confirmation email, in the language the request was filed in.
    (message,) = [m for m in mailoutbox if request.number in m.subject]
    assert f"({SPANISH_RULE})" in message.body
    assert "California law" not in message.body
    # The same patient after switching to English.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = words(client.get(detail))
    assert f"Why this date: {ENGLISH_RULE}." in page
    assert f"Due date rule {ENGLISH_RULE}" in page
    assert "Ley de California" not in page

    # The HIM clerk, in English, on the Spanish requester's file.
    clerk = Client()
    clerk.force_login(staff_a)
    page = words(clerk.get(reverse("staff:request_file", kwargs={"number": request.number})))
    assert f"Rule {ENGLISH_RULE}" in page
    assert "Ley de California" not in page


def test_the_email_follows_the_requester_not_the_clerk(
    entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    # An English-speaking clerk types in a paper request from a Spanish-speaking requester
    # (the autouse fixture keeps English active, as the clerk's request would).
    requester = RequesterFactory(email="rosa@example.org", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(entity=entity_a, requester=requester, language="es", channel="mail")
    (message,) = [m for m in mailoutbox if request.number in m.subject]
    assert f"({SPANISH_RULE})" in message.body
    assert "California law" not in message.body
    ((html, _mimetype),) = message.alternatives
    assert "Ley de California: en un plazo de 15 días" in html


def test_an_old_request_shows_the_words_it_stored(client, entity_a, staff_a) -> None:
    # Stored before the parts existed, and not recomputable (migration 0007): its words stay.
    request = submit(entity=entity_a)
    Request.objects.filter(pk=request.pk).update(
        due_rule_parts={}, due_rule="Nuestra política: en un plazo de 12 días"
    )
    client.force_login(staff_a)
    page = words(client.get(reverse("staff:request_file", kwargs={"number": request.number})))
    assert "Rule Nuestra política: en un plazo de 12 días" in page
