"""Grounds for denying access (45 CFR 164.524(a)) and amendments (164.526(a)(2)).

Unreviewable grounds end the matter; reviewable ones give the requester a review by a licensed
professional who took no part in the denial (164.524(a)(4)). Fear of bad news is never a ground.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DenialGround:
    code: str
    label: str
    reviewable: bool
    citation: str


ACCESS_DENIAL_GROUNDS: tuple[DenialGround, ...] = (
    DenialGround("psychotherapy_notes", _("Psychotherapy notes"), False, "164.524(a)(1)(i)"),
    DenialGround(
        "legal_proceedings", _("Compiled for a legal proceeding"), False, "164.524(a)(1)(ii)"
    ),
    DenialGround("inmate_safety", _("Inmate safety or custody"), False, "164.524(a)(2)(ii)"),
    DenialGround(
        "research",
        _("Research in progress, access suspended with consent"),
        False,
        "164.524(a)(2)(iii)",
    ),
    DenialGround("privacy_act", _("Records under the Privacy Act"), False, "164.524(a)(2)(iv)"),
    DenialGround(
        "confidential_source",
        _("Obtained from someone else under a promise of confidentiality"),
        False,
        "164.524(a)(2)(v)",
    ),
    DenialGround(
        "danger_to_life",
        _("Likely to endanger the life or physical safety of someone"),
        True,
        "164.524(a)(3)(i)",
    ),
    DenialGround(
        "harm_to_other",
        _("Likely to cause substantial harm to another person referred to"),
        True,
        "164.524(a)(3)(ii)",
    ),
    DenialGround(
        "harm_via_representative",
        _("Access by this personal representative likely to cause substantial harm"),
        True,
        "164.524(a)(3)(iii)",
    ),
    DenialGround(
        "not_held",
        _("We do not hold these records (we will say where they are if we know)"),
        False,
        "164.524(d)(3)",
    ),
)

AMENDMENT_DENIAL_GROUNDS: tuple[DenialGround, ...] = (
    DenialGround("not_created_here", _("Not created by us"), False, "164.526(a)(2)(i)"),
    DenialGround(
        "not_in_record_set",
        _("Not part of the designated record set"),
        False,
        "164.526(a)(2)(ii)",
    ),
    DenialGround(
        "not_open_to_inspection", _("Not available for inspection"), False, "164.526(a)(2)(iii)"
    ),
    DenialGround("accurate", _("Accurate and complete"), False, "164.526(a)(2)(iv)"),
)

_BY_CODE = {g.code: g for g in ACCESS_DENIAL_GROUNDS + AMENDMENT_DENIAL_GROUNDS}


def ground(code: str) -> DenialGround:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise ValueError(f"Unknown denial ground: {code}") from None


def is_reviewable(codes: list[str] | tuple[str, ...]) -> bool:
    """A denial is reviewable when any of its grounds is (the requester may ask for review of
    that part)."""
    return any(ground(code).reviewable for code in codes)
