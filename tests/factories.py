"""Factories for the rest; named people live in conftest.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from requests_app.models import (
    Entity,
    EntityPolicy,
    Location,
    Organization,
    Patient,
    Request,
    Requester,
)
from requests_app.rules.kinds import DeliveryMethod, ReleaseScope, RequesterRole, RequestKind
from requests_app.services.entities import entity_add_default_deadlines
from requests_app.services.submission import ItemSpec, request_submit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Health System {n}")
    slug = factory.Sequence(lambda n: f"health-system-{n}")
    help_phone = "626-218-2446"


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Medical Center {n}")
    short_name = factory.Sequence(lambda n: f"MC{n}")
    bates_prefix = factory.Sequence(lambda n: f"MC{n}")
    jurisdiction = "CA"
    timezone = "America/Los_Angeles"

    @factory.post_generation
    def with_policy(obj: Entity, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        EntityPolicy.objects.create(
            entity=obj,
            help_phone="626-218-2446",
            delivery_methods=[m.value for m in DeliveryMethod],
        )
        entity_add_default_deadlines(entity=obj)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Location {n}")
    address = "1500 East Duarte Road\nDuarte, CA 91010"
    release_scope = ReleaseScope.ENTITY


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Rivera{n}")
    date_of_birth = date(1980, 2, 29)
    email = factory.LazyAttribute(lambda p: f"{p.last_name.lower()}@example.org")


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requester

    role = RequesterRole.SELF
    full_name = "Ana Rivera"
    email = "ana@example.org"


def submit(
    *,
    entity: Entity,
    patient: Patient | None = None,
    requester: Requester | None = None,
    kind: str = RequestKind.ACCESS,
    delivery: str = DeliveryMethod.PORTAL,
    received_at: datetime | None = None,
    **kwargs: Any,
) -> Request:
    """One request to one entity through the real service."""
    patient = patient or PatientFactory()
    requester = requester or RequesterFactory(full_name=patient.full_name, email=patient.email)
    kwargs.setdefault("items", [ItemSpec(record_type="complete")])
    (request,) = request_submit(
        organization=entity.organization,
        entity=entity,
        patient=patient,
        requester=requester,
        kind=kind,
        delivery_method=delivery,
        received_at=received_at or timezone.now(),
        **kwargs,
    )
    return request
