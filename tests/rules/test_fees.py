from __future__ import annotations

from decimal import Decimal

import pytest

from requests_app.rules.fees import FeeInput, FeeSchedule, estimate_fee, validate_schedule
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind, ThirdPartyType

M = Decimal
K = RequestKind
Dl = DeliveryMethod
SELF = RequesterRole.SELF
TP = RequesterRole.THIRD_PARTY
DEFAULT = FeeSchedule()
KECK = FeeSchedule(free_record_years=2, postage=M("2.00"))
FLAT = FeeSchedule(electronic_flat_fee=M("6.50"), media_fee=M("3.00"), postage=M("1.50"))
MEDIA = FeeSchedule(media_fee=M("3.00"), postage=M("1.50"))
MAILING = FeeSchedule(postage=M("2.00"))
THIRD = FeeSchedule(third_party_base_fee=M("15.00"), postage=M("3.00"), media_fee=M("3.00"))
PRICEY_THIRD = FeeSchedule(
    third_party_per_page=M("0.50"), third_party_clerical_per_quarter_hour=M("10")
)


def inp(kind: RequestKind, delivery: DeliveryMethod, **kwargs: object) -> FeeInput:
    role = kwargs.pop("role", SELF)
    return FeeInput(kind=kind, requester_role=role, delivery=delivery, **kwargs)


