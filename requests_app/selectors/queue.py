"""The staff work queue: which requests, in what order, one page at a time.

A page of the queue costs five SQL queries whatever its length: Django's session and user,
then `queue_scope` (who the viewer is and what they may filter by, one UNION query),
`queue_counts` (one aggregate) and `queue_page` (the rows, with everything a row shows joined
or annotated in). Pages are cut by the last row seen (keyset), never by OFFSET, so page 200
costs what page 1 costs.

Everything starts from the access helper (access/staff.py: staff_entities, the set
staff_requests filters on): a clerk of entity A never sees a row, a count or a filter choice
of entity B.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access.staff import staff_entities, staff_memberships
from ..models import Entity, Location, Patient, Request, StaffMembership, TimelineEvent
from ..models.people import fold, full_name
from ..rules.clocks import shown_urgency
from ..rules.deadlines import days_left
from ..rules.kinds import RequestKind
from ..workflow import OPEN_STATUSES, Status
from .calendar import entity_today, zone_date

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50

# Filter values with a meaning of their own (the others are a status or a user id).
STATUS_OPEN = ""  # the default: every status whose clock runs (or is paused)
STATUS_ALL = "all"
ASSIGNEE_DEFAULT = ""  # mine and the unassigned ones: what a clerk works from
ASSIGNEE_ME = "me"
ASSIGNEE_UNASSIGNED = "unassigned"
ASSIGNEE_ANYONE = "anyone"

# services/numbering.py: ROI-<year>-<six or more digits>.
REQUEST_NUMBER = re.compile(r"ROI-\d{4}-\d{6,}", re.IGNORECASE)
# The ways a date of birth is typed at a US front desk; ISO first because it is unambiguous.
DATE_OF_BIRTH_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")
# The status labels are the requester's ("Waiting for information from you"); staff read
# this one from the other side.
STAFF_STATUS_LABELS = {
    **{s.value: s.label for s in Status},
    Status.PENDING_REQUESTER.value: _("Waiting for the requester"),
}
STAFF_STATUS_CHOICES = list(STAFF_STATUS_LABELS.items())
# Column-width labels for the kinds; the full legal label is the cell's title.
KIND_SHORT_LABELS = {
    RequestKind.ACCESS.value: _("Access"),
    RequestKind.DIRECTED.value: _("Directed copy"),
    RequestKind.AUTHORIZED.value: _("Authorization"),
    RequestKind.CONTINUITY.value: _("Continuity of care"),
    RequestKind.AMENDMENT.value: _("Amendment"),
    RequestKind.ACCOUNTING.value: _("Accounting"),
}
_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})\.(\d{1,18})")


def parse_date_of_birth(word: str) -> date | None:
    for fmt in DATE_OF_BIRTH_FORMATS:
        try:
            return datetime.strptime(word, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Cursor:
    """The last row seen: its current due date and id, the queue's sort key. Written in the
    querystring as `2026-03-14.4211`."""

    due_on: date
    pk: int

    def __str__(self) -> str:
        return f"{self.due_on.isoformat()}.{self.pk}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        match = _CURSOR.fullmatch(text.strip())
        if match is None:
            return None
        try:
            return cls(date.fromisoformat(match[1]), int(match[2]))
        except ValueError:
            return None


@dataclass(frozen=True)
class Colleague:
    pk: int
    username: str
    first_name: str
    last_name: str

    @property
    def label(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return f"{full} ({self.username})" if full else self.username


@dataclass(frozen=True)
class QueueScope:
    """Who the viewer is and what they may filter by. `is_staff` is False for a signed-in user
    without a staff membership (the view answers 404, as staff_required does)."""

    is_staff: bool
    supervised_org_ids: frozenset[int]
    # Built from the scope query's columns (id, organization, names, time zone; a location's
    # id, entity and name): enough to label choices and find each entity's today. Read-only.
    entities: list[Entity]
    locations: list[Location]
    colleagues: list[Colleague]

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised_org_ids)

    @property
    def entity_ids(self) -> set[int]:
        return {e.pk for e in self.entities}

    def requests(self) -> QuerySet[Request]:
        """staff_requests(user), with the entity ids queue_scope already read through
        staff_entities(user) instead of that subquery again: the rows and counts queries
        then skip compiling and planning it (a fifth of the page's time at 100,000
        requests). Same set; tests/selectors/test_queue.py holds them equal."""
        return Request.objects.filter(entity_id__in=sorted(self.entity_ids))


def _scope_union(user: AbstractBaseUser) -> QuerySet:
    """The UNION of the viewer's memberships, entities, locations and colleagues, every part
    built from the access helper's querysets."""
    memberships = staff_memberships(user)
    entities = staff_entities(user)
    entity_ids = entities.values("pk")
    User = get_user_model()
    colleagues = (
        User.objects.filter(is_active=True)
        .filter(
            Q(staff_memberships__entities__in=entity_ids)
            | Q(
                staff_memberships__role=StaffMembership.Role.SUPERVISOR,
                staff_memberships__organization_id__in=entities.values("organization_id"),
            )
        )
        .distinct()
    )

    def row(tag: str, *columns: object) -> tuple:
        # (tag, id, parent, a, b, c): text and integer columns in the same places in every
        # part, as UNION requires.
        return (Value(tag, output_field=CharField()), *columns)

    text = {"output_field": CharField()}
    parts = [
        memberships.order_by().values_list(
            *row("membership", F("organization_id"), Value(0), F("role"), Value("", **text)),
            Value("", **text),
        ),
        entities.order_by().values_list(
            *row("entity", F("pk"), F("organization_id"), F("short_name"), F("name")),
            F("timezone"),
        ),
        Location.objects.filter(entity__in=entity_ids)
        .order_by()
        .values_list(
            *row("location", F("pk"), F("entity_id"), F("name"), Value("", **text)),
            Value("", **text),
        ),
        colleagues.order_by().values_list(
            *row("colleague", F("pk"), Value(0), F("username"), F("first_name")),
            F("last_name"),
        ),
    ]
    return parts[0].union(*parts[1:], all=True)


