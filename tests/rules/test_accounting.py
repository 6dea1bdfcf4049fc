"""DOMAIN.md section 7: six years back; the first accounting in any 12 months is free."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.rules.accounting import accounting_period_start, free_window_start

# fmt: off
CASES = [
    ("ordinary day", date(2026, 11, 21), date(2020, 11, 21), date(2025, 11, 21)),
    ("29 February", date(2028, 2, 29), date(2022, 2, 28), date(2027, 2, 28)),
    ("1 March after a leap year", date(2029, 3, 1), date(2023, 3, 1), date(2028, 3, 1)),
    ("year start", date(2027, 1, 1), date(2021, 1, 1), date(2026, 1, 1)),
    ("year end", date(2026, 12, 31), date(2020, 12, 31), date(2025, 12, 31)),
]
# fmt: on


@pytest.mark.parametrize(
    ("today", "six_years", "free_window"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_it_reaches_six_years_back_and_frees_one_per_twelve_months(
    today, six_years, free_window
) -> None:
    assert accounting_period_start(today) == six_years
    assert free_window_start(today) == free_window
