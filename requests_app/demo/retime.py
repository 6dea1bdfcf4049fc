"""Moving a demo request's timeline from "now" to when it would have happened.

The services stamp every event, answer, extension, pause and disclosure with today's clock.
For a demo spread over 120 days, each request's events are moved, in their original order, to
office-hour moments between its receipt and now: answered on time mostly, late sometimes,
and always before the first due date when extended, as the law requires. Only timestamps
change; statuses and due dates stay what the services computed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..models import Disclosure, Request, TimelineEvent
from ..rules.calendar import is_open_day
from ..rules.kinds import RequestKind

if TYPE_CHECKING:
    import random

    from .generator import Context

OPENS, CLOSES = time(8, 0), time(16, 30)  # HIM office hours on the seed pages
ANSWERS = frozenset({"deny", "partially_deny", "release", "withdraw"})
# Paper is stamped received on arrival and typed in later (DOMAIN.md section 2).
PAPER_CHANNELS = frozenset({"mail", "fax", "email"})
LATE_SHARE = 0.1  # answered after the due date: what the compliance reports are for


def retime(ctx: Context, request: Request) -> None:
    rng, now = ctx.rng, ctx.now
    tz = ZoneInfo(request.entity.timezone)
    closed = ctx.closed[request.entity_id]
    events = list(request.events.order_by("id"))
    received = request.received_at
    entered = received
    if request.channel in PAPER_CHANNELS:
        typed = _office_hours(
            rng, received + timedelta(hours=rng.uniform(0.5, 20)), tz, closed, floor=received
        )
        entered = min(typed, received + (now - received) * 0.3)
    rest = events[1:]
    answer = next((i for i, e in enumerate(rest) if e.action in ANSWERS), None)
    if answer is None:
        moments = _spread(rng, entered, now, len(rest), tz, closed)
    else:
        answered = _answer_moment(ctx, request, entered, tz, closed)
        after = len(rest) - answer - 1
        final = min(now, answered + timedelta(days=rng.uniform(0.5, 8))) if after else answered
        moments = [
            *_spread(rng, entered, answered, answer, tz, closed),
            answered,
            *_spread(rng, answered, final, after, tz, closed),
        ]
    for event, moment in zip(events, [entered, *moments], strict=True):
        event.at = moment
    TimelineEvent.objects.bulk_update(events, ["at"])
    _request_times(request, events, tz)


def _request_times(request: Request, events: list[TimelineEvent], tz: ZoneInfo) -> None:
    """Every other timestamp follows its event: answered_at the first answer, extended_at the
    extension notice, paused_on the last pend, disclosed_on the release."""

    def last(pred) -> TimelineEvent | None:
        return next((e for e in reversed(events) if pred(e)), None)

    first_answer = next((e for e in events if e.action in ANSWERS), None)
    extension = last(lambda e: e.kind == TimelineEvent.Kind.EXTENSION)
    pend = last(lambda e: e.action == "pend")
    release = last(lambda e: e.action == "release")
    fields = {
        "created_at": events[0].at,
        "updated_at": events[-1].at,
        "answered_at": first_answer.at if first_answer and request.answered_at else None,
        "extended_at": extension.at if extension else None,
        "paused_on": pend.at.astimezone(tz).date() if pend and request.paused_on else None,
    }
    # update() rather than save(): save() would stamp updated_at with now again (auto_now).
    Request.objects.filter(pk=request.pk).update(**fields)
    if release is not None:
        Disclosure.objects.filter(request=request).update(
            disclosed_on=release.at.astimezone(tz).date()
        )


def _answer_moment(
    ctx: Context, request: Request, entered: datetime, tz: ZoneInfo, closed: frozenset[date]
) -> datetime:
    rng, now = ctx.rng, ctx.now
    if request.kind == RequestKind.CONTINUITY:
        # Keck: provider faxes "usually are addressed within 15 minutes".
        soon = entered + timedelta(minutes=rng.uniform(15, 300))
        return _office_hours(rng, min(soon, now), tz, closed, floor=entered)
    due_end = datetime.combine(request.current_due_on, CLOSES, tz)
    if due_end < now and rng.random() < LATE_SHARE:
        low, high = due_end, min(now, due_end + timedelta(days=rng.uniform(1, 9)))
    else:
        low, high = entered, min(now, due_end)
    # Paper typed in after its due date leaves no earlier moment than the typing.
    low = max(low, entered)
    high = max(high, low)
    moment = low + (high - low) * rng.uniform(0.3, 1.0)
    return _office_hours(rng, moment, tz, closed, floor=entered)


def _spread(
    rng: random.Random, low: datetime, high: datetime, n: int, tz: ZoneInfo, closed: frozenset[date]
) -> list[datetime]:
    """n ordered office-hour moments in (low, high]."""
    picks = sorted(low + (high - low) * rng.uniform(0.05, 1.0) for _ in range(n))
    return sorted(_office_hours(rng, p, tz, closed, floor=low) for p in picks)


def _office_hours(
    rng: random.Random, moment: datetime, tz: ZoneInfo, closed: frozenset[date], *, floor: datetime
) -> datetime:
    """The moment itself when the HIM office is open, else a moment in the last open office
    hours before it, never before `floor`. When the office did not open between the two (a
    fax typed in after closing time), the moment is kept as it is."""
    local = moment.astimezone(tz)
    day = local.date()
    if is_open_day(day, closed) and OPENS <= local.time() <= CLOSES:
        return moment
    if not (is_open_day(day, closed) and local.time() > CLOSES):
        day -= timedelta(days=1)
        while not is_open_day(day, closed):
            day -= timedelta(days=1)
    start = max(datetime.combine(day, OPENS, tz), floor)
    end = min(datetime.combine(day, CLOSES, tz), moment)
    if start > end:
        return moment
    return start + (end - start) * rng.random()
