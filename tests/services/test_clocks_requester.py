"""The requester-side sweeps: an authorization that expired before release, a reminder per
pend episode, and the automatic closure with its letter and email. Each run twice."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import time_machine

from requests_app.models import Authorization, Letter, Notification, Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services import transitions as t
from requests_app.services.clocks import authorization_expiry_sweep, requester_reminder_sweep
from requests_app.workflow import Status

from ..factories import PatientFactory, RequesterFactory, submit
from ..pdf import pdf_text

LA = ZoneInfo("America/Los_Angeles")
PHOTO_ID = "A copy of your photo ID"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a sweep at a moment, with the after-commit work (letters, emails) done."""

    def go(sweep, at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return sweep()

    return go


def at(y: int, m: int, d: int, hour: int = 9) -> datetime:
    return datetime(y, m, d, hour, tzinfo=LA)


def make(entity, when: datetime, **kwargs) -> Request:
    patient = PatientFactory(first_name="Ana", last_name="Rivera")
    kwargs.setdefault(
        "requester",
        RequesterFactory(
            full_name="Ana Rivera",
            email="ana@example.org",
            address="412 Huntington Drive\nMonrovia, CA 91016",
        ),
    )
    with time_machine.travel(when, tick=False):
        return submit(entity=entity, patient=patient, received_at=when, **kwargs)


def step(when: datetime, action, req: Request, **kwargs) -> None:
    with time_machine.travel(when, tick=False):
        action(req, **kwargs)
    req.refresh_from_db()


def mail(outbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in outbox]


def pages(letter: Letter) -> int:
    with letter.file.open("rb") as fh, pikepdf.open(fh) as pdf:
        return len(pdf.pages)


# --- reminders and automatic closure --------------------------------------------------------


@pytest.fixture
def waiting(entity_a, staff_a) -> Request:
    """Pended on Tuesday 3 November 2026; the policy reminds after 10 days, closes after 60."""
    req = make(entity_a, at(2026, 11, 2))
    step(at(2026, 11, 3), t.request_pend, req, actor=staff_a, missing=PHOTO_ID)
    return req


def test_one_reminder_per_pend_episode(waiting, staff_a, run, mailoutbox) -> None:
    n = waiting.number
    assert run(requester_reminder_sweep, at(2026, 11, 12, 23)).reminded == []
    result = run(requester_reminder_sweep, at(2026, 11, 13, 0))
    assert result.reminded == [n]
    assert mail(mailoutbox) == [
        ("ana@example.org", f"Reminder: we still need information for request {n}")
    ]
    assert PHOTO_ID in mailoutbox[0].body
    assert "Jan. 2, 2027" in mailoutbox[0].body  # the day it will be closed
    (event,) = waiting.events.filter(kind=TimelineEvent.Kind.CLOCK, action="remind")
    assert not event.visible_to_requester
    assert event.reason == "Reminder emailed to the requester, waiting since 2026-11-03."
    for hour in (10, 11, 12):
        assert run(requester_reminder_sweep, at(2026, 11, 13, hour)).reminded == []
    assert len(mailoutbox) == 1

    # Resumed, then asked again: a new episode, a new reminder ten days after it.
    step(at(2026, 11, 16), t.request_resume, waiting, actor=staff_a)
    step(at(2026, 11, 17), t.request_pend, waiting, actor=staff_a, missing="Your signature")
    assert run(requester_reminder_sweep, at(2026, 11, 26)).reminded == []
    assert run(requester_reminder_sweep, at(2026, 11, 27)).reminded == [n]
    keys = sorted(Notification.objects.filter(template="reminder").values_list("key", flat=True))
    assert keys == [f"reminder:{waiting.pk}:2026-11-03", f"reminder:{waiting.pk}:2026-11-17"]


def test_a_requester_without_email_is_left_to_staff(entity_a, staff_a, run) -> None:
    req = make(entity_a, at(2026, 11, 2), requester=RequesterFactory(email=""))
    step(at(2026, 11, 3), t.request_pend, req, actor=staff_a, missing=PHOTO_ID)
    assert run(requester_reminder_sweep, at(2026, 11, 13)).reminded == [req.number]
    event = req.events.get(action="remind")
    assert event.reason.startswith("The requester has no email address")
    assert not Notification.objects.filter(template="reminder").exists()
    assert run(requester_reminder_sweep, at(2026, 11, 14)).reminded == []


def test_it_closes_after_the_policy_limit_with_a_letter_and_one_email(
    waiting, run, mailoutbox
) -> None:
    n = waiting.number
    run(requester_reminder_sweep, at(2026, 11, 13))
    assert run(requester_reminder_sweep, at(2027, 1, 1, 23)).closed == []
    result = run(requester_reminder_sweep, at(2027, 1, 2, 0))
    assert (result.closed, result.reminded) == ([n], [])
    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED
    close = waiting.events.get(action="close")
    assert close.actor is None and close.actor_label == "System"
    assert close.data["auto_closed"] is True and close.data["pended_on"] == "2026-11-03"
    assert "nothing came in the 60 days since" in close.reason
    # One email about the closure (the "auto_closed" one, not the plain "closed" one).
    assert mail(mailoutbox) == [
        ("ana@example.org", f"Reminder: we still need information for request {n}"),
        ("ana@example.org", f"Your request {n} is closed"),
    ]
    assert "did not receive the information we asked for" in mailoutbox[1].body
    letter = Letter.objects.get(request=waiting)
    assert letter.kind == Letter.Kind.CLOSURE
    assert pages(letter) == 1
    text = pdf_text(letter)
    assert PHOTO_ID in text
    assert "We asked you on November 3, 2026 and waited 60 days." in text
    assert "How to reopen this request" in text and "Or make a new request" in text
    assert run(requester_reminder_sweep, at(2027, 1, 3)).closed == []
    assert Letter.objects.filter(request=waiting).count() == 1


def test_a_closure_skips_the_reminder_it_no_longer_needs(entity_a, staff_a, run, mailoutbox):
    entity_a.policy.reminder_after_days = 3
    entity_a.policy.close_pending_after_days = 5
    entity_a.policy.save()
    req = make(entity_a, at(2026, 11, 2))
    step(at(2026, 11, 3), t.request_pend, req, actor=staff_a, missing=PHOTO_ID)
    result = run(requester_reminder_sweep, at(2026, 11, 9))  # the sweeps were off for days
    assert (result.closed, result.reminded) == ([req.number], [])
    assert mail(mailoutbox) == [("ana@example.org", f"Your request {req.number} is closed")]


def test_the_closure_letter_is_in_the_requesters_language(entity_a, staff_a, run) -> None:
    req = make(entity_a, at(2026, 11, 2), language="es")
    step(at(2026, 11, 3), t.request_pend, req, actor=staff_a, missing=PHOTO_ID)
    run(requester_reminder_sweep, at(2027, 1, 2))
    letter = Letter.objects.get(request=req, kind=Letter.Kind.CLOSURE)
    assert letter.language == "es"
    assert "3 de noviembre de 2026" in pdf_text(letter)


def test_other_statuses_are_never_reminded_or_closed(entity_a, staff_a, run) -> None:
    req = make(entity_a, at(2026, 11, 2))
    step(at(2026, 11, 3), t.request_pend, req, actor=staff_a, missing=PHOTO_ID)
    step(at(2026, 11, 4), t.request_resume, req, actor=staff_a)
    result = run(requester_reminder_sweep, at(2027, 3, 1))
    assert (result.reminded, result.closed) == ([], [])


# --- authorization expiry --------------------------------------------------------------------


def authorized(entity, when: datetime, **authorization) -> Request:
    return make(
        entity,
        when,
        kind=RequestKind.AUTHORIZED,
        delivery=DeliveryMethod.MAIL,
        requester=RequesterFactory(
            role=RequesterRole.THIRD_PARTY,
            full_name="Saul Lawyer",
            email="saul@example.org",
            address="1 Main St\nLos Angeles, CA 90012",
        ),
        recipient_name="Saul Lawyer",
        recipient_address="1 Main St\nLos Angeles, CA 90012",
        purpose="Litigation",
        authorization={"recipient_name": "Saul Lawyer", "signature_name": "Ana Rivera"}
        | authorization,
    )


def in_progress(req: Request, staff, when: datetime) -> None:
    step(when, t.request_start_review, req, actor=staff)
    step(when, t.request_verify, req, actor=staff)


def test_an_expired_authorization_sends_the_request_back_to_the_requester(
    entity_a, staff_a, run, mailoutbox
) -> None:
    req = authorized(entity_a, at(2026, 11, 2), expiration_date=date(2026, 11, 10))
    in_progress(req, staff_a, at(2026, 11, 3))
    assert run(authorization_expiry_sweep, at(2026, 11, 10, 23)).pended == []
    result = run(authorization_expiry_sweep, at(2026, 11, 11, 0))
    assert result.pended == [req.number]
    req.refresh_from_db()
    assert req.status == Status.PENDING_REQUESTER
    pend = req.events.get(action="pend")
    assert pend.reason.startswith("The authorization for this request expired on November 10")
    assert "new authorization" in pend.reason
    assert mail(mailoutbox) == [
        ("saul@example.org", f"We need information to finish request {req.number}")
    ]
    assert "expired on November 10, 2026" in mailoutbox[0].body
    assert Letter.objects.get(request=req).kind == Letter.Kind.PENDING
    assert run(authorization_expiry_sweep, at(2026, 11, 11, 1)).pended == []
    assert len(mailoutbox) == 1


def test_with_no_date_it_expires_after_the_default_validity(entity_a, staff_a, run) -> None:
    req = authorized(entity_a, at(2026, 8, 3))
    Authorization.objects.filter(request=req).update(signed_at=at(2026, 8, 3))
    in_progress(req, staff_a, at(2026, 8, 4))
    # Signed 3 August + 90 days: valid through 1 November.
    assert run(authorization_expiry_sweep, at(2026, 11, 1, 20)).pended == []
    assert run(authorization_expiry_sweep, at(2026, 11, 2, 8)).pended == [req.number]
    assert "expired on November 1, 2026" in req.events.get(action="pend").reason


def test_ready_records_go_back_to_work_before_waiting(entity_a, staff_a, run, mailoutbox):
    req = authorized(entity_a, at(2026, 11, 2), expiration_date=date(2026, 11, 10))
    in_progress(req, staff_a, at(2026, 11, 3))
    step(at(2026, 11, 4), t.request_mark_ready, req, actor=staff_a)
    mailoutbox.clear()
    run(authorization_expiry_sweep, at(2026, 11, 12))
    req.refresh_from_db()
    assert req.status == Status.PENDING_REQUESTER
    steps = list(req.events.filter(kind="status").values_list("action", flat=True))
    assert steps[-2:] == ["return_to_work", "pend"]
    assert len(mailoutbox) == 1  # the pending email; "back to work" sends none


def test_a_partly_denied_request_tells_the_requester_once(entity_a, staff_a, run, mailoutbox):
    req = authorized(entity_a, at(2026, 11, 2), expiration_date=date(2026, 11, 10))
    in_progress(req, staff_a, at(2026, 11, 3))
    step(
        at(2026, 11, 4),
        t.request_partially_deny,
        req,
        actor=staff_a,
        grounds=["psychotherapy_notes"],
        explanation="The psychotherapy notes are withheld.",
    )
    mailoutbox.clear()
    assert run(authorization_expiry_sweep, at(2026, 11, 12)).messaged == [req.number]
    assert run(authorization_expiry_sweep, at(2026, 11, 12, 10)).messaged == []
    req.refresh_from_db()
    assert req.status == Status.PARTIALLY_DENIED
    (message,) = req.events.filter(kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER)
    assert "expired on November 10, 2026" in message.reason
    assert mail(mailoutbox) == [
        ("saul@example.org", f"New message about your request {req.number}")
    ]


def test_what_does_not_expire_is_left_alone(entity_a, staff_a, run) -> None:
    revoked = authorized(entity_a, at(2026, 11, 2), expiration_date=date(2026, 11, 10))
    Authorization.objects.filter(request=revoked).update(revoked_at=at(2026, 11, 5))
    event = authorized(entity_a, at(2026, 11, 2), expiration_event="End of the lawsuit")
    access = make(
        entity_a,
        at(2026, 11, 2),
        kind=RequestKind.DIRECTED,
        recipient_name="Dr. Jones",
        recipient_address="1 Main St",
        authorization={"recipient_name": "Dr. Jones", "expiration_date": date(2026, 11, 10)},
    )
    for req in (revoked, event, access):
        in_progress(req, staff_a, at(2026, 11, 3))
    result = run(authorization_expiry_sweep, at(2027, 6, 1))
    assert (result.pended, result.messaged) == ([], [])


def test_release_is_refused_under_an_expired_authorization_between_two_sweeps(
    entity_a, staff_a, django_capture_on_commit_callbacks
) -> None:
    # The hourly sweep pends such requests; Release itself must not slip through before it.
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from requests_app.models import Packet
    from requests_app.services import documents as d
    from requests_app.services import packets as p

    from ..packets.samples import pdf_bytes

    req = authorized(entity_a, at(2026, 11, 2), expiration_date=date(2026, 11, 10))
    in_progress(req, staff_a, at(2026, 11, 3))
    with time_machine.travel(at(2026, 11, 4), tick=False):
        d.document_add(
            request=req,
            actor=staff_a,
            upload=SimpleUploadedFile("a.pdf", pdf_bytes(2, "A"), "application/pdf"),
        )
        t.request_mark_ready(req, actor=staff_a)
        # Queued while valid, but the worker only gets to it after the expiry (broker away).
        with django_capture_on_commit_callbacks(execute=False):
            p.packet_request_build(request=req, actor=staff_a)
    packet = Packet.objects.get(request=req)
    with time_machine.travel(at(2026, 11, 11), tick=False):
        built = p.packet_build(packet_id=packet.pk, actor_id=staff_a.pk)
        assert built.state == Packet.State.FAILED
        assert "expired on" in built.error
        req.refresh_from_db()
        assert req.status == Status.READY and not req.disclosures.exists()
        with pytest.raises(ValidationError, match="expired on"):
            p.packet_request_build(request=req, actor=staff_a)
