from __future__ import annotations

from datetime import date

import pytest

from requests_app.rules.calendar import (
    add_days,
    closed_days,
    count_days,
    is_open_day,
    next_open_day,
    years_for,
)
from requests_app.rules.kinds import DayUnit

CAL = DayUnit.CALENDAR
WORK = DayUnit.WORKING
D = date


# Facts checked against the installed `holidays` package (US, public category).
@pytest.mark.parametrize(
    ("subdiv", "day", "closed"),
    [
        pytest.param(None, D(2026, 11, 26), True, id="federal-thanksgiving-2026"),
        pytest.param(None, D(2026, 12, 25), True, id="federal-christmas-2026"),
        pytest.param(None, D(2027, 1, 1), True, id="federal-new-year-2027"),
        pytest.param(None, D(2026, 7, 3), True, id="federal-july-4-observed-friday"),
        pytest.param(None, D(2028, 11, 10), True, id="federal-veterans-day-observed-2028"),
        pytest.param(None, D(2026, 3, 31), False, id="federal-no-chavez-day"),
        pytest.param(None, D(2026, 11, 27), False, id="federal-day-after-thanksgiving-open"),
        pytest.param("CA", D(2026, 3, 31), True, id="ca-cesar-chavez-day-2026"),
        pytest.param("CA", D(2028, 3, 31), True, id="ca-cesar-chavez-day-2028"),
        pytest.param("CA", D(2026, 11, 27), True, id="ca-day-after-thanksgiving"),
        pytest.param("CA", D(2026, 10, 12), False, id="ca-no-columbus-day"),
        pytest.param("CA", D(2027, 12, 24), True, id="ca-christmas-observed-2027"),
        pytest.param("CA", D(2027, 12, 31), True, id="ca-new-year-2028-observed-2027"),
        pytest.param("CA", D(2026, 4, 20), False, id="ca-no-patriots-day"),
        pytest.param("MA", D(2026, 4, 20), True, id="ma-patriots-day"),
        pytest.param("MA", D(2026, 3, 31), False, id="ma-no-chavez-day"),
        pytest.param("MA", D(2026, 11, 27), False, id="ma-day-after-thanksgiving-open"),
        pytest.param("MA", D(2026, 7, 3), False, id="ma-no-saturday-july-4-observed"),
        pytest.param("MA", D(2027, 12, 24), False, id="ma-no-saturday-christmas-observed"),
        pytest.param("TX", D(2026, 3, 2), True, id="tx-independence-day"),
        pytest.param("TX", D(2026, 3, 31), True, id="tx-chavez-day-optional-holiday"),
        pytest.param("TX", D(2026, 4, 3), True, id="tx-good-friday"),
        pytest.param("TX", D(2026, 4, 21), True, id="tx-san-jacinto-day"),
        pytest.param("TX", D(2026, 12, 24), True, id="tx-christmas-eve"),
        pytest.param("TX", D(2027, 1, 19), True, id="tx-confederate-memorial-day"),
        pytest.param("WA", D(2026, 11, 27), True, id="wa-native-american-heritage-day"),
        pytest.param("WA", D(2026, 10, 12), False, id="wa-no-columbus-day"),
        pytest.param("MT", D(2026, 11, 3), True, id="mt-election-day"),
        pytest.param("MT", D(2026, 10, 12), True, id="mt-columbus-day"),
    ],
)
def test_closed_days_come_from_the_holidays_package(
    subdiv: str | None, day: date, closed: bool
) -> None:
    assert (day in closed_days(subdiv=subdiv, years=[day.year])) is closed


def test_closed_days_adds_admin_closures_and_accepts_lowercase_state() -> None:
    storm = D(2026, 1, 27)
    days = closed_days(subdiv="ca", years=[2026], extra=[storm])
    assert storm in days
    assert D(2026, 3, 31) in days


def test_closed_days_with_no_years_is_only_the_extra_closures() -> None:
    assert closed_days(subdiv="CA", years=[], extra=[D(2026, 5, 1)]) == {D(2026, 5, 1)}


def test_closed_days_rejects_unknown_state() -> None:
    with pytest.raises(ValueError, match="ZZ"):
        closed_days(subdiv="ZZ", years=[2026])