# fmt: off
CASES = [
    # Free kinds.
    pytest.param("CA", inp(K.CONTINUITY, Dl.FAX, pages=300), MAILING, "0.00", "provider",
                 id="continuity-free"),
    pytest.param("MA", inp(K.AMENDMENT, Dl.MAIL), MAILING, "0.00", "164.526", id="amendment-free"),
    pytest.param("MA", inp(K.ACCOUNTING, Dl.MAIL), FeeSchedule(accounting_fee=M("5")), "0.00",
                 "164.528", id="first-accounting-in-12-months-free"),
    pytest.param("MA", inp(K.ACCOUNTING, Dl.MAIL, prior_accounting_within_12_months=True),
                 FeeSchedule(accounting_fee=M("5")), "5.00", "164.528(c)(2)",
                 id="second-accounting-cost-based-fee"),
    pytest.param("MA", inp(K.ACCOUNTING, Dl.PORTAL, prior_accounting_within_12_months=True),
                 DEFAULT, "0.00", "164.528", id="second-accounting-no-fee-configured"),
    pytest.param("CA", inp(K.ACCESS, Dl.INSPECTION, pages=500, electronic_records=False), MAILING,
                 "0.00", "164.524(c)(4)", id="inspection-free"),
    # Patient rate, electronic copies of electronic records.
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL, pages=800), DEFAULT, "0.00", "164.524(c)(4)",
                 id="portal-no-per-page-fee"),
    pytest.param("MA", inp(K.ACCESS, Dl.SECURE_EMAIL, pages=800), FLAT, "6.50", "164.524(c)(4)",
                 id="optional-flat-fee"),
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL), FeeSchedule(electronic_flat_fee=M("10")), "6.50",
                 "164.524(c)(4)", id="flat-fee-capped-at-6.50"),
    pytest.param("MA", inp(K.ACCESS, Dl.CD), FLAT, "6.50", "164.524(c)(4)",
                 id="flat-fee-includes-media-and-postage"),
    pytest.param("MA", inp(K.ACCESS, Dl.USB), MEDIA, "4.50", "164.524(c)(4)",
                 id="usb-mailed-media-and-postage"),
    pytest.param("MA", inp(K.ACCESS, Dl.CD, media_mailed=False), MEDIA, "3.00", "164.524(c)(4)",
                 id="cd-picked-up-no-postage"),
    pytest.param("MA", inp(K.ACCESS, Dl.FAX, pages=40), DEFAULT, "0.00", "164.524(c)(4)",
                 id="fax-no-per-page-fee"),
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL, summary_requested=True),
                 FeeSchedule(summary_fee=M("20")), "20.00", "164.524(c)(4)", id="agreed-summary"),
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL, summary_requested=True),
                 FeeSchedule(summary_fee=M("20"), electronic_flat_fee=M("6.50")), "26.50",
                 "164.524(c)(4)", id="summary-on-top-of-flat-fee"),
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL), FeeSchedule(summary_fee=M("20")), "0.00",
                 "164.524(c)(4)", id="summary-not-asked-not-charged"),
    # Patient rate, paper.
    pytest.param("MA", inp(K.ACCESS, Dl.MAIL, pages=100), MAILING, "2.00", "164.524(c)(4)",
                 id="paper-copy-of-electronic-records-no-per-page-fee"),
    pytest.param("MA", inp(K.ACCESS, Dl.MAIL, pages=100, electronic_records=False), MAILING,
                 "27.00", "164.524(c)(4)", id="paper-records-per-page-and-postage"),
    pytest.param("MA", inp(K.ACCESS, Dl.PICKUP, pages=100, electronic_records=False), MAILING,
                 "25.00", "164.524(c)(4)", id="pickup-no-postage"),
    pytest.param("MA", inp(K.ACCESS, Dl.PORTAL, pages=100, electronic_records=False), DEFAULT,
                 "25.00", "164.524(c)(4)", id="scanning-paper-records-per-page"),
    pytest.param("MA", inp(K.ACCESS, Dl.PICKUP, pages=100, electronic_records=False),
                 FeeSchedule(per_page_paper=M("0.40")), "40.00", "164.524(c)(4)",
                 id="ma-schedule-rate"),
    pytest.param("CA", inp(K.ACCESS, Dl.PICKUP, pages=100, electronic_records=False),
                 FeeSchedule(per_page_paper=M("0.40")), "25.00", "123110",
                 id="ca-caps-paper-at-0.25"),
    pytest.param("CA", inp(K.ACCESS, Dl.PICKUP, microfilm_pages=10),
                 FeeSchedule(per_page_microfilm=M("0.75")), "5.00", "123110",
                 id="ca-microfilm-0.50-even-with-electronic-records"),
    pytest.param("MA", inp(K.ACCESS, Dl.PICKUP, pages=3, electronic_records=False),
                 FeeSchedule(per_page_paper=M("0.125")), "0.39", "164.524(c)(4)",
                 id="unit-price-rounded-to-cents"),
    # Keck: the first two years of records free, pages spread evenly over the years.
    pytest.param("CA", inp(K.ACCESS, Dl.MAIL, pages=100, record_years=5, electronic_records=False),
                 KECK, "17.00", "123110", id="keck-5-years-bills-60-pages"),
    pytest.param("CA", inp(K.ACCESS, Dl.MAIL, pages=100, record_years=3, electronic_records=False),
                 KECK, "10.50", "123110", id="keck-3-years-rounds-up-to-34-pages"),
    pytest.param("CA", inp(K.ACCESS, Dl.MAIL, pages=100, record_years=2, electronic_records=False),
                 KECK, "2.00", "123110", id="keck-2-years-free-pages"),
    # Public-benefit appeals.
    pytest.param("CA",
                 inp(K.ACCESS, Dl.MAIL, pages=100, electronic_records=False, benefit_appeal=True),
                 MAILING, "0.00", "123110(d)", id="ca-benefit-appeal-free"),
    pytest.param("CA",
                 inp(K.ACCESS, Dl.MAIL, pages=100, electronic_records=False, benefit_appeal=True),
                 FeeSchedule(benefit_appeal_free=False, postage=M("2")), "0.00", "123110(d)",
                 id="ca-benefit-appeal-free-by-law-whatever-the-schedule"),
    pytest.param("MA",
                 inp(K.ACCESS, Dl.MAIL, pages=100, electronic_records=False, benefit_appeal=True),
                 MAILING, "0.00", "benefit", id="ma-entity-waives-for-benefit-appeal"),
    pytest.param("MA",
                 inp(K.ACCESS, Dl.MAIL, pages=100, electronic_records=False, benefit_appeal=True),
                 FeeSchedule(benefit_appeal_free=False, postage=M("2")), "27.00", "164.524(c)(4)",
                 id="ma-no-waiver-configured"),
    pytest.param("CA", inp(K.AUTHORIZED, Dl.MAIL, pages=100, benefit_appeal=True, role=TP),
                 THIRD, "0.00", "123110(d)", id="ca-benefit-appeal-via-legal-aid-authorization"),
    # Directed copies: patient rate only for electronic copies of electronic records.
    pytest.param("MA", inp(K.DIRECTED, Dl.SECURE_EMAIL, pages=300), FLAT, "6.50", "164.524(c)(4)",
                 id="directed-ehr-ecopy-patient-rate"),
    pytest.param("CA", inp(K.DIRECTED, Dl.FAX, pages=30), DEFAULT, "0.00", "164.524(c)(4)",
                 id="directed-fax-to-provider-patient-rate"),
    pytest.param("CA", inp(K.DIRECTED, Dl.MAIL, pages=100), MAILING, "12.00", "Ciox",
                 id="directed-paper-third-party-rate"),
    pytest.param("CA", inp(K.DIRECTED, Dl.MAIL, pages=100, clerical_quarter_hours=2), MAILING,
                 "20.00", "1158", id="directed-paper-with-clerical-time"),
    pytest.param("MA", inp(K.DIRECTED, Dl.PORTAL, pages=50, electronic_records=False), DEFAULT,
                 "5.00", "Ciox", id="directed-scanned-paper-records-third-party"),
    # Third parties under authorization.
    pytest.param("CA",
                 inp(K.AUTHORIZED, Dl.MAIL, pages=200, clerical_quarter_hours=4, role=TP,
                     third_party_type=ThirdPartyType.ATTORNEY),
                 THIRD, "54.00", "1158", id="ca-attorney-evidence-code-1158"),
    pytest.param("CA", inp(K.AUTHORIZED, Dl.MAIL, pages=100, clerical_quarter_hours=1, role=TP),
                 PRICEY_THIRD, "14.00", "1158", id="ca-caps-third-party-rates"),
    pytest.param("MA", inp(K.AUTHORIZED, Dl.MAIL, pages=100, clerical_quarter_hours=1, role=TP),
                 PRICEY_THIRD, "60.00", "164.508", id="ma-third-party-schedule"),
    pytest.param("CA", inp(K.AUTHORIZED, Dl.PORTAL, pages=100, role=TP),
                 THIRD, "25.00", "164.508", id="authorized-portal-no-postage"),
    pytest.param("CA",
                 inp(K.AUTHORIZED, Dl.USB, microfilm_pages=10, role=TP),
                 THIRD, "23.00", "1158", id="authorized-microfilm-media-postage"),
]
# fmt: on


