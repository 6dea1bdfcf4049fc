"""The request status machine: the statuses and the one explicit map of allowed transitions.

Every status change goes through services/transitions.py, which looks the action up here. An
action not listed for the current status is refused; nothing else changes a status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    PENDING_REQUESTER = "pending_requester", _("Waiting for information from you")
    IN_REVIEW = "in_review", _("In review")
    IN_PROGRESS = "in_progress", _("In progress")
    READY = "ready", _("Ready to release")
    RELEASED = "released", _("Released")
    CLOSED = "closed", _("Closed")
    DENIED = "denied", _("Denied")
    PARTIALLY_DENIED = "partially_denied", _("Partially denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
# Open statuses keep a legal clock running (or paused, while pending with a pausing policy).
OPEN_STATUSES = frozenset(
    {S.SUBMITTED, S.PENDING_REQUESTER, S.IN_REVIEW, S.IN_PROGRESS, S.READY, S.PARTIALLY_DENIED}
)
# Where the entity has answered the request, so the deadline was met or missed at that moment.
ANSWERED_STATUSES = frozenset({S.RELEASED, S.CLOSED, S.DENIED, S.PARTIALLY_DENIED, S.WITHDRAWN})


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[Status]
    target: Status
    label: str


def _action(name: str, sources: set[Status], target: Status, label: str) -> Action:
    return Action(name, frozenset(sources), target, label)


# The map. Partial denial answers the denied part in writing (164.524(d)); the rest still goes
# on to release, so partially_denied moves on to ready.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        _action("start_review", {S.SUBMITTED}, S.IN_REVIEW, _("Start review")),
        _action(
            "pend",
            {S.SUBMITTED, S.IN_REVIEW, S.IN_PROGRESS},
            S.PENDING_REQUESTER,
            _("Ask the requester for missing information"),
        ),
        _action("resume", {S.PENDING_REQUESTER}, S.IN_REVIEW, _("Resume")),
        _action("verify", {S.IN_REVIEW}, S.IN_PROGRESS, _("Identity and authority verified")),
        _action(
            "deny",
            {S.SUBMITTED, S.PENDING_REQUESTER, S.IN_REVIEW, S.IN_PROGRESS},
            S.DENIED,
            _("Deny in writing"),
        ),
        _action(
            "partially_deny",
            {S.IN_REVIEW, S.IN_PROGRESS},
            S.PARTIALLY_DENIED,
            _("Deny part in writing"),
        ),
        _action("mark_ready", {S.IN_PROGRESS, S.PARTIALLY_DENIED}, S.READY, _("Mark ready")),
        _action("return_to_work", {S.READY}, S.IN_PROGRESS, _("Back to work")),
        _action("release", {S.READY}, S.RELEASED, _("Release")),
        # Amendments and accountings are answered by a letter, with no records to release.
        _action("answer", {S.IN_PROGRESS, S.READY}, S.RELEASED, _("Answer in writing")),
        _action("close", {S.RELEASED, S.DENIED, S.PENDING_REQUESTER}, S.CLOSED, _("Close")),
        _action(
            "withdraw",
            {S.SUBMITTED, S.PENDING_REQUESTER, S.IN_REVIEW, S.IN_PROGRESS, S.READY},
            S.WITHDRAWN,
            _("Withdraw"),
        ),
        _action("reopen", {S.CLOSED, S.DENIED, S.WITHDRAWN}, S.IN_REVIEW, _("Reopen")),
    )
}

ALLOWED_TRANSITIONS: frozenset[tuple[Status, Status]] = frozenset(
    (source, action.target) for action in ACTIONS.values() for source in action.sources
)


def allowed_actions(status: str) -> list[Action]:
    return [action for action in ACTIONS.values() if status in action.sources]


def can(action_name: str, status: str) -> bool:
    return status in ACTIONS[action_name].sources
