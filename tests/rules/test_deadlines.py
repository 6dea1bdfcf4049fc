from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from requests_app.rules.deadlines import (
    BINDING_LAW,
    BINDING_POLICY,
    DEFAULT_RULES,
    DeadlineRule,
    compute_due,
    days_left,
    deadline_key,
    default_rules,
    legal_deadlines,
    rule_text,
    shift_for_pause,
    urgency,
    validate_rule,
)
from requests_app.rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, RequestKind, Urgency

CAL = DayUnit.CALENDAR
WORK = DayUnit.WORKING
D = date
K = DeadlineKey
HIPAA_ACCESS = (30, CAL, 30, "45 CFR 164.524(b)(2)")
CA = "Cal. Health & Safety Code 123110"
TX = "Tex. Health & Safety Code 181.102"
WA = "RCW 70.02.080"
MT = "Mont. Code Ann. 50-16-541"


@pytest.mark.parametrize(
    ("kind", "delivery", "expected"),
    [
        pytest.param(RequestKind.ACCESS, DeliveryMethod.INSPECTION, K.ACCESS_INSPECTION, id="insp"),
        pytest.param(RequestKind.ACCESS, DeliveryMethod.MAIL, K.ACCESS_COPY, id="access-mail"),
        pytest.param(RequestKind.ACCESS, DeliveryMethod.PORTAL, K.ACCESS_COPY, id="access-portal"),
        pytest.param(RequestKind.ACCESS, DeliveryMethod.CD, K.ACCESS_COPY, id="access-cd"),
        pytest.param(RequestKind.ACCESS, None, K.ACCESS_COPY, id="access-unknown-delivery"),
        pytest.param(RequestKind.DIRECTED, DeliveryMethod.FAX, K.DIRECTED, id="directed"),
        pytest.param(RequestKind.DIRECTED, DeliveryMethod.INSPECTION, K.DIRECTED, id="dir-insp"),
        pytest.param(RequestKind.AUTHORIZED, None, K.AUTHORIZED, id="authorized"),
        pytest.param(RequestKind.CONTINUITY, DeliveryMethod.FAX, K.CONTINUITY, id="continuity"),
        pytest.param(RequestKind.AMENDMENT, None, K.AMENDMENT, id="amendment"),
        pytest.param(RequestKind.ACCOUNTING, None, K.ACCOUNTING, id="accounting"),
    ],
)
def test_deadline_key(
    kind: RequestKind, delivery: DeliveryMethod | None, expected: DeadlineKey
) -> None:
    assert deadline_key(kind, delivery) == expected


@pytest.mark.parametrize(
    ("jurisdiction", "key", "expected"),
    [
        pytest.param("MA", K.ACCESS_COPY, [HIPAA_ACCESS], id="ma-copy-hipaa-only"),
        pytest.param("MA", K.ACCESS_INSPECTION, [HIPAA_ACCESS], id="ma-inspection"),
        pytest.param("MA", K.DIRECTED, [HIPAA_ACCESS], id="ma-directed"),
        pytest.param("CA", K.ACCESS_COPY, [HIPAA_ACCESS, (15, CAL, 0, CA)], id="ca-copy"),
        pytest.param("ca", K.ACCESS_COPY, [HIPAA_ACCESS, (15, CAL, 0, CA)], id="ca-lowercase"),
        pytest.param("CA", K.ACCESS_INSPECTION, [HIPAA_ACCESS, (5, WORK, 0, CA)], id="ca-insp"),
        pytest.param("CA", K.DIRECTED, [HIPAA_ACCESS, (15, CAL, 0, CA)], id="ca-directed"),
        pytest.param("TX", K.ACCESS_COPY, [HIPAA_ACCESS, (15, WORK, 0, TX)], id="tx-copy"),
        pytest.param("TX", K.DIRECTED, [HIPAA_ACCESS, (15, WORK, 0, TX)], id="tx-directed"),
        pytest.param("WA", K.ACCESS_INSPECTION, [HIPAA_ACCESS, (15, WORK, 6, WA)], id="wa"),
        pytest.param("MT", K.ACCESS_COPY, [HIPAA_ACCESS, (10, CAL, 11, MT)], id="mt"),
        pytest.param("CA", K.AUTHORIZED, [], id="ca-authorized-no-law"),
        pytest.param("MA", K.CONTINUITY, [], id="continuity-no-law"),
        pytest.param(
            "CA", K.AMENDMENT, [(60, CAL, 30, "45 CFR 164.526(b)(2)")], id="amendment-hipaa"
        ),
        pytest.param(
            "TX", K.ACCOUNTING, [(60, CAL, 30, "45 CFR 164.528(c)(1)")], id="accounting-hipaa"
        ),
        pytest.param("ZZ", K.ACCESS_COPY, [HIPAA_ACCESS], id="unknown-state-hipaa-only"),
    ],
)
def test_legal_deadlines(jurisdiction: str, key: DeadlineKey, expected: list[tuple]) -> None:
    found = legal_deadlines(jurisdiction, key)
    assert [(law.days, law.unit, law.extension_days, law.citation) for law in found] == expected


