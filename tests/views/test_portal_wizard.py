"""The request wizard over HTTP, the way a patient, a representative, a third party and a
guest use it: GET each step, POST it, follow the redirect, read what the page says."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from requests_app.access import portal as access
from requests_app.models import Authorization, Location, Request, RequestDraft, TimelineEvent
from requests_app.rules.kinds import ReleaseScope

from ..factories import EntityFactory, OrganizationFactory, UserFactory

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday

pytestmark = pytest.mark.django_db


# --- helpers: what a person does on each page


def start(client: Client) -> str:
    response = client.post(reverse("portal:wizard_start"))
    assert response.status_code == 302, response.content[:500]
    assert response.url.endswith("/whose/")
    return response.url


def key_of(url: str) -> str:
    return re.search(r"/request/([0-9a-f-]{36})/", url).group(1)


def step(key: str, slug: str) -> str:
    return reverse("portal:wizard_step", kwargs={"key": key, "step": slug})


def answer(client: Client, key: str, slug: str, data: dict, *, expect: str | None = None):
    """POST a step; by default expect to be sent on to the step `expect`."""
    response = client.post(step(key, slug), data)
    if expect is None:
        return response
    assert response.status_code == 302, _problems(response)
    assert response.url == step(key, expect), (response.url, _problems(response))
    return response


def _problems(response) -> str:
    text = response.content.decode()
    return " | ".join(
        re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>\s*</div>', text, re.S)
    )


PATIENT = {
    "first_name": "María",
    "last_name": "García",
    "other_names": "María López",
    "date_of_birth": "1980-02-29",
    "phone": "626-555-0100",
    "address": "1 Main St\nDuarte, CA 91010",
}


def self_request_until_review(client: Client, place: str, **records) -> str:
    key = key_of(start(client))
    answer(client, key, "whose", {"choice": "self"}, expect="patient")
    answer(client, key, "patient", PATIENT, expect="where")
    answer(client, key, "where", {"place": place}, expect="records")
    data = {
        "types": ["lab_results", "billing"],
        "rows_lab_results": "2",
        "from_lab_results_0": "2025-01-01",
        "to_lab_results_0": "2025-06-30",
        "from_lab_results_1": "2025-09-01",
        "to_lab_results_1": "2025-12-31",
        "sensitive": "no",
        **records,
    }
    answer(client, key, "records", data, expect="delivery")
    answer(client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(client, key, "uploads", {}, expect="review")
    return key


@pytest.fixture
def patient_client(client: Client, patient_user) -> Client:
    patient_user.email = "maria@example.org"
    patient_user.save()
    client.force_login(patient_user)
    return client


@pytest.fixture
def guest_client(client: Client) -> Client:
    # What the guest code pages leave in the session once the address is confirmed.
    session = client.session
    session[access.GUEST_EMAIL] = "ana.guest@example.org"
    session[access.GUEST_DRAFTS] = []
    session[access.GUEST_REQUESTS] = []
    session.save()
    return client


# --- a self request, end to end


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
    assert "15 days" in request.due_rule
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


# --- bad input never loses answers and never gives a 500


def test_it_refuses_a_date_of_birth_in_the_future_and_keeps_the_answers(
    patient_client, entity_a
) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    response = answer(patient_client, key, "patient", {**PATIENT, "date_of_birth": "2999-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The date of birth cannot be in the future." in html
    assert 'value="María López"' in html or "María López" in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_date_of_birth_error"' in html
    old = answer(patient_client, key, "patient", {**PATIENT, "date_of_birth": "1850-01-01"})
    assert "Please check the year of birth." in old.content.decode()


def test_a_forged_step_order_goes_back_to_the_first_step_still_to_do(patient_client, entity_a):
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    for forged in ("delivery", "review", "uploads"):
        response = patient_client.post(step(key, forged), {"method": "portal"})
        assert response.status_code == 302
        assert response.url == step(key, "patient")
    page = patient_client.get(step(key, "review"), follow=True)
    assert page.status_code == 200
    assert "Please finish this step first." in page.content.decode()
    assert patient_client.get(step(key, "no-such-step")).status_code == 404
    assert not Request.objects.exists()


def test_another_persons_draft_key_is_a_404(client, patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    outsider = UserFactory(username="outsider")
    other = Client()
    other.force_login(outsider)
    assert other.get(step(key, "whose")).status_code == 404
    assert other.post(step(key, "whose"), {"choice": "self"}).status_code == 404
    assert other.get(reverse("portal:wizard_done", kwargs={"key": key})).status_code == 404
    anonymous = Client()
    assert anonymous.get(step(key, "whose")).status_code == 404
    # A made-up key is no different.
    assert (
        patient_client.get(step("0" * 8 + "-0000-0000-0000-" + "0" * 12, "whose")).status_code
        == 404
    )


@time_machine.travel(NOW, tick=False)
def test_a_double_submit_creates_nothing_twice(
    patient_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    signature = {"signature_name": "María García", "attest": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        first = patient_client.post(step(key, "review"), signature)
        second = patient_client.post(step(key, "review"), signature)
    done = reverse("portal:wizard_done", kwargs={"key": key})
    assert first.url == done and second.url == done
    assert Request.objects.count() == 1
    assert len([m for m in mailoutbox if "We received" in m.subject]) == 1
    # The service itself, called again, returns the same request.
    from requests_app.services.drafts import SignatureInput, draft_submit

    again = draft_submit(
        draft=RequestDraft.objects.get(key=key),
        signature=SignatureInput("María García", None, "", None, ""),
        language="en",
    )
    assert [r.pk for r in again] == [Request.objects.get().pk]


def test_the_review_page_refuses_a_submit_without_signature(patient_client, entity_a) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    response = patient_client.post(step(key, "review"), {"signature_name": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert not Request.objects.exists()


# --- an organization-wide request is split, and the split is shown before submit


@time_machine.travel(NOW, tick=False)
def test_it_splits_a_request_to_the_organization_into_one_per_entity(
    patient_client, org, entity_a, entity_b, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    where = None
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    where = patient_client.get(step(key, "where")).content.decode()
    assert "All of City of Hope" in where
    assert "2 requests, one to each" in where
    answer(patient_client, key, "where", {"place": f"org:{org.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    answer(patient_client, key, "delivery", {"method": "secure_email"}, expect="uploads")
    answer(patient_client, key, "uploads", {}, expect="review")
    review = patient_client.get(step(key, "review")).content.decode()
    assert "This makes 2 requests" in review
    assert review.count("California law: within 15 days") == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(
            step(key, "review"), {"signature_name": "María García", "attest": "on"}
        )
    done = patient_client.get(response.url).content.decode()
    requests = list(Request.objects.order_by("number"))
    assert {r.entity for r in requests} == {entity_a, entity_b}
    assert len({r.submission for r in requests}) == 1
    for request in requests:
        assert request.number in done
    # One confirmation for the whole submission, not one email per split request.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "We received" in mail.subject
    assert all(r.number in mail.body for r in requests)


def test_a_clinic_that_releases_its_own_records_is_explained(patient_client, entity_a) -> None:
    Location.objects.create(
        entity=entity_a,
        name="USC Care clinic, Pasadena",
        address="Pasadena, CA",
        release_scope=ReleaseScope.OWN_LOCATION,
    )
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    where = patient_client.get(step(key, "where")).content.decode()
    assert "Only the clinic USC Care clinic, Pasadena" in where
    assert "only the records made at this clinic" in where


def test_only_delivery_methods_every_entity_offers_are_shown(patient_client, org, entity_a):
    other = EntityFactory(organization=org, name="Small clinic", bates_prefix="SMALL")
    other.policy.delivery_methods = ["mail", "secure_email"]
    other.policy.save()
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"org:{org.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    html = patient_client.get(step(key, "delivery")).content.decode()
    assert 'value="portal"' not in html
    assert re.search(r'value="secure_email"[^>]*checked', html)
    assert 'value="mail"' in html
    # A forged method is refused on the page.
    response = answer(patient_client, key, "delivery", {"method": "portal"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


# --- a guest


@time_machine.travel(NOW, tick=False)
def test_a_guest_files_a_request_and_can_see_it(
    guest_client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    page = guest_client.get(step("00000000-0000-0000-0000-000000000000", "whose"))
    assert page.status_code == 404
    key = key_of(start(guest_client))
    answer(guest_client, key, "whose", {"choice": "self"}, expect="patient")
    html = guest_client.get(step(key, "patient")).content.decode()
    assert "ana.guest@example.org" in html  # the confirmed address, not asked again
    answer(guest_client, key, "patient", {**PATIENT, "first_name": "Ana"}, expect="where")
    answer(guest_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(
        guest_client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery"
    )
    answer(guest_client, key, "delivery", {"method": "portal"}, expect="uploads")
    uploads = guest_client.get(step(key, "uploads")).content.decode()
    assert "Optional" in uploads  # ID helps, but is never a barrier
    answer(guest_client, key, "uploads", {}, expect="review")
    with django_capture_on_commit_callbacks(execute=True):
        response = guest_client.post(
            step(key, "review"), {"signature_name": "Ana García", "attest": "on"}
        )
    done = guest_client.get(response.url)
    request = Request.objects.get()
    assert done.status_code == 200
    assert request.number in done.content.decode()
    assert request.requester.user is None
    assert request.requester.email == "ana.guest@example.org"
    assert request.patient.user is None
    assert access.portal_requests(done.wsgi_request).get() == request
    mail = next(m for m in mailoutbox if "We received" in m.subject)
    assert mail.to == ["ana.guest@example.org"]
    assert request.number in mail.body
    link = re.search(re.escape(settings.SITE_URL) + r"(/portal/track/\S+)", mail.body)
    assert link, mail.body  # the guest follows the request from this link
    # Another guest session cannot open the done page.
    stranger = Client()
    session = stranger.session
    session[access.GUEST_EMAIL] = "someone.else@example.org"
    session.save()
    assert stranger.get(response.url).status_code == 404


def test_an_unknown_visitor_is_offered_to_sign_in_or_continue_as_guest(client, entity_a) -> None:
    page = client.get(reverse("portal:wizard_start"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{reverse('portal:guest_start')}?next=%2Fportal%2Frequest%2F" in html
    assert f"{reverse('portal:login')}?next=%2Fportal%2Frequest%2F" in html
    # Posting without an identity creates nothing.
    assert client.post(reverse("portal:wizard_start")).status_code == 200
    assert not RequestDraft.objects.exists()


def test_staff_never_file_through_the_portal(client, staff_a, entity_a) -> None:
    client.force_login(staff_a)
    client.post(reverse("portal:wizard_start"))
    assert not RequestDraft.objects.exists()


def test_the_spanish_pages_keep_the_same_structure(patient_client, entity_a) -> None:
    patient_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    key = key_of(start(patient_client))
    html = patient_client.get(step(key, "whose")).content.decode()
    assert '<html lang="es"' in html
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    assert RequestDraft.objects.get(key=key).language == "es"


def test_a_second_organization_with_no_policy_is_not_offered(patient_client, entity_a) -> None:
    broken = OrganizationFactory(name="Not set up")
    EntityFactory(organization=broken, name="No policy", bates_prefix="NOPOL", with_policy=False)
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    html = patient_client.get(step(key, "where")).content.decode()
    assert "No policy" not in html
    response = answer(patient_client, key, "where", {"place": f"org:{broken.pk}"})
    assert response.status_code == 200


def test_the_created_event_and_signature_are_on_the_timeline(patient_client, entity_a) -> None:
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    patient_client.post(step(key, "review"), {"signature_name": "María García", "attest": "on"})
    request = Request.objects.get()
    kinds = set(request.events.values_list("kind", flat=True))
    assert {TimelineEvent.Kind.CREATED, TimelineEvent.Kind.DOCUMENT} <= kinds


# --- a third party under the patient's authorization


@time_machine.travel(NOW, tick=False)
def test_a_third_party_sees_a_defect_on_its_step_and_corrects_it_before_submit(
    client, entity_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    lawyer = UserFactory(username="lawyer", email="paralegal@lawfirm.example")
    client.force_login(lawyer)
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "attorney"},
        expect="patient",
    )
    patient_page = client.get(step(key, "patient")).content.decode()
    # Nothing about the recipient or the signature yet: those are asked later.
    assert "Tell us who should receive the records" not in patient_page
    assert "Please sign the form" not in patient_page
    answer(
        client,
        key,
        "patient",
        {
            **PATIENT,
            "requester_name": "Pat Paralegal",
            "requester_organization": "Smith & Jones LLP",
            "requester_address": "200 Spring St\nLos Angeles, CA 90012",
        },
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    delivery = client.get(step(key, "delivery")).content.decode()
    assert 'name="purpose"' in delivery
    assert 'value="Smith &amp; Jones LLP"' in delivery  # the firm receives the records itself
    # Forgot the purpose: the answers are saved and the defect shows beside the field.
    response = client.post(
        step(key, "delivery"),
        {
            "method": "mail",
            "recipient_name": "Smith & Jones LLP",
            "recipient_address": "200 Spring St\nLos Angeles, CA 90012",
            "purpose": "",
        },
    )
    assert response.url == step(key, "delivery")
    page = client.get(response.url).content.decode()
    assert "Tell us why the records are needed." in page
    assert 'id="id_purpose_error"' in page
    assert "Your answers are saved" in page
    assert client.get(step(key, "uploads")).url == step(key, "delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "mail",
            "recipient_name": "Smith & Jones LLP",
            "recipient_address": "200 Spring St\nLos Angeles, CA 90012",
            "purpose": "Personal injury claim",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    review = client.get(step(key, "review")).content.decode()
    assert "Authorization to release health information" in review
    assert "revoke" in review and "redisclosed" not in review  # plain words instead
    assert "may then no longer be protected" in review
    assert "right to receive a copy" in review
    assert "does not depend on whether I sign" in review
    assert 'value="2026-05-31"' in review  # 90 days (the policy default) after today
    assert 'name="expiration_event"' not in review  # California needs a date, not an event
    assert "Estimated fee" in review
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            step(key, "review"),
            {"signature_name": "María García", "attest": "on", "expiration_date": "2026-09-30"},
            REMOTE_ADDR="198.51.100.4",
            HTTP_USER_AGENT="Mozilla/5.0 test",
        )
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.kind == "authorized"
    assert request.purpose == "Personal injury claim"
    assert request.requester.third_party_type == "attorney"
    assert request.requester.organization_name == "Smith & Jones LLP"
    auth = request.authorization
    assert auth.source == "electronic"
    assert auth.signature_name == "María García"
    assert auth.signature_ip == "198.51.100.4"
    assert auth.signature_user_agent == "Mozilla/5.0 test"
    assert auth.signed_at == NOW
    assert auth.expiration_date == date(2026, 9, 30)
    assert auth.recipient_name == "Smith & Jones LLP"
    assert auth.discloser == entity_a.name
    assert "Complete medical record" in auth.description
    assert all(
        [auth.statement_revocation, auth.statement_conditioning, auth.statement_redisclosure]
    )
    assert auth.statement_copy_right and auth.font_size_pt == 14
    assert auth.signer_role == "self"
    assert request.fee_estimate["basis"].startswith("Release to a third party")


@time_machine.travel(NOW, tick=False)
def test_the_review_page_shows_every_remaining_defect_before_submit(client, entity_a) -> None:
    lawyer = UserFactory(username="lawyer2")
    client.force_login(lawyer)
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "insurer"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {**PATIENT, "requester_name": "Ivy Insurer", "requester_email": "ivy@insurer.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["billing"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "portal",
            "recipient_name": "Ivy",
            "recipient_address": "1 Road",
            "purpose": "Claim",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    response = client.post(
        step(key, "review"),
        {"signature_name": "Ana", "attest": "on", "expiration_date": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be after today." in response.content.decode()
    assert not Request.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_patient_sends_a_copy_to_someone_else(
    patient_client, entity_a, django_capture_on_commit_callbacks
) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "directed"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "no"},
        expect="delivery",
    )
    delivery = patient_client.get(step(key, "delivery")).content.decode()
    assert 'value="portal"' not in delivery  # the copy goes to the recipient, not the portal
    assert 'name="purpose"' not in delivery
    response = answer(patient_client, key, "delivery", {"method": "secure_email"})
    assert response.status_code == 200
    assert "Tell us the email address" in response.content.decode()
    response = answer(
        patient_client,
        key,
        "delivery",
        {"method": "secure_email", "recipient_email": "dr@x.example"},
    )
    page = patient_client.get(response.url).content.decode()
    assert "Tell us who should receive the records." in page
    assert "Tell us where to send the records." in page
    answer(
        patient_client,
        key,
        "delivery",
        {
            "method": "secure_email",
            "recipient_email": "dr@x.example",
            "recipient_name": "Dr. Rivera",
            "recipient_address": "5 Clinic Way, Pasadena, CA",
        },
        expect="uploads",
    )
    answer(patient_client, key, "uploads", {}, expect="review")
    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post(
            step(key, "review"),
            {"signature_name": "María García", "attest": "on", "expiration_date": "2026-12-31"},
        )
    request = Request.objects.get()
    assert request.kind == "directed"
    assert request.recipient_email == "dr@x.example"
    assert request.authorization.recipient_name == "Dr. Rivera"
    assert request.authorization.signer_role == "self"


def test_a_provider_asks_for_continuity_of_care_without_uploads(client, entity_a) -> None:
    doctor = UserFactory(username="drwho")
    client.force_login(doctor)
    key = key_of(start(client))
    answer(client, key, "whose", {"choice": "provider"}, expect="patient")
    answer(
        client,
        key,
        "patient",
        {
            **PATIENT,
            "requester_name": "Dr. Who",
            "requester_organization": "Pasadena Family Practice",
            "requester_fax": "626-555-0199",
        },
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["last_visit"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "fax",
            "recipient_name": "Pasadena Family Practice",
            "recipient_fax": "626-555-0199",
        },
        expect="review",
    )
    client.post(step(key, "review"), {"signature_name": "Dr. Who", "attest": "on"})
    request = Request.objects.get()
    assert request.kind == "continuity"
    assert request.fee_estimate["total"] == "0.00"
    assert not hasattr(request, "authorization") or not Authorization.objects.exists()


# --- records: date ranges without JavaScript, and the consent step


def test_add_another_date_range_keeps_what_was_typed(patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    response = patient_client.post(
        step(key, "records"),
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "1",
            "from_imaging_reports_0": "2024-01-01",
            "to_imaging_reports_0": "2024-03-31",
            "sensitive": "no",
            "add_range": "imaging_reports",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2024-01-01"' in html
    assert 'name="from_imaging_reports_1"' in html
    assert 'name="rows_imaging_reports" value="2"' in html  # the added row is posted back
    assert "This field is required" not in html
    # A start after the end is refused beside the field; only one end means "until today".
    response = answer(
        patient_client,
        key,
        "records",
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "2",
            "from_imaging_reports_0": "2024-05-01",
            "to_imaging_reports_0": "2024-03-31",
            "sensitive": "no",
        },
    )
    assert "This date is before the start." in response.content.decode()
    answer(
        patient_client,
        key,
        "records",
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "2",
            "from_imaging_reports_0": "2024-01-01",
            "to_imaging_reports_0": "2024-03-31",
            "from_imaging_reports_1": "2025-01-01",
            "sensitive": "no",
        },
        expect="delivery",
    )
    draft = RequestDraft.objects.get(key=key)
    ranges = draft.data["records"]["ranges"]["imaging_reports"]
    assert ranges[0] == ["2024-01-01", "2024-03-31"]
    assert ranges[1][0] == "2025-01-01"
    # Never more than ten rows, whatever is posted.
    response = patient_client.post(
        step(key, "records"),
        {
            "types": ["imaging_reports"],
            "rows_imaging_reports": "99",
            "add_range": "imaging_reports",
        },
    )
    assert response.content.decode().count('name="from_imaging_reports_') == 10
    assert 'name="from_imaging_reports_10"' not in response.content.decode()


def test_sensitive_records_need_their_own_consent_step(patient_client, entity_a) -> None:
    key = key_of(start(patient_client))
    answer(patient_client, key, "whose", {"choice": "self"}, expect="patient")
    answer(patient_client, key, "patient", PATIENT, expect="where")
    answer(patient_client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    records = patient_client.get(step(key, "records")).content.decode()
    assert "HIV" in records and 'name="sensitive"' in records
    assert 'name="categories"' not in records  # never ticked in passing
    answer(
        patient_client,
        key,
        "records",
        {"types": ["complete"], "sensitive": "yes"},
        expect="consent",
    )
    response = answer(patient_client, key, "consent", {})
    assert "Choose at least one" in response.content.decode()
    answer(patient_client, key, "consent", {"categories": ["hiv"]}, expect="delivery")
    answer(patient_client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(patient_client, key, "uploads", {}, expect="review")
    review = patient_client.get(step(key, "review")).content.decode()
    assert "HIV test results" in review and "with your specific consent" in review
    patient_client.post(step(key, "review"), {"signature_name": "María García", "attest": "on"})
    assert Request.objects.get().sensitive_categories == ["hiv"]


def test_psychotherapy_notes_cannot_ride_along_with_a_third_party_authorization(
    client, entity_a
) -> None:
    client.force_login(UserFactory(username="insurer"))
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "insurer"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {**PATIENT, "requester_name": "Ivy", "requester_email": "i@x.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{entity_a.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "yes"}, expect="consent")
    response = client.post(step(key, "consent"), {"categories": ["psychotherapy_notes"]})
    assert response.url == step(key, "consent")
    page = client.get(response.url).content.decode()
    assert "Psychotherapy notes need a separate permission form of their own." in page
    # Alone, they are their own authorization.
    answer(client, key, "records", {"types": [], "sensitive": "yes"}, expect="consent")
    answer(client, key, "consent", {"categories": ["psychotherapy_notes"]}, expect="delivery")


def test_changing_an_earlier_answer_sends_the_person_back_where_needed(patient_client, entity_a):
    key = self_request_until_review(patient_client, f"entity:{entity_a.pk}")
    # Now the person says they ask for someone they represent: "About you" must be filled.
    answer(
        patient_client,
        key,
        "whose",
        {"choice": "representative", "authority": "healthcare_poa"},
        expect="patient",
    )
    response = patient_client.get(step(key, "review"))
    assert response.url == step(key, "patient")


@time_machine.travel(NOW, tick=False)
def test_outside_california_an_authorization_may_end_at_an_event(client) -> None:
    boston = EntityFactory(
        name="Dana-Farber Cancer Institute",
        bates_prefix="DFCI",
        jurisdiction="MA",
        timezone="America/New_York",
    )
    client.force_login(UserFactory(username="attorney"))
    key = key_of(start(client))
    answer(
        client,
        key,
        "whose",
        {"choice": "third_party", "third_party_type": "attorney"},
        expect="patient",
    )
    answer(
        client,
        key,
        "patient",
        {**PATIENT, "requester_name": "Al Attorney", "requester_email": "al@law.example"},
        expect="where",
    )
    answer(client, key, "where", {"place": f"entity:{boston.pk}"}, expect="records")
    answer(client, key, "records", {"types": ["complete"], "sensitive": "no"}, expect="delivery")
    answer(
        client,
        key,
        "delivery",
        {
            "method": "portal",
            "recipient_name": "Al",
            "recipient_address": "1 Court St, Boston",
            "purpose": "Litigation",
        },
        expect="uploads",
    )
    answer(client, key, "uploads", {}, expect="review")
    review = client.get(step(key, "review")).content.decode()
    assert 'name="expiration_event"' in review
    assert "Federal law" in review or "Our policy" in review  # the rule behind the due date
    client.post(
        step(key, "review"),
        {
            "signature_name": "María García",
            "attest": "on",
            "expiration_date": "",
            "expiration_event": "When the case is settled",
        },
    )
    auth = Request.objects.get().authorization
    assert auth.expiration_event == "When the case is settled"
    assert auth.expiration_date is None
