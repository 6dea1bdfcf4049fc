"""Every status change of a request, one service function each.

Each one locks the request row (SELECT ... FOR UPDATE), checks the action against the one map
in workflow.py, changes the status, writes a timeline event, and enqueues follow-up work with
transaction.on_commit. A repeated call (a double click, a retried task) finds the status
already moved and is refused, so the work is never done twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Disclosure, Request, TimelineEvent
from ..rules.deadlines import shift_for_pause
from ..rules.denials import ground, is_reviewable
from ..rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, RequesterRole, RequestKind
from ..selectors.calendar import (
    entity_closed_days,
    entity_rule,
    entity_today,
    legal_due_dates,
)
from ..workflow import ACTIONS, Status
from .clock_state import request_clock_judge
from .errors import TransitionNotAllowed
from .timeline import event_record


def _locked(request: Request | int) -> Request:
    pk = request.pk if isinstance(request, Request) else request
    # of=("self",): lock the request row only. Locking the joined entity too would queue
    # every transition of an entity behind one another (PostgreSQL locks joined rows).
    return Request.objects.select_for_update(of=("self",)).select_related("entity").get(pk=pk)


def _refresh(request: Request | int) -> None:
    if isinstance(request, Request):
        request.refresh_from_db()


def _transition(
    request: Request | int,
    action_name: str,
    *,
    actor: Any,
    reason: str = "",
    data: dict | None = None,
    change: Callable[[Request], None] | None = None,
    label: str = "",
) -> Request:
    action = ACTIONS[action_name]
    with transaction.atomic():
        locked = _locked(request)
        if locked.status not in action.sources:
            raise TransitionNotAllowed(
                _("%(number)s is %(status)s; it cannot be changed with “%(action)s”.")
                % {
                    "number": locked.number,
                    "status": locked.get_status_display(),
                    "action": action.label,
                },
                code="transition_not_allowed",
            )
        from_status = locked.status
        locked.status = action.target
        if change is not None:
            change(locked)
        # The sweep's clock state and extension flag were judged for the old status (a READY
        # request is never flagged, an answered one is not judged) and the old dates: judge
        # them now, so the queue does not wait up to 15 minutes for the next sweep.
        request_clock_judge(locked)
        locked.save()
        event_record(
            request=locked,
            kind=TimelineEvent.Kind.STATUS,
            actor=actor,
            action=action_name,
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
            data=data,
            notify=True,
            label=label,
        )
    _refresh(request)
    return locked


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def _answered(req: Request) -> None:
    req.answered_at = req.answered_at or timezone.now()


def _deadline_key(req: Request) -> DeadlineKey:
    from ..rules.deadlines import deadline_key

    return deadline_key(RequestKind(req.kind), DeliveryMethod(req.delivery_method))


def request_start_review(request: Request | int, *, actor: Any) -> Request:
    return _transition(request, "start_review", actor=actor)


def request_pend(request: Request | int, *, actor: Any, missing: str) -> Request:
    """Ask the requester for what is missing; the message says exactly what. Where the entity's
    policy says so, the clock stops until the requester answers."""
    missing = _require(missing, _("Say exactly what is missing."))

    def change(req: Request) -> None:
        rule = entity_rule(req.entity, _deadline_key(req))
        if rule is not None and rule.pauses_when_pending and req.paused_on is None:
            req.paused_on = entity_today(req.entity)

    return _transition(request, "pend", actor=actor, reason=missing, change=change)


def request_resume(request: Request | int, *, actor: Any, note: str = "") -> Request:
    """Back to work after the requester answered. A paused clock moves by the days lost, but
    never past the date the law sets: a pause is the entity's policy, and HIPAA and California
    have none (164.524(b)(2), HSC 123110)."""

    def change(req: Request) -> None:
        if req.paused_on is None:
            return
        rule = entity_rule(req.entity, _deadline_key(req))
        unit = rule.unit if rule is not None else DayUnit.CALENDAR
        closed = entity_closed_days(req.entity, req.paused_on)
        today = entity_today(req.entity)

        def shifted(day: date) -> date:
            return shift_for_pause(
                due_on=day, paused_on=req.paused_on, resumed_on=today, unit=unit, closed=closed
            )

        due_on = shifted(req.due_on)
        latest = shifted(req.latest_extension_on) if req.latest_extension_on else None
        law = legal_due_dates(
            entity=req.entity,
            kind=req.kind,
            delivery=req.delivery_method,
            received_at=req.received_at,
            closed=closed,
        )
        if law is not None:
            due_on = min(due_on, law.due_on)
            if latest is not None:
                latest = min(latest, law.latest_extended_due_on or law.due_on)
        req.due_on = due_on
        req.latest_extension_on = latest if latest and latest > due_on else None
        req.paused_on = None

    return _transition(request, "resume", actor=actor, reason=note, change=change)


def request_verify(request: Request | int, *, actor: Any, note: str = "") -> Request:
    """Identity and authority checked (DOMAIN.md section 4); never chargeable."""
    return _transition(request, "verify", actor=actor, reason=note)


def _grounds_data(grounds: list[str], explanation: str) -> dict:
    if not grounds:
        raise ValidationError(_("Choose at least one ground for the denial."))
    for code in grounds:
        ground(code)  # unknown grounds raise
    return {
        "grounds": list(grounds),
        "reviewable": is_reviewable(grounds),
        "explanation": explanation,
    }


def request_deny(
    request: Request | int, *, actor: Any, grounds: list[str], explanation: str
) -> Request:
    explanation = _require(explanation, _("Explain the denial in plain language."))
    return _transition(
        request,
        "deny",
        actor=actor,
        reason=explanation,
        data=_grounds_data(grounds, explanation),
        change=_answered,
    )


def request_partially_deny(
    request: Request | int, *, actor: Any, grounds: list[str], explanation: str
) -> Request:
    explanation = _require(explanation, _("Say what is denied and why, in plain language."))
    return _transition(
        request,
        "partially_deny",
        actor=actor,
        reason=explanation,
        data=_grounds_data(grounds, explanation),
        change=_answered,
    )


def request_mark_ready(request: Request | int, *, actor: Any) -> Request:
    return _transition(request, "mark_ready", actor=actor)


def request_return_to_work(request: Request | int, *, actor: Any, reason: str) -> Request:
    reason = _require(reason, _("Say why the request goes back to work."))
    return _transition(request, "return_to_work", actor=actor, reason=reason)


# Kinds whose release hands records to someone, with the accounting exemption (164.528(a)(1))
# each falls under. Amendments and accountings release no records: they are not disclosures.
DISCLOSURE_EXEMPTION = {
    RequestKind.CONTINUITY: Disclosure.Exemption.TREATMENT,
    RequestKind.AUTHORIZED: Disclosure.Exemption.AUTHORIZATION,
    RequestKind.DIRECTED: Disclosure.Exemption.TO_PATIENT,
    # A personal representative is treated as the individual (164.502(g)).
    RequestKind.ACCESS: Disclosure.Exemption.TO_PATIENT,
}


def _log_disclosure(req: Request) -> None:
    """Every release to someone other than the patient is logged (164.528); the exempt ones
    are logged too, for the audit trail, but left out of the patient's accounting."""
    exemption = DISCLOSURE_EXEMPTION.get(RequestKind(req.kind))
    if exemption is None:
        return
    if req.requester.role == RequesterRole.SELF and not req.recipient_name:
        return
    items = ", ".join(str(item) for item in req.items.all()) or _("Medical records")
    Disclosure.objects.get_or_create(
        request=req,
        defaults={
            "patient_id": req.patient_id,
            "disclosed_on": entity_today(req.entity),
            "recipient_name": req.recipient_name or str(req.requester),
            "recipient_address": req.recipient_address or req.requester.address,
            "description": items,
            "purpose": req.purpose or _("At the request of the individual"),
            "exemption": exemption,
        },
    )


