"""The legal numbers pages and letters quote to people ("we must answer within 60 days"), taken
from the rules that enforce them, so the words can never disagree with the clock."""

from __future__ import annotations

from types import MappingProxyType

from .accounting import ACCOUNTING_YEARS, FREE_WINDOW_YEARS
from .deadlines import hipaa_deadline
from .kinds import DeadlineKey

_ACCESS = hipaa_deadline(DeadlineKey.ACCESS_COPY)
_AMENDMENT = hipaa_deadline(DeadlineKey.AMENDMENT)
_ACCOUNTING = hipaa_deadline(DeadlineKey.ACCOUNTING)

LEGAL_NUMBERS = MappingProxyType(
    {
        "access_days": _ACCESS.days,
        "amendment_days": _AMENDMENT.days,
        "amendment_extension_days": _AMENDMENT.extension_days,
        "accounting_days": _ACCOUNTING.days,
        "accounting_extension_days": _ACCOUNTING.extension_days,
        "accounting_years": ACCOUNTING_YEARS,
        "free_window_months": FREE_WINDOW_YEARS * 12,
    }
)
