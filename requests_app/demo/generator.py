"""About 200 demo requests across every kind, status and entity.

Each request is created only by `request_submit` and moved only by the transition services,
so numbers, due dates, fee estimates, timelines and the disclosure log are what the real
workflow produces. The services stamp events with now(); `retime` then moves each request's
events to plausible moments between its receipt and now. Everything is drawn from one
random.Random(2026), so the demo is the same on every run and every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from ..models import Channel, Entity, Location, Patient, Request, Requester
from ..rules.calendar import is_open_day
from ..rules.deadlines import DeadlineRule, compute_due, deadline_key, urgency
from ..rules.kinds import (
    DeadlineKey,
    DeliveryMethod,
    ReleaseScope,
    RequesterRole,
    RequestKind,
    Urgency,
)
from ..selectors.calendar import entity_closed_days, entity_local_date, entity_today
from ..workflow import OPEN_STATUSES, Status
from . import scenarios as sc
from .cast import (
    ERNESTO_SEED,
    HAROLD_SEED,
    ISABELLA_SEED,
    JAMES_SEED,
    MARIA_SEED,
    PATIENTS,
    SEEDS,
    SUPERVISED_ORGS,
    SUPERVISOR,
)
from .details import request_details
from .retime import OPENS
from .steps import walk

SEED = 2026
TARGET_REQUESTS = 200
HISTORY_DAYS = 120
K, S, D, R = RequestKind, Status, DeliveryMethod, RequesterRole

KIND_WEIGHTS = {
    K.ACCESS: 40,
    K.AUTHORIZED: 25,
    K.CONTINUITY: 12,
    K.DIRECTED: 9,
    K.AMENDMENT: 7,
    K.ACCOUNTING: 7,
}
STATUS_WEIGHTS = {
    S.RELEASED: 24,
    S.CLOSED: 17,
    S.SUBMITTED: 10,
    S.IN_REVIEW: 10,
    S.IN_PROGRESS: 12,
    S.PENDING_REQUESTER: 8,
    S.READY: 6,
    S.DENIED: 4,
    S.PARTIALLY_DENIED: 4,
    S.WITHDRAWN: 5,
}
# Where a request is addressed: an entity's Bates prefix, or "COH" for the whole City of Hope
# organization, which request_submit splits into one request per covered entity.
TARGET_WEIGHTS = {"COHNMC": 28, "COHMF": 12, "COH": 4, "KECK": 34, "DFCI": 20}
URGENCY_WEIGHTS = {
    Urgency.OVERDUE: 12,
    Urgency.DUE_TODAY: 7,
    Urgency.DUE_SOON: 18,
    Urgency.ON_TRACK: 63,
}
# Service steps that lead to each status; the first path is the common one.
PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    S.SUBMITTED: ((),),
    S.IN_REVIEW: (("start_review",),),
    S.PENDING_REQUESTER: (("start_review", "pend"), ("pend",)),
    S.IN_PROGRESS: (("start_review", "verify"), ("start_review", "pend", "resume", "verify")),
    S.READY: (("start_review", "verify", "mark_ready"),),
    S.RELEASED: (
        ("start_review", "verify", "mark_ready", "release"),
        ("start_review", "pend", "resume", "verify", "mark_ready", "release"),
        ("start_review", "verify", "partially_deny", "mark_ready", "release"),
    ),
    S.CLOSED: (
        ("start_review", "verify", "mark_ready", "release", "close"),
        ("start_review", "deny", "close"),
        ("start_review", "pend", "close"),
    ),
    S.DENIED: (("start_review", "deny"),),
    S.PARTIALLY_DENIED: (("start_review", "verify", "partially_deny"),),
    S.WITHDRAWN: (
        ("start_review", "withdraw"),
        ("withdraw",),
        ("start_review", "verify", "withdraw"),
    ),
}
# The named logins get requests of every interesting kind, so each portal view has content;
# together these also cover every kind and every status. (kind, status, requester, target)
FEATURED: tuple[tuple[str, str, str, str], ...] = (
    (K.ACCESS, S.RELEASED, MARIA_SEED.full_name, "COHNMC"),
    (K.ACCESS, S.IN_PROGRESS, MARIA_SEED.full_name, "COH"),
    (K.ACCOUNTING, S.SUBMITTED, MARIA_SEED.full_name, "KECK"),
    (K.ACCESS, S.READY, JAMES_SEED.full_name, "KECK"),
    (K.DIRECTED, S.PENDING_REQUESTER, JAMES_SEED.full_name, "DFCI"),
    (K.AMENDMENT, S.PARTIALLY_DENIED, JAMES_SEED.full_name, "DFCI"),
    (K.ACCESS, S.IN_REVIEW, "linda", "COHNMC"),
    (K.ACCOUNTING, S.CLOSED, "linda", "KECK"),
    (K.ACCESS, S.CLOSED, "susan", "KECK"),
    (K.AUTHORIZED, S.WITHDRAWN, "stein", "COHNMC"),
    (K.ACCESS, S.DENIED, "Robert Okafor", "COHMF"),
    (K.CONTINUITY, S.RELEASED, "raman", "KECK"),
    # Keck pauses the clock of an incomplete authorization (facilities.py).
    (K.AUTHORIZED, S.PENDING_REQUESTER, "bell", "KECK"),
)
# `make run` shows the beat schedule at work: this request, assigned to the Keck clerk, was due
# yesterday in the entity's time and has no alert yet (it is overdue from the moment it is
# entered), so the first deadline sweep raises its overdue alert and the clerk's email appears
# in the worker's console.
# (kind, status, requester, target)
OVERDUE_SHOWCASE = (K.ACCESS, S.IN_PROGRESS, None, "KECK")
# Patients who never ask for themselves: a minor, a deceased patient, and a patient whose
# daughter acts for him.
REPRESENTED = {ERNESTO_SEED.full_name, HAROLD_SEED.full_name, ISABELLA_SEED.full_name}


@dataclass
class Plan:
    kind: str
    status: str
    target: str
    requester: Requester
    patient: Patient
    channel: str = Channel.MAIL
    delivery: str = D.MAIL
    location: Location | None = None
    received_at: datetime | None = None
    path: tuple[str, ...] = ()
    extend: bool = False
    # Set for the request the first deadline sweep alerts on (OVERDUE_SHOWCASE).
    urgency: str | None = None
    overdue_days: int = 14  # at most this many days past due, when overdue
    pend_key: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # the rest of request_submit's kwargs

    @property
    def size(self) -> int:
        return 2 if self.target == "COH" else 1  # City of Hope holds two covered entities


@dataclass
class Context:
    rng: random.Random
    now: datetime
    entities: dict[str, Entity]  # by Bates prefix
    patients: dict[str, Patient]
    requesters: dict[str, Requester]
    users: dict[str, AbstractUser]
    rules: dict[int, dict[DeadlineKey, DeadlineRule]] = field(default_factory=dict)
    closed: dict[int, frozenset[date]] = field(default_factory=dict)
    clerks: dict[int, AbstractUser] = field(default_factory=dict)
    showcase: Request | None = None  # the request the first deadline sweep alerts on

    def entity(self, target: str) -> Entity:
        # Both City of Hope entities share rules and calendar; either stands for "COH".
        return self.entities["COHNMC" if target == "COH" else target]

    def supervisor_for(self, entity: Entity) -> AbstractUser:
        """The supervisor where the organization has one, else the entity's clerk."""
        if entity.organization.slug in SUPERVISED_ORGS:
            return self.users[SUPERVISOR.username]
        return self.clerks[entity.pk]


