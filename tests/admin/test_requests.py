"""Requests in the admin: the status machine stays in the services (the status is shown,
never edited; assigning goes through the service), and the search finds what staff type."""

from __future__ import annotations

from datetime import date

from requests_app.models import Patient, Request, TimelineEvent
from requests_app.workflow import Status

from ..factories import PatientFactory, RequesterFactory, submit
from .helpers import form_data, url


def test_the_request_page_does_not_offer_to_edit_the_status(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    response = hilda_client.get(url(Request, "change", request.pk))
    content = response.content.decode()
    assert 'name="status"' not in content
    assert 'name="due_on"' not in content
    assert 'name="number"' not in content
    assert "Start review" in content  # the next step, named, for the staff workspace
    assert 'name="recipient_name"' in content


def test_a_posted_status_is_ignored(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    data = form_data(hilda_client.get(url(Request, "change", request.pk)))
    data.update(status=Status.RELEASED, due_on="2030-01-01", recipient_name="Dr. Lee")
    response = hilda_client.post(url(Request, "change", request.pk), data)
    assert response.status_code == 302, response.context["errors"]
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert request.due_on != date(2030, 1, 1)
    assert request.recipient_name == "Dr. Lee"


def test_a_signed_electronic_authorization_is_read_only(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    content = hilda_client.get(url(Request, "change", request.pk)).content.decode()
    assert 'name="authorization-0-recipient_name"' not in content
    assert 'name="authorization-0-revocation_reason"' in content


def test_assign_to_me_goes_through_the_service(hilda_client, hilda, one_of_each) -> None:
    request = one_of_each[Request]
    response = hilda_client.post(
        url(Request, "changelist"), {"action": "assign_to_me", "_selected_action": [request.pk]}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assignee == hilda
    assert request.events.filter(kind=TimelineEvent.Kind.ASSIGNMENT, actor=hilda).exists()


def test_it_finds_requests_by_number_patient_and_requester(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    other = submit(
        entity=request.entity,
        patient=PatientFactory(last_name="Nguyen"),
        requester=RequesterFactory(full_name="Nguyen Law Group"),
    )
    for term in (request.number, "garcía", "García 02/29/1980"):
        response = hilda_client.get(url(Request, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [request], term
    response = hilda_client.get(url(Request, "changelist"), {"q": "nguyen law"})
    assert list(response.context["cl"].result_list) == [other]


def test_it_finds_patients_by_other_names_and_date_of_birth(hilda_client, patient) -> None:
    PatientFactory(first_name="María", last_name="García", date_of_birth=date(1990, 5, 1))
    for term, found in (
        ("lópez", [patient]),
        ("garcía 1980-02-29", [patient]),
        ("garcía 05/01/1990", [Patient.objects.get(date_of_birth="1990-05-01")]),
    ):
        response = hilda_client.get(url(Patient, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == found, term