# fmt: off
# (jurisdiction, key, received, due, latest extended, citation of the binding law)
LAW_ONLY_CASES = [
    pytest.param("MA", K.ACCESS_COPY, D(2026, 11, 26), D(2026, 12, 26), D(2027, 1, 25),
                 HIPAA_ACCESS[3], id="ma-thanksgiving-receipt-due-saturday-not-moved"),
    pytest.param("MA", K.ACCESS_COPY, D(2028, 1, 30), D(2028, 2, 29), D(2028, 3, 30),
                 HIPAA_ACCESS[3], id="ma-due-on-leap-day"),
    pytest.param("MA", K.ACCESS_COPY, D(2027, 1, 30), D(2027, 3, 1), D(2027, 3, 31),
                 HIPAA_ACCESS[3], id="ma-non-leap-february"),
    pytest.param("CA", K.ACCESS_COPY, D(2026, 12, 20), D(2027, 1, 4), None, CA,
                 id="ca-copy-over-year-end-no-extension"),
    pytest.param("CA", K.ACCESS_COPY, D(2026, 12, 17), D(2027, 1, 1), None, CA,
                 id="ca-copy-due-on-new-year-not-moved"),
    pytest.param("CA", K.DIRECTED, D(2026, 12, 10), D(2026, 12, 25), None, CA,
                 id="ca-directed-due-on-christmas-not-moved"),
    pytest.param("CA", K.ACCESS_INSPECTION, D(2026, 11, 20), D(2026, 12, 1), None, CA,
                 id="ca-inspection-thanksgiving-and-day-after"),
    pytest.param("CA", K.ACCESS_INSPECTION, D(2026, 3, 28), D(2026, 4, 6), None, CA,
                 id="ca-inspection-saturday-receipt-chavez-day"),
    pytest.param("CA", K.ACCESS_INSPECTION, D(2028, 2, 25), D(2028, 3, 3), None, CA,
                 id="ca-inspection-over-leap-day"),
    pytest.param("TX", K.ACCESS_COPY, D(2026, 12, 23), D(2027, 1, 20), None, TX,
                 id="tx-15-business-days-christmas-new-year-mlk-confederate-day"),
    pytest.param("WA", K.ACCESS_COPY, D(2026, 11, 25), D(2026, 12, 18), D(2026, 12, 29), WA,
                 id="wa-15-working-days-extended-to-21"),
    pytest.param("MT", K.ACCESS_COPY, D(2026, 12, 22), D(2027, 1, 1), D(2027, 1, 12), MT,
                 id="mt-10-days-extended-to-21"),
    pytest.param("MA", K.AMENDMENT, D(2028, 1, 1), D(2028, 3, 1), D(2028, 3, 31),
                 "45 CFR 164.526(b)(2)", id="amendment-60-days-leap-year"),
    pytest.param("CA", K.ACCOUNTING, D(2026, 1, 1), D(2026, 3, 2), D(2026, 4, 1),
                 "45 CFR 164.528(c)(1)", id="accounting-60-days"),
    pytest.param("ZZ", K.ACCESS_COPY, D(2026, 12, 31), D(2027, 1, 30), D(2027, 3, 1),
                 HIPAA_ACCESS[3], id="unknown-state-hipaa"),
]
# fmt: on


