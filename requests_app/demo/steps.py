"""Running one planned demo request through the real services.

Nothing here writes a status or a due date itself: `request_submit` creates the request and
the transition services move it, so the demo shows exactly what the workflow produces.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..models import Channel, Request
from ..rules.calendar import is_open_day
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from ..selectors.calendar import entity_today
from ..services.submission import request_submit
from ..services.transitions import (
    request_assign,
    request_close,
    request_deny,
    request_extend,
    request_mark_ready,
    request_partially_deny,
    request_pend,
    request_release,
    request_resume,
    request_start_review,
    request_verify,
    request_withdraw,
)
from . import scenarios as sc
from .retime import retime

if TYPE_CHECKING:
    from .generator import Context, Plan

R = RequesterRole


def walk(ctx: Context, plan: Plan) -> list[Request]:
    """Submit the plan (one request, or one per City of Hope entity) and take each request
    through the planned steps; then move its timeline to the planned moments."""
    entity = None if plan.target == "COH" else ctx.entities[plan.target]
    organization = ctx.entity(plan.target).organization
    # Online, the requester submits (a guest form has no user: the timeline says "System");
    # on paper, phone or in person, the clerk who typed it in.
    if plan.channel == Channel.PORTAL:
        actor = plan.requester.user
    else:
        actor = ctx.clerks[ctx.entity(plan.target).pk]
    created = request_submit(
        organization=organization,
        entity=entity,
        location=plan.location,
        patient=plan.patient,
        requester=plan.requester,
        kind=plan.kind,
        delivery_method=plan.delivery,
        received_at=plan.received_at,
        channel=plan.channel,
        actor=actor,
        **plan.fields,
    )
    for request in created:
        _steps(ctx, plan, request)
        request.refresh_from_db()
        retime(ctx, request)
    return created


def _steps(ctx: Context, plan: Plan, request: Request) -> None:
    clerk = ctx.clerks[request.entity_id]
    # A reviewable denial is decided by a licensed professional (164.524(a)(3)); in the demo
    # the supervisor records it where there is one.
    decider = ctx.supervisor_for(request.entity)
    previous = ""
    actions: dict[str, Callable[[], Any]] = {
        "start_review": lambda: request_start_review(request, actor=clerk),
        "assign": lambda: request_assign(
            request, actor=decider if ctx.rng.random() < 0.3 else clerk, assignee=clerk
        ),
        "pend": lambda: request_pend(request, actor=clerk, missing=sc.PEND[plan.pend_key]),
        "resume": lambda: request_resume(request, actor=clerk, note=sc.RESUME[plan.pend_key]),
        "verify": lambda: request_verify(request, actor=clerk, note=_verify_note(plan)),
        "mark_ready": lambda: request_mark_ready(request, actor=clerk),
        "release": lambda: request_release(
            request,
            actor=clerk,
            note=sc.RELEASE_BY_DELIVERY[DeliveryMethod(request.delivery_method)],
        ),
        "close": lambda: request_close(request, actor=clerk, reason=sc.CLOSE_AFTER[previous]),
        "deny": lambda: request_deny(request, actor=decider, **_denial(plan, partial=False)),
        "partially_deny": lambda: request_partially_deny(
            request, actor=decider, **_denial(plan, partial=True)
        ),
        "withdraw": lambda: request_withdraw(
            request, actor=plan.requester.user or clerk, reason=_withdraw_reason(ctx, plan)
        ),
    }
    for step in plan.path:
        actions[step]()
        previous = step
    if plan.extend:
        _extend(ctx, plan, request, clerk)


def _verify_note(plan: Plan) -> str:
    role = plan.requester.role
    if role == R.PROVIDER:
        return "Requesting provider confirmed by call-back to the office on file."
    if role in (R.REPRESENTATIVE, R.EXECUTOR, R.NEXT_OF_KIN):
        return "Proof of authority on file; identity of the requester confirmed."
    if role == R.THIRD_PARTY:
        return "Authorization checked: all required elements and statements present."
    return sc.VERIFY_BY_CHANNEL[plan.channel]


def _denial(plan: Plan, *, partial: bool) -> dict[str, Any]:
    if partial and plan.kind == RequestKind.ACCESS and plan.requester.role == R.REPRESENTATIVE:
        grounds, explanation = sc.DENY_REPRESENTATIVE
    else:
        grounds, explanation = (sc.DENY_PARTIAL if partial else sc.DENY_FULL)[plan.kind]
    return {"grounds": list(grounds), "explanation": explanation}


def _withdraw_reason(ctx: Context, plan: Plan) -> str:
    if plan.kind == RequestKind.AUTHORIZED:
        return sc.WITHDRAW_REVOKED
    return ctx.rng.choice(sc.WITHDRAW)


def _extend(ctx: Context, plan: Plan, request: Request, clerk: Any) -> None:
    """One written extension, only where the law and policy allow one and only before the
    first due date (164.524(b)(2)(ii)): the same conditions request_extend enforces, checked
    first so that the demo simply skips a request that cannot be extended."""
    request.refresh_from_db()
    latest = request.latest_extension_on
    if (
        not request.is_open
        or request.extended_due_on is not None
        or latest is None
        or entity_today(request.entity) > request.due_on
    ):
        return
    new_due = latest
    if ctx.rng.random() < 0.4:
        span = (latest - request.due_on).days
        new_due = request.due_on + timedelta(days=max(1, round(span * ctx.rng.uniform(0.4, 0.9))))
        # Land on an open day, as a clerk would when writing the notice.
        closed = ctx.closed[request.entity_id]
        while not is_open_day(new_due, closed) and new_due < latest:
            new_due += timedelta(days=1)
    request_extend(
        request,
        actor=clerk,
        new_due_on=new_due,
        reason=sc.EXTEND.get(RequestKind(plan.kind), sc.EXTEND_DEFAULT),
    )
