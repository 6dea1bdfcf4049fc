"""The demo organizations, covered entities, locations and their policies.

Names, addresses, phones, faxes, hours, rules and fees come from the public pages in
/work/shared/seeds (City of Hope, Keck Medicine of USC, Dana-Farber). Where a page gives no
street address (the community sites and clinics), the address names only the city rather than
inventing one.

Everything is created with get_or_create on a natural key, so a second run changes nothing and
an admin's later edits are never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from ..models import Closure, Entity, EntityPolicy, Location, Organization
from ..rules.calendar import is_open_day
from ..rules.deadlines import DeadlineRule
from ..rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, ReleaseScope
from ..selectors.calendar import entity_closed_days, entity_today
from ..services.entities import entity_add_default_deadlines
from . import LoadReport
from .letters import letter_texts

D = DeliveryMethod
HOURS = "Monday–Friday, 8 a.m.–4:30 p.m."


@dataclass(frozen=True)
class LocationSeed:
    name: str
    kind: str
    address: str
    phone: str = ""
    fax: str = ""
    hours: str = ""
    release_scope: str = ReleaseScope.ENTITY


@dataclass(frozen=True)
class ClosureSeed:
    """A closure placed relative to today (weeks back or ahead, on a given weekday), so that
    it falls inside the demo's 120 days whatever day the demo is loaded."""

    reason: str
    weeks_from_today: int
    weekday: int  # Monday = 0


@dataclass(frozen=True)
class EntitySeed:
    name: str
    short_name: str
    bates_prefix: str
    jurisdiction: str
    timezone: str
    him_department: str
    address: str
    phone: str
    fax: str
    locations: tuple[LocationSeed, ...]
    policy: dict[str, Any]
    deadline_overrides: dict[DeadlineKey, DeadlineRule] = field(default_factory=dict)
    closures: tuple[ClosureSeed, ...] = ()


@dataclass(frozen=True)
class OrganizationSeed:
    name: str
    slug: str
    help_phone: str
    website: str
    entities: tuple[EntitySeed, ...]


COH_ADDRESS = (
    "Attn: Health Information Management Services\n"
    "City of Hope National Medical Center\n1500 East Duarte Road\nDuarte, CA 91010"
)
COH_PHONE, COH_FAX = "626-218-2446", "626-218-8443"
COH_POLICY: dict[str, Any] = {
    "delivery_methods": [m.value for m in D],  # every method on the City of Hope page
    "help_phone": COH_PHONE,
    # The page asks requesters to wait five working days before calling for status.
    "help_hours": f"{HOURS} Please allow 5 working days before calling about a request.",
    "media_fee": Decimal("5.00"),
    "postage": Decimal("1.50"),
}
# Both City of Hope entities are answered by the one HIM office, which trains on the same day.
COH_CLOSURES = (ClosureSeed("HIM staff training day (office closed)", -5, 2),)

CITY_OF_HOPE = OrganizationSeed(
    name="City of Hope",
    slug="city-of-hope",
    help_phone=COH_PHONE,
    website="https://www.cityofhope.org",
    entities=(
        EntitySeed(
            name="City of Hope National Medical Center",
            short_name="COH National Medical Center",
            bates_prefix="COHNMC",
            jurisdiction="CA",
            timezone="America/Los_Angeles",
            him_department="Health Information Management Services, Release of Information",
            address=COH_ADDRESS,
            phone=COH_PHONE,
            fax=COH_FAX,
            locations=(
                LocationSeed(
                    "Duarte campus",
                    Location.Kind.HOSPITAL,
                    "1500 East Duarte Road, Duarte, CA 91010\n"
                    "Medical Record Correspondence office, Office 6A, near lab registration",
                    COH_PHONE,
                    COH_FAX,
                    HOURS,
                ),
            ),
            policy=COH_POLICY,
            closures=COH_CLOSURES,
        ),
        EntitySeed(
            name="City of Hope Medical Foundation",
            short_name="COH Medical Foundation",
            bates_prefix="COHMF",
            jurisdiction="CA",
            timezone="America/Los_Angeles",
            him_department="Health Information Management Services, Release of Information",
            address="Attn: Health Information Management Services (Medical Foundation)\n"
            "City of Hope\n1500 East Duarte Road\nDuarte, CA 91010",
            phone=COH_PHONE,
            fax=COH_FAX,
            # Community sites take walk-in requests and route them to the central office.
            locations=tuple(
                LocationSeed(
                    f"City of Hope {city}",
                    Location.Kind.COMMUNITY,
                    f"{city}, CA (community site; requests are routed to the central Health "
                    "Information Management office in Duarte)",
                    COH_PHONE,
                    COH_FAX,
                    HOURS,
                )
                for city in ("Corona", "South Pasadena", "West Covina")
            ),
            policy=COH_POLICY,
            closures=COH_CLOSURES,
        ),
    ),
)