@pytest.mark.parametrize(
    ("jurisdiction", "key", "received", "due", "extended", "citation"), LAW_ONLY_CASES
)
def test_compute_due_from_law(
    closed,
    jurisdiction: str,
    key: DeadlineKey,
    received: date,
    due: date,
    extended: date | None,
    citation: str,
) -> None:
    result = compute_due(
        received_on=received,
        key=key,
        jurisdiction=jurisdiction,
        rule=None,
        closed=closed(jurisdiction if jurisdiction != "ZZ" else None),
    )
    assert (result.due_on, result.latest_extended_due_on) == (due, extended)
    assert result.binding == BINDING_LAW
    assert result.citation == citation
    assert citation in result.rule_text


# fmt: off
POLICY_CASES = [
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(15, WORK), D(2026, 11, 20), D(2026, 12, 14),
                 None, BINDING_POLICY, HIPAA_ACCESS[3],
                 id="dana-farber-15-business-days-no-extension-configured"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(15, WORK, 15), D(2026, 11, 20), D(2026, 12, 14),
                 D(2027, 1, 6), BINDING_POLICY, HIPAA_ACCESS[3],
                 id="policy-extension-in-working-days-over-year-end"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(20, CAL, 40), D(2026, 11, 20), D(2026, 12, 10),
                 D(2027, 1, 19), BINDING_POLICY, HIPAA_ACCESS[3],
                 id="law-extension-caps-a-longer-policy-extension"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(30, CAL, 30), D(2026, 11, 26), D(2026, 12, 26),
                 D(2027, 1, 25), BINDING_LAW, HIPAA_ACCESS[3], id="tie-names-the-law"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, CAL, moves_to_open_day=True),
                 D(2026, 12, 17), D(2027, 1, 1), None, BINDING_LAW, CA,
                 id="law-does-not-move-even-when-policy-would"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(10, WORK), D(2026, 3, 27), D(2026, 4, 11), None,
                 BINDING_LAW, CA, id="ca-law-due-saturday-stricter-than-working-day-policy"),
    pytest.param("CA", K.AUTHORIZED, DeadlineRule(15, CAL, moves_to_open_day=True), D(2026, 12, 17),
                 D(2027, 1, 4), None, BINDING_POLICY, "",
                 id="authorized-policy-moves-off-new-year"),
    pytest.param("MA", K.AUTHORIZED, DeadlineRule(30, CAL, 30), D(2026, 11, 26), D(2026, 12, 26),
                 D(2027, 1, 25), BINDING_POLICY, "", id="authorized-policy-only-with-extension"),
    pytest.param("CA", K.CONTINUITY, DeadlineRule(2, WORK), D(2026, 11, 25), D(2026, 12, 1), None,
                 BINDING_POLICY, "", id="continuity-2-working-days-thanksgiving"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(10, CAL), D(2026, 3, 4), D(2026, 3, 14), None,
                 BINDING_POLICY, HIPAA_ACCESS[3], id="calendar-policy-on-saturday-stays"),
    pytest.param("MA", K.AUTHORIZED, DeadlineRule(10, CAL, moves_to_open_day=True), D(2026, 3, 4),
                 D(2026, 3, 16), None, BINDING_POLICY, "",
                 id="calendar-policy-moves-saturday-to-monday"),
    pytest.param("MA", K.AUTHORIZED, DeadlineRule(10, CAL, 10, moves_to_open_day=True),
                 D(2026, 6, 24), D(2026, 7, 6), D(2026, 7, 14), BINDING_POLICY, "",
                 id="extension-counts-from-unmoved-due-date"),
]
# fmt: on


