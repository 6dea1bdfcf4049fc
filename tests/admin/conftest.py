"""Hilda, the HIM director who configures the admin, and a row of every model to open."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client

from ..factories import UserFactory
from .helpers import LA, build_world


@pytest.fixture
def hilda(db) -> User:
    """Hilda, the HIM director: the superuser who configures entities in the admin."""
    return UserFactory(
        username="hilda",
        first_name="Hilda",
        last_name="Director",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def hilda_client(client: Client, hilda: User) -> Client:
    client.force_login(hilda)
    return client


@pytest.fixture
def one_of_each(entity_a, patient, patient_requester) -> dict[type[Model], Model]:
    return build_world(
        entity_a,
        patient=patient,
        requester=patient_requester,
        received_at=datetime(2026, 3, 2, 9, tzinfo=LA),
    )