KECK_PHONE, KECK_FAX = "(626) 293-2400", "(323) 865-5482"
KECK = OrganizationSeed(
    name="Keck Medicine of USC",
    slug="keck-medicine-of-usc",
    help_phone="(800) 872-2273",
    website="https://www.keckmedicine.org",
    entities=(
        EntitySeed(
            name="Keck Medicine of USC",
            short_name="Keck Medicine",
            bates_prefix="KECK",
            jurisdiction="CA",
            timezone="America/Los_Angeles",
            him_department="Medical Records",
            address="Attn: Medical Records\nKeck Hospital of USC\n1500 San Pablo, Rm #1206\n"
            "Los Angeles, CA 90033",
            phone=KECK_PHONE,
            fax=KECK_FAX,
            locations=(
                LocationSeed(
                    "Keck Hospital of USC",
                    Location.Kind.HOSPITAL,
                    "Attn: Medical Records\n1500 San Pablo, Rm #1206\nLos Angeles, CA 90033",
                    KECK_PHONE,
                    KECK_FAX,
                    HOURS,
                ),
                LocationSeed(
                    "USC Norris Cancer Hospital",
                    Location.Kind.HOSPITAL,
                    "1441 Eastlake Ave.\nLos Angeles, CA 90033",
                    KECK_PHONE,
                    KECK_FAX,
                    HOURS,
                ),
                LocationSeed(
                    "USC Verdugo Hills Hospital",
                    Location.Kind.HOSPITAL,
                    "1812 Verdugo Blvd.\nGlendale, CA 91208",
                    KECK_PHONE,
                    KECK_FAX,
                    HOURS,
                ),
                # "Keck Medicine of USC clinics can only provide records for their own
                # location to you, the patient."
                *(
                    LocationSeed(
                        f"USC Care clinic, {city}",
                        Location.Kind.CLINIC,
                        f"{city}, CA (clinic; releases only its own records, to the patient)",
                        hours=HOURS,
                        release_scope=ReleaseScope.OWN_LOCATION,
                    )
                    for city in ("Pasadena", "Beverly Hills")
                ),
            ),
            policy={
                "delivery_methods": [
                    D.PORTAL,
                    D.SECURE_EMAIL,
                    D.MAIL,
                    D.CD,
                    D.FAX,
                    D.INSPECTION,
                    D.PICKUP,
                ],
                "help_phone": "(800) 872-2273",
                "help_hours": HOURS,
                # "The first two years of pertinent information are provided at no cost.
                # Additional portions or copies are charged at $0.25 per page."
                "free_record_years": 2,
                "per_page_paper": Decimal("0.25"),
                "media_fee": Decimal("5.00"),
            },
            deadline_overrides={
                # The page: a request "will be delayed" while the authorization is incomplete.
                # HIPAA sets no clock for authorizations, so Keck's own policy may pause it;
                # access keys keep the law's running clock.
                DeadlineKey.AUTHORIZED: DeadlineRule(
                    15, DayUnit.CALENDAR, pauses_when_pending=True
                ),
            },
            closures=(ClosureSeed("Medical Records system upgrade (office closed)", 2, 4),),
        ),
    ),
)

DFCI_PHONE, DFCI_FAX = "617-632-2955", "770-810-4161"
# "Routine requests are usually prepared within fifteen business days", "up to 30 days": 15
# working days, and an extension of 6 more (21 working days, about 30 calendar days), which
# stays inside HIPAA's 30 days plus one 30-day extension (164.524(b)(2)).
DFCI_ROUTINE = DeadlineRule(15, DayUnit.WORKING, extension_days=6)
DANA_FARBER = OrganizationSeed(
    name="Dana-Farber Cancer Institute",
    slug="dana-farber",
    help_phone=DFCI_PHONE,
    website="https://www.dana-farber.org",
    entities=(
        EntitySeed(
            name="Dana-Farber Cancer Institute",
            short_name="Dana-Farber",
            bates_prefix="DFCI",
            jurisdiction="MA",
            timezone="America/New_York",
            him_department="Health Information Services",
            address="Health Information Services, OS229\nDana-Farber Cancer Institute\n"
            "450 Brookline Avenue\nBoston, MA 02215-5450",
            phone=DFCI_PHONE,
            fax=DFCI_FAX,
            locations=(
                LocationSeed(
                    "Medical Records desk, Yawkey 2",
                    Location.Kind.HOSPITAL,
                    "450 Brookline Avenue, Boston, MA 02215-5450\n"
                    "Yawkey 2, next to Central Registration",
                    DFCI_PHONE,
                    DFCI_FAX,
                ),
            ),
            policy={
                "delivery_methods": [
                    D.PORTAL,
                    D.SECURE_EMAIL,
                    D.MAIL,
                    D.CD,
                    D.FAX,
                    D.INSPECTION,
                    D.PICKUP,
                ],
                "help_phone": f"{DFCI_PHONE} (choose Option 1)",
                "help_hours": "Weekdays; medical record abstracts are usually ready for "
                "same-day pick-up at Yawkey 2.",
                "media_fee": Decimal("5.00"),
                "postage": Decimal("1.50"),
            },
            deadline_overrides={
                DeadlineKey.ACCESS_COPY: DFCI_ROUTINE,
                DeadlineKey.DIRECTED: DFCI_ROUTINE,
                DeadlineKey.AUTHORIZED: DFCI_ROUTINE,
            },
            closures=(ClosureSeed("Health Information Services staff training day", -3, 3),),
        ),
    ),
)

