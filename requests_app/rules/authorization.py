"""What a request must contain before records can be released.

DOMAIN.md sections 1, 3 and 4. Each defect names the form field it belongs to so the form can
show it in place, in words a patient understands. Identity is never a defect here: staff
verify it, and verification must not become a barrier (164.524, HHS access guidance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .kinds import RepresentativeAuthority, RequesterRole, RequestKind, SensitiveCategory


@dataclass(frozen=True)
class Defect:
    code: str
    field: str  # the form field it belongs to
    message: str


@dataclass(frozen=True)
class AuthorizationFacts:
    kind: RequestKind
    requester_role: RequesterRole = RequesterRole.SELF
    representative_authority: RepresentativeAuthority | None = None
    authority_document: bool = False
    patient_deceased: bool = False
    death_certificate: bool = False
    identity_verified_or_id_provided: bool = False
    description: str = ""
    discloser: str = ""
    recipient_name: str = ""
    recipient_address: str = ""
    purpose: str = ""
    expiration_date: date | None = None
    expiration_event: str = ""
    signature_name: str = ""
    signed_on: date | None = None
    statement_revocation: bool = False
    statement_conditioning: bool = False
    statement_redisclosure: bool = False
    statement_copy_right: bool = False
    font_size_pt: int | None = None
    signature_used_only_for_authorization: bool = True
    revoked_on: date | None = None
    known_false_information: bool = False
    sensitive_categories: frozenset[SensitiveCategory] = frozenset()
    specific_consents: frozenset[SensitiveCategory] = frozenset()
    psychotherapy_notes_separate: bool = False
    requesting_provider: str = ""
    amendment_what_is_wrong: str = ""
    amendment_why: str = ""


# Cal. Civil Code 56.11(a): handwritten by the signer or typed in at least 14-point type.
CA_MIN_FONT_PT = 14
# An authorization with no expiration written is valid this long after signing (Keck Medicine
# of USC's rule, DOMAIN.md section 3); each entity's policy may set its own.
DEFAULT_VALIDITY_DAYS = 90
_REPRESENTATIVE_ROLES = frozenset(
    {RequesterRole.REPRESENTATIVE, RequesterRole.EXECUTOR, RequesterRole.NEXT_OF_KIN}
)
# 164.502(g)(4): for a deceased patient, the executor or administrator (or, under state law,
# next of kin) acts for the patient.
_DECEASED_AUTHORITIES = frozenset(
    {RepresentativeAuthority.EXECUTOR, RepresentativeAuthority.NEXT_OF_KIN}
)
_ROLE_AUTHORITY = {
    RequesterRole.EXECUTOR: RepresentativeAuthority.EXECUTOR,
    RequesterRole.NEXT_OF_KIN: RepresentativeAuthority.NEXT_OF_KIN,
}
# Specific consents that are California law; substance-use records (42 CFR Part 2) need one
# everywhere. Psychotherapy notes are handled apart: they need their own authorization.
_CA_ONLY = frozenset(
    {
        SensitiveCategory.HIV,  # Cal. HSC 120980
        SensitiveCategory.GENETIC,  # Cal. Civil Code 56.17
        SensitiveCategory.LPS_MENTAL_HEALTH,  # Cal. WIC 5328
    }
)
# Every defect: code -> (form field, plain-language message). Codes are stable: forms, tests
# and the staff workspace match on them.
DEFECTS: dict[str, tuple[str, str]] = {
    "access_requester_not_individual": (
        "requester_role",
        _(
            "Only the patient or someone acting for the patient can use this form. Others "
            "need the patient's signed permission."
        ),
    ),
    "missing_death_certificate": (
        "death_certificate",
        _("Please include a copy of the death certificate."),
    ),
    "missing_deceased_authority": (
        "representative_authority",
        _(
            "Tell us how you are related to the patient: executor or administrator of the "
            "estate, or next of kin."
        ),
    ),
    "missing_representative_authority": (
        "representative_authority",
        _("Tell us what gives you the right to act for the patient."),
    ),
    "authority_needs_deceased_patient": (
        "representative_authority",
        _(
            "An executor or next of kin acts only for a patient who has died. If the patient "
            "is living, choose another kind of authority."
        ),
    ),
    "missing_authority_document": (
        "authority_document",
        _(
            "Please include the paper that shows your authority, for example guardianship "
            "papers, a health care power of attorney or letters of administration."
        ),
    ),
    "missing_signature": ("signature_name", _("Please sign the form.")),
    "missing_signature_date": ("signed_on", _("Please write the date you signed.")),
    "signed_in_future": ("signed_on", _("The date you signed cannot be in the future.")),
    "missing_recipient_name": ("recipient_name", _("Tell us who should receive the records.")),
    "missing_recipient_address": ("recipient_address", _("Tell us where to send the records.")),
    "missing_description": ("description", _("Describe which records to release.")),
    "missing_discloser": ("discloser", _("Tell us who may release the records.")),
    "missing_purpose": ("purpose", _("Tell us why the records are needed.")),
    "missing_expiration": ("expiration_date", _("Tell us when this permission ends.")),
    "ca_expiration_date_required": (
        "expiration_date",
        _("In California this permission needs an end date, not only an event."),
    ),
    "missing_statement_revocation": (
        "statement_revocation",
        _("The form must say how you can cancel this permission in writing."),
    ),
    "missing_statement_conditioning": (
        "statement_conditioning",
        _("The form must say whether your care or payment depends on signing it."),
    ),
    "missing_statement_redisclosure": (
        "statement_redisclosure",
        _("The form must say that the receiver could share the records again."),
    ),
    "ca_missing_statement_copy_right": (
        "statement_copy_right",
        _("The form must say that you can have a copy of it."),
    ),
    "ca_font_size": (
        "font_size_pt",
        _("In California the form must be printed in at least 14-point type."),
    ),
    "ca_signature_not_separate": (
        "signature_name",
        _("In California this form needs its own signature, not one shared with another form."),
    ),
    "expired": ("expiration_date", _("This permission has expired.")),
    "revoked": ("revoked_on", _("This permission was cancelled, so we cannot use it.")),
    "false_information": (
        "description",
        _("Some information on this form is known to be wrong. Please correct it."),
    ),
    "psychotherapy_notes_need_own_authorization": (
        "psychotherapy_notes_separate",
        _("Psychotherapy notes need a separate permission form of their own."),
    ),
    "missing_specific_consent_hiv": (
        "specific_consents",
        _("HIV test results need your separate, specific consent."),
    ),
    "missing_specific_consent_substance_use": (
        "specific_consents",
        _("Substance use treatment records need your separate, specific consent."),
    ),
    "missing_specific_consent_genetic": (
        "specific_consents",
        _("Genetic test results need your separate, specific consent."),
    ),
    "missing_specific_consent_lps_mental_health": (
        "specific_consents",
        _("Mental health treatment records need your separate, specific consent."),
    ),
    "missing_requesting_provider": (
        "requesting_provider",
        _("Tell us which doctor or clinic is asking for the records."),
    ),
    "missing_amendment_what": (
        "amendment_what_is_wrong",
        _("Tell us what in your record is wrong or missing."),
    ),
    "missing_amendment_why": ("amendment_why", _("Tell us why it should be changed.")),
}


def _blank(text: str) -> bool:
    return not text.strip()


def _defect(code: str) -> Defect:
    field, message = DEFECTS[code]
    return Defect(code, field, str(message))


def expiration_event_allowed(jurisdiction: str) -> bool:
    """Whether an event may stand in for an expiration date: not in California, where the
    authorization needs a specific date (Cal. Civil Code 56.11(h))."""
    return jurisdiction.strip().upper() != "CA"


def _defects(*checks: tuple[bool, str]) -> list[Defect]:
    return [_defect(code) for failed, code in checks if failed]


def effective_expiration(
    facts: AuthorizationFacts, *, default_validity_days: int = DEFAULT_VALIDITY_DAYS
) -> date | None:
    """The written expiration date, else the signing date plus the default validity (Keck: an
    authorization with no expiration noted is valid 90 days), else None: unknown, or set by a
    written event that staff must watch for."""
    if facts.expiration_date is not None:
        return facts.expiration_date
    if _blank(facts.expiration_event) and facts.signed_on and default_validity_days > 0:
        return facts.signed_on + timedelta(days=default_validity_days)
    return None


def _requester_defects(facts: AuthorizationFacts) -> list[Defect]:
    """164.502(g): someone acting for the patient shows their authority, with the paper."""
    authority = facts.representative_authority or _ROLE_AUTHORITY.get(facts.requester_role)
    if facts.patient_deceased:
        found = _defects(
            (not facts.death_certificate, "missing_death_certificate"),
            (authority not in _DECEASED_AUTHORITIES, "missing_deceased_authority"),
        )
    elif facts.requester_role in _REPRESENTATIVE_ROLES or authority is not None:
        found = _defects(
            (authority is None, "missing_representative_authority"),
            (authority in _DECEASED_AUTHORITIES, "authority_needs_deceased_patient"),
        )
    else:
        return []
    return found + _defects((not facts.authority_document, "missing_authority_document"))


def _signature_defects(facts: AuthorizationFacts, today: date) -> list[Defect]:
    return _defects(
        (_blank(facts.signature_name), "missing_signature"),
        (facts.signed_on is None, "missing_signature_date"),
        (facts.signed_on is not None and facts.signed_on > today, "signed_in_future"),
    )


def _recipient_defects(facts: AuthorizationFacts) -> list[Defect]:
    return _defects(
        (_blank(facts.recipient_name), "missing_recipient_name"),
        (_blank(facts.recipient_address), "missing_recipient_address"),
    )


def _revoked(facts: AuthorizationFacts, today: date) -> list[Defect]:
    # 164.508(b)(5): a revocation takes effect when received; nothing is released after it.
    return _defects((facts.revoked_on is not None and facts.revoked_on <= today, "revoked"))


def _sensitive_defects(facts: AuthorizationFacts, jurisdiction: str) -> list[Defect]:
    ca = jurisdiction.strip().upper() == "CA"
    defects = []
    for category in sorted(facts.sensitive_categories):
        if category == SensitiveCategory.PSYCHOTHERAPY_NOTES:
            # 164.508(a)(2): psychotherapy notes need an authorization of their own, never
            # combined with another; they are also outside the right of access.
            missing = not facts.psychotherapy_notes_separate
            defects += _defects((missing, "psychotherapy_notes_need_own_authorization"))
        elif category not in facts.specific_consents and (ca or category not in _CA_ONLY):
            defects.append(_defect(f"missing_specific_consent_{category.value}"))
    return defects


def _access(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    # 164.524: the patient's own right. No purpose is ever asked, no authorization elements;
    # psychotherapy notes may be asked for (and may be denied), which is not a form defect.
    if facts.requester_role in (RequesterRole.THIRD_PARTY, RequesterRole.PROVIDER):
        return [_defect("access_requester_not_individual")]
    return _requester_defects(facts)


def _directed(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    # 164.524(c)(3)(ii): in writing, signed by the individual, clearly naming the recipient and
    # where to send the copy.
    return [
        *_access(facts, jurisdiction=jurisdiction, today=today, days=days),
        *_signature_defects(facts, today),
        *_recipient_defects(facts),
        *_revoked(facts, today),
        *_sensitive_defects(facts, jurisdiction),
    ]


def _authorized(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    ca = jurisdiction.strip().upper() == "CA"
    defects = []
    if (
        facts.patient_deceased
        or facts.requester_role in _REPRESENTATIVE_ROLES
        or facts.representative_authority is not None
    ):
        # 164.508(c)(1)(vi): a representative who signs describes their authority.
        defects += _requester_defects(facts)
    has_date = facts.expiration_date is not None
    has_event = not _blank(facts.expiration_event)
    expires = effective_expiration(facts, default_validity_days=days)
    # 164.508(c)(1) core elements and (c)(2) statements. With no expiration written, our form's
    # default term ("valid N days after signing") supplies a specific date.
    defects += _defects(
        (_blank(facts.description), "missing_description"),
        (_blank(facts.discloser), "missing_discloser"),
    )
    defects += _recipient_defects(facts)
    defects += _defects(
        (_blank(facts.purpose), "missing_purpose"),
        (not has_date and not has_event and days <= 0, "missing_expiration"),
        # Cal. Civil Code 56.11(h): a specific date, not only an event.
        (
            not expiration_event_allowed(jurisdiction) and has_event and not has_date,
            "ca_expiration_date_required",
        ),
    )
    defects += _signature_defects(facts, today)
    defects += _defects(
        (not facts.statement_revocation, "missing_statement_revocation"),
        (not facts.statement_conditioning, "missing_statement_conditioning"),
        (not facts.statement_redisclosure, "missing_statement_redisclosure"),
    )
    if ca:
        small_type = facts.font_size_pt is not None and facts.font_size_pt < CA_MIN_FONT_PT
        defects += _defects(
            # Cal. Civil Code 56.11(i): the right to receive a copy of the authorization.
            (not facts.statement_copy_right, "ca_missing_statement_copy_right"),
            (small_type, "ca_font_size"),
            # Cal. Civil Code 56.11(b): a signature that serves no other purpose.
            (not facts.signature_used_only_for_authorization, "ca_signature_not_separate"),
        )
    # 164.508(b)(2): defective when expired, known revoked, or with known false information.
    defects += _defects((expires is not None and today > expires, "expired"))
    defects += _revoked(facts, today)
    defects += _defects((facts.known_false_information, "false_information"))
    return defects + _sensitive_defects(facts, jurisdiction)


def _continuity(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    # 164.506(c)(2): treatment disclosures need no patient signature, only the provider.
    return _defects((_blank(facts.requesting_provider), "missing_requesting_provider"))


def _amendment(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    # 164.526(b)(1): the entity may ask for the request in writing, with a reason.
    return _requester_defects(facts) + _defects(
        (_blank(facts.amendment_what_is_wrong), "missing_amendment_what"),
        (_blank(facts.amendment_why), "missing_amendment_why"),
    )


def _accounting(
    facts: AuthorizationFacts, *, jurisdiction: str, today: date, days: int
) -> list[Defect]:
    # 164.528: identity is enough, and staff check it. A representative still shows authority.
    return _requester_defects(facts)


_CHECKS: dict[RequestKind, Callable[..., list[Defect]]] = {
    RequestKind.ACCESS: _access,
    RequestKind.DIRECTED: _directed,
    RequestKind.AUTHORIZED: _authorized,
    RequestKind.CONTINUITY: _continuity,
    RequestKind.AMENDMENT: _amendment,
    RequestKind.ACCOUNTING: _accounting,
}


def authorization_defects(
    facts: AuthorizationFacts,
    *,
    jurisdiction: str,
    today: date,
    default_validity_days: int = DEFAULT_VALIDITY_DAYS,
) -> list[Defect]:
    """Everything that stops the request from being valid; empty when it is valid.

    A deceased patient's records stay protected for 50 years after death (160.103), which
    the requester cannot fix on a form, so it is not checked here.
    """
    check = _CHECKS[facts.kind]
    return check(facts, jurisdiction=jurisdiction, today=today, days=default_validity_days)