def context_build(
    *,
    entities: list[Entity],
    users: dict[str, AbstractUser],
    patients: dict[str, Patient],
    requesters: dict[str, Requester],
) -> Context:
    ctx = Context(
        rng=random.Random(SEED),
        now=_now(),
        entities={e.bates_prefix: e for e in entities},
        patients=patients,
        requesters=requesters,
        users=users,
    )
    for entity in entities:
        start = entity_today(entity) - timedelta(days=HISTORY_DAYS + 30)
        ctx.closed[entity.pk] = entity_closed_days(entity, start)
        ctx.rules[entity.pk] = {
            DeadlineKey(p.key): p.as_rule() for p in entity.deadline_policies.all()
        }
        ctx.clerks[entity.pk] = users[f"clerk.{entity.bates_prefix.lower()}"]
    return ctx


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


def requests_generate(ctx: Context) -> list[Request]:
    """Plan every request first, then submit them in order of receipt, so request numbers
    rise with the received date as they would in real life."""
    plans: list[Plan] = [_plan(ctx, *featured) for featured in FEATURED]
    while sum(p.size for p in plans) < TARGET_REQUESTS:
        plans.append(_plan(ctx, None, None, None, None))
    showcase = _plan(ctx, *OVERDUE_SHOWCASE, showcase=True)
    plans.append(showcase)
    plans.sort(key=lambda p: p.received_at)
    created: list[Request] = []
    for plan in plans:
        made = walk(ctx, plan)
        if plan is showcase:
            ctx.showcase = made[0]
        created += made
    return created