# A user id no account has: the scope query is compiled once per process and database for this
# id, which is then swapped for the viewer's in the parameters. Compiling the four-part UNION
# through the ORM cost about 2.5 ms a page, more than the database takes to run it.
_ANY_USER_ID = -2_000_000_017
_scope_sql: dict[tuple[str, str], tuple[str, tuple]] = {}


def _scope_rows(user: AbstractBaseUser) -> list[tuple]:
    if not (user.is_authenticated and user.is_active and isinstance(user.pk, int)):
        return list(_scope_union(user))  # the access helper's own answer (nothing)
    connection = connections[Request.objects.db]
    key = (connection.alias, connection.vendor)
    compiled = _scope_sql.get(key)
    if compiled is None:
        template = get_user_model()(pk=_ANY_USER_ID, is_active=True)
        # Compiled for this connection: sql_with_params() would compile for the default one.
        query = _scope_union(template).query
        compiled = _scope_sql[key] = query.get_compiler(connection.alias).as_sql()
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if p == _ANY_USER_ID else p for p in params])
        return cursor.fetchall()


def queue_scope(user: AbstractBaseUser) -> QueueScope:
    """One UNION query for the viewer's memberships, entities, locations and colleagues.

    The queue's budget is five queries a page including the session and the user; this
    query also serves as the membership check that staff_required would make separately.
    Every part is built from the access helper's querysets (_scope_union).
    """
    found = _scope_rows(user)
    supervised, entity_list, location_list, colleague_list = set(), [], [], []
    is_staff = False
    for tag, pk, parent, a, b, c in found:
        if tag == "membership":
            is_staff = True
            if a == StaffMembership.Role.SUPERVISOR:
                supervised.add(pk)
        elif tag == "entity":
            entity_list.append(
                Entity(pk=pk, organization_id=parent, short_name=a, name=b, timezone=c)
            )
        elif tag == "location":
            location_list.append(Location(pk=pk, entity_id=parent, name=a))
        else:
            colleague_list.append(Colleague(pk, a, b or "", c or ""))
    names = {e.pk: e.short_name for e in entity_list}
    return QueueScope(
        is_staff=is_staff,
        supervised_org_ids=frozenset(supervised),
        entities=sorted(entity_list, key=lambda e: e.short_name.casefold()),
        locations=sorted(
            location_list, key=lambda loc: (names.get(loc.entity_id, ""), loc.name.casefold())
        ),
        colleagues=sorted(colleague_list, key=lambda c: c.label.casefold()),
    )


