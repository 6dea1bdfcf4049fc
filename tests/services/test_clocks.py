"""The deadline sweep: requests walked through weekends, holidays and the extension window,
with the exact alerts, timeline events and staff emails each sweep produces, once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import ClockAlert, Request, StaffMembership, TimelineEvent
from requests_app.rules import clocks as rules
from requests_app.rules.kinds import DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.clocks import deadline_sweep, entity_groups
from requests_app.workflow import Status

from ..factories import EntityFactory, UserFactory, submit

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")


@pytest.fixture
def supervisor(org):
    user = UserFactory(username="sup", first_name="Sue", last_name="Pervisor", is_staff=True)
    StaffMembership.objects.create(
        user=user, organization=org, role=StaffMembership.Role.SUPERVISOR
    )
    return user


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Sweep at a moment, with the after-commit work (alert delivery, the emails) run."""

    def run(at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return deadline_sweep()

    return run


def received(entity, at: datetime, **kwargs) -> Request:
    with time_machine.travel(at, tick=False):
        return submit(entity=entity, received_at=at, **kwargs)


def assign(req: Request, user) -> None:
    t.request_assign(req, actor=user, assignee=user)


def alerts(req: Request) -> list[tuple[str, date]]:
    return sorted(req.clock_alerts.values_list("threshold", "due_on"))


def mail(outbox) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in outbox)


