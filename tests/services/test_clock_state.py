"""Every status change (transitions._transition) and every service that moves a due date
(extension, submission) judges the request's clock at once with the deadline sweep's rules:
right after it, the request stands where the sweep would put it, so a sweep at that moment
finds nothing to change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from requests_app.models import Closure, DeadlinePolicy, Request, StaffMembership
from requests_app.rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.clock_state import entity_thresholds, request_clock_judge
from requests_app.services.clocks import deadline_sweep, entity_groups

from ..factories import EntityFactory, submit

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")


def received(entity, at: datetime, **kwargs) -> Request:
    with time_machine.travel(at, tick=False):
        return submit(entity=entity, received_at=at, **kwargs)


def sweep(at: datetime):
    with time_machine.travel(at, tick=False):
        return deadline_sweep()


def state(req: Request) -> tuple[str, bool]:
    req.refresh_from_db()
    return req.clock_state, req.extension_flagged


@pytest.fixture
def boston(org, staff_a):
    """A Massachusetts entity (HIPAA's 30 days only) whose 15-working-day policy pauses while
    it waits on the requester, which the law lets it do because HIPAA's date stays the cap."""
    entity = EntityFactory(organization=org, jurisdiction="MA", timezone="America/New_York")
    DeadlinePolicy.objects.filter(entity=entity, key=DeadlineKey.ACCESS_COPY).update(
        days=15, unit=DayUnit.WORKING, extension_days=0, pauses_when_pending=True
    )
    StaffMembership.objects.get(user=staff_a).entities.add(entity)
    return entity


def test_it_puts_each_entity_under_the_sweeps_thresholds(org, entity_a, boston) -> None:
    at = datetime(2026, 11, 24, 10, tzinfo=LA)
    # Boston closes Wednesday 25 Nov; a closure in the past changes nothing.
    Closure.objects.create(entity=boston, date=date(2026, 11, 25), reason="Water damage")
    Closure.objects.create(entity=entity_a, date=date(2026, 11, 2), reason="Move")
    groups = entity_groups(at)
    for entity in (entity_a, boston):
        assert entity.pk in groups[entity_thresholds(entity, at)]
    # Tuesday 24 Nov plus three working days: Wed 25 is closed, Thu 26 is Thanksgiving.
    assert entity_thresholds(boston, at).due_soon_until == date(2026, 12, 1)


def test_a_request_entered_late_is_judged_as_it_is_received(entity_a) -> None:
    # Paper received Sunday 15 Nov, typed in Tuesday 24 Nov: due Monday 30 Nov, six calendar
    # days away but three working days (CA closes for Thanksgiving Thursday and Friday).
    late = received(entity_a, datetime(2026, 11, 24, 10, tzinfo=LA))
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=LA), tick=False):
        paper = submit(entity=entity_a, received_at=datetime(2026, 11, 15, 9, tzinfo=LA))
        older = submit(entity=entity_a, received_at=datetime(2026, 11, 1, 9, tzinfo=LA))
    assert paper.due_on == date(2026, 11, 30)
    assert state(paper) == ("due_soon", False)
    assert state(older) == ("overdue", False)
    assert state(late) == ("on_track", False)
    assert sweep(datetime(2026, 11, 24, 10, tzinfo=LA)).changed == 0


def test_resume_judges_the_moved_date(boston, staff_a) -> None:
    req = received(boston, datetime(2026, 3, 2, 10, tzinfo=NY))
    assert req.due_on == date(2026, 3, 23)  # 15 working days
    # Pended Wednesday 18 Mar with three working days left; the clock stops.
    with time_machine.travel(datetime(2026, 3, 18, 10, tzinfo=NY), tick=False):
        t.request_pend(req, actor=staff_a, missing="The signed authorization.")
    sweep(datetime(2026, 3, 25, 10, tzinfo=NY))
    assert state(req) == ("overdue", False)  # the old date passed while it waited

    # Resumed Thursday 26 Mar: the six working days it waited move the date to Tuesday 31
    # Mar, five calendar days but three working days away: due soon, now.
    with time_machine.travel(datetime(2026, 3, 26, 9, tzinfo=NY), tick=False):
        t.request_resume(req, actor=staff_a, note="Authorization received")
    req.refresh_from_db()
    assert (req.due_on, req.paused_on) == (date(2026, 3, 31), None)
    assert state(req) == ("due_soon", False)
    assert sweep(datetime(2026, 3, 26, 9, tzinfo=NY)).changed == 0


