"""The sweeps that act on the requester's side of the clock: an authorization that expired
before release, a reminder to a requester we have been waiting on, and the automatic closure
when they never answer. Re-exported by services/clocks.py; run hourly by Celery beat.

Each sweep selects its candidates in one query, by date and status, so a second run finds
nothing left to do. Each candidate is then changed by the ordinary services (a transition, a
letter, an email), one transaction per request, with the row locked and its state checked
again, because a clerk may have acted on it in the meantime.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ..models import Entity, EntityPolicy, Request, TimelineEvent
from ..rules import clocks as rules
from ..rules.authorization import DEFAULT_VALIDITY_DAYS
from ..selectors.calendar import entity_local_date, entity_today
from ..workflow import Status, can
from . import transitions as t
from .letters import letter_date_format, letter_enqueue
from .notifications import requester_notify
from .staff_actions import request_pend_with_notice
from .timeline import event_record

logger = logging.getLogger(__name__)

S = Status
_policy_field = EntityPolicy._meta.get_field
DEFAULT_REMINDER_DAYS: int = _policy_field("reminder_after_days").default
DEFAULT_CLOSE_DAYS: int = _policy_field("close_pending_after_days").default
# Where an expired authorization can be acted on. Pending ones are already waiting on the
# requester (their next resume is checked again); answered ones released nothing more.
EXPIRY_STATUSES = (S.SUBMITTED, S.IN_REVIEW, S.IN_PROGRESS, S.READY, S.PARTIALLY_DENIED)
REMIND = "remind"
AUTHORIZATION_EXPIRED = "authorization_expired"


@dataclass
class RequesterSweepResult:
    pended: list[str] = field(default_factory=list)  # request numbers
    messaged: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # changed by someone meanwhile

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "pended": self.pended,
            "messaged": self.messaged,
            "reminded": self.reminded,
            "closed": self.closed,
            "skipped": self.skipped,
        }


def _locked(pk: int) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("entity__policy", "requester")
        .get(pk=pk)
    )


def _long_date(day: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, letter_date_format())


# --- authorization expiry ------------------------------------------------------------------


def _expired_on(req: Request, today: date) -> date | None:
    authorization = getattr(req, "authorization", None)
    if authorization is None or authorization.revoked_at is not None:
        return None
    policy = getattr(req.entity, "policy", None)
    return rules.authorization_expired_on(
        kind=req.kind,
        expiration_date=authorization.expiration_date,
        expiration_event=authorization.expiration_event,
        signed_on=entity_local_date(req.entity, authorization.signed_at)
        if authorization.signed_at
        else None,
        default_validity_days=policy.default_authorization_days
        if policy
        else DEFAULT_VALIDITY_DAYS,
        today=today,
    )


def release_blocked_by_expiry(req: Request, now: datetime | None = None) -> str | None:
    """The reason records may not be released now, when the authorization they go out under
    has expired (164.508(b)(2)), in staff's language; None when it is valid or not needed.
    The hourly sweep pends such requests; this closes the gap between two sweeps at the
    moment of release."""
    if req.kind not in rules.EXPIRING_KINDS:
        return None
    expired_on = _expired_on(req, entity_today(req.entity, now or timezone.now()))
    if expired_on is None:
        return None
    return _(
        "The authorization expired on %(date)s: nothing can be released under it. Ask the "
        "requester for a new one (pend the request)."
    ) % {"date": _long_date(expired_on, translation.get_language() or "en")}


def _expiry_candidates(now: datetime) -> list[int]:
    """Open authorizations that may have expired: a written date before tomorrow anywhere,
    or no date and no event, signed longer ago than the shortest default validity. The pure
    rule decides on each, in the entity's time zone. A revoked one is the revocation's
    business (services/requester.authorization_revoke), not expiry's."""
    shortest = EntityPolicy.objects.aggregate(days=Min("default_authorization_days"))["days"]
    shortest = min(shortest or DEFAULT_VALIDITY_DAYS, DEFAULT_VALIDITY_DAYS)
    tomorrow = now.date() + timedelta(days=1)
    expires = Q(authorization__expiration_date__lte=tomorrow) | Q(
        authorization__expiration_date__isnull=True,
        authorization__expiration_event="",
        authorization__signed_at__lt=now - timedelta(days=shortest - 1),
    )
    return list(
        Request.objects.filter(
            expires,
            kind__in=sorted(rules.EXPIRING_KINDS),
            status__in=EXPIRY_STATUSES,
            authorization__revoked_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _expiry_message(expired_on: date, language: str) -> str:
    with translation.override(language):
        return _(
            "The authorization for this request expired on %(date)s. We cannot release "
            "records under an expired authorization (45 CFR 164.508(b)(2)). Please sign and "
            "send us a new authorization."
        ) % {"date": _long_date(expired_on, language)}


def _act_on_expiry(pk: int, now: datetime, result: RequesterSweepResult) -> None:
    with transaction.atomic():
        req = _locked(pk)
        today = entity_today(req.entity, now)
        expired_on = _expired_on(req, today) if req.status in EXPIRY_STATUSES else None
        if expired_on is None:
            result.skipped.append(req.number)
            return
        message = _expiry_message(expired_on, req.language or "en")
        if req.status == S.READY:
            # Records prepared but not released: releasing them now would be a disclosure
            # without a valid authorization. Back to work first, so nothing is released
            # before the requester sends a new one, then pend like a clerk would.
            t.request_return_to_work(req, actor=None, reason=message)
            req.refresh_from_db()
        if can("pend", req.status):
            request_pend_with_notice(req, actor=None, missing=message)
            result.pended.append(req.number)
            return
        # Partially denied: the denied part was answered in writing and the rest waits to
        # be released, but no status leads from there back to the requester. They are told
        # in writing, once per expiry, and staff see it on the timeline; the request stays
        # where it is until a new authorization comes in.
        told = req.events.filter(
            kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER,
            data__sweep=AUTHORIZATION_EXPIRED,
            data__expired_on=expired_on.isoformat(),
        ).exists()
        if told:
            result.skipped.append(req.number)
            return
        event_record(
            request=req,
            kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER,
            action="message",
            reason=message,
            data={"sweep": AUTHORIZATION_EXPIRED, "expired_on": expired_on.isoformat()},
            notify=True,
        )
        result.messaged.append(req.number)


def authorization_expiry_sweep(*, now: datetime | None = None) -> RequesterSweepResult:
    """Requests whose authorization expired before release go back to pending the requester,
    with a notice saying it expired on which day and that a new one is needed."""
    now = now or timezone.now()
    result = RequesterSweepResult()
    for pk in _expiry_candidates(now):
        _act_on_expiry(pk, now, result)
    if result.pended or result.messaged:
        logger.info("Authorization expiry sweep: %s", result.as_dict())
    return result


# --- reminders and automatic closure --------------------------------------------------------


def _pended_at() -> Subquery:
    """When the request last went to pending the requester: one pend episode."""
    return Subquery(
        TimelineEvent.objects.filter(request=OuterRef("pk"), action="pend")
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))


def _waited(now: datetime, entities: Iterable[Entity], days_of: Any) -> Q:
    """Pended on or before the entity's cutoff day, i.e. before the local midnight after it;
    one condition per entity, each against its own today and policy."""
    parts = []
    for entity in entities:
        cutoff = rules.pending_cutoff(entity_today(entity, now), days_of(entity))
        boundary = _local_midnight(cutoff + timedelta(days=1), entity.timezone)
        parts.append(Q(entity_id=entity.pk, pended_at__lt=boundary))
    return reduce(or_, parts, Q(pk__in=[]))


def _policy_days(entity: Entity, name: str, default: int) -> int:
    policy = getattr(entity, "policy", None)
    return getattr(policy, name) if policy else default


def _reminder_days(entity: Entity) -> int:
    return _policy_days(entity, "reminder_after_days", DEFAULT_REMINDER_DAYS)


def _close_days(entity: Entity) -> int:
    return _policy_days(entity, "close_pending_after_days", DEFAULT_CLOSE_DAYS)


def _reminded_since_pend() -> Exists:
    return Exists(
        TimelineEvent.objects.filter(
            request=OuterRef("pk"), action=REMIND, at__gte=OuterRef("pended_at")
        )
    )


def _pend_episode(req: Request) -> TimelineEvent | None:
    return req.events.filter(action="pend").order_by("-at", "-pk").first()


def _remind(pk: int, now: datetime, result: RequesterSweepResult) -> None:
    with transaction.atomic():
        req = _locked(pk)
        pend = _pend_episode(req)
        if req.status != S.PENDING_REQUESTER or pend is None:
            result.skipped.append(req.number)
            return
        if req.events.filter(action=REMIND, at__gte=pend.at).exists():
            result.skipped.append(req.number)
            return
        pended_on = entity_local_date(req.entity, pend.at)
        close_on = pended_on + timedelta(days=_close_days(req.entity))
        event = event_record(
            request=req,
            kind=TimelineEvent.Kind.CLOCK,
            action=REMIND,
            reason="",
            data={"pended_on": pended_on.isoformat(), "close_on": close_on.isoformat()},
            visible_to_requester=False,
        )
        sent = requester_notify(
            request=req,
            template="reminder",
            key=f"reminder:{req.pk}:{pended_on.isoformat()}",
            event=event,
            data={"close_on": close_on.isoformat()},
        )
        # Staff read the event: a requester with no email address is reminded by them.
        event.reason = (
            _("Reminder emailed to the requester, waiting since %(date)s.")
            if sent
            else _(
                "The requester has no email address: remind them by phone or mail. "
                "Waiting since %(date)s."
            )
        ) % {"date": pended_on.isoformat()}
        event.save(update_fields=["reason"])
        result.reminded.append(req.number)


def _auto_close(pk: int, now: datetime, result: RequesterSweepResult) -> None:
    with transaction.atomic():
        req = _locked(pk)
        pend = _pend_episode(req)
        today = entity_today(req.entity, now)
        days = _close_days(req.entity)
        if (
            req.status != S.PENDING_REQUESTER
            or pend is None
            or not rules.waited_enough(
                pended_on=entity_local_date(req.entity, pend.at), today=today, days=days
            )
        ):
            result.skipped.append(req.number)
            return
        pended_on = entity_local_date(req.entity, pend.at)
        language = req.language or "en"
        with translation.override(language):
            reason = _(
                "Closed automatically: on %(date)s we asked for information we need, and "
                "nothing came in the %(days)d days since. The request can be reopened when "
                "it arrives, or a new one can be filed at any time."
            ) % {"date": _long_date(pended_on, language), "days": days}
        t.request_close(
            req,
            actor=None,
            reason=reason,
            data={"auto_closed": True, "pended_on": pended_on.isoformat(), "days": days},
        )
        # The closure letter says why and how to reopen: paper for those without email.
        letter_enqueue(req.events.filter(action="close").latest("at", "id"))
        result.closed.append(req.number)


def requester_reminder_sweep(*, now: datetime | None = None) -> RequesterSweepResult:
    """Requests waiting on their requester: one reminder per pend episode after the policy's
    reminder_after_days, and closed (with a closure letter and the "auto_closed" email) after
    close_pending_after_days. Days are counted from the local date of the last "pend"."""
    now = now or timezone.now()
    result = RequesterSweepResult()
    entities = list(
        Entity.objects.select_related("policy").only(
            "pk", "timezone", "policy__reminder_after_days", "policy__close_pending_after_days"
        )
    )
    waiting = (
        Request.objects.filter(status=S.PENDING_REQUESTER)
        .annotate(pended_at=_pended_at())
        .order_by("pk")
    )
    to_close = list(
        waiting.filter(_waited(now, entities, _close_days)).values_list("pk", flat=True)
    )
    for pk in to_close:
        _auto_close(pk, now, result)
    to_remind = (
        waiting.filter(_waited(now, entities, _reminder_days))
        .exclude(pk__in=to_close)
        .filter(~_reminded_since_pend())
        .values_list("pk", flat=True)
    )
    for pk in list(to_remind):
        _remind(pk, now, result)
    if result.reminded or result.closed:
        logger.info("Requester reminder sweep: %s", result.as_dict())
    return result
