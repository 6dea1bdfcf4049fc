"""The queue's clock stands still on a Monday; a colleague of clerk A and a supervisor of the
organization."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import User

from requests_app.models import StaffMembership

from ...factories import UserFactory
from .helpers import NOW


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague_a(entity_a) -> User:
    user = UserFactory(username="clerk.a2", first_name="Cora", last_name="Colleague")
    membership = StaffMembership.objects.create(user=user, organization=entity_a.organization)
    membership.entities.add(entity_a)
    return user


@pytest.fixture
def supervisor(org) -> User:
    user = UserFactory(username="sup", first_name="Sam", last_name="Super")
    StaffMembership.objects.create(
        user=user, organization=org, role=StaffMembership.Role.SUPERVISOR
    )
    return user