def request_release(request: Request | int, *, actor: Any, note: str = "") -> Request:
    def change(req: Request) -> None:
        _answered(req)
        _log_disclosure(req)

    return _transition(request, "release", actor=actor, reason=note, change=change)


ANSWERED_BY_LETTER = frozenset({RequestKind.AMENDMENT, RequestKind.ACCOUNTING})


def request_answer(request: Request | int, *, actor: Any, note: str = "") -> Request:
    """An amendment (164.526) or accounting (164.528) is answered by its letter: one
    transition, one email, and no disclosure logged (nothing from the record is released)."""

    def change(req: Request) -> None:
        if req.kind not in ANSWERED_BY_LETTER:
            raise ValidationError(_("Only amendments and accountings are answered by letter."))
        _answered(req)

    return _transition(request, "answer", actor=actor, reason=note, change=change)


def request_close(
    request: Request | int, *, actor: Any, reason: str = "", data: dict | None = None
) -> Request:
    """`data` goes on the close event: {"auto_closed": True} when the reminder sweep closes a
    request its requester never completed, which picks the email and the closure letter."""
    return _transition(request, "close", actor=actor, reason=reason, data=data)


def request_withdraw(
    request: Request | int,
    *,
    actor: Any,
    reason: str = "",
    data: dict | None = None,
    label: str = "",
) -> Request:
    return _transition(
        request, "withdraw", actor=actor, reason=reason, data=data, change=_answered, label=label
    )