@pytest.mark.parametrize(("jurisdiction", "fee_input", "schedule", "total", "basis"), CASES)
def test_estimate_fee(
    jurisdiction: str, fee_input: FeeInput, schedule: FeeSchedule, total: str, basis: str
) -> None:
    estimate = estimate_fee(fee_input, schedule, jurisdiction=jurisdiction)
    assert estimate.total == M(total)
    assert estimate.total.as_tuple().exponent == -2
    assert sum((line.amount for line in estimate.lines), M("0")) == estimate.total
    assert all(line.amount > 0 for line in estimate.lines)
    assert basis in estimate.basis


# fmt: off
LINE_CASES = [
    pytest.param(inp(K.ACCESS, Dl.MAIL, pages=100, record_years=5, electronic_records=False),
                 [(60, M("0.25"), M("15.00")), (1, M("2.00"), M("2.00"))],
                 id="keck-pages-and-postage"),
    pytest.param(inp(K.ACCESS, Dl.MAIL, microfilm_pages=7, record_years=1),
                 [(1, M("2.00"), M("2.00"))], id="keck-one-year-of-microfilm-is-free"),
    pytest.param(inp(K.ACCESS, Dl.MAIL, microfilm_pages=7, record_years=3),
                 [(3, M("0.50"), M("1.50")), (1, M("2.00"), M("2.00"))],
                 id="keck-microfilm-one-paid-year-of-three"),
]
# fmt: on


