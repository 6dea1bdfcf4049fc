"""A patient asks for their own records, start to done: every page, the request it makes, the
confirmation email, the timeline, and a draft continued later."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from requests_app.models import Authorization, Request, RequestDraft, TimelineEvent

from .steps import NOW, PATIENT, answer, key_of, self_request_until_review, start, step

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_it_files_a_self_request_from_start_to_done(
    patient_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    page = patient_client.get(reverse("portal:wizard_start"))
    assert "Ask for medical records" in page.content.decode()
    key = key_of(start(patient_client))

    whose = patient_client.get(step(key, "whose")).content.decode()
    assert "My own records" in whose
    assert whose.index("My own records") < whose.index("Records of someone I represent")
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    patient_page = patient_client.get(step(key, "patient")).content.decode()
    assert 'value="María"' in patient_page  # filled in from the account
    assert "Social Security" in patient_page  # ... only to say it is never asked
    assert 'name="ssn"' not in patient_page
    answer(patient_client, key, "patient", PATIENT, expect="where")
    where = patient_client.get(step(key, "where")).content.decode()
    assert "City of Hope National Medical Center" in where
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {
            "types": ["lab_results", "billing"],
            "rows_lab_results": "2",
            "from_lab_results_0": "2025-01-01",
            "to_lab_results_0": "2025-06-30",
            "from_lab_results_1": "2025-09-01",
            "to_lab_results_1": "2025-12-31",
            "sensitive": "no",
        },
        expect="delivery",
    )
    delivery = patient_client.get(step(key, "delivery")).content.decode()
    # The fastest secure method is preselected.
    assert re.search(r'value="portal"[^>]*checked', delivery)
    answer(patient_client, key, "delivery", {"method": "portal"}, expect="uploads")
    uploads = patient_client.get(step(key, "uploads")).content.decode()
    assert "10" in uploads and "MB" in uploads  # the size limit is stated
    assert "Not required" in uploads  # identity is no barrier for a signed-in patient
    answer(patient_client, key, "uploads", {}, expect="review")

    review = patient_client.get(step(key, "review")).content.decode()
    assert "California law: within 15 days" in review
    assert "March 17, 2026" in review  # the due date, 15 calendar days after receipt
    assert "Estimated fee" in review
    assert "This makes 1 request" in review
    assert 'class="signed-text"' in review
    for html in (whose, patient_page, where, delivery, uploads, review):
        assert 'name="purpose"' not in html  # never a reason for one's own records

    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            step(key, "review"),
            {"signature_name": "María García", "attest": "on"},
            HTTP_USER_AGENT="pytest-browser/1.0",
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 302
    assert response.url == reverse("portal:wizard_done", kwargs={"key": key})
    done = patient_client.get(response.url).content.decode()

    request = Request.objects.get()
    assert request.number == "ROI-2026-000001"
    assert request.number in done
    assert "What happens next" in done
    assert request.kind == "access"
    assert request.channel == "portal"
    assert request.purpose == ""
    assert request.received_at == NOW
    assert request.due_on == date(2026, 3, 17)
    assert "15 days" in request.due_rule_text
    assert escape(request.due_rule_text) in done  # the rule under the due date
    assert request.fee_estimate["total"] == "0.00"
    assert request.delivery_method == "portal"
    assert request.requester.role == "self"
    assert request.requester.user == request.patient.user
    assert request.patient.date_of_birth == date(1980, 2, 29)
    assert request.patient.other_names == "María López"
    items = {i.record_type: i.date_ranges for i in request.items.all()}
    assert items == {
        "lab_results": [["2025-01-01", "2025-06-30"], ["2025-09-01", "2025-12-31"]],
        "billing": [],
    }
    assert not Authorization.objects.exists()  # a right of access needs no authorization
    signed = request.events.get(action="signed")
    assert signed.data["ip"] == "203.0.113.7"
    assert signed.data["user_agent"] == "pytest-browser/1.0"
    assert signed.data["signature_name"] == "María García"
    draft = RequestDraft.objects.get(key=key)
    assert draft.submitted_at == NOW and draft.submission == request.submission

    confirmation = [m for m in mailoutbox if "We received your records request" in m.subject]
    assert len(confirmation) == 1
    assert confirmation[0].to == ["maria@example.org"]
    assert request.number in confirmation[0].body
    assert "March 17, 2026" in confirmation[0].body
    assert "California law: within 15 days" in confirmation[0].body
    detail = reverse("portal:request_detail", kwargs={"number": request.number})
    # Links in emails are built on settings.SITE_URL, never on the Host of the request.
    assert f"{settings.SITE_URL}{detail}" in confirmation[0].body
    assert detail in done  # the number links to the request's own page


@time_machine.travel(NOW, tick=False)
def test_it_offers_to_continue_an_unfinished_draft(patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    # The browser is closed; later the patient comes back to the start page.
    page = patient_client.get(reverse("portal:wizard_start")).content.decode()
    assert "Continue where you left off" in page
    assert step(key, "where") in page
    assert "María García" in page
    back = patient_client.get(step(key, "patient")).content.decode()
    assert 'value="1980-02-29"' in back  # nothing was lost


def test_the_created_event_and_signature_are_on_the_timeline(patient_client, entity_a) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    patient_client.post(step(key, "review"), {"signature_name": "María García", "attest": "on"})
    request = Request.objects.get()
    kinds = set(request.events.values_list("kind", flat=True))
    assert {TimelineEvent.Kind.CREATED, TimelineEvent.Kind.DOCUMENT} <= kinds


def test_the_spanish_pages_keep_the_same_structure(patient_client, entity_a) -> None:
    patient_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(patient_client))
    html = patient_client.get(step(key, "whose")).content.decode()
    assert '<html lang="es"' in html
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    assert RequestDraft.objects.get(key=key).language == "es"