def request_reopen(request: Request | int, *, actor: Any, reason: str) -> Request:
    reason = _require(reason, _("Say why the request is reopened."))

    def change(req: Request) -> None:
        req.answered_at = None

    return _transition(request, "reopen", actor=actor, reason=reason, change=change)


def request_extend(request: Request | int, *, actor: Any, new_due_on: date, reason: str) -> Request:
    """One extension, in writing, before the first deadline, with the reason and the new date
    (45 CFR 164.524(b)(2)(ii)). A second one is refused, and so is one the law does not allow
    (California gives none for copies: HSC 123110)."""
    reason = _require(reason, _("Give the reason for the delay; it goes in the written notice."))
    with transaction.atomic():
        req = _locked(request)
        today = entity_today(req.entity)
        if not req.is_open:
            raise TransitionNotAllowed(_("Only an open request can be extended."))
        if req.extended_due_on is not None:
            raise TransitionNotAllowed(_("This request was already extended once."))
        if today > req.due_on:
            raise TransitionNotAllowed(
                _("The extension notice must be sent before the first due date (%(due)s).")
                % {"due": req.due_on.isoformat()}
            )
        if req.latest_extension_on is None:
            raise TransitionNotAllowed(
                _("No extension is allowed for this request: %(rule)s")
                % {"rule": req.due_rule_text}
            )
        if not req.due_on < new_due_on <= req.latest_extension_on:
            raise ValidationError(
                _("The new due date must be after %(due)s and no later than %(latest)s.")
                % {"due": req.due_on.isoformat(), "latest": req.latest_extension_on.isoformat()}
            )
        req.extended_due_on = new_due_on
        req.extension_reason = reason
        req.extended_at = timezone.now()
        # The sweep's marks were about the old date: the decision is made (the flag goes
        # down), and the queue shows where the new date stands now, not in 15 minutes.
        request_clock_judge(req)
        req.save()
        event_record(
            request=req,
            kind=TimelineEvent.Kind.EXTENSION,
            actor=actor,
            action="extend",
            reason=reason,
            data={"from": req.due_on.isoformat(), "to": new_due_on.isoformat()},
            notify=True,
        )
    _refresh(request)
    return req


def request_assign(request: Request | int, *, actor: Any, assignee: Any) -> Request:
    with transaction.atomic():
        req = _locked(request)
        if not req.is_open:
            raise TransitionNotAllowed(_("Only an open request can be assigned."))
        previous = req.assignee
        if previous == assignee:
            _refresh(request)
            return req
        req.assignee = assignee
        req.save(update_fields=["assignee", "updated_at"])
        event = event_record(
            request=req,
            kind=TimelineEvent.Kind.ASSIGNMENT,
            actor=actor,
            action="assign",
            data={
                "from": previous.pk if previous else None,
                "to": assignee.pk if assignee else None,
            },
            reason=assignee.get_username() if assignee else _("Unassigned"),
            visible_to_requester=False,
        )
        from .notifications_staff import assignment_notify

        # Queued with the assignment, so a rolled-back assignment emails nobody.
        assignment_notify(event=event, assignee=assignee, actor=actor)
    _refresh(request)
    return req


def request_add_note(request: Request | int, *, actor: Any, text: str) -> TimelineEvent:
    text = _require(text, _("The note is empty."))
    with transaction.atomic():
        req = _locked(request)
        return event_record(
            request=req,
            kind=TimelineEvent.Kind.NOTE,
            actor=actor,
            reason=text,
            visible_to_requester=False,
        )


__all__ = [name for name in dir() if name.startswith("request_")] + ["Status"]
