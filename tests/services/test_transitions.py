"""The status machine: every allowed transition works through its service, every other one is
refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from requests_app.models import Disclosure, Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.errors import TransitionNotAllowed
from requests_app.workflow import ACTIONS, ALLOWED_TRANSITIONS, Status

from ..factories import RequesterFactory, submit

CALLS: dict[str, Callable[[Request, object], Request]] = {
    "start_review": lambda r, u: t.request_start_review(r, actor=u),
    "pend": lambda r, u: t.request_pend(r, actor=u, missing="A copy of your photo ID"),
    "resume": lambda r, u: t.request_resume(r, actor=u, note="ID received"),
    "verify": lambda r, u: t.request_verify(r, actor=u),
    "deny": lambda r, u: t.request_deny(
        r, actor=u, grounds=["legal_proceedings"], explanation="Compiled for a lawsuit."
    ),
    "partially_deny": lambda r, u: t.request_partially_deny(
        r, actor=u, grounds=["psychotherapy_notes"], explanation="Psychotherapy notes withheld."
    ),
    "mark_ready": lambda r, u: t.request_mark_ready(r, actor=u),
    "return_to_work": lambda r, u: t.request_return_to_work(r, actor=u, reason="Missing page"),
    "release": lambda r, u: t.request_release(r, actor=u),
    "answer": lambda r, u: t.request_answer(r, actor=u, note="Letter sent"),
    "close": lambda r, u: t.request_close(r, actor=u),
    "withdraw": lambda r, u: t.request_withdraw(r, actor=u, reason="No longer needed"),
    "reopen": lambda r, u: t.request_reopen(r, actor=u, reason="Appeal granted"),
}


def kind_for(action: str) -> str:
    return RequestKind.AMENDMENT if action == "answer" else RequestKind.ACCESS


ALL_PAIRS = [(name, status) for name in ACTIONS for status in Status.values]


def test_every_action_has_a_service() -> None:
    assert set(CALLS) == set(ACTIONS)


def test_the_map_reaches_every_status_and_leaves_withdrawn_only_by_reopen() -> None:
    targets = {target for _source, target in ALLOWED_TRANSITIONS}
    assert targets | {Status.SUBMITTED} == set(Status)
    assert {a.name for a in ACTIONS.values() if Status.WITHDRAWN in a.sources} == {"reopen"}


@pytest.fixture
def request_in(entity_a):
    def make(status: str, kind: str = RequestKind.ACCESS) -> Request:
        req = submit(entity=entity_a, kind=kind)
        Request.objects.filter(pk=req.pk).update(status=status)  # test set-up only
        req.refresh_from_db()
        return req

    return make


@pytest.mark.parametrize(
    ("action", "status"),
    [p for p in ALL_PAIRS if p[1] in ACTIONS[p[0]].sources],
    ids=lambda v: str(v),
)
def test_it_allows(action, status, request_in, staff_a) -> None:
    req = request_in(status, kind_for(action))
    CALLS[action](req, staff_a)
    req.refresh_from_db()
    assert req.status == ACTIONS[action].target
    event = req.events.filter(kind=TimelineEvent.Kind.STATUS).get()
    assert (event.from_status, event.to_status, event.action) == (status, req.status, action)
    assert event.actor == staff_a


@pytest.mark.parametrize(
    ("action", "status"),
    [p for p in ALL_PAIRS if p[1] not in ACTIONS[p[0]].sources],
    ids=lambda v: str(v),
)
def test_it_refuses(action, status, request_in, staff_a) -> None:
    req = request_in(status, kind_for(action))
    with pytest.raises(TransitionNotAllowed):
        CALLS[action](req, staff_a)
    req.refresh_from_db()
    assert req.status == status
    assert not req.events.filter(kind=TimelineEvent.Kind.STATUS).exists()


def test_releasing_twice_releases_once(request_in, staff_a) -> None:
    req = request_in(Status.READY)
    t.request_release(req, actor=staff_a)
    with pytest.raises(TransitionNotAllowed):
        t.request_release(req, actor=staff_a)
    assert req.events.filter(action="release").count() == 1


def test_release_to_a_third_party_logs_one_disclosure(entity_a, staff_a) -> None:
    attorney = RequesterFactory(
        role="third_party",
        full_name="Dana Lee",
        organization_name="Lee & Park LLP",
        third_party_type="attorney",
        address="1 Main St\nLos Angeles, CA 90012",
    )
    req = submit(
        entity=entity_a,
        requester=attorney,
        kind=RequestKind.AUTHORIZED,
        delivery=DeliveryMethod.MAIL,
        recipient_name="Lee & Park LLP",
        recipient_address="1 Main St\nLos Angeles, CA 90012",
        purpose="Legal matter",
    )
    for step in ("start_review", "verify", "mark_ready", "release"):
        CALLS[step](req, staff_a)
    disclosure = Disclosure.objects.get(request=req)
    assert disclosure.recipient_name == "Lee & Park LLP"
    assert disclosure.purpose == "Legal matter"
    assert disclosure.exemption == Disclosure.Exemption.AUTHORIZATION


def test_release_to_the_patient_logs_no_disclosure(request_in, staff_a) -> None:
    req = request_in(Status.READY)
    t.request_release(req, actor=staff_a)
    assert not Disclosure.objects.exists()


def test_denial_needs_grounds_and_records_whether_reviewable(request_in, staff_a) -> None:
    from django.core.exceptions import ValidationError

    req = request_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError):
        t.request_deny(req, actor=staff_a, grounds=[], explanation="No.")
    t.request_deny(req, actor=staff_a, grounds=["danger_to_life"], explanation="Risk of harm.")
    event = req.events.get(action="deny")
    assert event.data == {
        "grounds": ["danger_to_life"],
        "reviewable": True,
        "explanation": "Risk of harm.",
    }
    req.refresh_from_db()
    assert req.answered_at is not None


def test_pend_needs_to_say_what_is_missing(request_in, staff_a) -> None:
    from django.core.exceptions import ValidationError

    req = request_in(Status.IN_REVIEW)
    with pytest.raises(ValidationError):
        t.request_pend(req, actor=staff_a, missing="   ")
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW


def test_a_status_change_emails_the_requester_after_commit(
    request_in, staff_a, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    req = request_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        t.request_pend(req, actor=staff_a, missing="A copy of your photo ID")
    assert len(mailoutbox) == 1
    assert req.number in mailoutbox[0].subject
    assert "A copy of your photo ID" in mailoutbox[0].body


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    request_in, staff_a, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    from django.db import transaction

    req = request_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                t.request_pend(req, actor=staff_a, missing="Photo ID")
                raise RuntimeError("crash after the change")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mailoutbox == []
    req.refresh_from_db()
    assert req.status == Status.IN_REVIEW


def test_reopen_clears_the_answer(request_in, staff_a) -> None:
    req = request_in(Status.IN_REVIEW)
    t.request_deny(req, actor=staff_a, grounds=["privacy_act"], explanation="Privacy Act.")
    t.request_reopen(req, actor=staff_a, reason="Records found elsewhere")
    req.refresh_from_db()
    assert req.answered_at is None and req.status == Status.IN_REVIEW


def test_an_answered_amendment_is_not_a_disclosure(entity_a, representative, staff_a) -> None:
    req = submit(
        entity=entity_a,
        requester=representative,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="Wrong birth date",
        amendment_should_say="1950-03-01",
    )
    for step in ("start_review", "verify", "mark_ready", "release"):
        CALLS[step](req, staff_a)
    assert not Disclosure.objects.exists()


def test_assign_updates_the_callers_object_and_hides_the_event(request_in, staff_a) -> None:
    req = request_in(Status.SUBMITTED)
    t.request_assign(req, actor=staff_a, assignee=staff_a)
    assert req.assignee == staff_a
    event = req.events.get(kind=TimelineEvent.Kind.ASSIGNMENT)
    assert event.visible_to_requester is False
    t.request_assign(req, actor=staff_a, assignee=staff_a)
    assert req.events.filter(kind=TimelineEvent.Kind.ASSIGNMENT).count() == 1


def test_only_amendments_and_accountings_are_answered_by_letter(request_in, staff_a) -> None:
    from django.core.exceptions import ValidationError

    req = request_in(Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        t.request_answer(req, actor=staff_a)
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS
    accounting = request_in(Status.IN_PROGRESS, RequestKind.ACCOUNTING)
    t.request_answer(accounting, actor=staff_a)
    accounting.refresh_from_db()
    assert accounting.status == Status.RELEASED and accounting.answered_at is not None
    assert not Disclosure.objects.exists()