ORGANIZATIONS = (CITY_OF_HOPE, KECK, DANA_FARBER)


@transaction.atomic
def facilities_load(report: LoadReport) -> list[Entity]:
    """Create what is missing of the demo facilities; return the demo entities."""
    entities = []
    for org_seed in ORGANIZATIONS:
        org, created = Organization.objects.get_or_create(
            slug=org_seed.slug,
            defaults={
                "name": org_seed.name,
                "help_phone": org_seed.help_phone,
                "website": org_seed.website,
            },
        )
        report.count("organizations", created)
        for seed in org_seed.entities:
            entities.append(_entity_load(org, seed, report))
    return entities


def _entity_load(org: Organization, seed: EntitySeed, report: LoadReport) -> Entity:
    entity, created = Entity.objects.get_or_create(
        name=seed.name,
        defaults={
            "organization": org,
            "short_name": seed.short_name,
            "bates_prefix": seed.bates_prefix,
            "jurisdiction": seed.jurisdiction,
            "timezone": seed.timezone,
            "him_department": seed.him_department,
            "address": seed.address,
            "phone": seed.phone,
            "fax": seed.fax,
        },
    )
    report.count("entities", created)
    for loc in seed.locations:
        _obj, created = Location.objects.get_or_create(
            entity=entity,
            name=loc.name,
            defaults={
                "kind": loc.kind,
                "address": loc.address,
                "phone": loc.phone,
                "fax": loc.fax,
                "hours": loc.hours,
                "release_scope": loc.release_scope,
            },
        )
        report.count("locations", created)
    _policy_load(entity, seed, report)
    # Closures before the deadline policies: the policies are validated against the calendar.
    _closures_load(entity, seed, report)
    _deadlines_load(entity, seed, report)
    for kind, language, subject, body in letter_texts():
        _obj, created = entity.letters.get_or_create(
            kind=kind, language=language, defaults={"subject": subject, "body": body}
        )
        report.count("letter texts", created)
    return entity


def _policy_load(entity: Entity, seed: EntitySeed, report: LoadReport) -> None:
    if EntityPolicy.objects.filter(entity=entity).exists():
        return
    values = {**seed.policy, "default_authorization_days": 90}
    values["delivery_methods"] = [str(m) for m in values["delivery_methods"]]
    policy = EntityPolicy(entity=entity, **values)
    # full_clean runs the fee rules' legal checks, so the demo can never ship an unlawful fee.
    policy.full_clean()
    policy.save()
    report.count("entity policies", True)


def _deadlines_load(entity: Entity, seed: EntitySeed, report: LoadReport) -> None:
    # Overrides are checked against the legal floor (a policy may shorten, never lengthen,
    # the law's deadline); the state defaults equal the strictest law.
    added = entity_add_default_deadlines(entity=entity, overrides=seed.deadline_overrides)
    for _policy in added:
        report.count("deadline policies", True)


def _closures_load(entity: Entity, seed: EntitySeed, report: LoadReport) -> None:
    """Closures are keyed by their reason: a second run, even weeks later, finds the row and
    adds no other one."""
    today = entity_today(entity)
    closed = entity_closed_days(entity, today - timedelta(days=150))
    for closure in seed.closures:
        if entity.closures.filter(reason=closure.reason).exists():
            continue
        day = _closure_day(today, closure, closed)
        _obj, created = Closure.objects.get_or_create(
            entity=entity, date=day, defaults={"reason": closure.reason}
        )
        report.count("closures", created)


def _closure_day(today: date, closure: ClosureSeed, closed: frozenset[date]) -> date:
    monday = today - timedelta(days=today.weekday())
    day = monday + timedelta(weeks=closure.weeks_from_today, days=closure.weekday)
    # Never on a weekend or holiday: a closure there would change nothing.
    while not is_open_day(day, closed):
        day += timedelta(days=1)
    return day