def _pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plan(
    ctx: Context,
    kind: str | None,
    status: str | None,
    who: str | None,
    target: str | None,
    *,
    showcase: bool = False,
) -> Plan:
    rng = ctx.rng
    kind = kind or _pick(rng, KIND_WEIGHTS)
    target = target or _pick(rng, TARGET_WEIGHTS)
    region = "BOS" if target == "DFCI" else "LA"
    requester, patient = _who(ctx, kind, region, who)
    # Draw again when no path reaches the status for this kind (nothing to deny in an
    # accounting, no one to ask in a provider's continuity-of-care fax).
    while status is None or not _paths(ctx, kind, status, target):
        status = _pick(rng, STATUS_WEIGHTS)
    plan = Plan(kind, status, target, requester, patient)
    options = _paths(ctx, kind, status, target)
    path = rng.choices(options, weights=[4] + [1] * (len(options) - 1))[0]
    plan.path = _with_assignment(rng, path, always=showcase)
    plan.extend = (
        status in (S.SUBMITTED, S.IN_REVIEW, S.IN_PROGRESS, S.PENDING_REQUESTER)
        and rng.random() < 0.5
        and not showcase
    )
    if showcase:
        plan.urgency, plan.overdue_days = Urgency.OVERDUE, 1
    _channel_and_delivery(ctx, plan)
    entity = ctx.entity(target)
    plan.pend_key = sc.pend_key(kind, requester.role, plan.channel, entity.jurisdiction)
    plan.received_at = _received_at_for_status(ctx, plan, entity)
    request_details(ctx, plan, entity)
    return plan


def _paths(ctx: Context, kind: str, status: str, target: str) -> list[tuple[str, ...]]:
    entity = ctx.entity(target)
    rule = ctx.rules[entity.pk].get(deadline_key(K(kind), None))
    pauses = rule is not None and rule.pauses_when_pending
    return [
        path
        for path in PATHS[status]
        if ("deny" not in path or kind in sc.DENY_FULL)
        and ("partially_deny" not in path or kind in sc.DENY_PARTIAL)
        # A pausing policy would push the due date by the days waited; the demo resumes
        # nothing under such a policy, so no due date depends on the rewritten times.
        and not ("resume" in path and pauses)
        # Continuity of care is treatment between providers: no one to ask, nothing to deny.
        and not (kind == K.CONTINUITY and ("pend" in path or "partially_deny" in path))
    ]