@pytest.fixture
def accounting(entity_a):
    # 60 days from Monday 28 Sep: due Friday 27 Nov, extendable by 30 days (164.528(c)(1)).
    req = received(
        entity_a,
        datetime(2026, 9, 28, 9, tzinfo=LA),
        kind=RequestKind.ACCOUNTING,
        delivery=DeliveryMethod.PORTAL,
    )
    assert (req.due_on, req.latest_extension_on) == (date(2026, 11, 27), date(2026, 12, 27))
    return req


def test_an_extension_to_a_near_date_is_due_soon_at_once(accounting, staff_a) -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=LA)
    sweep(now)
    assert state(accounting) == ("due_soon", True)
    # Monday 30 Nov is six calendar days away but three working days (Thanksgiving): the
    # decision is made (no flag), and the new date is due soon all the same.
    with time_machine.travel(now, tick=False):
        t.request_extend(
            accounting, actor=staff_a, new_due_on=date(2026, 11, 30), reason="Archive request"
        )
    assert state(accounting) == ("due_soon", False)
    assert sweep(now).changed == 0


def test_an_extension_to_a_later_date_is_on_track(accounting, staff_a) -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=LA)
    sweep(now)
    with time_machine.travel(now, tick=False):
        t.request_extend(
            accounting, actor=staff_a, new_due_on=date(2026, 12, 20), reason="Archive request"
        )
    assert state(accounting) == ("on_track", False)
    assert sweep(now).changed == 0


def test_reopen_judges_a_request_the_sweep_left_alone(entity_a, staff_a) -> None:
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))  # due Tuesday 17 Nov
    with time_machine.travel(datetime(2026, 11, 5, 9, tzinfo=LA), tick=False):
        t.request_withdraw(req, actor=staff_a, reason="Sent by mistake")
    sweep(datetime(2026, 11, 12, 9, tzinfo=LA))
    assert state(req) == ("on_track", False)  # answered: the sweep does not judge it
    # Reopened Thursday 12 Nov: Fri 13, Mon 16, Tue 17 are the three working days left.
    with time_machine.travel(datetime(2026, 11, 12, 10, tzinfo=LA), tick=False):
        t.request_reopen(req, actor=staff_a, reason="The patient still wants the copy")
    assert state(req) == ("due_soon", False)
    assert sweep(datetime(2026, 11, 12, 10, tzinfo=LA)).changed == 0


def test_back_to_work_raises_the_extension_flag_at_once(accounting, staff_a) -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=LA)
    with time_machine.travel(now, tick=False):
        t.request_start_review(accounting, actor=staff_a)
        t.request_verify(accounting, actor=staff_a)
        t.request_mark_ready(accounting, actor=staff_a)
    sweep(now)
    # Ready: the work is done, so no extension decision is asked for.
    assert state(accounting) == ("due_soon", False)
    # Back to work three days before the first due date, extendable to 27 Dec: the decision
    # is needed now, not at the next sweep.
    with time_machine.travel(now, tick=False):
        t.request_return_to_work(accounting, actor=staff_a, reason="A page is missing")
    assert state(accounting) == ("due_soon", True)
    assert sweep(now).changed == 0


def test_an_answered_request_keeps_its_state_and_loses_the_flag(accounting) -> None:
    Request.objects.filter(pk=accounting.pk).update(
        status="released", clock_state="due_soon", extension_flagged=True
    )
    accounting.refresh_from_db()
    request_clock_judge(accounting, now=datetime(2026, 11, 24, 10, tzinfo=LA))
    assert (accounting.clock_state, accounting.extension_flagged) == ("due_soon", False)
