"""Bulk assignment from the staff queue: services.transitions.request_assign, once per ticked
request, under these rules.

- Only requests in the actor's scope (access/staff.staff_requests) are touched; a number
  outside it is reported as not found, exactly like a number that does not exist.
- The new assignee must be able to see the request: a staff member whose scope includes the
  request's entity. A request handed to someone who cannot open it would sit unworked.
- A supervisor of the request's organization may assign it to any such colleague, take it, or
  unassign it, whoever holds it now (issue 4: "a supervisor ... can reassign").
- Anyone else (a clerk) may take a request that is unassigned (or already theirs) and give
  back (unassign) one assigned to them. Taking a colleague's work, or handing work to a
  colleague, is the supervisor's call.
- Answered requests are refused by request_assign (only open requests are assigned).

The rule is checked with the row locked, so two clerks ticking the same unassigned request at
the same moment cannot both take it: the second one finds it taken and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from ..access.staff import staff_entities, staff_memberships, staff_requests
from ..models import Request, StaffMembership
from .errors import TransitionNotAllowed
from .transitions import request_assign


@dataclass
class BulkAssignResult:
    assignee: Any  # the user, or None for "unassigned"
    assigned: list[str] = field(default_factory=list)  # numbers now with the assignee
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def _refusal(req: Request, *, actor: Any, assignee: Any, supervises: bool) -> str:
    """Why this actor may not make this assignment now, or "" when they may."""
    if supervises:
        return ""
    if assignee is not None and assignee.pk != actor.pk:
        return _("only a supervisor assigns work to a colleague")
    if assignee is not None and req.assignee_id not in (None, actor.pk):
        return _("already assigned to a colleague; ask a supervisor to reassign it")
    if assignee is None and req.assignee_id not in (None, actor.pk):
        return _("assigned to a colleague; only they or a supervisor can unassign it")
    return ""


def request_bulk_assign(
    *, actor: Any, numbers: Iterable[str], assignee_id: int | None
) -> BulkAssignResult:
    numbers = list(dict.fromkeys(numbers))
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            return BulkAssignResult(
                None, refused=[(n, _("that person cannot be assigned work")) for n in numbers]
            )
    result = BulkAssignResult(assignee)
    visible_to_assignee = (
        set(staff_entities(assignee).values_list("pk", flat=True)) if assignee else set()
    )
    supervised = set(
        staff_memberships(actor)
        .filter(role=StaffMembership.Role.SUPERVISOR)
        .values_list("organization_id", flat=True)
    )
    found = dict(staff_requests(actor).filter(number__in=numbers).values_list("number", "pk"))
    for number in numbers:
        pk = found.get(number)
        if pk is None:
            result.refused.append((number, _("not found")))
            continue
        try:
            with transaction.atomic():
                # of=("self",): lock the request row only, as the transitions do.
                req = Request.objects.select_for_update(of=("self",)).get(pk=pk)
                if assignee is not None and req.entity_id not in visible_to_assignee:
                    why = _("%(name)s does not work for this entity") % {
                        "name": assignee.get_full_name() or assignee.get_username()
                    }
                else:
                    why = _refusal(
                        req,
                        actor=actor,
                        assignee=assignee,
                        supervises=req.organization_id in supervised,
                    )
                if why:
                    result.refused.append((number, why))
                    continue
                request_assign(req, actor=actor, assignee=assignee)
        except TransitionNotAllowed:
            result.refused.append((number, _("not open")))
            continue
        result.assigned.append(number)
    return result