def _with_assignment(
    rng: random.Random, path: tuple[str, ...], *, always: bool = False
) -> tuple[str, ...]:
    if rng.random() < 0.15 and not always:
        return path
    at = path.index("start_review") + 1 if "start_review" in path else 0
    return (*path[:at], "assign", *path[at:])


def _who(ctx: Context, kind: str, region: str, who: str | None) -> tuple[Requester, Patient]:
    rng = ctx.rng
    if who is None:
        roll = rng.random()
        if kind == K.AUTHORIZED:
            who = rng.choice(
                [k for k, s in SEEDS.items() if s.role == R.THIRD_PARTY and s.region == region]
            )
        elif kind == K.CONTINUITY:
            who = rng.choice(
                [k for k, s in SEEDS.items() if s.role == R.PROVIDER and s.region == region]
            )
        elif region == "LA" and kind == K.ACCESS and roll < 0.07:
            who = rng.choice(["susan", "thomas"])
        elif region == "LA" and kind != K.DIRECTED and roll < 0.22:
            who = rng.choice(["linda", "carmen", "miguel"])
    requester = ctx.requesters[who] if who else None
    if requester is None or requester.role == R.SELF:
        patient = _self_patient(ctx, region) if who is None else ctx.patients[who]
        return ctx.requesters[patient.full_name], patient
    seed = SEEDS[who]
    if seed.represents:
        return requester, ctx.patients[seed.represents]
    if seed.third_party_type == "school":
        return requester, ctx.patients[ISABELLA_SEED.full_name]
    if seed.third_party_type == "attorney" and region == "LA" and rng.random() < 0.15:
        return requester, ctx.patients[HAROLD_SEED.full_name]  # the estate's claim
    return requester, _self_patient(ctx, region)


def _self_patient(ctx: Context, region: str) -> Patient:
    names = [
        p.full_name
        for p in PATIENTS
        if p.region in (region, "ALL") and p.full_name not in REPRESENTED
    ]
    # The portal patients' pages should be full: María asks twice as often as others, and
    # James, treated in Los Angeles and Boston, is drawn in both regions.
    weights = [2 if n == MARIA_SEED.full_name else 1 for n in names]
    return ctx.patients[ctx.rng.choices(names, weights=weights)[0]]


def _channel_and_delivery(ctx: Context, plan: Plan) -> None:
    rng, req = ctx.rng, plan.requester
    entity = ctx.entity(plan.target)
    offered = set(entity.policy.delivery_methods)
    if req.role == R.PROVIDER:
        plan.channel = Channel.FAX if rng.random() < 0.85 else Channel.PHONE
    elif req.role == R.THIRD_PARTY:
        plan.channel = rng.choice([Channel.FAX, Channel.MAIL, Channel.MAIL])
    elif req.user_id and rng.random() < 0.8:
        plan.channel = Channel.PORTAL
    elif req.email and req.role == R.SELF and rng.random() < 0.4:
        plan.channel = Channel.PORTAL  # the online form, without an account
    else:
        channels = [Channel.WALK_IN, Channel.MAIL, Channel.MAIL, Channel.FAX]
        if plan.target.startswith("COH"):
            channels.append(Channel.PHONE)  # City of Hope takes requests by phone
        if plan.target == "DFCI":
            channels.append(Channel.EMAIL)  # Dana-Farber: "scan and email" the form
        plan.channel = rng.choice(channels)
    plan.delivery = _delivery(rng, plan, offered)
    plan.location = _location(ctx, plan, entity)