def test_years_for_loads_the_observed_new_year_of_the_next_year() -> None:
    # 1 January 2028 is a Saturday, observed on Friday 31 December 2027.
    years = years_for(D(2027, 12, 20), 15)
    assert D(2027, 12, 31) in closed_days(subdiv="CA", years=years)


@pytest.mark.parametrize(
    ("start", "span", "expected"),
    [
        pytest.param(D(2026, 6, 1), 30, range(2026, 2027), id="mid-year"),
        pytest.param(D(2026, 12, 20), 30, range(2026, 2028), id="year-end"),
        pytest.param(D(2026, 1, 1), 366, range(2026, 2029), id="validation-year"),
        pytest.param(D(2028, 2, 29), 0, range(2028, 2029), id="leap-day"),
    ],
)
def test_years_for(start: date, span: int, expected: range) -> None:
    assert years_for(start, span) == expected


def test_years_for_rejects_negative_span() -> None:
    with pytest.raises(ValueError):
        years_for(D(2026, 1, 1), -1)


@pytest.mark.parametrize(
    ("subdiv", "day", "is_open"),
    [
        pytest.param("CA", D(2026, 3, 2), True, id="monday"),
        pytest.param("CA", D(2026, 3, 6), True, id="friday"),
        pytest.param("CA", D(2026, 3, 7), False, id="saturday"),
        pytest.param("CA", D(2026, 3, 8), False, id="sunday"),
        pytest.param("CA", D(2026, 3, 31), False, id="ca-state-holiday"),
        pytest.param("MA", D(2026, 3, 31), True, id="same-day-open-in-ma"),
        pytest.param("CA", D(2026, 12, 25), False, id="christmas"),
        pytest.param("CA", D(2028, 2, 29), True, id="leap-day-tuesday"),
    ],
)
def test_is_open_day(closed, subdiv: str, day: date, is_open: bool) -> None:
    assert is_open_day(day, closed(subdiv)) is is_open


def test_admin_closure_is_not_open() -> None:
    assert not is_open_day(D(2026, 3, 3), frozenset({D(2026, 3, 3)}))


@pytest.mark.parametrize(
    ("subdiv", "day", "expected"),
    [
        pytest.param("CA", D(2026, 3, 2), D(2026, 3, 2), id="open-day-itself"),
        pytest.param("CA", D(2026, 3, 7), D(2026, 3, 9), id="saturday-to-monday"),
        pytest.param("CA", D(2026, 11, 26), D(2026, 11, 30), id="ca-thanksgiving-and-friday"),
        pytest.param(None, D(2026, 11, 26), D(2026, 11, 27), id="federal-thanksgiving"),
        pytest.param("CA", D(2027, 12, 24), D(2027, 12, 27), id="christmas-observed-weekend"),
        pytest.param("CA", D(2027, 12, 31), D(2028, 1, 3), id="new-year-observed-year-end"),
        pytest.param("TX", D(2026, 12, 24), D(2026, 12, 28), id="tx-christmas-eve-to-monday"),
    ],
)
def test_next_open_day(closed, subdiv: str | None, day: date, expected: date) -> None:
    assert next_open_day(day, closed(subdiv)) == expected


