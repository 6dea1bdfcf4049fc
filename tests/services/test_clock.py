"""Extensions and pauses of the legal clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from requests_app.models import Closure, DeadlinePolicy
from requests_app.rules.kinds import DeadlineKey, DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.errors import TransitionNotAllowed
from requests_app.workflow import Status

from ..factories import submit

LA = ZoneInfo("America/Los_Angeles")
RECEIVED = datetime(2026, 11, 2, 9, tzinfo=LA)  # a Monday


@pytest.fixture
def amendment(entity_a):
    return submit(
        entity=entity_a,
        kind=RequestKind.AMENDMENT,
        delivery=DeliveryMethod.PORTAL,
        received_at=RECEIVED,
        amendment_what_is_wrong="Wrong allergy listed",
        amendment_should_say="No known allergies",
    )


def test_an_amendment_is_due_in_60_days_extendable_by_30(amendment) -> None:
    assert amendment.due_on == date(2027, 1, 1)
    assert amendment.latest_extension_on == date(2027, 1, 31)


@time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=LA))
def test_it_extends_once_before_the_due_date(
    amendment, staff_a, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        t.request_extend(
            amendment,
            actor=staff_a,
            new_due_on=date(2027, 1, 20),
            reason="The physician who wrote the note is on leave.",
        )
    amendment.refresh_from_db()
    assert amendment.extended_due_on == date(2027, 1, 20)
    assert amendment.current_due_on == date(2027, 1, 20)
    event = amendment.events.get(kind="extension")
    assert event.data == {"from": "2027-01-01", "to": "2027-01-20"}
    assert "on leave" in mailoutbox[0].body
    with pytest.raises(TransitionNotAllowed, match="already extended"):
        t.request_extend(
            amendment, actor=staff_a, new_due_on=date(2027, 1, 25), reason="Still on leave"
        )


@time_machine.travel(datetime(2027, 1, 2, 10, tzinfo=LA))
def test_it_refuses_an_extension_after_the_first_due_date(amendment, staff_a) -> None:
    with pytest.raises(TransitionNotAllowed, match="before the first due date"):
        t.request_extend(amendment, actor=staff_a, new_due_on=date(2027, 1, 20), reason="Late")


@time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=LA))
@pytest.mark.parametrize("new_due", [date(2027, 1, 1), date(2027, 2, 1)])
def test_it_refuses_a_new_date_outside_the_lawful_window(amendment, staff_a, new_due) -> None:
    with pytest.raises(ValidationError):
        t.request_extend(amendment, actor=staff_a, new_due_on=new_due, reason="Busy")
    amendment.refresh_from_db()
    assert amendment.extended_due_on is None


@time_machine.travel(datetime(2026, 11, 3, 10, tzinfo=LA))
def test_it_refuses_an_extension_california_does_not_allow(entity_a, staff_a) -> None:
    req = submit(entity=entity_a, received_at=RECEIVED)
    with pytest.raises(TransitionNotAllowed, match="No extension"):
        t.request_extend(req, actor=staff_a, new_due_on=date(2026, 12, 1), reason="Busy")


@time_machine.travel(datetime(2026, 11, 3, 10, tzinfo=LA), tick=False)
def test_it_refuses_an_extension_without_a_reason(amendment, staff_a) -> None:
    with pytest.raises(ValidationError):
        t.request_extend(amendment, actor=staff_a, new_due_on=date(2027, 1, 10), reason=" ")


def test_pending_pauses_the_clock_only_where_the_policy_says_so(entity_a, staff_a) -> None:
    # Disclosures under authorization have no legal clock in California, only the policy's
    # 15 days, so a pausing policy may move them.
    DeadlinePolicy.objects.filter(entity=entity_a, key=DeadlineKey.AUTHORIZED).update(
        pauses_when_pending=True, unit="working", days=5
    )
    Closure.objects.create(entity=entity_a, date=date(2026, 11, 6), reason="Staff training")
    with time_machine.travel(RECEIVED, tick=False):
        paused = submit(entity=entity_a, kind=RequestKind.AUTHORIZED)
        running = submit(entity=entity_a)
    # Monday + 5 working days, with Friday 6 November closed for training.
    assert paused.due_on == date(2026, 11, 10)
    with time_machine.travel(datetime(2026, 11, 3, 9, tzinfo=LA), tick=False):
        t.request_pend(paused, actor=staff_a, missing="Photo ID")
        t.request_pend(running, actor=staff_a, missing="Photo ID")
    paused.refresh_from_db()
    assert paused.paused_on == date(2026, 11, 3)
    # Resumed Monday 9 November: Wed 4, Thu 5 and Mon 9 were open days lost (Fri 6 closed),
    # so the due date moves 3 open days past Tue 10: Wed 11 is Veterans Day, so Mon 16.
    with time_machine.travel(datetime(2026, 11, 9, 9, tzinfo=LA), tick=False):
        t.request_resume(paused, actor=staff_a)
        t.request_resume(running, actor=staff_a)
    paused.refresh_from_db()
    running.refresh_from_db()
    assert paused.paused_on is None
    assert paused.due_on == date(2026, 11, 16)
    assert running.due_on == date(2026, 11, 17)
    assert paused.status == running.status == Status.IN_REVIEW


def test_a_pause_never_moves_a_due_date_past_the_law(entity_a, staff_a) -> None:
    DeadlinePolicy.objects.filter(entity=entity_a, key=DeadlineKey.ACCESS_COPY).update(
        days=10, pauses_when_pending=True
    )
    with time_machine.travel(RECEIVED, tick=False):
        req = submit(entity=entity_a)
    assert req.due_on == date(2026, 11, 12)  # the policy's 10 days, stricter than the law
    with time_machine.travel(datetime(2026, 11, 3, 9, tzinfo=LA), tick=False):
        t.request_pend(req, actor=staff_a, missing="Photo ID")
    with time_machine.travel(datetime(2026, 11, 13, 9, tzinfo=LA), tick=False):
        t.request_resume(req, actor=staff_a)
    req.refresh_from_db()
    # Ten days paused would give 22 November; California's 15 days end on 17 November.
    assert req.due_on == date(2026, 11, 17)