def test_a_copy_request_walks_from_on_track_to_overdue_with_one_alert_each(
    entity_a, staff_a, supervisor, sweep, mailoutbox
) -> None:
    # California copies: 15 calendar days, no extension (HSC 123110).
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    assign(req, staff_a)
    assert (req.due_on, req.latest_extension_on) == (date(2026, 11, 17), None)
    n = req.number

    # Friday 6 Nov: 3 working days reach Thursday 12 (Wednesday 11 is Veterans Day).
    result = sweep(datetime(2026, 11, 6, 10, tzinfo=LA))
    req.refresh_from_db()
    assert (req.clock_state, result.alerts, alerts(req), mailoutbox) == ("on_track", 0, [], [])

    # Thursday 12 Nov: Fri 13, Mon 16, Tue 17: due soon.
    result = sweep(datetime(2026, 11, 12, 10, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "due_soon"
    assert result.raised == {"due_soon": 1}
    assert alerts(req) == [("due_soon", date(2026, 11, 17))]
    assert mail(mailoutbox) == [("clerk.a@example.org", f"Request {n} is due on Nov. 17, 2026")]

    # Every 15 minutes the same day: nothing new.
    for minutes in (15, 30, 45):
        again = sweep(datetime(2026, 11, 12, 10, minutes, tzinfo=LA))
        assert (again.alerts, again.changed) == (0, 0)
    assert len(mailoutbox) == 1

    sweep(datetime(2026, 11, 17, 0, 5, tzinfo=LA))
    sweep(datetime(2026, 11, 17, 16, 0, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "due_today"
    assert mail(mailoutbox[1:]) == [("clerk.a@example.org", f"Request {n} is due today")]
    assert len(mailoutbox) == 2

    # Overdue from the first minute of the next day: the assignee and the supervisor hear.
    sweep(datetime(2026, 11, 18, 0, 1, tzinfo=LA))
    sweep(datetime(2026, 11, 18, 0, 16, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "overdue"
    assert alerts(req) == [
        ("due_soon", date(2026, 11, 17)),
        ("due_today", date(2026, 11, 17)),
        ("overdue", date(2026, 11, 17)),
    ]
    overdue = f"Request {n} is overdue (due Nov. 17, 2026)"
    assert mail(mailoutbox[2:]) == [
        ("clerk.a@example.org", overdue),
        ("sup@example.org", overdue),
    ]
    assert len(mailoutbox) == 4
    # One internal CLOCK event per alert, in order.
    events = req.events.filter(kind=TimelineEvent.Kind.CLOCK).order_by("at")
    assert [(e.action, e.visible_to_requester, e.data["due_on"]) for e in events] == [
        ("due_soon", False, "2026-11-17"),
        ("due_today", False, "2026-11-17"),
        ("overdue", False, "2026-11-17"),
    ]
    assert all(ClockAlert.objects.filter(delivered_at__isnull=False, request=req))


def test_thanksgiving_brings_due_soon_forward(entity_a, staff_a, sweep, mailoutbox) -> None:
    # Received Sunday 15 Nov: due Monday 30 Nov. California closes Thursday 26 and Friday 27.
    req = received(entity_a, datetime(2026, 11, 15, 14, tzinfo=LA))
    assign(req, staff_a)
    assert req.due_on == date(2026, 11, 30)
    sweep(datetime(2026, 11, 23, 9, tzinfo=LA))  # Monday: Tue 24, Wed 25, Mon 30 reach it
    req.refresh_from_db()
    assert req.clock_state == "due_soon"
    assert alerts(req) == [("due_soon", date(2026, 11, 30))]


def test_a_weekend_in_the_window(entity_a, staff_a, sweep) -> None:
    # Due Wednesday 9 Dec; from Friday 4 Dec, 3 working days are Mon 7, Tue 8, Wed 9.
    req = received(entity_a, datetime(2026, 11, 24, 9, tzinfo=LA))
    assert req.due_on == date(2026, 12, 9)
    sweep(datetime(2026, 12, 3, 9, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "on_track"
    sweep(datetime(2026, 12, 4, 9, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "due_soon"


def test_the_policy_sets_the_window(entity_a, sweep) -> None:
    entity_a.policy.due_soon_working_days = 10
    entity_a.policy.save()
    req = received(entity_a, datetime(2026, 11, 24, 9, tzinfo=LA))  # due 9 Dec
    sweep(datetime(2026, 11, 24, 10, tzinfo=LA))
    req.refresh_from_db()
    assert req.clock_state == "due_soon"


@pytest.fixture
def amendment(entity_a, staff_a):
    # 60 days + one 30-day extension (164.526(b)(2)): due Friday 1 Jan 2027, a holiday that a
    # calendar-day rule does not move.
    req = received(
        entity_a,
        datetime(2026, 11, 2, 9, tzinfo=LA),
        kind=RequestKind.AMENDMENT,
        delivery=DeliveryMethod.PORTAL,
        amendment_what_is_wrong="Wrong allergy listed",
        amendment_should_say="No known allergies",
    )
    assign(req, staff_a)
    assert (req.due_on, req.latest_extension_on) == (date(2027, 1, 1), date(2027, 1, 31))
    return req


def test_the_extension_guard_flags_while_an_extension_is_possible(
    amendment, staff_a, supervisor, sweep, mailoutbox
) -> None:
    n = amendment.number
    # Monday 28 Dec: Tue 29, Wed 30, Thu 31 (New Year's Day is closed): not yet.
    sweep(datetime(2026, 12, 28, 9, tzinfo=LA))
    amendment.refresh_from_db()
    assert (amendment.clock_state, amendment.extension_flagged) == ("on_track", False)
    # Tuesday 29 Dec: Wed 30, Thu 31, Mon 4 Jan: the first due date is inside.
    result = sweep(datetime(2026, 12, 29, 9, tzinfo=LA))
    amendment.refresh_from_db()
    assert (amendment.clock_state, amendment.extension_flagged) == ("due_soon", True)
    assert (result.raised, result.changed) == ({"due_soon": 1, "extension": 1}, 1)
    assert alerts(amendment) == [("due_soon", date(2027, 1, 1)), ("extension", date(2027, 1, 1))]
    assert mail(mailoutbox) == [
        ("clerk.a@example.org", f"Request {n} is due on Jan. 1, 2027"),
        ("clerk.a@example.org", f"Request {n}: decide on an extension"),
    ]
    assert sweep(datetime(2026, 12, 30, 9, tzinfo=LA)).alerts == 0

    # The clerk extends: the flag and the old date's "due soon" go at once, and the next sweep
    # agrees (nothing to change) while the clock runs to the new date.
    with time_machine.travel(datetime(2026, 12, 30, 11, tzinfo=LA), tick=False):
        t.request_extend(
            amendment, actor=staff_a, new_due_on=date(2027, 1, 29), reason="Physician on leave"
        )
    amendment.refresh_from_db()
    assert (amendment.clock_state, amendment.extension_flagged) == ("on_track", False)
    result = sweep(datetime(2026, 12, 30, 11, 15, tzinfo=LA))
    amendment.refresh_from_db()
    assert (amendment.clock_state, amendment.extension_flagged) == ("on_track", False)
    assert (result.changed, result.alerts) == (0, 0)
    # The new date is a new clock: due soon again before it, never another extension alert.
    sweep(datetime(2027, 1, 26, 9, tzinfo=LA))
    assert alerts(amendment) == [
        ("due_soon", date(2027, 1, 1)),
        ("due_soon", date(2027, 1, 29)),
        ("extension", date(2027, 1, 1)),
    ]


def test_the_flag_clears_when_the_first_due_date_passes(amendment, sweep) -> None:
    sweep(datetime(2026, 12, 31, 9, tzinfo=LA))
    amendment.refresh_from_db()
    assert amendment.extension_flagged
    result = sweep(datetime(2027, 1, 2, 9, tzinfo=LA))
    amendment.refresh_from_db()
    assert (amendment.clock_state, amendment.extension_flagged) == ("overdue", False)
    assert result.changed == 1
    assert ("overdue", date(2027, 1, 1)) in alerts(amendment)


def test_the_flag_clears_once_the_request_is_answered(amendment, sweep) -> None:
    sweep(datetime(2026, 12, 31, 9, tzinfo=LA))
    amendment.refresh_from_db()
    assert amendment.extension_flagged
    # The transition judges the clock itself (services/clock_state.py): the flag goes down
    # with the answer, and the next sweep finds nothing to change.
    with time_machine.travel(datetime(2026, 12, 31, 10, tzinfo=LA), tick=False):
        t.request_withdraw(amendment, actor=None, reason="No longer needed")
    amendment.refresh_from_db()
    assert not amendment.extension_flagged
    assert sweep(datetime(2026, 12, 31, 10, 15, tzinfo=LA)).changed == 0
    # A flag left up on an answered row (written outside the services) is still the
    # sweep's to clear.
    Request.objects.filter(pk=amendment.pk).update(extension_flagged=True)
    assert sweep(datetime(2026, 12, 31, 10, 30, tzinfo=LA)).changed == 1
    amendment.refresh_from_db()
    assert not amendment.extension_flagged


def test_no_flag_when_ready_or_when_no_extension_is_allowed(
    amendment, entity_a, staff_a, sweep
) -> None:
    copy = received(entity_a, datetime(2026, 12, 16, 9, tzinfo=LA))  # CA copy, due 31 Dec
    with time_machine.travel(datetime(2026, 12, 20, 9, tzinfo=LA), tick=False):
        t.request_start_review(amendment, actor=staff_a)
        t.request_verify(amendment, actor=staff_a)
        t.request_mark_ready(amendment, actor=staff_a)
    sweep(datetime(2026, 12, 30, 9, tzinfo=LA))
    for req in (copy, amendment):
        req.refresh_from_db()
        assert req.clock_state == "due_soon" and not req.extension_flagged, req.number
    assert not ClockAlert.objects.filter(threshold="extension").exists()


def test_answered_requests_are_left_alone(entity_a, staff_a, sweep) -> None:
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    with time_machine.travel(datetime(2026, 11, 3, 9, tzinfo=LA), tick=False):
        t.request_withdraw(req, actor=None, reason="No longer needed")
    sweep(datetime(2026, 11, 20, 9, tzinfo=LA))
    req.refresh_from_db()
    assert (req.clock_state, alerts(req)) == ("on_track", [])


def test_an_unassigned_request_alerts_the_supervisors(entity_a, supervisor, sweep, mailoutbox):
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    sweep(datetime(2026, 11, 16, 9, tzinfo=LA))
    assert mail(mailoutbox) == [
        ("sup@example.org", f"Request {req.number} is due on Nov. 17, 2026")
    ]


def test_each_entity_counts_in_its_own_time_zone(org, entity_a, sweep) -> None:
    boston = EntityFactory(organization=org, timezone="America/New_York", jurisdiction="MA")
    la_req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    ny_req = received(boston, datetime(2026, 10, 18, 9, tzinfo=NY))
    assert la_req.due_on == ny_req.due_on == date(2026, 11, 17)
    # 01:00 on the 18th in Boston is 22:00 on the 17th in Los Angeles.
    result = sweep(datetime(2026, 11, 18, 1, 0, tzinfo=NY))
    la_req.refresh_from_db()
    ny_req.refresh_from_db()
    assert (la_req.clock_state, ny_req.clock_state) == ("due_today", "overdue")
    assert result.groups == 2


def test_the_sql_states_match_the_pure_rule(entity_a, sweep) -> None:
    start = datetime(2026, 10, 20, 9, tzinfo=LA)
    made = [received(entity_a, start + timedelta(days=d)) for d in range(0, 30, 2)]
    at = datetime(2026, 11, 20, 9, tzinfo=LA)
    sweep(at)
    (thresholds,) = entity_groups(at)
    for req in made:
        req.refresh_from_db()
        assert req.clock_state == rules.clock_state(req.current_due_on, thresholds), req.number
    states = {r.clock_state for r in made}
    assert states == {"overdue", "due_today", "due_soon", "on_track"}


def test_the_statement_count_does_not_grow_with_the_requests(entity_a, django_db_blocker):
    start = datetime(2026, 10, 20, 9, tzinfo=LA)
    at = datetime(2026, 11, 20, 9, tzinfo=LA)

    def statements() -> int:
        with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as ctx:
            deadline_sweep()
        ClockAlert.objects.all().delete()
        Request.objects.update(clock_state="on_track")
        return len(ctx.captured_queries)

    for d in range(3):
        received(entity_a, start + timedelta(days=d * 5))
    few = statements()
    for d in range(40):
        received(entity_a, start + timedelta(days=d % 30, hours=d % 5))
    assert statements() == few


def test_a_sweep_at_the_same_moment_twice_writes_nothing_twice(entity_a, sweep) -> None:
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    at = datetime(2026, 11, 20, 9, tzinfo=LA)
    first, second = sweep(at), sweep(at)
    assert (first.alerts, second.alerts) == (1, 0)
    assert req.clock_alerts.count() == 1
    assert req.events.filter(kind=TimelineEvent.Kind.CLOCK).count() == 1


def test_a_paused_or_pending_request_still_runs_on_the_law_date(entity_a, staff_a, sweep):
    # HIPAA and California have no pause: a request waiting on its requester keeps its date.
    req = received(entity_a, datetime(2026, 11, 2, 9, tzinfo=LA))
    with time_machine.travel(datetime(2026, 11, 3, 9, tzinfo=LA), tick=False):
        t.request_pend(req, actor=staff_a, missing="A copy of your photo ID")
    sweep(datetime(2026, 11, 18, 9, tzinfo=LA))
    req.refresh_from_db()
    assert (req.status, req.clock_state) == (Status.PENDING_REQUESTER, "overdue")