@pytest.mark.parametrize(("fee_input", "lines"), LINE_CASES)
def test_estimate_fee_lines(fee_input: FeeInput, lines: list[tuple]) -> None:
    estimate = estimate_fee(fee_input, KECK, jurisdiction="CA")
    assert [(x.quantity, x.unit_price, x.amount) for x in estimate.lines] == lines


@pytest.mark.parametrize(
    "fee_input",
    [
        pytest.param(inp(K.ACCESS, Dl.MAIL, pages=-1), id="negative-pages"),
        pytest.param(inp(K.ACCESS, Dl.MAIL, microfilm_pages=-1), id="negative-microfilm"),
        pytest.param(inp(K.AUTHORIZED, Dl.MAIL, clerical_quarter_hours=-1), id="neg-clerical"),
        pytest.param(inp(K.ACCESS, Dl.MAIL, record_years=0), id="zero-years"),
    ],
)
def test_estimate_fee_rejects_impossible_input(fee_input: FeeInput) -> None:
    with pytest.raises(ValueError):
        estimate_fee(fee_input, DEFAULT, jurisdiction="CA")


# fmt: off
SCHEDULE_CASES = [
    pytest.param("CA", DEFAULT, [], id="ca-defaults-ok"),
    pytest.param("MA", DEFAULT, [], id="ma-defaults-ok"),
    pytest.param("CA", KECK, [], id="keck-ok"),
    pytest.param("MA", FeeSchedule(electronic_flat_fee=M("6.50")), [], id="flat-6.50-ok"),
    pytest.param("MA", FeeSchedule(electronic_flat_fee=M("6.51")), ["6.50"],
                 id="flat-over-6.50"),
    pytest.param("MA", FeeSchedule(postage=M("-1")), ["Postage"], id="negative-postage"),
    pytest.param("MA", FeeSchedule(free_record_years=-1), ["free years of records"],
                 id="negative-free-years"),
    pytest.param("MA", FeeSchedule(media_fee=M("-0.01"), accounting_fee=M("-1")),
                 ["CD, DVD or USB", "second accounting"], id="two-negatives"),
    pytest.param("MA", FeeSchedule(per_page_paper=M("0.26")), [], id="ma-no-state-cap"),
    pytest.param("CA", FeeSchedule(per_page_paper=M("0.26")), ["123110"],
                 id="ca-paper-over-0.25"),
    pytest.param("CA", FeeSchedule(per_page_microfilm=M("0.51")), ["123110"],
                 id="ca-microfilm-over-0.50"),
    pytest.param("CA",
                 FeeSchedule(third_party_per_page=M("0.11"),
                             third_party_clerical_per_quarter_hour=M("4.01")),
                 ["1158", "1158"], id="ca-evidence-code-1158-limits"),
    pytest.param("CA", FeeSchedule(third_party_per_page_microfilm=M("0.21")), ["1158"],
                 id="ca-third-party-microfilm-over-0.20"),
    pytest.param("CA", FeeSchedule(benefit_appeal_free=False), ["123110(d)"],
                 id="ca-benefit-appeals-must-be-free"),
    pytest.param("MA", FeeSchedule(benefit_appeal_free=False), [], id="ma-waiver-optional"),
]
# fmt: on


@pytest.mark.parametrize(("jurisdiction", "schedule", "mentions"), SCHEDULE_CASES)
def test_validate_schedule(jurisdiction: str, schedule: FeeSchedule, mentions: list[str]) -> None:
    errors = validate_schedule(schedule, jurisdiction=jurisdiction)
    assert len(errors) == len(mentions), errors
    for error, text in zip(errors, mentions, strict=True):
        assert text in error
