"""DOMAIN.md section 6 (access denials) and 7 (amendment denials)."""

from __future__ import annotations

import pytest

from requests_app.rules.denials import (
    ACCESS_DENIAL_GROUNDS,
    AMENDMENT_DENIAL_GROUNDS,
    ground,
    is_reviewable,
)

# fmt: off
ACCESS = [
    ("psychotherapy_notes", False), ("legal_proceedings", False), ("inmate_safety", False),
    ("research", False), ("privacy_act", False), ("confidential_source", False),
    ("danger_to_life", True), ("harm_to_other", True), ("harm_via_representative", True),
    ("not_held", False),
]
AMENDMENT = ["not_created_here", "not_in_record_set", "not_open_to_inspection", "accurate"]
# fmt: on


@pytest.mark.parametrize(("code", "reviewable"), ACCESS)
def test_access_grounds_and_whether_a_professional_review_is_offered(code, reviewable) -> None:
    assert ground(code).reviewable is reviewable
    assert ground(code).citation.startswith("164.524")


def test_the_tables_hold_exactly_the_grounds_of_the_rule() -> None:
    assert [g.code for g in ACCESS_DENIAL_GROUNDS] == [code for code, _r in ACCESS]
    assert [g.code for g in AMENDMENT_DENIAL_GROUNDS] == AMENDMENT
    assert all(g.citation.startswith("164.526") for g in AMENDMENT_DENIAL_GROUNDS)


@pytest.mark.parametrize(
    ("codes", "reviewable"),
    [
        (["psychotherapy_notes"], False),
        (["psychotherapy_notes", "danger_to_life"], True),
        (["accurate"], False),
    ],
)
def test_a_denial_is_reviewable_when_any_ground_is(codes, reviewable) -> None:
    assert is_reviewable(codes) is reviewable


@pytest.mark.parametrize("code", ["bad_news", "", "fear_of_upsetting_the_patient"])
def test_anything_else_is_not_a_ground(code) -> None:
    # Fear that the patient will be upset by the information is never a ground (section 6).
    with pytest.raises(ValueError):
        ground(code)
