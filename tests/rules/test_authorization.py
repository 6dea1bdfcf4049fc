from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

import pytest

from requests_app.rules.authorization import (
    DEFECTS,
    AuthorizationFacts,
    authorization_defects,
    effective_expiration,
)
from requests_app.rules.kinds import (
    RepresentativeAuthority,
    RequesterRole,
    RequestKind,
    SensitiveCategory,
)

TODAY = date(2026, 11, 20)
D = date
K = RequestKind
R = RequesterRole
A = RepresentativeAuthority
S = SensitiveCategory
HIV = frozenset({S.HIV})
GENETIC = frozenset({S.GENETIC})
GENETIC_LPS = frozenset({S.GENETIC, S.LPS_MENTAL_HEALTH})
NOTES = frozenset({S.PSYCHOTHERAPY_NOTES})

# Maria Lopez authorizes her attorney; every element and statement present, CA form rules met.
AUTHORIZED = AuthorizationFacts(
    kind=K.AUTHORIZED,
    requester_role=R.THIRD_PARTY,
    description="All records from 2024 to 2026",
    discloser="Keck Hospital of USC",
    recipient_name="Smith & Lee LLP",
    recipient_address="1 Main St, Los Angeles, CA 90012",
    purpose="At the request of the individual",
    expiration_date=D(2027, 6, 30),
    signature_name="Maria Lopez",
    signed_on=D(2026, 11, 2),
    statement_revocation=True,
    statement_conditioning=True,
    statement_redisclosure=True,
    statement_copy_right=True,
    font_size_pt=14,
)
ACCESS = AuthorizationFacts(kind=K.ACCESS)
DIRECTED = AuthorizationFacts(
    kind=K.DIRECTED,
    recipient_name="Dr. Chen, Valley Clinic",
    recipient_address="22 Oak Ave, Boston, MA 02115",
    signature_name="Maria Lopez",
    signed_on=D(2026, 11, 19),
)
REPRESENTATIVE = {
    "requester_role": R.REPRESENTATIVE,
    "representative_authority": A.HEALTHCARE_POA,
    "authority_document": True,
}
EXECUTOR = {
    "requester_role": R.EXECUTOR,
    "patient_deceased": True,
    "death_certificate": True,
    "authority_document": True,
}


def codes(facts: AuthorizationFacts, jurisdiction: str = "CA", **kwargs: int) -> list[str]:
    return [
        d.code
        for d in authorization_defects(facts, jurisdiction=jurisdiction, today=TODAY, **kwargs)
    ]


# fmt: off
EXPIRATION_CASES = [
    pytest.param(AUTHORIZED, 90, D(2027, 6, 30), id="written-date"),
    pytest.param(replace(AUTHORIZED, expiration_date=None), 90, D(2027, 1, 31),
                 id="keck-default-90-days"),
    pytest.param(replace(AUTHORIZED, expiration_date=None, signed_on=D(2027, 12, 2)), 90,
                 D(2028, 3, 1), id="default-over-leap-day"),
    pytest.param(replace(AUTHORIZED, expiration_date=None, signed_on=None), 90, None,
                 id="nothing-known"),
    pytest.param(replace(AUTHORIZED, expiration_date=None), 0, None, id="no-default-validity"),
    pytest.param(replace(AUTHORIZED, expiration_date=None, expiration_event="End of trial"), 90,
                 None, id="event-governs"),
]
# fmt: on


@pytest.mark.parametrize(("facts", "days", "expected"), EXPIRATION_CASES)
def test_effective_expiration(facts: AuthorizationFacts, days: int, expected: date | None) -> None:
    assert effective_expiration(facts, default_validity_days=days) == expected


