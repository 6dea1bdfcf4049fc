"""Public request numbers: ROI-<year>-<six digits>, unique and never reused."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from ..models import RequestNumberCounter


def request_number_next(*, year: int) -> str:
    """Take the next number for the year. The counter row is bumped with an UPDATE inside the
    caller's transaction, so two concurrent submissions queue on the row lock instead of both
    reading the same value."""
    with transaction.atomic():
        updated = RequestNumberCounter.objects.filter(year=year).update(last=F("last") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RequestNumberCounter.objects.create(year=year, last=1)
            except IntegrityError:
                # Another transaction created this year's row first: bump it like everyone else.
                RequestNumberCounter.objects.filter(year=year).update(last=F("last") + 1)
        last = RequestNumberCounter.objects.get(year=year).last
    return f"ROI-{year}-{last:06d}"
