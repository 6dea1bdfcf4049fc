"""What the demo requests say: records asked for, purposes, and the staff's words at each step.

Plain data and small pickers that take a seeded random.Random, so the demo is the same on
every machine. The generator decides who asks whom for what; this module words it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ..models import RequestedItem
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind, ThirdPartyType
from ..services.submission import ItemSpec

RT = RequestedItem.RecordType
K = RequestKind
D = DeliveryMethod

# Record types a patient typically asks for, most common first.
ACCESS_TYPES = (
    RT.COMPLETE,
    RT.LAST_VISIT,
    RT.LAB_RESULTS,
    RT.DISCHARGE_SUMMARY,
    RT.PATHOLOGY,
    RT.IMAGING_REPORTS,
    RT.PROGRESS_NOTES,
    RT.MEDICATIONS,
    RT.BILLING,
    RT.OPERATIVE_REPORTS,
)
CONTINUITY_TYPES = (
    RT.DISCHARGE_SUMMARY,
    RT.HISTORY_PHYSICAL,
    RT.CONSULTATIONS,
    RT.OPERATIVE_REPORTS,
    RT.IMAGING_REPORTS,
    RT.LAB_RESULTS,
    RT.MEDICATIONS,
    RT.PATHOLOGY,
)
# Rough page counts per record type, for the fee estimate.
PAGES = {
    RT.COMPLETE: (120, 900),
    RT.LAST_VISIT: (3, 12),
    RT.DISCHARGE_SUMMARY: (3, 10),
    RT.HISTORY_PHYSICAL: (4, 12),
    RT.PROGRESS_NOTES: (20, 160),
    RT.CONSULTATIONS: (5, 30),
    RT.OPERATIVE_REPORTS: (3, 20),
    RT.LAB_RESULTS: (10, 80),
    RT.PATHOLOGY: (2, 15),
    RT.IMAGING_REPORTS: (4, 30),
    RT.DIAGNOSTIC_IMAGES: (0, 0),
    RT.MEDICATIONS: (1, 4),
    RT.BILLING: (8, 60),
    RT.SUMMARY: (2, 6),
    RT.OTHER: (1, 10),
}

# Third party -> (purpose, record types). A benefit appeal is free in California (HSC 123110(d)).
THIRD_PARTY_ASKS = {
    ThirdPartyType.ATTORNEY: ("Personal injury claim", (RT.COMPLETE, RT.BILLING)),
    ThirdPartyType.INSURER: (
        "Life insurance application",
        (RT.HISTORY_PHYSICAL, RT.PROGRESS_NOTES, RT.LAB_RESULTS),
    ),
    ThirdPartyType.AGENCY: (
        "Social Security disability claim",
        (RT.PROGRESS_NOTES, RT.PATHOLOGY, RT.IMAGING_REPORTS, RT.LAB_RESULTS),
    ),
    ThirdPartyType.EMPLOYER: ("FMLA leave certification", (RT.SUMMARY,)),
    ThirdPartyType.SCHOOL: (
        "School health plan and medication at school",
        (RT.SUMMARY, RT.MEDICATIONS),
    ),
}
EDD_PURPOSE = "State Disability Insurance claim (EDD)"
APPEAL_PURPOSE = "Appeal of a Social Security disability decision"

AMENDMENTS = (
    (
        "The clinic note lists a penicillin allergy. I am not allergic to penicillin; in 2019 I "
        "only had an upset stomach from amoxicillin-clavulanate.",
        "Remove the penicillin allergy, or record it as an intolerance to amoxicillin-clavulanate.",
    ),
    (
        "My history says I smoke one pack a day. I quit smoking in 2012.",
        "Former smoker, quit in 2012.",
    ),
    (
        "The operative report says left breast. My surgery was on the right side.",
        "Right breast, in every place the report names the side.",
    ),
    (
        "My family history says my father had colon cancer. It was my uncle.",
        "Paternal uncle with colon cancer; father without cancer.",
    ),
    (
        "My address and phone number in the registration record are out of date.",
        "The address and phone number I gave at my last visit.",
    ),
)

PEND = {
    "id": "Please send a copy of your photo ID: the signature on the form does not match the "
    "one from your most recent visit.",
    "authority": "Please send the paper that gives you authority to act for the patient, for "
    "example the health care power of attorney or guardianship papers.",
    "estate": "Please send a copy of the death certificate and the letters testamentary or "
    "letters of administration that name you.",
    "purpose": "The authorization does not say what the records are for. Please have the "
    "patient complete the purpose and sign again.",
    "expiration": "The authorization gives an event but no end date. California requires a "
    "specific end date (Civil Code 56.11); please send a new signed form.",
    "dates": "Please tell us which dates of service you need, or confirm that you want the "
    "complete record.",
    "address": "Please give the full mailing address of the person who should receive the copy.",
    "provider": "Please fax a cover letter with the patient's date of birth and the records "
    "you need for the patient's care.",
    "amendment": "Please tell us the date of the visit and which note you want us to change.",
}
RESUME = {
    "id": "Copy of photo ID received by fax; signature matches.",
    "authority": "Health care power of attorney received and filed.",
    "estate": "Death certificate and letters testamentary received.",
    "dates": "Requester confirmed the dates of service by phone.",
    "address": "Requester sent the recipient's mailing address through the portal.",
    "provider": "Cover letter received from the provider's office.",
    "amendment": "Patient identified the visit and the note.",
    "purpose": "Completed authorization received.",
    "expiration": "New authorization with a specific end date received.",
}
VERIFY_BY_CHANNEL = {
    "walk_in": "Photo ID checked at the desk.",
    "portal": "Identity confirmed through the patient portal account.",
    "mail": "Signature matches the most recent registration.",
    "fax": "Signature matches the most recent registration.",
    "email": "Signature matches the most recent registration.",
    "phone": "Identity confirmed by call-back to the phone number on file.",
}
RELEASE_BY_DELIVERY = {
    D.PORTAL: "Uploaded to the patient portal.",
    D.SECURE_EMAIL: "Sent by secure email link.",
    D.MAIL: "Mailed by first-class mail.",
    D.CD: "Images copied to CD.",
    D.USB: "Images copied to a USB drive.",
    D.FAX: "Faxed to the number on the request.",
    D.INSPECTION: "The records were reviewed in person at the HIM office.",
    D.PICKUP: "Paper copy picked up at the desk; photo ID checked.",
}
WITHDRAW = (
    "The requester called: the records are no longer needed.",
    "Duplicate of another request for the same records.",
    "The requester found the records in the patient portal.",
)
WITHDRAW_REVOKED = "The patient revoked the authorization in writing (164.508(b)(5))."
# Why a request is closed, by the step before the closing.
CLOSE_AFTER = {
    "release": "Delivery confirmed; request complete.",
    "deny": "Denial letter sent; no review was requested within 60 days.",
    "pend": "No answer to our request for information after 30 days. The requester may send a "
    "new request at any time.",
}
EXTEND = {
    K.AMENDMENT: "The physician who wrote the note is reviewing the requested change and is "
    "away until next week.",
    K.ACCOUNTING: "Disclosures made before our 2021 system change must be compiled from the "
    "archived log.",
}
EXTEND_DEFAULT = (
    "Part of the record is stored off site and must be retrieved before we can "
    "send a complete copy."
)

# Denials: kind -> (grounds, plain-language explanation) for a full or a partial denial.
DENY_FULL = {
    K.ACCESS: (
        ["not_held"],
        "We found no records for this patient here. If you tell us where you were seen, "
        "we will tell you who keeps those records.",
    ),
    K.DIRECTED: (["not_held"], "We hold no records for the dates you listed."),
    K.AUTHORIZED: (["not_held"], "We have no records for this patient for the dates listed."),
    K.AMENDMENT: (
        ["accurate"],
        "The physician reviewed the note and found it accurate and complete as written.",
    ),
}
DENY_PARTIAL = {
    K.ACCESS: (
        ["psychotherapy_notes"],
        "The psychotherapy notes kept apart from your record "
        "are not part of your right of access. Everything else you asked for is being "
        "prepared.",
    ),
    K.DIRECTED: (
        ["not_held"],
        "Imaging before 2018 is held by the imaging center that did "
        "the scans; we will send everything else.",
    ),
    K.AMENDMENT: (
        ["not_created_here"],
        "We corrected our own note. The outside records you "
        "mentioned were created by another hospital; please ask that hospital.",
    ),
}
DENY_REPRESENTATIVE = (
    ["harm_via_representative"],
    "A licensed professional found that giving "
    "these notes to you as the patient's representative is reasonably likely "
    "to cause substantial harm. You may ask for a review by another licensed "
    "professional.",
)


def items_for(
    rng: random.Random,
    kind: str,
    received_on: date,
    *,
    media: bool = False,
    third_party: str = "",
) -> list[ItemSpec]:
    """The records asked for, sometimes limited to dates of service."""
    if kind == K.ACCOUNTING:
        return []
    if kind == K.AMENDMENT:
        visit = received_on - timedelta(days=rng.randint(20, 300))
        return [ItemSpec(RT.PROGRESS_NOTES, f"Clinic note of {visit:%m/%d/%Y}", ((visit, visit),))]
    if kind == K.CONTINUITY:
        types = rng.sample(CONTINUITY_TYPES, rng.randint(2, 4))
        recent = (received_on - timedelta(days=rng.randint(60, 240)), received_on)
        return [ItemSpec(t, date_ranges=(recent,)) for t in types]
    if third_party in THIRD_PARTY_ASKS:
        types = THIRD_PARTY_ASKS[third_party][1]
    else:
        types = tuple(rng.sample(ACCESS_TYPES, rng.randint(1, 3)))
    if media:
        types = (RT.DIAGNOSTIC_IMAGES, *[t for t in types if t != RT.COMPLETE][:1])
    items = []
    for record_type in types:
        ranges: tuple[tuple[date, date], ...] = ()
        if record_type != RT.COMPLETE and rng.random() < 0.5:
            start = received_on - timedelta(days=rng.randint(90, 4 * 365))
            ranges = ((start, received_on - timedelta(days=rng.randint(0, 60))),)
        description = "CT chest and PET/CT" if record_type == RT.DIAGNOSTIC_IMAGES else ""
        items.append(ItemSpec(record_type, description, ranges))
    return items


def pages_for(rng: random.Random, items: list[ItemSpec], kind: str) -> int:
    if kind == K.ACCOUNTING:
        return rng.randint(1, 3)
    if kind == K.AMENDMENT:
        return 0
    return sum(rng.randint(*PAGES[RT(item.record_type)]) for item in items)


def pend_key(kind: str, role: str, channel: str, jurisdiction: str) -> str:
    """What the clerk asks for, given who asked and how."""
    if kind == K.CONTINUITY:
        return "provider"
    if kind == K.AMENDMENT:
        return "amendment"
    if role == RequesterRole.EXECUTOR or role == RequesterRole.NEXT_OF_KIN:
        return "estate"
    if role == RequesterRole.REPRESENTATIVE:
        return "authority"
    if kind == K.AUTHORIZED:
        return "expiration" if jurisdiction == "CA" else "purpose"
    if kind == K.DIRECTED:
        return "address"
    return "id" if channel in ("mail", "fax", "email") else "dates"