# fmt: off
AUTHORIZED_CASES = [
    pytest.param("CA", {}, [], id="ca-valid"),
    pytest.param("MA", {}, [], id="ma-valid"),
    pytest.param("CA", {"description": "  "}, ["missing_description"], id="no-description"),
    pytest.param("CA", {"discloser": ""}, ["missing_discloser"], id="no-discloser"),
    pytest.param("CA", {"recipient_name": ""}, ["missing_recipient_name"], id="no-recipient"),
    pytest.param("MA", {"recipient_address": ""}, ["missing_recipient_address"],
                 id="no-recipient-address"),
    pytest.param("MA", {"purpose": ""}, ["missing_purpose"], id="no-purpose"),
    pytest.param("MA", {"signature_name": ""}, ["missing_signature"], id="not-signed"),
    pytest.param("MA", {"signed_on": None}, ["missing_signature_date"], id="no-signing-date"),
    pytest.param("MA", {"signed_on": D(2026, 11, 21)}, ["signed_in_future"], id="signed-tomorrow"),
    pytest.param("MA", {"statement_revocation": False}, ["missing_statement_revocation"],
                 id="no-revocation-statement"),
    pytest.param("MA", {"statement_conditioning": False}, ["missing_statement_conditioning"],
                 id="no-conditioning-statement"),
    pytest.param("MA", {"statement_redisclosure": False}, ["missing_statement_redisclosure"],
                 id="no-redisclosure-statement"),
    pytest.param("CA", {"statement_copy_right": False}, ["ca_missing_statement_copy_right"],
                 id="ca-no-copy-statement"),
    pytest.param("MA", {"statement_copy_right": False}, [], id="ma-copy-statement-optional"),
    pytest.param("CA", {"font_size_pt": 12}, ["ca_font_size"], id="ca-12-point"),
    pytest.param("CA", {"font_size_pt": None}, [], id="ca-handwritten"),
    pytest.param("MA", {"font_size_pt": 12}, [], id="ma-12-point-ok"),
    pytest.param("CA", {"signature_used_only_for_authorization": False},
                 ["ca_signature_not_separate"], id="ca-shared-signature"),
    pytest.param("MA", {"signature_used_only_for_authorization": False}, [],
                 id="ma-shared-signature-ok"),
    pytest.param("CA", {"expiration_date": None, "expiration_event": "End of my lawsuit"},
                 ["ca_expiration_date_required"], id="ca-event-only"),
    pytest.param("MA", {"expiration_date": None, "expiration_event": "End of my lawsuit"}, [],
                 id="ma-event-ok"),
    pytest.param("CA", {"expiration_date": None}, [], id="ca-blank-default-term-applies"),
    pytest.param("MA", {"expiration_date": None}, [], id="ma-blank-default-term-applies"),
    pytest.param("CA", {"expiration_date": D(2026, 11, 19)}, ["expired"], id="expired"),
    pytest.param("CA", {"expiration_date": TODAY}, [], id="valid-through-expiration-day"),
    pytest.param("CA", {"expiration_date": None, "signed_on": D(2026, 8, 21)}, ["expired"],
                 id="default-90-days-passed"),
    pytest.param("CA", {"expiration_date": None, "signed_on": D(2026, 8, 22)}, [],
                 id="default-90-days-ends-today"),
    pytest.param("CA", {"revoked_on": D(2026, 11, 10)}, ["revoked"], id="revoked"),
    pytest.param("CA", {"revoked_on": TODAY}, ["revoked"], id="revoked-today"),
    pytest.param("CA", {"revoked_on": D(2026, 11, 25)}, [], id="revocation-dated-later"),
    pytest.param("MA", {"known_false_information": True}, ["false_information"], id="false"),
    pytest.param("CA", {"requester_role": R.REPRESENTATIVE},
                 ["missing_representative_authority", "missing_authority_document"],
                 id="representative-signs-without-authority"),
    pytest.param("CA", REPRESENTATIVE, [], id="representative-with-poa"),
    pytest.param("CA", {"patient_deceased": True, "requester_role": R.EXECUTOR},
                 ["missing_death_certificate", "missing_authority_document"],
                 id="executor-without-papers"),
    pytest.param("CA", EXECUTOR, [], id="executor-with-papers"),
    pytest.param("CA", {"sensitive_categories": HIV}, ["missing_specific_consent_hiv"],
                 id="ca-hiv-needs-consent"),
    pytest.param("CA", {"sensitive_categories": HIV, "specific_consents": HIV}, [],
                 id="ca-hiv-consented"),
    pytest.param("MA", {"sensitive_categories": HIV}, [], id="ma-hiv-no-rule"),
    pytest.param("MA", {"sensitive_categories": frozenset({S.SUBSTANCE_USE})},
                 ["missing_specific_consent_substance_use"], id="part-2-everywhere"),
    pytest.param("CA", {"sensitive_categories": GENETIC_LPS, "specific_consents": GENETIC},
                 ["missing_specific_consent_lps_mental_health"], id="ca-lps-not-consented"),
    pytest.param("MA", {"sensitive_categories": GENETIC_LPS}, [], id="ma-genetic-lps-no-rule"),
    pytest.param("MA", {"sensitive_categories": NOTES, "specific_consents": NOTES},
                 ["psychotherapy_notes_need_own_authorization"],
                 id="psychotherapy-notes-need-own-form-not-a-consent-box"),
    pytest.param("MA", {"sensitive_categories": NOTES, "psychotherapy_notes_separate": True},
                 [], id="psychotherapy-notes-own-form"),
]
# fmt: on