def _delivery(rng: random.Random, plan: Plan, offered: set[str]) -> str:
    req, kind, channel = plan.requester, plan.kind, plan.channel
    if kind == K.CONTINUITY or (req.role == R.THIRD_PARTY and rng.random() < 0.4):
        choice = D.FAX
    elif req.role == R.THIRD_PARTY:
        choice = D.MAIL
    elif kind == K.DIRECTED:
        choice = rng.choice([D.FAX, D.MAIL, D.SECURE_EMAIL])
    elif kind in (K.AMENDMENT, K.ACCOUNTING):
        choice = D.PORTAL if req.user_id else D.MAIL
    elif channel == Channel.WALK_IN:
        choice = rng.choice([D.PICKUP, D.PICKUP, D.INSPECTION, D.CD, D.MAIL])
    elif rng.random() < 0.15:
        choice = rng.choice([D.CD, D.USB])  # diagnostic images on media
    elif req.user_id and channel == Channel.PORTAL:
        choice = D.PORTAL if rng.random() < 0.75 else D.SECURE_EMAIL
    elif req.email:
        choice = D.SECURE_EMAIL if rng.random() < 0.6 else D.MAIL
    else:
        choice = D.MAIL
    return choice if choice in offered else D.MAIL


def _location(ctx: Context, plan: Plan, entity: Entity) -> Location | None:
    """Where a paper or walk-in request arrived. A Keck clinic keeps a patient's request for
    its own records; a hospital or community site routes it to the whole entity."""
    if plan.target == "COH" or plan.channel not in (Channel.WALK_IN, Channel.MAIL):
        return None
    sites = list(ctx.entities[plan.target].locations.all())
    if plan.channel == Channel.MAIL and ctx.rng.random() < 0.6:
        return None  # mailed to the HIM department itself
    if plan.requester.role != R.SELF:
        sites = [s for s in sites if s.release_scope != ReleaseScope.OWN_LOCATION]
    return ctx.rng.choice(sites)


def _received_at_for_status(ctx: Context, plan: Plan, entity: Entity) -> datetime:
    """Answered requests arrive any time in the last 120 days. Open ones are placed so that
    the queue shows a realistic mix: mostly on track, some due soon or today, some overdue."""
    rng = ctx.rng
    if plan.status not in OPEN_STATUSES:
        return _received_at(ctx, plan, entity, rng.randint(1, HISTORY_DAYS))
    wanted = plan.urgency or _pick(rng, URGENCY_WEIGHTS)
    key = deadline_key(K(plan.kind), D(plan.delivery))
    today = entity_today(entity, ctx.now)
    days = list(range(HISTORY_DAYS))
    rng.shuffle(days)
    first = closest = None
    for days_ago in days:
        received_at = _received_at(ctx, plan, entity, days_ago)
        due = compute_due(
            received_on=entity_local_date(entity, received_at),
            key=key,
            jurisdiction=entity.jurisdiction,
            rule=ctx.rules[entity.pk].get(key),
            closed=ctx.closed[entity.pk],
        ).due_on
        # Overdue by at most two weeks: an older open request would be an outlier.
        late = (today - due).days
        if urgency(due, today) == wanted:
            if late <= plan.overdue_days:
                return received_at
            if closest is None or late < closest[0]:
                closest = (late, received_at)
        first = first or received_at
    # The showcase wants "due yesterday", which a paper receipt moved off a weekend may miss.
    return closest[1] if closest else first


def _received_at(ctx: Context, plan: Plan, entity: Entity, days_ago: int) -> datetime:
    """A moment `days_ago` days back, in office hours for paper, phone and walk-in; the portal
    is open at all hours. Never in the future."""
    rng, tz = ctx.rng, ZoneInfo(entity.timezone)
    closed = ctx.closed[entity.pk]
    day = entity_today(entity, ctx.now) - timedelta(days=days_ago)
    portal = plan.channel == Channel.PORTAL
    while True:
        if not portal:
            while not is_open_day(day, closed):
                day -= timedelta(days=1)
        start, hours = (time(6), 17.0) if portal and rng.random() < 0.3 else (OPENS, 8.5)
        offset = timedelta(seconds=round(rng.uniform(0, hours) * 3600))
        moment = datetime.combine(day, start, tz) + offset
        if moment <= ctx.now:
            return moment
        if portal:
            return ctx.now - timedelta(minutes=rng.randint(5, 90))
        day -= timedelta(days=1)