@pytest.mark.parametrize(
    ("jurisdiction", "key", "rule", "received", "due", "extended", "binding", "citation"),
    POLICY_CASES,
)
def test_compute_due_with_policy(
    closed,
    jurisdiction: str,
    key: DeadlineKey,
    rule: DeadlineRule,
    received: date,
    due: date,
    extended: date | None,
    binding: str,
    citation: str,
) -> None:
    result = compute_due(
        received_on=received,
        key=key,
        jurisdiction=jurisdiction,
        rule=rule,
        closed=closed(jurisdiction),
    )
    assert (result.due_on, result.latest_extended_due_on) == (due, extended)
    assert (result.binding, result.citation) == (binding, citation)
    assert result.rule_parts["binding"] == binding
    assert result.rule_text == rule_text(result.rule_parts)


@pytest.mark.parametrize(
    ("jurisdiction", "key"),
    [
        pytest.param("MA", K.AUTHORIZED, id="authorized-hipaa-only"),
        pytest.param("CA", K.AUTHORIZED, id="authorized-ca"),
        pytest.param("CA", K.CONTINUITY, id="continuity"),
    ],
)
def test_compute_due_without_law_or_rule_is_an_error(
    closed, jurisdiction: str, key: DeadlineKey
) -> None:
    with pytest.raises(ValueError):
        compute_due(
            received_on=D(2026, 5, 1),
            key=key,
            jurisdiction=jurisdiction,
            rule=None,
            closed=closed(jurisdiction),
        )


@pytest.mark.parametrize(
    ("jurisdiction", "key", "expected"),
    [
        pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, CAL), id="ca-copy"),
        pytest.param("CA", K.ACCESS_INSPECTION, DeadlineRule(5, WORK), id="ca-inspection"),
        pytest.param("CA", K.DIRECTED, DeadlineRule(15, CAL), id="ca-directed"),
        pytest.param("CA", K.AUTHORIZED, DeadlineRule(15, CAL), id="ca-authorized"),
        pytest.param("CA", K.CONTINUITY, DeadlineRule(2, WORK), id="ca-continuity"),
        pytest.param("CA", K.AMENDMENT, DeadlineRule(60, CAL, 30), id="ca-amendment"),
        pytest.param("CA", K.ACCOUNTING, DeadlineRule(60, CAL, 30), id="ca-accounting"),
        pytest.param("MA", K.ACCESS_COPY, DeadlineRule(30, CAL, 30), id="ma-copy"),
        pytest.param("MA", K.ACCESS_INSPECTION, DeadlineRule(30, CAL, 30), id="ma-inspection"),
        pytest.param("MA", K.DIRECTED, DeadlineRule(30, CAL, 30), id="ma-directed"),
        pytest.param("MA", K.AUTHORIZED, DeadlineRule(30, CAL, 30), id="ma-authorized"),
        pytest.param("MA", K.CONTINUITY, DeadlineRule(2, WORK), id="ma-continuity"),
        pytest.param("MA", K.AMENDMENT, DeadlineRule(60, CAL, 30), id="ma-amendment"),
        pytest.param("MA", K.ACCOUNTING, DeadlineRule(60, CAL, 30), id="ma-accounting"),
        pytest.param("TX", K.ACCESS_COPY, DeadlineRule(15, WORK), id="tx-copy"),
        pytest.param("WA", K.ACCESS_COPY, DeadlineRule(15, WORK, 6), id="wa-copy"),
        pytest.param("MT", K.DIRECTED, DeadlineRule(10, CAL, 11), id="mt-directed"),
        pytest.param("ca", K.ACCESS_COPY, DeadlineRule(15, CAL), id="lowercase"),
    ],
)
def test_default_rules(jurisdiction: str, key: DeadlineKey, expected: DeadlineRule) -> None:
    assert default_rules(jurisdiction)[key] == expected


def test_default_rules_cover_every_key_and_return_a_copy() -> None:
    rules = default_rules("NY")
    assert set(rules) == set(DeadlineKey)
    rules[K.ACCESS_COPY] = DeadlineRule(1, CAL)
    assert default_rules("NY")[K.ACCESS_COPY] == DeadlineRule(30, CAL, 30)


