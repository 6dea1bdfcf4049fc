"""The one place that decides what a staff member may see and do (STYLE.md point 4).

A clerk works on the requests of the entities in their StaffMembership; a supervisor sees the
whole organization and may reassign. An admin configures in the Django admin but acts on
requests only when also given a StaffMembership. Anything outside scope is a 404.

The views answer through get_staff_request_or_404 (and views/staff/decorators.staff_required
at the door); the queue's selectors and bulk assignment start from staff_entities and
staff_requests, so a list, a count or a bulk action never reaches past what a view would show.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import Entity, Request, StaffMembership


def staff_memberships(user: AbstractBaseUser) -> QuerySet[StaffMembership]:
    if not user.is_authenticated or not user.is_active:
        return StaffMembership.objects.none()
    return StaffMembership.objects.filter(user=user)


def is_staff_member(user: AbstractBaseUser) -> bool:
    return staff_memberships(user).exists()


def is_supervisor(user: AbstractBaseUser, entity: Entity | None = None) -> bool:
    supervising = staff_memberships(user).filter(role=StaffMembership.Role.SUPERVISOR)
    if entity is not None:
        supervising = supervising.filter(organization_id=entity.organization_id)
    return supervising.exists()


def staff_entities(user: AbstractBaseUser) -> QuerySet[Entity]:
    memberships = staff_memberships(user)
    supervised_orgs = memberships.filter(role=StaffMembership.Role.SUPERVISOR).values(
        "organization_id"
    )
    return Entity.objects.filter(
        Q(organization_id__in=supervised_orgs) | Q(staff__in=memberships)
    ).distinct()


def staff_requests(user: AbstractBaseUser) -> QuerySet[Request]:
    return Request.objects.filter(entity__in=staff_entities(user).values("pk"))


def get_staff_request_or_404(user: AbstractBaseUser, number: str) -> Request:
    found = (
        staff_requests(user)
        .select_related("entity__policy", "location", "patient", "requester", "assignee")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise Http404
    return found
