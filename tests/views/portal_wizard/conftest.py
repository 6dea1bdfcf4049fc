"""The two ways into the wizard besides a fresh client: a signed-in patient and a guest whose
address is confirmed."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_app.access import portal as access


@pytest.fixture
def patient_client(client: Client, patient_user) -> Client:
    patient_user.email = "maria@example.org"
    patient_user.save()
    client.force_login(patient_user)
    return client


@pytest.fixture
def guest_client(client: Client) -> Client:
    # What the guest code pages leave in the session once the address is confirmed.
    session = client.session
    session[access.GUEST_EMAIL] = "ana.guest@example.org"
    session[access.GUEST_DRAFTS] = []
    session[access.GUEST_REQUESTS] = []
    session.save()
    return client