@pytest.mark.parametrize("jurisdiction", sorted(DEFAULT_RULES))
def test_default_rules_never_exceed_the_law(closed, jurisdiction: str) -> None:
    state = None if jurisdiction == "US" else jurisdiction
    for key, rule in default_rules(jurisdiction).items():
        errors = validate_rule(
            jurisdiction=jurisdiction,
            key=key,
            rule=rule,
            closed=closed(state),
            start=D(2026, 1, 1),
            span_days=366 * 2,
        )
        assert errors == [], (key, errors)


# fmt: off
# (jurisdiction, key, rule, start, for each expected error: the texts it must mention)
VALIDATION_CASES = [
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(15, WORK), D(2026, 1, 1), [],
                 id="dana-farber-15-business-days-ok"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(15, WORK, 15), D(2026, 1, 1), [],
                 id="working-day-extension-within-hipaa"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(31, CAL), D(2026, 1, 1),
                 [["2026-01-01", "2026-02-01", "2026-01-31", "45 CFR 164.524(b)(2)"]],
                 id="one-day-too-long"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(45, CAL, 30), D(2026, 1, 1),
                 [["2026-01-01", "2026-02-15", "2026-01-31"],
                  ["2026-01-01", "2026-03-17", "2026-03-02"]],
                 id="one-error-per-kind-not-one-per-day"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, WORK), D(2026, 1, 1),
                 [["2026-01-01", "2026-01-23", "2026-01-16", CA]],
                 id="ca-working-days-longer-than-15-days"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, CAL, moves_to_open_day=True), D(2026, 1, 1),
                 [["2026-01-02", "2026-01-20", "2026-01-17", CA]],
                 id="ca-moving-off-weekend-and-mlk-breaks-the-law"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, CAL), D(2026, 1, 1), [], id="ca-15-days-ok"),
    pytest.param("CA", K.ACCESS_COPY, DeadlineRule(15, CAL, 5), D(2026, 1, 1),
                 [["2026-01-01", "2026-01-21", "2026-01-16", CA]], id="ca-allows-no-extension"),
    pytest.param("CA", K.ACCESS_INSPECTION, DeadlineRule(5, WORK), D(2026, 1, 1), [],
                 id="ca-inspection-5-working-ok"),
    pytest.param("CA", K.ACCESS_INSPECTION, DeadlineRule(7, CAL), D(2026, 1, 1),
                 [["2026-01-03", "2026-01-10", "2026-01-09", CA]],
                 id="ca-7-calendar-days-too-long-for-a-saturday-receipt"),
    pytest.param("WA", K.ACCESS_COPY, DeadlineRule(15, WORK, 6), D(2026, 1, 1), [],
                 id="wa-15-plus-6-ok"),
    pytest.param("WA", K.ACCESS_COPY, DeadlineRule(15, WORK, 7), D(2026, 1, 1),
                 [["2026-01-01", WA]], id="wa-extension-past-21-working-days"),
    pytest.param("MT", K.ACCESS_COPY, DeadlineRule(10, CAL, 11), D(2026, 1, 1), [],
                 id="mt-10-plus-11-ok"),
    pytest.param("MT", K.DIRECTED, DeadlineRule(10, CAL, 12), D(2026, 1, 1),
                 [["2026-01-01", "2026-01-23", "2026-01-22", MT]], id="mt-extension-past-21"),
    pytest.param("TX", K.ACCESS_COPY, DeadlineRule(15, WORK, 1), D(2026, 1, 1),
                 [["2026-01-01", TX]], id="tx-allows-no-extension"),
    pytest.param("MA", K.AMENDMENT, DeadlineRule(60, CAL, 30), D(2028, 1, 1), [],
                 id="amendment-60-plus-30-ok"),
    pytest.param("MA", K.AMENDMENT, DeadlineRule(60, CAL, 31), D(2028, 1, 1),
                 [["2028-01-01", "2028-04-01", "2028-03-31", "45 CFR 164.526(b)(2)"]],
                 id="amendment-extension-too-long-leap-year"),
    pytest.param("CA", K.AUTHORIZED, DeadlineRule(400, CAL, 400), D(2026, 1, 1), [],
                 id="no-law-for-authorizations"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(0, CAL), D(2026, 1, 1), [[]], id="zero-days"),
    pytest.param("MA", K.ACCESS_COPY, DeadlineRule(15, CAL, -1), D(2026, 1, 1), [[]],
                 id="negative-extension"),
    pytest.param("CA", K.AUTHORIZED, DeadlineRule(-1, CAL, -1), D(2026, 1, 1), [[], []],
                 id="both-basic-errors-even-without-law"),
]
# fmt: on