@pytest.mark.parametrize(("jurisdiction", "changes", "expected"), AUTHORIZED_CASES)
def test_authorized_disclosure(jurisdiction: str, changes: dict, expected: list[str]) -> None:
    assert codes(replace(AUTHORIZED, **changes), jurisdiction) == expected


def test_blank_expiration_is_missing_without_a_default_term() -> None:
    facts = replace(AUTHORIZED, expiration_date=None)
    assert codes(facts, "MA", default_validity_days=0) == ["missing_expiration"]


def test_empty_authorization_lists_every_element() -> None:
    facts = AuthorizationFacts(kind=K.AUTHORIZED, requester_role=R.THIRD_PARTY)
    assert codes(facts, "CA") == [
        "missing_description",
        "missing_discloser",
        "missing_recipient_name",
        "missing_recipient_address",
        "missing_purpose",
        "missing_signature",
        "missing_signature_date",
        "missing_statement_revocation",
        "missing_statement_conditioning",
        "missing_statement_redisclosure",
        "ca_missing_statement_copy_right",
    ]


# fmt: off
ACCESS_CASES = [
    pytest.param(ACCESS, [], id="self-no-purpose-no-signature-no-id-needed"),
    pytest.param(replace(ACCESS, sensitive_categories=frozenset(S)), [],
                 id="own-sensitive-records-and-psychotherapy-notes-no-defect"),
    pytest.param(replace(ACCESS, requester_role=R.REPRESENTATIVE),
                 ["missing_representative_authority", "missing_authority_document"],
                 id="representative-without-authority"),
    pytest.param(replace(ACCESS, requester_role=R.REPRESENTATIVE,
                         representative_authority=A.GUARDIAN),
                 ["missing_authority_document"], id="guardian-without-papers"),
    pytest.param(replace(ACCESS, **REPRESENTATIVE), [], id="representative-ok"),
    pytest.param(replace(ACCESS, representative_authority=A.PARENT_OF_MINOR),
                 ["missing_authority_document"], id="parent-of-minor-needs-papers"),
    pytest.param(replace(ACCESS, requester_role=R.REPRESENTATIVE,
                         representative_authority=A.EXECUTOR, authority_document=True),
                 ["authority_needs_deceased_patient"], id="executor-of-living-patient"),
    pytest.param(replace(ACCESS, patient_deceased=True),
                 ["missing_death_certificate", "missing_deceased_authority",
                  "missing_authority_document"], id="deceased-nothing-shown"),
    pytest.param(replace(ACCESS, **EXECUTOR), [], id="deceased-executor-ok"),
    pytest.param(replace(ACCESS, requester_role=R.NEXT_OF_KIN, patient_deceased=True,
                         death_certificate=True, authority_document=True),
                 [], id="deceased-next-of-kin-ok"),
    pytest.param(replace(ACCESS, requester_role=R.REPRESENTATIVE, patient_deceased=True,
                         representative_authority=A.GUARDIAN, death_certificate=True,
                         authority_document=True),
                 ["missing_deceased_authority"], id="guardianship-ends-at-death"),
    pytest.param(replace(ACCESS, requester_role=R.THIRD_PARTY), ["access_requester_not_individual"],
                 id="third-party-cannot-use-access"),
    pytest.param(replace(ACCESS, requester_role=R.PROVIDER), ["access_requester_not_individual"],
                 id="provider-cannot-use-access"),
]
# fmt: on


@pytest.mark.parametrize(("facts", "expected"), ACCESS_CASES)
def test_patient_access(facts: AuthorizationFacts, expected: list[str]) -> None:
    assert codes(facts) == expected


