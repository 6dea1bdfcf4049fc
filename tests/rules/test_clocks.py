"""The legal clock seen from one day: thresholds on the entity's calendar, the extension
guard, authorization expiry and the waits before a reminder or a closure."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.rules.clocks import (
    DUE_SOON,
    DUE_TODAY,
    ON_TRACK,
    OVERDUE,
    ClockThresholds,
    authorization_expired_on,
    clock_state,
    clock_thresholds,
    clock_years,
    extension_decision_needed,
    more_urgent,
    pending_cutoff,
    shown_urgency,
    waited_enough,
)
from requests_app.rules.kinds import RequestKind

D = date


@pytest.mark.parametrize(
    ("today", "n", "until"),
    [
        pytest.param(D(2026, 11, 2), 3, D(2026, 11, 5), id="monday-plus-3-is-thursday"),
        pytest.param(D(2026, 11, 13), 3, D(2026, 11, 18), id="friday-skips-the-weekend"),
        # Veterans Day (Wed 11 Nov 2026) is a federal holiday.
        pytest.param(D(2026, 11, 9), 3, D(2026, 11, 13), id="skips-veterans-day"),
        # CA: Thanksgiving Thu 26 and the day after, Fri 27 November 2026.
        pytest.param(D(2026, 11, 25), 1, D(2026, 11, 30), id="ca-thanksgiving-weekend"),
        pytest.param(D(2026, 11, 28), 1, D(2026, 11, 30), id="from-a-saturday"),
        pytest.param(D(2026, 12, 30), 2, D(2027, 1, 4), id="over-new-year"),
        pytest.param(D(2026, 11, 2), 0, D(2026, 11, 2), id="zero-days-is-today"),
    ],
)
def test_the_due_soon_window_counts_working_days(closed, today, n, until) -> None:
    thresholds = clock_thresholds(today=today, due_soon_working_days=n, closed=closed("CA"))
    assert thresholds == ClockThresholds(today=today, due_soon_until=until)


def test_an_admin_closure_widens_the_window(closed) -> None:
    extra = closed("CA") | {D(2026, 11, 3)}
    got = clock_thresholds(today=D(2026, 11, 2), due_soon_working_days=3, closed=extra)
    assert got.due_soon_until == D(2026, 11, 6)


@pytest.mark.parametrize("n", [-1, 31])
def test_it_refuses_a_window_outside_the_policy_limits(closed, n) -> None:
    with pytest.raises(ValueError, match="working days"):
        clock_thresholds(today=D(2026, 11, 2), due_soon_working_days=n, closed=closed("CA"))


def test_the_years_to_load_cover_the_widest_window() -> None:
    assert list(clock_years(D(2026, 12, 20))) == [2026, 2027]


FRIDAY = ClockThresholds(today=D(2026, 11, 6), due_soon_until=D(2026, 11, 11))


@pytest.mark.parametrize(
    ("due_on", "state"),
    [
        (D(2026, 11, 5), OVERDUE),
        (D(2026, 10, 1), OVERDUE),
        (D(2026, 11, 6), DUE_TODAY),
        (D(2026, 11, 7), DUE_SOON),  # a Saturday due date, inside the window
        (D(2026, 11, 11), DUE_SOON),
        (D(2026, 11, 12), ON_TRACK),
    ],
)
def test_clock_state(due_on, state) -> None:
    assert clock_state(due_on, FRIDAY) == state


def test_more_urgent_picks_the_later_stage() -> None:
    assert more_urgent(ON_TRACK, DUE_SOON) == DUE_SOON
    assert more_urgent(OVERDUE, DUE_TODAY) == OVERDUE
    assert more_urgent(ON_TRACK, ON_TRACK) == ON_TRACK


@pytest.mark.parametrize(
    ("due_on", "swept", "shown"),
    [
        # Friday 6 Nov 2026: the dates alone say on track past Monday 9.
        pytest.param(D(2026, 11, 11), DUE_SOON, DUE_SOON, id="working-days-make-it-soon"),
        pytest.param(D(2026, 11, 11), ON_TRACK, ON_TRACK, id="on-track-on-both-counts"),
        pytest.param(D(2026, 11, 9), ON_TRACK, DUE_SOON, id="three-calendar-days-are-soon"),
        pytest.param(D(2026, 11, 6), DUE_SOON, DUE_TODAY, id="the-dates-say-due-today"),
        pytest.param(D(2026, 11, 5), DUE_SOON, OVERDUE, id="a-stale-due-soon-is-overdue"),
        pytest.param(D(2026, 11, 20), OVERDUE, ON_TRACK, id="a-stale-overdue-goes-by-the-dates"),
    ],
)
def test_shown_urgency_is_never_less_urgent_than_either_count(due_on, swept, shown) -> None:
    assert shown_urgency(due_on=due_on, today=FRIDAY.today, swept_state=swept) == shown


def _needed(**overrides) -> bool:
    values = {
        "due_on": D(2026, 11, 10),
        "extended_due_on": None,
        "latest_extension_on": D(2026, 12, 10),
        "ready": False,
        "thresholds": FRIDAY,
    }
    return extension_decision_needed(**{**values, **overrides})


def test_an_extension_decision_is_needed_inside_the_window() -> None:
    assert _needed()
    assert _needed(due_on=D(2026, 11, 6))  # due today: the notice can still go out today
    assert _needed(due_on=D(2026, 11, 11))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"due_on": D(2026, 11, 5)}, id="first-due-date-passed"),
        pytest.param({"due_on": D(2026, 11, 12)}, id="not-yet-in-the-window"),
        pytest.param({"extended_due_on": D(2026, 12, 1)}, id="already-extended"),
        pytest.param({"latest_extension_on": None}, id="no-extension-allowed-ca-copies"),
        pytest.param({"latest_extension_on": D(2026, 11, 10)}, id="extension-adds-no-day"),
        pytest.param({"ready": True}, id="ready-to-release"),
    ],
)
def test_no_extension_decision(overrides) -> None:
    assert not _needed(**overrides)


def _expired(**overrides) -> date | None:
    values = {
        "kind": RequestKind.AUTHORIZED,
        "expiration_date": None,
        "expiration_event": "",
        "signed_on": D(2026, 1, 5),
        "default_validity_days": 90,
        "today": D(2026, 4, 5),
    }
    return authorization_expired_on(**{**values, **overrides})


def test_a_written_expiration_date_is_valid_through_that_day() -> None:
    assert _expired(expiration_date=D(2026, 4, 5)) is None
    assert _expired(expiration_date=D(2026, 4, 4)) == D(2026, 4, 4)


def test_with_no_date_it_is_valid_for_the_default_days_after_signing() -> None:
    # Signed 5 January + 90 days = 5 April, the last valid day (Keck's rule).
    assert _expired(today=D(2026, 4, 5)) is None
    assert _expired(today=D(2026, 4, 6)) == D(2026, 4, 5)
    assert _expired(today=D(2026, 4, 6), default_validity_days=120) is None


def test_an_event_or_a_missing_signature_date_is_for_staff_to_watch() -> None:
    assert _expired(expiration_event="End of the lawsuit", today=D(2027, 1, 1)) is None
    assert _expired(signed_on=None, today=D(2027, 1, 1)) is None


@pytest.mark.parametrize("kind", [k for k in RequestKind if k != RequestKind.AUTHORIZED])
def test_only_authorizations_expire(kind) -> None:
    assert _expired(kind=kind, expiration_date=D(2026, 1, 1)) is None


def test_the_waits_count_calendar_days_from_the_pend_date() -> None:
    assert pending_cutoff(D(2026, 3, 11), 10) == D(2026, 3, 1)
    assert waited_enough(pended_on=D(2026, 3, 1), today=D(2026, 3, 11), days=10)
    assert not waited_enough(pended_on=D(2026, 3, 2), today=D(2026, 3, 11), days=10)
    # Across a month and a year end.
    assert waited_enough(pended_on=D(2026, 12, 22), today=D(2027, 2, 20), days=60)
    assert not waited_enough(pended_on=D(2026, 12, 23), today=D(2027, 2, 20), days=60)
    with pytest.raises(ValueError):
        pending_cutoff(D(2026, 3, 11), -1)