@pytest.mark.parametrize(("jurisdiction", "key", "rule", "start", "expected"), VALIDATION_CASES)
def test_validate_rule(
    closed,
    jurisdiction: str,
    key: DeadlineKey,
    rule: DeadlineRule,
    start: date,
    expected: list[list[str]],
) -> None:
    errors = validate_rule(
        jurisdiction=jurisdiction, key=key, rule=rule, closed=closed(jurisdiction), start=start
    )
    assert len(errors) == len(expected), errors
    for error, texts in zip(errors, expected, strict=True):
        for text in texts:
            assert text in error


def test_validate_rule_span_limits_the_simulation(closed) -> None:
    # 7 calendar days beat 5 CA working days except after a weekend or holiday receipt; a span
    # of Monday 2026-01-05 to Friday 2026-01-09 has none of those.
    rule = DeadlineRule(7, CAL)
    kwargs = {"jurisdiction": "CA", "key": K.ACCESS_INSPECTION, "rule": rule}
    assert validate_rule(**kwargs, closed=closed("CA"), start=D(2026, 1, 5), span_days=5) == []
    assert validate_rule(**kwargs, closed=closed("CA"), start=D(2026, 1, 5), span_days=6) != []


# fmt: off
SHIFT_CASES = [
    pytest.param("MA", D(2026, 12, 26), D(2026, 12, 1), D(2026, 12, 11), CAL, D(2027, 1, 5),
                 id="calendar-10-days-over-year-end"),
    pytest.param("CA", D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 30), WORK, D(2026, 11, 25),
                 id="working-pause-over-thanksgiving-counts-3"),
    pytest.param("CA", D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 23), WORK, D(2026, 11, 20),
                 id="resumed-same-day-no-shift"),
    pytest.param("CA", D(2027, 12, 22), D(2027, 12, 20), D(2027, 12, 22), WORK, D(2027, 12, 27),
                 id="working-shift-skips-observed-christmas"),
    pytest.param("MA", D(2028, 2, 20), D(2028, 2, 1), D(2028, 2, 10), CAL, D(2028, 2, 29),
                 id="calendar-shift-onto-leap-day"),
]
# fmt: on


@pytest.mark.parametrize(("subdiv", "due", "paused", "resumed", "unit", "expected"), SHIFT_CASES)
def test_shift_for_pause(
    closed, subdiv: str, due: date, paused: date, resumed: date, unit: DayUnit, expected: date
) -> None:
    result = shift_for_pause(
        due_on=due, paused_on=paused, resumed_on=resumed, unit=unit, closed=closed(subdiv)
    )
    assert result == expected


