"""Named people for every test (a patient, a representative, staff of entity A and of entity
B, a supervisor, an admin) and the two entities they work in; factories for the rest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import translation

from requests_app.models import Entity, Patient, Requester, StaffMembership
from requests_app.rules.kinds import RepresentativeAuthority, RequesterRole
from roi_portal.celery import app as celery_app

from .factories import EntityFactory, OrganizationFactory, PatientFactory, UserFactory
from .needs import fail_skip_in_ci


@pytest.fixture(autouse=True)
def _fast_and_eager(settings) -> None:
    # Argon2 is the production hasher; tests need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"
    # Rate limits live in the cache; every test starts with none spent.
    cache.clear()
    # Unit tests run Celery tasks in-process; the integration tests use a real worker.
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _english():
    """Every test starts in English. A test client request in Spanish leaves Spanish active in
    the thread (LocaleMiddleware activates it and nothing resets it), so a later test would
    read Spanish text depending on the order the tests ran in."""
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    return OrganizationFactory(name="City of Hope", slug="city-of-hope")


@pytest.fixture
def entity_a(org) -> Entity:
    return EntityFactory(
        organization=org,
        name="City of Hope National Medical Center",
        short_name="COH NMC",
        bates_prefix="COHNMC",
    )


@pytest.fixture
def entity_b(org) -> Entity:
    return EntityFactory(
        organization=org,
        name="City of Hope Medical Foundation",
        short_name="COH MF",
        bates_prefix="COHMF",
    )


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_a(entity_a) -> User:
    user = UserFactory(username="clerk.a", first_name="Alma", last_name="Clerk", is_staff=True)
    membership = StaffMembership.objects.create(user=user, organization=entity_a.organization)
    membership.entities.add(entity_a)
    return user


@pytest.fixture
def staff_b(entity_b) -> User:
    user = UserFactory(username="clerk.b", first_name="Beto", last_name="Clerk", is_staff=True)
    membership = StaffMembership.objects.create(user=user, organization=entity_b.organization)
    membership.entities.add(entity_b)
    return user


@pytest.fixture
def patient_user(db) -> User:
    return UserFactory(username="maria", first_name="María", last_name="García")


@pytest.fixture
def patient(patient_user) -> Patient:
    return PatientFactory(
        first_name="María",
        last_name="García",
        other_names="María López",
        email="maria@example.org",
        user=patient_user,
        preferred_language="es",
    )


@pytest.fixture
def patient_requester(patient) -> Requester:
    return Requester.objects.create(
        role=RequesterRole.SELF,
        full_name=patient.full_name,
        email=patient.email,
        user=patient.user,
        preferred_language="es",
    )


@pytest.fixture
def representative(db) -> Requester:
    user = UserFactory(username="linda", first_name="Linda", last_name="Ortiz")
    return Requester.objects.create(
        role=RequesterRole.REPRESENTATIVE,
        full_name="Linda Ortiz",
        email="linda@example.org",
        representative_authority=RepresentativeAuthority.HEALTHCARE_POA,
        relationship="Daughter",
        user=user,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    fail_skip_in_ci(outcome.get_result())