@dataclass(frozen=True)
class QueueFilters:
    entity: int | None = None
    location: int | None = None
    kind: str = ""
    status: str = STATUS_OPEN
    assignee: str = ASSIGNEE_DEFAULT
    due_within: int | None = None
    overdue: bool = False
    extension: bool = False  # only those waiting for an extension decision
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""

    @property
    def searching(self) -> bool:
        return bool(self.search.strip())

    @property
    def status_is_default(self) -> bool:
        return self.status == STATUS_OPEN and self.assignee == ASSIGNEE_DEFAULT


def _search_q(text: str) -> Q:
    """Every word must match. A whole request number uses the unique index; a date of birth
    (1975-03-14 or 03/14/1975) matches exactly; a word with digits matches part of a number;
    other words match the patient's names, including other names used, with or without accents
    ("garcia" finds "García"). Patients are searched
    in their own table and matched by id, so the requests table is not LIKE-scanned per row."""
    q = Q()
    for word in text.split():
        if REQUEST_NUMBER.fullmatch(word):
            q &= Q(number=word.upper())
            continue
        born = parse_date_of_birth(word)
        if born is not None:
            q &= Q(patient_id__in=Patient.objects.filter(date_of_birth=born).values("pk"))
        elif any(ch.isdigit() for ch in word):
            q &= Q(number__icontains=word)
        else:
            patients = Patient.objects.filter(
                Q(search_names__contains=fold(word))
                | Q(first_name__icontains=word)
                | Q(middle_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(other_names__icontains=word)
            )
            q &= Q(patient_id__in=patients.values("pk"))
    return q


def _per_entity_today(scope: QueueScope, now: datetime, condition: Callable[[date], Q]) -> Q:
    """A due-date condition against each entity's own local today: an entity in New York is a
    day ahead of one in Los Angeles for three hours every night."""
    by_today: dict[date, list[int]] = defaultdict(list)
    for entity in scope.entities:
        by_today[entity_today(entity, now)].append(entity.pk)
    if not by_today:
        return Q(pk__in=[])
    if len(by_today) == 1:
        return condition(next(iter(by_today)))
    return reduce(or_, (Q(entity_id__in=ids) & condition(day) for day, ids in by_today.items()))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def queue_requests(
    user: AbstractBaseUser, filters: QueueFilters, scope: QueueScope, now: datetime
) -> QuerySet[Request]:
    """The requests every filter but the status matches, annotated with `queue_due` (the
    current due date). queue_counts counts them per status; queue_page pages through the
    ones in the chosen status."""
    qs = scope.requests().annotate(queue_due=Coalesce("extended_due_on", "due_on"))
    if filters.entity is not None:
        qs = qs.filter(entity_id=filters.entity)
    if filters.location is not None:
        qs = qs.filter(location_id=filters.location)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    # A search looks everywhere unless the clerk picked a status or an assignee: a caller
    # asking about their request must be found whoever holds it.
    assignee = filters.assignee
    if assignee == ASSIGNEE_DEFAULT:
        if not filters.searching:
            qs = qs.filter(Q(assignee=user) | Q(assignee__isnull=True))
    elif assignee == ASSIGNEE_ME:
        qs = qs.filter(assignee=user)
    elif assignee == ASSIGNEE_UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    elif assignee != ASSIGNEE_ANYONE:
        qs = qs.filter(assignee_id=int(assignee))
    if filters.overdue or filters.due_within is not None:
        # A due date matters while the clock runs: an answered request is never overdue.
        qs = qs.filter(status__in=sorted(OPEN_STATUSES))
    if filters.overdue:
        qs = qs.filter(_per_entity_today(scope, now, lambda today: Q(queue_due__lt=today)))
    if filters.due_within is not None:
        days = timedelta(days=filters.due_within)
        qs = qs.filter(_per_entity_today(scope, now, lambda today: Q(queue_due__lte=today + days)))
    if filters.extension:
        qs = qs.filter(extension_flagged_q())
    if filters.received_from is not None:
        qs = qs.filter(received_at__gte=_local_midnight(filters.received_from))
    if filters.received_to is not None:
        qs = qs.filter(received_at__lt=_local_midnight(filters.received_to + timedelta(days=1)))
    if filters.searching:
        qs = qs.filter(_search_q(filters.search))
    return qs


def extension_flagged_q() -> Q:
    """Flagged by the deadline sweep (services/clocks.py) and still undecided: the flag is
    cleared by the next sweep, and until then an extension or a "ready" already answers it."""
    return Q(
        extension_flagged=True,
        extended_due_on__isnull=True,
        status__in=sorted(OPEN_STATUSES - {Status.READY}),
    )


def _in_status(qs: QuerySet[Request], filters: QueueFilters) -> QuerySet[Request]:
    if filters.status == STATUS_OPEN and not filters.searching:
        return qs.filter(status__in=sorted(OPEN_STATUSES))
    if filters.status in (STATUS_OPEN, STATUS_ALL):
        return qs
    return qs.filter(status=filters.status)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def queue_counts(requests: QuerySet[Request]) -> list[StatusCount]:
    """How many open requests in each status match every filter but the status: one
    GROUP BY. Only the open statuses: they are the work, and their number stays the size of
    the backlog, while the answered ones grow with every year of history (their figures are
    on the metrics page)."""
    found = dict(
        requests.filter(status__in=sorted(OPEN_STATUSES))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        StatusCount(s.value, str(STAFF_STATUS_LABELS[s.value]), found.get(s.value, 0))
        for s in Status
        if s in OPEN_STATUSES
    ]


@dataclass(frozen=True)
class QueueRow:
    """What one row of the queue shows: plain values, read with values_list (a page of model
    instances, five per row with the related ones, cost more than the rows query itself)."""

    number: str
    kind: str
    status: str
    channel: str
    entity: str  # its short name
    location: str  # "" when the request names none
    patient_name: str
    patient_born: date
    assignee: str  # full name, else user name; "" when unassigned
    paused_on: date | None
    first_due_on: date  # before any extension
    extended_due_on: date | None
    due_on: date  # the current one: extended, if extended
    received_on: date  # in the entity's time zone
    days_left: int | None  # None once the request is answered: no clock runs
    urgency: str  # rules.kinds.Urgency, or "answered"
    pause_reason: str  # what the latest pend asked for, while waiting on the requester
    extension_needed: bool = False  # staff must decide on an extension before the due date


@dataclass
class QueuePage:
    rows: list[QueueRow]
    size: int
    next_cursor: Cursor | None = None
    previous_cursor: Cursor | None = None
    first_page: bool = True


# Only what a row shows (_row reads them by name): the wide text and JSON columns of a
# request stay in the database.
ROW_FIELDS = (
    "pk",
    "queue_due",
    "number",
    "kind",
    "status",
    "channel",
    "received_at",
    "due_on",
    "extended_due_on",
    "paused_on",
    "clock_state",
    "extension_flagged",
    "pause_reason",
    "entity__short_name",
    "entity__timezone",
    "location__name",
    "patient__first_name",
    "patient__middle_name",
    "patient__last_name",
    "patient__date_of_birth",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def _latest_pend_reason() -> Case:
    # Only for requests waiting on the requester: the database runs the subquery for those
    # rows alone, and it is part of the one rows query (no query per row).
    latest = (
        TimelineEvent.objects.filter(request=OuterRef("pk"), action="pend")
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )
    return Case(
        When(status=Status.PENDING_REQUESTER, then=Subquery(latest)),
        default=Value(""),
        output_field=TextField(),
    )


def queue_page(
    requests: QuerySet[Request],
    filters: QueueFilters,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
) -> QueuePage:
    """One page, oldest current due date first, cut after (or before) the last row seen."""
    now = now or timezone.now()
    qs = _in_status(requests, filters).annotate(pause_reason=_latest_pend_reason())
    if before is not None:
        # The redundant `<=` gives the database a range to start the index scan from; the OR
        # alone would make it read every row before the cursor.
        qs = qs.filter(
            Q(queue_due__lte=before.due_on) & (Q(queue_due__lt=before.due_on) | Q(pk__lt=before.pk))
        ).order_by("-queue_due", "-pk")
        found = list(qs.values_list(*ROW_FIELDS, named=True)[: size + 1])
        more_before = len(found) > size
        found = found[:size][::-1]
        more_after = True
    else:
        if after is not None:
            qs = qs.filter(
                Q(queue_due__gte=after.due_on)
                & (Q(queue_due__gt=after.due_on) | Q(pk__gt=after.pk))
            )
        found = list(
            qs.order_by("queue_due", "pk").values_list(*ROW_FIELDS, named=True)[: size + 1]
        )
        more_after = len(found) > size
        found = found[:size]
        more_before = after is not None
    # A page spans few time zones: each one's today once, not once a row.
    todays = {zone: zone_date(zone, now) for zone in {values.entity__timezone for values in found}}
    rows = [_row(values, todays) for values in found]
    page = QueuePage(rows=rows, size=size, first_page=not more_before)
    # A row's current due date and primary key are the cursor.
    if rows and more_after:
        page.next_cursor = Cursor(found[-1].queue_due, found[-1].pk)
    if rows and more_before:
        page.previous_cursor = Cursor(found[0].queue_due, found[0].pk)
    return page


def _row(values: Any, todays: dict[str, date]) -> QueueRow:
    """`values` is a named row of ROW_FIELDS (values_list(named=True))."""
    today = todays[values.entity__timezone]
    status = values.status
    current_due = values.queue_due
    due_on = values.due_on
    extended_due_on = values.extended_due_on
    is_open = status in OPEN_STATUSES
    assignee = ""
    if values.assignee__username is not None:
        assignee = (
            f"{values.assignee__first_name or ''} {values.assignee__last_name or ''}".strip()
            or values.assignee__username
        )
    return QueueRow(
        number=values.number,
        kind=values.kind,
        status=status,
        channel=values.channel,
        entity=values.entity__short_name,
        location=values.location__name or "",
        patient_name=full_name(
            values.patient__first_name, values.patient__middle_name, values.patient__last_name
        ),
        patient_born=values.patient__date_of_birth,
        assignee=assignee,
        paused_on=values.paused_on,
        first_due_on=due_on,
        extended_due_on=extended_due_on,
        due_on=current_due,
        received_on=zone_date(values.entity__timezone, values.received_at),
        days_left=days_left(current_due, today) if is_open else None,
        urgency=(
            shown_urgency(due_on=current_due, today=today, swept_state=values.clock_state)
            if is_open
            else "answered"
        ),
        pause_reason=values.pause_reason or "",
        extension_needed=(
            is_open
            and values.extension_flagged
            and extended_due_on is None
            and status != Status.READY
            and due_on >= today
        ),
    )