@pytest.mark.parametrize(
    ("due", "today", "left", "level"),
    [
        pytest.param(D(2026, 12, 31), D(2027, 1, 1), -1, Urgency.OVERDUE, id="overdue-new-year"),
        pytest.param(D(2026, 12, 31), D(2026, 12, 31), 0, Urgency.DUE_TODAY, id="due-today"),
        pytest.param(D(2026, 12, 31), D(2026, 12, 30), 1, Urgency.DUE_SOON, id="tomorrow"),
        pytest.param(D(2026, 12, 31), D(2026, 12, 28), 3, Urgency.DUE_SOON, id="three-days"),
        pytest.param(D(2026, 12, 31), D(2026, 12, 27), 4, Urgency.ON_TRACK, id="four-days"),
        pytest.param(D(2028, 3, 1), D(2028, 2, 28), 2, Urgency.DUE_SOON, id="over-leap-day"),
        pytest.param(D(2027, 3, 1), D(2027, 2, 28), 1, Urgency.DUE_SOON, id="no-leap-day"),
    ],
)
def test_days_left_and_urgency(due: date, today: date, left: int, level: str) -> None:
    assert days_left(due, today) == left
    assert urgency(due, today) == level
    assert urgency(due, today) in {"overdue", "due_today", "due_soon", "on_track"}


CA_COPY = {"binding": "law", "law": "CA", "days": 15, "unit": "calendar", "citation": CA}
TEN_WORKING = {"binding": "policy", "days": 10, "unit": "working", "citation": HIPAA_ACCESS[3]}


def test_the_rule_is_stored_as_parts_without_words(closed) -> None:
    due = compute_due(
        received_on=D(2026, 3, 2),
        key=K.ACCESS_COPY,
        jurisdiction="CA",
        rule=None,
        closed=closed("CA"),
    )
    assert due.rule_parts == CA_COPY
    policy = compute_due(
        received_on=D(2026, 3, 2),
        key=K.ACCESS_COPY,
        jurisdiction="MA",
        rule=DeadlineRule(10, WORK),
        closed=closed("MA"),
    )
    assert policy.rule_parts == TEN_WORKING


@pytest.mark.parametrize(
    ("parts", "english", "spanish"),
    [
        pytest.param(
            CA_COPY,
            f"California law: within 15 days ({CA})",
            f"Ley de California: en un plazo de 15 días ({CA})",
            id="state-law",
        ),
        pytest.param(
            {**CA_COPY, "law": "HIPAA", "days": 30, "citation": "45 CFR 164.524(b)(2)"},
            "Federal law (HIPAA): within 30 days (45 CFR 164.524(b)(2))",
            "Ley federal (HIPAA): en un plazo de 30 días (45 CFR 164.524(b)(2))",
            id="hipaa",
        ),
        pytest.param(
            TEN_WORKING,
            "Our policy: within 10 working days",
            "Nuestra política: en un plazo de 10 días hábiles",
            id="policy-working-days",
        ),
        pytest.param(
            {**TEN_WORKING, "days": 1, "unit": "calendar"},
            "Our policy: within 1 day",
            "Nuestra política: en un plazo de 1 día",
            id="policy-one-day",
        ),
    ],
)
def test_rule_text_is_written_in_the_readers_language(parts, english, spanish) -> None:
    with translation.override("en"):
        assert rule_text(parts) == english
    with translation.override("es"):
        assert rule_text(parts) == spanish


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param({}, id="empty"),
        pytest.param({**CA_COPY, "law": "ZZ"}, id="unknown-law"),
        pytest.param({**CA_COPY, "binding": "custom"}, id="unknown-binding"),
        pytest.param({**CA_COPY, "unit": "fortnight"}, id="unknown-unit"),
        pytest.param({**CA_COPY, "days": "fifteen"}, id="days-not-a-number"),
        pytest.param({**CA_COPY, "days": 0}, id="no-days"),
        pytest.param({**TEN_WORKING, "days": None}, id="days-missing"),
        pytest.param({**CA_COPY, "law": ["CA"]}, id="law-a-list"),
        pytest.param({**CA_COPY, "law": {"key": "CA"}}, id="law-an-object"),
        pytest.param({**CA_COPY, "unit": ["calendar"]}, id="unit-a-list"),
        pytest.param({**CA_COPY, "binding": ["law"]}, id="binding-a-list"),
        pytest.param(["law", 15], id="parts-a-list"),
        pytest.param("California law", id="parts-a-string"),
    ],
)
def test_rule_text_of_parts_it_cannot_read_is_empty(parts) -> None:
    assert rule_text(parts) == ""