# fmt: off
DIRECTED_CASES = [
    pytest.param("MA", {}, [], id="valid-no-purpose-needed"),
    pytest.param("MA", {"signature_name": ""}, ["missing_signature"], id="not-signed"),
    pytest.param("MA", {"signed_on": None}, ["missing_signature_date"], id="not-dated"),
    pytest.param("MA", {"signed_on": D(2026, 12, 1)}, ["signed_in_future"], id="future"),
    pytest.param("MA", {"recipient_name": ""}, ["missing_recipient_name"], id="no-recipient"),
    pytest.param("MA", {"recipient_address": " "}, ["missing_recipient_address"], id="no-address"),
    pytest.param("MA", {"revoked_on": D(2026, 11, 19)}, ["revoked"], id="withdrawn"),
    pytest.param("MA", {"requester_role": R.REPRESENTATIVE},
                 ["missing_representative_authority", "missing_authority_document"],
                 id="representative-without-authority"),
    pytest.param("MA", {"sensitive_categories": frozenset({S.SUBSTANCE_USE})},
                 ["missing_specific_consent_substance_use"], id="part-2-consent"),
    pytest.param("CA", {"sensitive_categories": frozenset({S.HIV})},
                 ["missing_specific_consent_hiv"], id="ca-hiv-consent"),
    pytest.param("MA", {"sensitive_categories": frozenset({S.HIV})}, [], id="ma-hiv"),
    pytest.param("MA", {"sensitive_categories": frozenset({S.PSYCHOTHERAPY_NOTES})},
                 ["psychotherapy_notes_need_own_authorization"], id="psychotherapy-notes"),
    pytest.param("CA", {"font_size_pt": 9, "statement_copy_right": False}, [],
                 id="not-an-authorization-no-ca-form-rules"),
]
# fmt: on


@pytest.mark.parametrize(("jurisdiction", "changes", "expected"), DIRECTED_CASES)
def test_directed_copy(jurisdiction: str, changes: dict, expected: list[str]) -> None:
    assert codes(replace(DIRECTED, **changes), jurisdiction) == expected


# fmt: off
OTHER_CASES = [
    pytest.param(AuthorizationFacts(kind=K.CONTINUITY, requester_role=R.PROVIDER),
                 ["missing_requesting_provider"], id="continuity-no-provider"),
    pytest.param(AuthorizationFacts(kind=K.CONTINUITY, requester_role=R.PROVIDER,
                                    requesting_provider="Dr. Chen, Valley Clinic"),
                 [], id="continuity-no-signature-needed"),
    pytest.param(AuthorizationFacts(kind=K.AMENDMENT),
                 ["missing_amendment_what", "missing_amendment_why"], id="amendment-empty"),
    pytest.param(AuthorizationFacts(kind=K.AMENDMENT, amendment_what_is_wrong="Allergy",
                                    amendment_why="I am not allergic to penicillin"),
                 [], id="amendment-ok"),
    pytest.param(AuthorizationFacts(kind=K.AMENDMENT, amendment_what_is_wrong="Allergy",
                                    amendment_why="Wrong", requester_role=R.REPRESENTATIVE,
                                    representative_authority=A.GUARDIAN),
                 ["missing_authority_document"], id="amendment-by-representative"),
    pytest.param(AuthorizationFacts(kind=K.ACCOUNTING), [], id="accounting-identity-only"),
    pytest.param(AuthorizationFacts(kind=K.ACCOUNTING, requester_role=R.REPRESENTATIVE),
                 ["missing_representative_authority", "missing_authority_document"],
                 id="accounting-by-representative"),
]
# fmt: on


@pytest.mark.parametrize(("facts", "expected"), OTHER_CASES)
def test_other_kinds(facts: AuthorizationFacts, expected: list[str]) -> None:
    assert codes(facts) == expected


def test_defects_point_to_form_fields_with_a_message() -> None:
    names = {f.name for f in fields(AuthorizationFacts)}
    for code, (field, message) in DEFECTS.items():
        assert field in names, code
        assert str(message).strip(), code


def test_defect_carries_field_and_plain_message() -> None:
    [defect] = authorization_defects(
        replace(DIRECTED, recipient_address=""), jurisdiction="MA", today=TODAY
    )
    assert defect.field == "recipient_address"
    assert isinstance(defect.message, str)
    assert defect.message
