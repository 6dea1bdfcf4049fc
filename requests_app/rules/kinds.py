"""Plain vocabularies shared by the legal rules, the models and the forms.

These are `StrEnum`s, not Django choices, so that `requests_app/rules/` stays free of the ORM;
the models turn them into choices with translated labels.
"""

from __future__ import annotations

from enum import StrEnum


class RequestKind(StrEnum):
    """DOMAIN.md section 1: the kind decides basis, deadline, fee model and validation."""

    ACCESS = "access"  # 45 CFR 164.524, by the patient or a personal representative
    DIRECTED = "directed"  # 164.524(c)(3)(ii), patient-directed copy to a third party
    AUTHORIZED = "authorized"  # 164.508, disclosure under a signed authorization
    CONTINUITY = "continuity"  # 164.506, provider to provider for treatment
    AMENDMENT = "amendment"  # 164.526
    ACCOUNTING = "accounting"  # 164.528


class RequesterRole(StrEnum):
    SELF = "self"
    REPRESENTATIVE = "representative"  # personal representative, 164.502(g)
    NEXT_OF_KIN = "next_of_kin"  # of a deceased patient
    EXECUTOR = "executor"  # executor or administrator of a deceased patient's estate
    THIRD_PARTY = "third_party"  # insurer, attorney, employer, agency, school...
    PROVIDER = "provider"  # a treating provider (continuity of care)


class RepresentativeAuthority(StrEnum):
    GUARDIAN = "guardian"  # legal guardianship papers
    HEALTHCARE_POA = "healthcare_poa"  # advance directive / healthcare power of attorney
    DESIGNATED = "designated"  # designation of personal representative
    PARENT_OF_MINOR = "parent_of_minor"
    EXECUTOR = "executor"
    NEXT_OF_KIN = "next_of_kin"


class ThirdPartyType(StrEnum):
    INSURER = "insurer"
    ATTORNEY = "attorney"
    EMPLOYER = "employer"
    AGENCY = "agency"  # SSA, EDD, other government agency
    SCHOOL = "school"
    OTHER = "other"


class DeliveryMethod(StrEnum):
    PORTAL = "portal"  # download from the portal
    SECURE_EMAIL = "secure_email"  # secure email link
    MAIL = "mail"  # paper by mail
    CD = "cd"  # CD/DVD
    USB = "usb"
    FAX = "fax"  # fax to a provider
    INSPECTION = "inspection"  # in-person inspection
    PICKUP = "pickup"  # paper picked up in person


ELECTRONIC_DELIVERY = frozenset(
    {DeliveryMethod.PORTAL, DeliveryMethod.SECURE_EMAIL, DeliveryMethod.CD, DeliveryMethod.USB}
)
MEDIA_DELIVERY = frozenset({DeliveryMethod.CD, DeliveryMethod.USB})


class SensitiveCategory(StrEnum):
    """Categories that need their own, specific consent (DOMAIN.md section 3)."""

    PSYCHOTHERAPY_NOTES = "psychotherapy_notes"  # 164.508(a)(2): a separate authorization
    HIV = "hiv"  # CA HSC 120980
    SUBSTANCE_USE = "substance_use"  # 42 CFR Part 2
    GENETIC = "genetic"  # CA Civil Code 56.17
    LPS_MENTAL_HEALTH = "lps_mental_health"  # CA WIC 5328


class DayUnit(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"  # skips weekends and the entity's closed days


class DeadlineKey(StrEnum):
    """What a deadline rule is configured for: the kind, with access split by delivery,
    because California gives 5 working days to inspect and 15 days for copies."""

    ACCESS_COPY = "access_copy"
    ACCESS_INSPECTION = "access_inspection"
    DIRECTED = "directed"
    AUTHORIZED = "authorized"
    CONTINUITY = "continuity"
    AMENDMENT = "amendment"
    ACCOUNTING = "accounting"


class ReleaseScope(StrEnum):
    """What a location can release: its own records (a Keck clinic) or its whole entity."""

    OWN_LOCATION = "own_location"
    ENTITY = "entity"


class Urgency(StrEnum):
    """How close a request is to its due date, for the staff work queue."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"  # within 3 days
    ON_TRACK = "on_track"
