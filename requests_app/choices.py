"""Django choices with translated labels for the plain vocabularies in rules/kinds.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .rules.kinds import (
    DayUnit,
    DeadlineKey,
    DeliveryMethod,
    ReleaseScope,
    RepresentativeAuthority,
    RequesterRole,
    RequestKind,
    SensitiveCategory,
    ThirdPartyType,
)

REQUEST_KIND_LABELS = {
    RequestKind.ACCESS: _("Patient access (own records)"),
    RequestKind.DIRECTED: _("Patient-directed copy to a third party"),
    RequestKind.AUTHORIZED: _("Disclosure under authorization"),
    RequestKind.CONTINUITY: _("Continuity of care (provider)"),
    RequestKind.AMENDMENT: _("Amendment"),
    RequestKind.ACCOUNTING: _("Accounting of disclosures"),
}
REQUESTER_ROLE_LABELS = {
    RequesterRole.SELF: _("The patient"),
    RequesterRole.REPRESENTATIVE: _("Personal representative"),
    RequesterRole.NEXT_OF_KIN: _("Next of kin of a deceased patient"),
    RequesterRole.EXECUTOR: _("Executor or administrator of the estate"),
    RequesterRole.THIRD_PARTY: _("Third party with the patient's authorization"),
    RequesterRole.PROVIDER: _("Healthcare provider"),
}
AUTHORITY_LABELS = {
    RepresentativeAuthority.GUARDIAN: _("Legal guardian"),
    RepresentativeAuthority.HEALTHCARE_POA: _("Healthcare power of attorney / advance directive"),
    RepresentativeAuthority.DESIGNATED: _("Designated personal representative"),
    RepresentativeAuthority.PARENT_OF_MINOR: _("Parent of a minor"),
    RepresentativeAuthority.EXECUTOR: _("Executor or administrator"),
    RepresentativeAuthority.NEXT_OF_KIN: _("Next of kin"),
}
THIRD_PARTY_LABELS = {
    ThirdPartyType.INSURER: _("Insurance company"),
    ThirdPartyType.ATTORNEY: _("Attorney"),
    ThirdPartyType.EMPLOYER: _("Employer"),
    ThirdPartyType.AGENCY: _("Government agency (SSA, EDD...)"),
    ThirdPartyType.SCHOOL: _("School"),
    ThirdPartyType.OTHER: _("Other"),
}
DELIVERY_LABELS = {
    DeliveryMethod.PORTAL: _("Download from the portal"),
    DeliveryMethod.SECURE_EMAIL: _("Secure email link"),
    DeliveryMethod.MAIL: _("Paper copy by mail"),
    DeliveryMethod.CD: _("CD/DVD"),
    DeliveryMethod.USB: _("USB drive"),
    DeliveryMethod.FAX: _("Fax to a provider"),
    DeliveryMethod.INSPECTION: _("Inspect in person"),
    DeliveryMethod.PICKUP: _("Pick up paper copy in person"),
}
SENSITIVE_LABELS = {
    SensitiveCategory.PSYCHOTHERAPY_NOTES: _("Psychotherapy notes"),
    SensitiveCategory.HIV: _("HIV test results"),
    SensitiveCategory.SUBSTANCE_USE: _("Substance use disorder treatment records"),
    SensitiveCategory.GENETIC: _("Genetic test results"),
    SensitiveCategory.LPS_MENTAL_HEALTH: _("Mental health records (LPS)"),
}
DAY_UNIT_LABELS = {
    DayUnit.CALENDAR: _("calendar days"),
    DayUnit.WORKING: _("working days"),
}
DEADLINE_KEY_LABELS = {
    DeadlineKey.ACCESS_COPY: _("Patient access: copies"),
    DeadlineKey.ACCESS_INSPECTION: _("Patient access: inspection"),
    DeadlineKey.DIRECTED: _("Patient-directed copy to a third party"),
    DeadlineKey.AUTHORIZED: _("Disclosure under authorization"),
    DeadlineKey.CONTINUITY: _("Continuity of care"),
    DeadlineKey.AMENDMENT: _("Amendment"),
    DeadlineKey.ACCOUNTING: _("Accounting of disclosures"),
}
RELEASE_SCOPE_LABELS = {
    ReleaseScope.OWN_LOCATION: _("Its own records only"),
    ReleaseScope.ENTITY: _("The whole entity's records"),
}


def as_choices(labels: dict) -> list[tuple[str, object]]:
    return [(key.value, label) for key, label in labels.items()]


REQUEST_KIND_CHOICES = as_choices(REQUEST_KIND_LABELS)
REQUESTER_ROLE_CHOICES = as_choices(REQUESTER_ROLE_LABELS)
AUTHORITY_CHOICES = as_choices(AUTHORITY_LABELS)
THIRD_PARTY_CHOICES = as_choices(THIRD_PARTY_LABELS)
DELIVERY_CHOICES = as_choices(DELIVERY_LABELS)
SENSITIVE_CHOICES = as_choices(SENSITIVE_LABELS)
DAY_UNIT_CHOICES = as_choices(DAY_UNIT_LABELS)
DEADLINE_KEY_CHOICES = as_choices(DEADLINE_KEY_LABELS)
RELEASE_SCOPE_CHOICES = as_choices(RELEASE_SCOPE_LABELS)

US_STATE_CHOICES = [
    (code, code)
    for code in [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
]
