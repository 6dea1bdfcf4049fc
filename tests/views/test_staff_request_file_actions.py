"""Every action on the request file over HTTP: its form and confirmation page, the service it
calls, the message; actions the status does not allow are not offered and a forged POST is
refused with a message, never a 500."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from requests_app.models import Disclosure, Letter, Request, StaffMembership, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services import transitions as t
from requests_app.views.staff.request_file_actions import STAFF_ACTIONS
from requests_app.workflow import Status

from ..factories import RequesterFactory, UserFactory, submit
from ..pdf import pdf_text

LA = ZoneInfo("America/Los_Angeles")


def at(req: Request, status: str) -> Request:
    Request.objects.filter(pk=req.pk).update(status=status)  # test set-up only
    req.refresh_from_db()
    return req


def go(req: Request, slug: str) -> str:
    return f"/staff/requests/{req.number}/" + (f"{slug}/" if slug else "")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def clerk(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.fixture
def access(entity_a):
    return submit(
        entity=entity_a,
        requester=RequesterFactory(
            full_name="Ana Rivera", address="412 Huntington Drive\nMonrovia, CA 91016"
        ),
    )


@pytest.fixture
def supervisor(org):
    user = UserFactory(username="sup", first_name="Sara", last_name="Boss", is_staff=True)
    StaffMembership.objects.create(user=user, organization=org, role="supervisor")
    return user


# --- each action: form, confirmation, effect, message ---------------------------------------


def test_start_review_shows_the_status_change_then_does_it(clerk, access) -> None:
    page = clerk.get(go(access, "start-review")).content.decode()
    assert "What happens" in page and "Submitted" in page and "In review" in page
    assert "Confirm: Start review" in page
    response = clerk.post(go(access, "start-review"), follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/requests/{access.number}/"
    assert "Review started." in messages_of(response)
    access.refresh_from_db()
    assert access.status == Status.IN_REVIEW


def test_verify_records_what_was_checked(clerk, access, staff_a) -> None:
    at(access, Status.IN_REVIEW)
    assert "Photo ID seen in person" in clerk.get(go(access, "verify")).content.decode()
    response = clerk.post(go(access, "verify"), {"note": ""})
    assert response.status_code == 200
    assert "Tick what you checked" in response.content.decode()
    response = clerk.post(
        go(access, "verify"),
        {"checks": ["id_copy", "signature_match"], "note": "DL matches"},
        follow=True,
    )
    assert "Identity and authority verified." in messages_of(response)
    event = access.events.get(action="verify")
    assert event.data["checks"] == ["id_copy", "signature_match"]
    assert "Copy of photo ID matches the patient" in event.reason and "DL matches" in event.reason
    assert event.actor == staff_a


def test_pend_says_exactly_what_is_missing_and_sends_the_notice(
    clerk, access, django_capture_on_commit_callbacks
) -> None:
    response = clerk.post(go(access, "pend"), {"missing": "  "})
    assert "This field is required." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            go(access, "pend"), {"missing": "A copy of the guardianship order."}, follow=True
        )
    assert "The request waits for the requester" in messages_of(response)[0]
    access.refresh_from_db()
    assert access.status == Status.PENDING_REQUESTER
    letter = access.letters.get()
    assert letter.kind == Letter.Kind.PENDING
    assert "A copy of the guardianship order." in pdf_text(letter)
    # Then resume.
    response = clerk.post(go(access, "resume"), {"note": "Order received by fax"}, follow=True)
    assert "Back in review." in messages_of(response)
    access.refresh_from_db()
    assert access.status == Status.IN_REVIEW


def test_extend_once_with_the_written_notice(
    clerk, entity_a, staff_a, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=LA), tick=False):
        req = submit(
            entity=entity_a,
            kind=RequestKind.AMENDMENT,
            amendment_what_is_wrong="x",
            amendment_should_say="y",
        )
        page = clerk.get(go(req, "extend")).content.decode()
        assert "Latest new date" in page and req.latest_extension_on.isoformat() in page
        too_late = req.latest_extension_on + timedelta(days=1)
        response = clerk.post(
            go(req, "extend"), {"new_due_on": too_late.isoformat(), "reason": "Physician away"}
        )
        assert response.status_code == 200 and "Choose a date after" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = clerk.post(
                go(req, "extend"),
                {
                    "new_due_on": (req.due_on + timedelta(days=20)).isoformat(),
                    "reason": "The physician who wrote the note must review it.",
                },
                follow=True,
            )
        assert "Extended; the written notice is being prepared." in messages_of(response)
        req.refresh_from_db()
        assert req.extended_due_on == req.due_on + timedelta(days=20)
        text = pdf_text(req.letters.get(kind=Letter.Kind.EXTENSION))
        assert "The physician who wrote the note must review it." in text
        assert "one extension only" in text
        # A second extension: not offered, and a forged POST is refused.
        page = clerk.get(go(req, "")).content.decode()
        assert go(req, "extend") not in page and "Already extended once" in page
        response = clerk.post(
            go(req, "extend"),
            {"new_due_on": (req.due_on + timedelta(days=25)).isoformat(), "reason": "Again"},
            follow=True,
        )
        assert any("Already extended once" in m for m in messages_of(response))
        req.refresh_from_db()
        assert req.extended_due_on == req.due_on + timedelta(days=20)
        assert req.letters.count() == 1


def test_california_copies_get_no_extension_and_the_page_says_why(clerk, access) -> None:
    page = clerk.get(go(access, "")).content.decode()
    assert go(access, "extend") not in page
    assert "No extension:" in page and "No extension is allowed under the rule" in page
    assert "California law" in page
    response = clerk.post(
        go(access, "extend"), {"new_due_on": "2030-01-01", "reason": "x"}, follow=True
    )
    assert any("No extension is allowed" in m for m in messages_of(response))


def test_deny_derives_reviewability_and_writes_the_letter(
    clerk, access, django_capture_on_commit_callbacks
) -> None:
    at(access, Status.IN_REVIEW)
    page = clerk.get(go(access, "deny")).content.decode()
    assert "Psychotherapy notes (not reviewable, 45 CFR 164.524(a)(1)(i))" in page
    assert "(reviewable, 45 CFR 164.524(a)(3)(i))" in page and "rf-reviewable-codes" in page
    response = clerk.post(go(access, "deny"), {"grounds": ["not_held"], "explanation": "x"})
    assert "Say where the records are" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            go(access, "deny"),
            {
                "grounds": ["danger_to_life"],
                "explanation": "Your physician judged that reading the notes could endanger you.",
            },
            follow=True,
        )
    assert "Denied; the denial letter is being prepared." in messages_of(response)
    access.refresh_from_db()
    assert access.status == Status.DENIED
    letter = access.letters.get()
    assert letter.kind == Letter.Kind.DENIAL and letter.visible_to_requester
    text = pdf_text(letter)
    assert "Likely to endanger the life or physical safety of someone" in text
    assert "Your right to a review" in text and "Office for Civil Rights" in text
    page = clerk.get(go(access, "")).content.decode()
    assert "Denial letter" in page and f"letters/{letter.pk}/" in page
    assert "Reviewable" in page


def test_partial_denial_goes_on_to_ready(clerk, access, django_capture_on_commit_callbacks):
    at(access, Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(
            go(access, "partially-deny"),
            {"grounds": ["psychotherapy_notes"], "explanation": "Therapy notes withheld."},
        )
    access.refresh_from_db()
    assert access.status == Status.PARTIALLY_DENIED
    assert access.letters.get().kind == Letter.Kind.PARTIAL_DENIAL
    response = clerk.post(go(access, "mark-ready"), follow=True)
    assert "Ready to release." in messages_of(response)
    response = clerk.post(go(access, "return-to-work"), {"reason": "Missing page 4"}, follow=True)
    assert "Back to work." in messages_of(response)


def test_close_and_reopen_with_a_reason(clerk, access) -> None:
    at(access, Status.DENIED)
    clerk.post(go(access, "close"), {"reason": ""})
    access.refresh_from_db()
    assert access.status == Status.CLOSED
    response = clerk.post(go(access, "reopen"), {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = clerk.post(go(access, "reopen"), {"reason": "Appeal granted"}, follow=True)
    assert "Reopened." in messages_of(response)
    access.refresh_from_db()
    assert access.status == Status.IN_REVIEW
    assert access.events.get(action="reopen").reason == "Appeal granted"


def test_record_a_mailed_shipment_after_release(clerk, entity_a, staff_a) -> None:
    req = submit(entity=entity_a, delivery=DeliveryMethod.CD)
    assert go(req, "ship") not in clerk.get(go(req, "")).content.decode()
    at(req, Status.RELEASED)
    page = clerk.get(go(req, "")).content.decode()
    assert go(req, "ship") in page
    response = clerk.post(
        go(req, "ship"),
        {
            "method": "cd",
            "carrier": "USPS",
            "tracking": "9400 1000 0000 0000 0000 00",
            "shipped_on": "2099-01-01",
        },
    )
    assert "cannot be in the future" in response.content.decode()
    today = datetime.now(LA).date().isoformat()
    response = clerk.post(
        go(req, "ship"),
        {"method": "cd", "carrier": "USPS", "tracking": "9400 1000", "shipped_on": today},
        follow=True,
    )
    assert "Shipment recorded." in messages_of(response)
    event = req.events.get(action="shipment")
    assert event.data == {
        "method": "cd",
        "carrier": "USPS",
        "tracking": "9400 1000",
        "shipped_on": today,
    }
    assert event.visible_to_requester
    assert "9400 1000" in clerk.get(go(req, "")).content.decode()


def test_notes_stay_internal_and_messages_go_to_the_requester(clerk, access) -> None:
    clerk.post(go(access, "note"), {"text": "Spoke with the daughter."})
    clerk.post(go(access, "message"), {"text": "Your records will be ready Friday."})
    note = access.events.get(kind=TimelineEvent.Kind.NOTE)
    message = access.events.get(kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER)
    assert not note.visible_to_requester and message.visible_to_requester
    response = clerk.post(go(access, "note"), {"text": ""})
    assert response.status_code == 200


def test_amendment_accept_appends_and_answers(
    clerk, entity_a, django_capture_on_commit_callbacks
) -> None:
    req = submit(
        entity=entity_a,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="Allergy list says penicillin",
        amendment_should_say="No penicillin allergy",
    )
    page = clerk.get(go(req, "")).content.decode()
    assert go(req, "amendment-accept") not in page  # verify first
    assert go(req, "amendment-deny") in page and go(req, "deny") + '"' not in page
    at(req, Status.IN_PROGRESS)
    form = clerk.get(go(req, "amendment-accept")).content.decode()
    assert "No penicillin allergy" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            go(req, "amendment-accept"),
            {"amendment": "No penicillin allergy (confirmed 2026-03-01).", "inform": ""},
            follow=True,
        )
    assert "Amendment accepted and appended" in messages_of(response)[0]
    req.refresh_from_db()
    assert req.status == Status.RELEASED and not Disclosure.objects.exists()
    assert req.letters.get().kind == Letter.Kind.AMENDMENT_ACCEPTED


def test_amendment_deny_offers_a_statement_of_disagreement(
    clerk, entity_a, django_capture_on_commit_callbacks
) -> None:
    req = submit(
        entity=entity_a,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="Wrong diagnosis",
        amendment_should_say="Remove it",
    )
    page = clerk.get(go(req, "amendment-deny")).content.decode()
    assert "Accurate and complete" in page and "Psychotherapy notes" not in page
    response = clerk.post(
        go(req, "amendment-deny"), {"grounds": ["psychotherapy_notes"], "explanation": "x"}
    )
    assert "Select a valid choice" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(
            go(req, "amendment-deny"),
            {"grounds": ["accurate"], "explanation": "Confirmed by biopsy."},
        )
    text = pdf_text(req.letters.get(kind=Letter.Kind.AMENDMENT_DENIAL))
    assert "statement saying that you disagree" in text


def test_accounting_lists_the_log_and_a_release_through_the_service_feeds_it(
    clerk, entity_a, staff_a, django_capture_on_commit_callbacks
) -> None:
    patient_requester = RequesterFactory(role=RequesterRole.SELF)
    attorney = RequesterFactory(role=RequesterRole.THIRD_PARTY, full_name="Okafor & Lin")
    released = submit(
        entity=entity_a,
        requester=attorney,
        kind=RequestKind.AUTHORIZED,
        recipient_name="Okafor & Lin LLP",
        purpose="Litigation",
    )
    at(released, Status.READY)
    t.request_release(released, actor=staff_a)  # the packet area's Release button does this
    logged = Disclosure.objects.get(request=released)
    assert logged.recipient_name == "Okafor & Lin LLP" and logged.exemption == "authorization"
    Disclosure.objects.create(
        patient=released.patient,
        disclosed_on=logged.disclosed_on,
        recipient_name="LA County Public Health",
        description="Lab results",
        purpose="Disease reporting",
    )
    req = submit(
        entity=entity_a,
        patient=released.patient,
        requester=patient_requester,
        kind=RequestKind.ACCOUNTING,
    )
    at(req, Status.IN_PROGRESS)
    page = clerk.get(go(req, "accounting")).content.decode()
    assert "1 disclosure will be listed" in page and "LA County Public Health" in page
    assert "Okafor" not in page  # exempt: under authorization
    assert "Free: the first accounting in 12 months." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(go(req, "accounting"), follow=True)
    assert "Accounting prepared" in messages_of(response)[0]
    text = pdf_text(req.letters.get())
    assert "LA County Public Health" in text and "Okafor" not in text


# --- assignment --------------------------------------------------------------------------


def test_a_clerk_assigns_to_themselves_only(clerk, access, staff_a, entity_a) -> None:
    other = UserFactory(username="clerk.other", is_staff=True)
    StaffMembership.objects.create(user=other, organization=entity_a.organization).entities.add(
        entity_a
    )
    page = clerk.get(go(access, "assign")).content.decode()
    assert "Assign to me" in page and "clerk.other" not in page
    clerk.post(go(access, "assign"), {"take": "1"})
    access.refresh_from_db()
    assert access.assignee == staff_a
    # A forged "assignee" field is ignored: a clerk's form has none.
    clerk.post(go(access, "assign"), {"take": "1", "assignee": other.pk})
    access.refresh_from_db()
    assert access.assignee == staff_a
    clerk.post(go(access, "assign"), {"take": "0"})
    access.refresh_from_db()
    assert access.assignee is None


def test_a_supervisor_assigns_to_anyone_in_scope(client, supervisor, staff_a, staff_b, access):
    outsider = UserFactory(username="elsewhere", is_staff=True)
    client.force_login(supervisor)
    page = client.get(go(access, "assign")).content.decode()
    assert "Alma Clerk" in page and "Beto Clerk" not in page and "elsewhere" not in page
    response = client.post(go(access, "assign"), {"assignee": staff_a.pk}, follow=True)
    assert "Assignment saved." in messages_of(response)
    access.refresh_from_db()
    assert access.assignee == staff_a
    response = client.post(go(access, "assign"), {"assignee": staff_b.pk})
    assert "Select a valid choice" in response.content.decode()
    response = client.post(go(access, "assign"), {"assignee": outsider.pk})
    assert "Select a valid choice" in response.content.decode()
    access.refresh_from_db()
    assert access.assignee == staff_a


# --- what the status does not allow ------------------------------------------------------


FORMS = {
    "assign": {"take": "1"},
    "verify": {"checks": ["id_copy"]},
    "pend": {"missing": "ID"},
    "resume": {},
    "extend": {"new_due_on": "2030-01-01", "reason": "x"},
    "deny": {"grounds": ["legal_proceedings"], "explanation": "x"},
    "partially-deny": {"grounds": ["legal_proceedings"], "explanation": "x"},
    "amendment-accept": {"amendment": "x"},
    "amendment-deny": {"grounds": ["accurate"], "explanation": "x"},
    "accounting": {},
    "mark-ready": {},
    "return-to-work": {"reason": "x"},
    "ship": {"method": "mail", "carrier": "USPS", "shipped_on": "2026-01-01"},
    "close": {},
    "reopen": {"reason": "x"},
    "start-review": {},
}


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_actions_not_allowed_are_not_offered_and_refused(clerk, entity_a, status) -> None:
    req = at(submit(entity=entity_a), status)
    page = clerk.get(go(req, "")).content.decode()
    for slug, action in STAFF_ACTIONS.items():
        if slug in ("note", "message"):
            continue
        req.refresh_from_db()
        allowed = action.offered(req, None if slug != "assign" else req.assignee)
        assert (go(req, slug) in page) == allowed, (slug, status)
        if allowed:
            continue
        before = (req.status, req.events.count(), req.assignee_id, req.extended_due_on)
        assert clerk.get(go(req, slug)).status_code == 302
        response = clerk.post(go(req, slug), FORMS[slug], follow=True)
        assert response.status_code == 200
        assert any("not possible now" in m or "exten" in m for m in messages_of(response)), (
            slug,
            messages_of(response),
        )
        req.refresh_from_db()
        assert (req.status, req.events.count(), req.assignee_id, req.extended_due_on) == before


def test_a_stale_form_after_someone_else_moved_the_request(clerk, access, staff_a) -> None:
    """The action was offered when the page loaded, but the status moved before the POST."""
    form = clerk.get(go(access, "start-review"))
    assert form.status_code == 200
    t.request_start_review(access, actor=staff_a)
    response = clerk.post(go(access, "start-review"), follow=True)
    assert any("not possible now" in m for m in messages_of(response))
