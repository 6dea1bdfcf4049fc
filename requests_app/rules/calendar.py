"""Open days and day counting for legal deadlines.

DOMAIN.md section 2: "working" or "business" days skip weekends and the entity's closed days
(federal and state holidays, plus closures an admin adds). Calendar days count every day.
The holiday data comes from the `holidays` package; the caller passes the resulting frozen
set around so that every function here stays pure and cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

from .kinds import DayUnit

_ONE_DAY = timedelta(days=1)
# Saturday and Sunday; date.weekday() counts Monday as 0.
_WEEKEND = frozenset({5, 6})


def closed_days(
    *,
    country: str = "US",
    subdiv: str | None,
    years: Iterable[int],
    extra: Iterable[date] = (),
) -> frozenset[date]:
    """The days the entity is closed: public holidays of the country and state, with the
    observed weekdays the `holidays` package gives (e.g. a Saturday 4 July observed on Friday
    3 July), plus the admin-added closures in `extra`.

    A state's own holidays (CA: Cesar Chavez Day, MA: Patriots' Day, TX: San Jacinto Day...)
    count because the working-day statutes (Cal. HSC 123110, Tex. HSC 181.102, RCW 70.02.080)
    run on the entity's business days, and the entity closes on them.
    """
    code = subdiv.strip().upper() if subdiv else None
    return _public_holidays(country.strip().upper(), code, tuple(sorted(set(years)))) | frozenset(
        extra
    )


@functools.lru_cache(maxsize=128)
def _public_holidays(country: str, subdiv: str | None, years: tuple[int, ...]) -> frozenset[date]:
    # The same few calendars (country, state, years) serve every entity and request; building
    # one takes milliseconds, so each is built once per process.
    try:
        calendar = holidays.country_holidays(country, subdiv=subdiv, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(
            f"No holiday calendar for country {country!r}, state {subdiv!r}: {exc}"
        ) from exc
    return frozenset(calendar.keys())


def is_open_day(day: date, closed: frozenset[date]) -> bool:
    """Monday to Friday and not a closed day."""
    return day.weekday() not in _WEEKEND and day not in closed


def next_open_day(day: date, closed: frozenset[date]) -> date:
    """The day itself when open, else the first open day after it."""
    while not is_open_day(day, closed):
        day += _ONE_DAY
    return day


def add_days(start: date, n: int, unit: DayUnit, closed: frozenset[date]) -> date:
    """The day `n` counted days after `start`.

    The day of receipt is day 0 even when it is an open day: "within 5 working days" after a
    Monday receipt ends on the next Monday. A request received on a weekend or holiday starts
    counting at the first open day after it, which is day 1. Calendar days never skip.
    """
    if n < 0:
        raise ValueError(f"Cannot count a negative number of days ({n}).")
    if unit == DayUnit.CALENDAR:
        return start + timedelta(days=n)
    day = start
    counted = 0
    while counted < n:
        day += _ONE_DAY
        if is_open_day(day, closed):
            counted += 1
    return day


def count_days(start: date, end: date, unit: DayUnit, closed: frozenset[date]) -> int:
    """How many counted days lie in (start, end]; 0 when end is not after start."""
    if end <= start:
        return 0
    if unit == DayUnit.CALENDAR:
        return (end - start).days
    total = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if is_open_day(day, closed):
            total += 1
    return total


def years_for(start: date, span_days: int) -> range:
    """The years of holidays to load before counting up to `span_days` days from `start`.

    `span_days` may be working days (deadline plus extension). A working day is at most a few
    calendar days once weekends and a year's 10 to 20 closures are skipped, so the span is
    widened to twice its length plus a month; loading one year too many is cheap, missing a
    holiday would move a legal deadline.
    """
    if span_days < 0:
        raise ValueError(f"The span cannot be negative ({span_days}).")
    end = start + timedelta(days=span_days * 2 + 31)
    return range(start.year, end.year + 1)