@pytest.mark.parametrize(
    ("subdiv", "start", "n", "unit", "expected"),
    [
        pytest.param("CA", D(2026, 1, 31), 30, CAL, D(2026, 3, 2), id="cal-over-february"),
        pytest.param("CA", D(2028, 1, 31), 30, CAL, D(2028, 3, 1), id="cal-over-leap-february"),
        pytest.param("CA", D(2028, 1, 30), 30, CAL, D(2028, 2, 29), id="cal-lands-on-leap-day"),
        pytest.param("CA", D(2026, 12, 20), 15, CAL, D(2027, 1, 4), id="cal-over-year-end"),
        pytest.param("CA", D(2026, 11, 11), 15, CAL, D(2026, 11, 26), id="cal-ends-on-holiday"),
        pytest.param("CA", D(2026, 3, 7), 0, CAL, D(2026, 3, 7), id="cal-zero"),
        pytest.param("CA", D(2026, 3, 2), 5, WORK, D(2026, 3, 9), id="work-monday-receipt"),
        pytest.param("CA", D(2026, 3, 7), 1, WORK, D(2026, 3, 9), id="work-saturday-receipt"),
        pytest.param("CA", D(2026, 3, 7), 5, WORK, D(2026, 3, 13), id="work-saturday-5"),
        pytest.param("CA", D(2026, 3, 29), 5, WORK, D(2026, 4, 6), id="work-ca-chavez-day"),
        pytest.param(None, D(2026, 3, 29), 5, WORK, D(2026, 4, 3), id="work-federal-no-chavez"),
        pytest.param("TX", D(2026, 3, 29), 5, WORK, D(2026, 4, 7), id="work-tx-good-friday"),
        pytest.param("CA", D(2026, 11, 25), 1, WORK, D(2026, 11, 30), id="work-ca-thanksgiving"),
        pytest.param(None, D(2026, 11, 25), 1, WORK, D(2026, 11, 27), id="work-fed-thanksgiving"),
        pytest.param("CA", D(2026, 12, 23), 5, WORK, D(2026, 12, 31), id="work-ca-christmas"),
        pytest.param("CA", D(2026, 12, 23), 6, WORK, D(2027, 1, 4), id="work-ca-new-year"),
        pytest.param("TX", D(2026, 12, 23), 5, WORK, D(2027, 1, 4), id="work-tx-christmas-eve"),
        pytest.param("CA", D(2027, 12, 22), 3, WORK, D(2027, 12, 28), id="work-observed-24th"),
        pytest.param("CA", D(2027, 12, 22), 6, WORK, D(2028, 1, 3), id="work-observed-31st"),
        pytest.param("CA", D(2028, 2, 25), 3, WORK, D(2028, 3, 1), id="work-over-leap-day"),
        pytest.param("CA", D(2026, 3, 7), 0, WORK, D(2026, 3, 7), id="work-zero-is-receipt"),
    ],
)
def test_add_days(
    closed, subdiv: str | None, start: date, n: int, unit: DayUnit, expected: date
) -> None:
    assert add_days(start, n, unit, closed(subdiv)) == expected


def test_add_days_skips_admin_closures() -> None:
    assert add_days(D(2026, 3, 2), 1, WORK, frozenset({D(2026, 3, 3)})) == D(2026, 3, 4)


def test_add_days_rejects_negative() -> None:
    with pytest.raises(ValueError):
        add_days(D(2026, 3, 2), -1, CAL, frozenset())


@pytest.mark.parametrize(
    ("subdiv", "start", "end", "unit", "expected"),
    [
        pytest.param("CA", D(2026, 3, 2), D(2026, 3, 9), WORK, 5, id="work-week"),
        pytest.param("CA", D(2026, 3, 2), D(2026, 3, 9), CAL, 7, id="cal-week"),
        pytest.param("CA", D(2026, 3, 9), D(2026, 3, 2), WORK, 0, id="end-before-start"),
        pytest.param("CA", D(2026, 3, 9), D(2026, 3, 9), CAL, 0, id="same-day"),
        pytest.param("CA", D(2026, 11, 25), D(2026, 11, 30), WORK, 1, id="ca-thanksgiving"),
        pytest.param(None, D(2026, 11, 25), D(2026, 11, 30), WORK, 2, id="fed-thanksgiving"),
        pytest.param("CA", D(2028, 2, 28), D(2028, 3, 1), CAL, 2, id="cal-leap"),
        pytest.param("CA", D(2026, 2, 28), D(2026, 3, 1), CAL, 1, id="cal-no-leap"),
        pytest.param("CA", D(2026, 12, 31), D(2027, 1, 4), WORK, 1, id="work-new-year"),
        pytest.param("CA", D(2026, 3, 6), D(2026, 3, 8), WORK, 0, id="work-weekend-only"),
    ],
)
def test_count_days(
    closed, subdiv: str | None, start: date, end: date, unit: DayUnit, expected: int
) -> None:
    assert count_days(start, end, unit, closed(subdiv)) == expected


@pytest.mark.parametrize(
    ("subdiv", "start", "n"),
    [
        pytest.param("CA", D(2026, 11, 20), 15, id="ca-thanksgiving"),
        pytest.param("TX", D(2026, 12, 19), 15, id="tx-year-end-saturday"),
        pytest.param("WA", D(2028, 2, 27), 21, id="wa-leap-sunday"),
        pytest.param("MA", D(2026, 4, 17), 5, id="ma-patriots-day"),
    ],
)
def test_count_days_inverts_add_days(closed, subdiv: str, start: date, n: int) -> None:
    days = closed(subdiv)
    assert count_days(start, add_days(start, n, WORK, days), WORK, days) == n
