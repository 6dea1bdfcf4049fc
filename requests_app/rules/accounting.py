"""The accounting of disclosures (45 CFR 164.528): how far back it reaches and when it is free."""

from __future__ import annotations

from datetime import date

# 164.528(a)(1): an accounting covers up to six years before the date of the request.
ACCOUNTING_YEARS = 6
# 164.528(c)(2): the first accounting in any 12-month period is free.
FREE_WINDOW_YEARS = 1


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def accounting_period_start(today: date) -> date:
    """The earliest disclosure an accounting asked for today must list."""
    return years_before(today, ACCOUNTING_YEARS)


def free_window_start(today: date) -> date:
    """An earlier accounting on or after this day makes today's one chargeable."""
    return years_before(today, FREE_WINDOW_YEARS)
