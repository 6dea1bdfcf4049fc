"""The figures of the staff metrics page, for the requests a staff member may see.

- Backlog by age: open requests by days since received (0-7, 8-15, 16-30, 31-60, over 60),
  one aggregate query.
- On-time rate for the last 30 and 90 days: among the requests answered in the window, the
  share answered on or before their current due date (extended, if extended). A withdrawn
  request was not answered by the entity, so it is left out.
- Median turnaround, by kind and by entity: calendar days from received to answered, for the
  requests answered in the last 90 days.
- Requests received per week, for the last 12 weeks (Monday to Sunday; the last one is the
  current week so far), one aggregate query.

Days are counted in each entity's time zone, as the deadlines are: a request answered at 10 pm
in Los Angeles on its due date was on time, although it was already the next day in New York.
The windows and week boundaries use the workspace's time zone (settings.TIME_ZONE).
The on-time figures and the medians come from one values_list over the 90-day window (a few
thousand rows even at 100,000 requests): a median is not portable SQL between SQLite and
PostgreSQL, and the per-entity local dates are exact in Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Request
from ..workflow import OPEN_STATUSES, Status
from .queue import KIND_SHORT_LABELS

# (label, youngest age in days, oldest age in days or None for "and older")
AGE_BUCKETS = (
    (_("0–7 days"), 0, 7),
    (_("8–15 days"), 8, 15),
    (_("16–30 days"), 16, 30),
    (_("31–60 days"), 31, 60),
    (_("Over 60 days"), 61, None),
)
ON_TIME_WINDOWS = (30, 90)
TURNAROUND_WINDOW_DAYS = 90
WEEKS = 12


@dataclass(frozen=True)
class AgeBucket:
    label: str
    count: int


@dataclass(frozen=True)
class OnTime:
    days: int
    answered: int
    on_time: int

    @property
    def rate(self) -> float | None:
        """Percent, or None when nothing was answered in the window."""
        return round(100 * self.on_time / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class Turnaround:
    label: str
    answered: int
    median_days: float


@dataclass(frozen=True)
class Week:
    starts_on: date
    received: int


@dataclass(frozen=True)
class Metrics:
    today: date
    backlog: list[AgeBucket]
    on_time: list[OnTime]
    turnaround_by_kind: list[Turnaround]
    turnaround_by_entity: list[Turnaround]
    weeks: list[Week]

    @property
    def open_total(self) -> int:
        return sum(bucket.count for bucket in self.backlog)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def backlog_by_age(requests: QuerySet[Request], today: date) -> list[AgeBucket]:
    counts = {}
    for i, (_label, youngest, oldest) in enumerate(AGE_BUCKETS):
        # Received on or after (today - oldest) and on or before (today - youngest).
        window = Q(received_at__lt=_midnight(today - timedelta(days=youngest - 1)))
        if oldest is not None:
            window &= Q(received_at__gte=_midnight(today - timedelta(days=oldest)))
        counts[f"b{i}"] = Count("pk", filter=window)
    found = requests.filter(status__in=sorted(OPEN_STATUSES)).aggregate(**counts)
    return [
        AgeBucket(str(label), found[f"b{i}"] or 0)
        for i, (label, _young, _old) in enumerate(AGE_BUCKETS)
    ]


def received_per_week(requests: QuerySet[Request], today: date) -> list[Week]:
    this_monday = today - timedelta(days=today.weekday())
    starts = [this_monday - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]
    counts = {
        f"w{i}": Count(
            "pk",
            filter=Q(
                received_at__gte=_midnight(start),
                received_at__lt=_midnight(start + timedelta(weeks=1)),
            ),
        )
        for i, start in enumerate(starts)
    }
    # Only the 12 weeks are read: the received_at index bounds the scan.
    found = requests.filter(received_at__gte=_midnight(starts[0])).aggregate(**counts)
    return [Week(start, found[f"w{i}"] or 0) for i, start in enumerate(starts)]


def _median_by(rows: list[tuple[str, int]], labels: dict[str, str]) -> list[Turnaround]:
    groups: dict[str, list[int]] = defaultdict(list)
    for key, days in rows:
        groups[key].append(days)
    return sorted(
        (
            Turnaround(labels.get(key, key), len(values), float(statistics.median(values)))
            for key, values in groups.items()
        ),
        key=lambda t: t.label.casefold(),
    )


def answered_figures(
    requests: QuerySet[Request], now: datetime
) -> tuple[list[OnTime], list[Turnaround], list[Turnaround]]:
    """On-time rates and median turnarounds from the requests answered in the last 90 days."""
    longest = max(*ON_TIME_WINDOWS, TURNAROUND_WINDOW_DAYS)
    rows = (
        requests.filter(answered_at__gte=now - timedelta(days=longest), answered_at__lte=now)
        .exclude(status=Status.WITHDRAWN)
        .annotate(current_due=Coalesce("extended_due_on", "due_on"))
        .values_list(
            "kind",
            "entity__short_name",
            "entity__timezone",
            "received_at",
            "answered_at",
            "current_due",
        )
    )
    answered = dict.fromkeys(ON_TIME_WINDOWS, 0)
    on_time = dict.fromkeys(ON_TIME_WINDOWS, 0)
    by_kind: list[tuple[str, int]] = []
    by_entity: list[tuple[str, int]] = []
    zones: dict[str, ZoneInfo] = {}
    for kind, entity, tz, received_at, answered_at, current_due in rows:
        zone = zones.setdefault(tz, ZoneInfo(tz))
        answered_on = timezone.localtime(answered_at, zone).date()
        for days in ON_TIME_WINDOWS:
            if answered_at >= now - timedelta(days=days):
                answered[days] += 1
                on_time[days] += answered_on <= current_due
        if answered_at >= now - timedelta(days=TURNAROUND_WINDOW_DAYS):
            took = (answered_on - timezone.localtime(received_at, zone).date()).days
            by_kind.append((kind, took))
            by_entity.append((entity, took))
    kinds = {key: str(label) for key, label in KIND_SHORT_LABELS.items()}
    return (
        [OnTime(days, answered[days], on_time[days]) for days in ON_TIME_WINDOWS],
        _median_by(by_kind, kinds),
        _median_by(by_entity, {}),
    )


def staff_metrics(requests: QuerySet[Request], now: datetime | None = None) -> Metrics:
    """Every figure of the page for these requests (already limited to the viewer's scope)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    on_time, by_kind, by_entity = answered_figures(requests, now)
    return Metrics(
        today=today,
        backlog=backlog_by_age(requests, today),
        on_time=on_time,
        turnaround_by_kind=by_kind,
        turnaround_by_entity=by_entity,
        weeks=received_per_week(requests, today),
    )
