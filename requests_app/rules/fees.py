"""Fee estimates shown before submit, and checks on an entity's fee schedule.

DOMAIN.md section 5. Two fee models:
- the patient rate (45 CFR 164.524(c)(4)): only copying labor, supplies the patient asked for,
  postage and an agreed summary; never search, retrieval, verification or storage;
- the third-party schedule for disclosures under authorization (164.508), and for directed
  copies that are not electronic copies of electronic records (Ciox Health v. Azar, D.D.C.
  2020, vacated the patient rate for those).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .kinds import (
    ELECTRONIC_DELIVERY,
    MEDIA_DELIVERY,
    DeliveryMethod,
    RequesterRole,
    RequestKind,
    ThirdPartyType,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# HHS access guidance on 164.524(c)(4): an optional flat fee of at most $6.50 for electronic
# copies of records kept electronically, inclusive of all labor, supplies and postage.
FLAT_FEE_CAP = Decimal("6.50")
# Cal. Health & Safety Code 123110: 25 cents a page, 50 cents from microfilm.
CA_PER_PAGE_PAPER = Decimal("0.25")
CA_PER_PAGE_MICROFILM = Decimal("0.50")
# Cal. Evidence Code 1158: 10 cents a page, 20 cents from microfilm, clerical $16 an hour
# billed per quarter hour.
CA_THIRD_PARTY_PER_PAGE = Decimal("0.10")
CA_THIRD_PARTY_PER_PAGE_MICROFILM = Decimal("0.20")
CA_CLERICAL_PER_QUARTER_HOUR = Decimal("4.00")
# A fax to a provider is sent from the electronic record: no paper, no media, no postage, so
# it is priced like the other electronic deliveries.
_ELECTRONIC_LIKE = ELECTRONIC_DELIVERY | {DeliveryMethod.FAX}


@dataclass(frozen=True)
class FeeSchedule:
    per_page_paper: Decimal = CA_PER_PAGE_PAPER
    per_page_microfilm: Decimal = CA_PER_PAGE_MICROFILM
    electronic_flat_fee: Decimal = Decimal("0")  # optional, legal maximum 6.50
    media_fee: Decimal = Decimal("0")  # CD/DVD/USB supplies, actual cost
    postage: Decimal = Decimal("0")
    summary_fee: Decimal = Decimal("0")
    free_record_years: int = 0  # Keck: the first two years of records free
    third_party_per_page: Decimal = CA_THIRD_PARTY_PER_PAGE
    third_party_per_page_microfilm: Decimal = CA_THIRD_PARTY_PER_PAGE_MICROFILM
    third_party_clerical_per_quarter_hour: Decimal = CA_CLERICAL_PER_QUARTER_HOUR
    third_party_base_fee: Decimal = Decimal("0")
    accounting_fee: Decimal = Decimal("0")  # second accounting within 12 months, cost-based
    benefit_appeal_free: bool = True  # CA HSC 123110(d); outside CA, the entity's waiver


@dataclass(frozen=True)
class FeeInput:
    kind: RequestKind
    requester_role: RequesterRole
    delivery: DeliveryMethod
    pages: int = 0
    microfilm_pages: int = 0
    record_years: int = 1  # span of years the records cover, most recent first
    electronic_records: bool = True
    summary_requested: bool = False
    benefit_appeal: bool = False
    prior_accounting_within_12_months: bool = False
    clerical_quarter_hours: int = 0
    third_party_type: ThirdPartyType | None = None
    media_mailed: bool = True  # CD/USB sent by mail (False: picked up in person)


@dataclass(frozen=True)
class FeeLine:
    label: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FeeEstimate:
    lines: tuple[FeeLine, ...]
    total: Decimal
    basis: str  # plain language, with the citation of the fee model


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line(label: object, quantity: int, unit_price: Decimal) -> FeeLine:
    price = _money(unit_price)
    return FeeLine(str(label), quantity, price, _money(price * quantity))


def _estimate(lines: list[FeeLine], basis: object) -> FeeEstimate:
    kept = tuple(line for line in lines if line.amount > 0)
    return FeeEstimate(kept, _money(sum((line.amount for line in kept), ZERO)), str(basis))


def _free(basis: object) -> FeeEstimate:
    return _estimate([], basis)


def _billable(pages: int, inp: FeeInput, schedule: FeeSchedule) -> int:
    # Keck bills only the records older than the free years. Page counts are not known per
    # year, so pages are spread evenly over the years and rounded up: an estimate.
    if schedule.free_record_years <= 0:
        return pages
    paid_years = max(0, inp.record_years - schedule.free_record_years)
    return -(-pages * paid_years // inp.record_years)


def _is_ca(jurisdiction: str) -> bool:
    return jurisdiction.strip().upper() == "CA"


def _check(inp: FeeInput) -> None:
    counts = ("pages", "microfilm_pages", "clerical_quarter_hours")
    for name in counts:
        if getattr(inp, name) < 0:
            raise ValueError(f"{name} cannot be negative.")
    if inp.record_years < 1:
        raise ValueError("record_years must be at least 1.")


def _postage(inp: FeeInput, schedule: FeeSchedule) -> list[FeeLine]:
    mailed = inp.delivery == DeliveryMethod.MAIL or (
        inp.delivery in MEDIA_DELIVERY and inp.media_mailed
    )
    return [_line(_("Postage"), 1, schedule.postage)] if mailed else []


def _media(inp: FeeInput, schedule: FeeSchedule) -> list[FeeLine]:
    if inp.delivery not in MEDIA_DELIVERY:
        return []
    return [_line(_("CD, DVD or USB drive you asked for"), 1, schedule.media_fee)]


def _patient_rate(inp: FeeInput, schedule: FeeSchedule, jurisdiction: str) -> FeeEstimate:
    ca = _is_ca(jurisdiction)
    lines: list[FeeLine] = []
    if inp.electronic_records and inp.delivery in _ELECTRONIC_LIKE:
        flat = min(schedule.electronic_flat_fee, FLAT_FEE_CAP)
        if flat > 0:
            # The flat fee already includes supplies and postage (HHS guidance).
            lines.append(_line(_("Electronic copy (flat fee)"), 1, flat))
            return _estimate(lines + _summary(inp, schedule), _patient_basis(ca))
    paper_price = schedule.per_page_paper
    microfilm_price = schedule.per_page_microfilm
    if ca:
        paper_price = min(paper_price, CA_PER_PAGE_PAPER)
        microfilm_price = min(microfilm_price, CA_PER_PAGE_MICROFILM)
    # HHS does not allow per-page fees for records kept electronically, whether the copy is
    # paper or electronic; pages are charged only when copied or scanned from paper records.
    # Microfilm is never an electronic record.
    if not inp.electronic_records:
        lines.append(_line(_("Pages copied"), _billable(inp.pages, inp, schedule), paper_price))
    lines.append(
        _line(
            _("Pages copied from microfilm"),
            _billable(inp.microfilm_pages, inp, schedule),
            microfilm_price,
        )
    )
    lines += _media(inp, schedule) + _postage(inp, schedule) + _summary(inp, schedule)
    return _estimate(lines, _patient_basis(ca))


def _summary(inp: FeeInput, schedule: FeeSchedule) -> list[FeeLine]:
    # 164.524(c)(4)(iv): only when the patient asked for a summary and agreed to the fee.
    if not inp.summary_requested:
        return []
    return [_line(_("Summary of your records you asked for"), 1, schedule.summary_fee)]


def _patient_basis(ca: bool) -> object:
    if ca:
        return _(
            "Patient rate: only the cost of copying, supplies you asked for and postage, never "
            "a fee to search for or retrieve your records (45 CFR 164.524(c)(4)); at most "
            "$0.25 a page, $0.50 from microfilm (Cal. Health & Safety Code 123110)."
        )
    return _(
        "Patient rate: only the cost of copying, supplies you asked for and postage, never a "
        "fee to search for or retrieve your records (45 CFR 164.524(c)(4))."
    )


def _third_party(inp: FeeInput, schedule: FeeSchedule, jurisdiction: str) -> FeeEstimate:
    per_page = schedule.third_party_per_page
    microfilm = schedule.third_party_per_page_microfilm
    clerical = schedule.third_party_clerical_per_quarter_hour
    if _is_ca(jurisdiction):
        per_page = min(per_page, CA_THIRD_PARTY_PER_PAGE)
        microfilm = min(microfilm, CA_THIRD_PARTY_PER_PAGE_MICROFILM)
        clerical = min(clerical, CA_CLERICAL_PER_QUARTER_HOUR)
    lines = [
        _line(_("Processing fee"), 1, schedule.third_party_base_fee),
        _line(_("Pages copied"), inp.pages, per_page),
        _line(_("Pages copied from microfilm"), inp.microfilm_pages, microfilm),
        _line(_("Clerical time (quarter hours)"), inp.clerical_quarter_hours, clerical),
        *_media(inp, schedule),
        *_postage(inp, schedule),
    ]
    if inp.kind == RequestKind.DIRECTED:
        basis = _(
            "Copies sent to someone else that are not electronic copies of electronic records "
            "are not limited to the patient rate (Ciox Health v. Azar, 2020); our third-party "
            "rates apply."
        )
    else:
        basis = _("Release to a third party with your authorization (45 CFR 164.508).")
    if _is_ca(jurisdiction):
        basis = _("%(basis)s Rates within Cal. Evidence Code 1158.") % {"basis": basis}
    return _estimate(lines, basis)


def estimate_fee(inp: FeeInput, schedule: FeeSchedule, *, jurisdiction: str) -> FeeEstimate:
    """The approximate fee to tell the requester before the work (164.524(c)(4))."""
    _check(inp)
    if inp.kind == RequestKind.CONTINUITY:
        return _free(_("Records sent to another provider for your care are free."))
    if inp.kind == RequestKind.AMENDMENT:
        return _free(_("Asking us to correct your records is free (45 CFR 164.526)."))
    if inp.kind == RequestKind.ACCOUNTING:
        if not inp.prior_accounting_within_12_months:
            return _free(_("Your first list of disclosures in 12 months is free (45 CFR 164.528)."))
        line = _line(_("Second list of disclosures within 12 months"), 1, schedule.accounting_fee)
        return _estimate(
            [line],
            _(
                "A further list of disclosures within 12 months may cost a reasonable, "
                "cost-based fee (45 CFR 164.528(c)(2))."
            ),
        )
    # HSC 123110(d) keys on the purpose (a public-benefit appeal), for the patient, a
    # representative or someone the patient authorized in writing, so it covers every copy.
    if inp.benefit_appeal and (_is_ca(jurisdiction) or schedule.benefit_appeal_free):
        if _is_ca(jurisdiction):
            return _free(
                _(
                    "Copies to support an appeal for a public benefit are free "
                    "(Cal. Health & Safety Code 123110(d))."
                )
            )
        return _free(_("Copies to support an appeal for a public benefit are free."))
    if inp.kind == RequestKind.ACCESS and inp.delivery == DeliveryMethod.INSPECTION:
        # 164.524(c)(4) allows a fee only for copies; a state clerical fee for making records
        # available would be a retrieval cost HIPAA forbids.
        return _free(_("Looking at your records in person is free (45 CFR 164.524(c)(4))."))
    if inp.kind == RequestKind.AUTHORIZED:
        return _third_party(inp, schedule, jurisdiction)
    if inp.kind == RequestKind.DIRECTED and not (
        inp.electronic_records and inp.delivery in _ELECTRONIC_LIKE
    ):
        return _third_party(inp, schedule, jurisdiction)
    # Electronic copies of electronic records sent where the patient says stay at the patient
    # rate: HITECH 13405(e) (42 U.S.C. 17935(e)) limits them to labor cost.
    return _patient_rate(inp, schedule, jurisdiction)


# How an admin sees each schedule field in an error message.
FIELD_LABELS = {
    "per_page_paper": _("The per-page fee for paper records"),
    "per_page_microfilm": _("The per-page fee for microfilm"),
    "electronic_flat_fee": _("The flat fee for electronic copies"),
    "media_fee": _("The fee for a CD, DVD or USB drive"),
    "postage": _("Postage"),
    "summary_fee": _("The fee for a summary"),
    "free_record_years": _("The number of free years of records"),
    "third_party_per_page": _("The per-page fee for third parties"),
    "third_party_per_page_microfilm": _("The per-page microfilm fee for third parties"),
    "third_party_clerical_per_quarter_hour": _("The clerical fee per quarter hour"),
    "third_party_base_fee": _("The base fee for third parties"),
    "accounting_fee": _("The fee for a second accounting within 12 months"),
}


def validate_schedule(schedule: FeeSchedule, *, jurisdiction: str) -> list[str]:
    """Plain-language errors for a fee schedule the law does not allow."""
    errors: list[str] = []
    for field in fields(FeeSchedule):
        value = getattr(schedule, field.name)
        if not isinstance(value, bool) and value < 0:
            label = FIELD_LABELS.get(field.name, field.name)
            errors.append(_("%(field)s cannot be negative.") % {"field": label})
    if schedule.electronic_flat_fee > FLAT_FEE_CAP:
        errors.append(
            str(
                _(
                    "The flat fee for electronic copies can be at most $6.50 "
                    "(HHS guidance on 45 CFR 164.524(c)(4))."
                )
            )
        )
    if not _is_ca(jurisdiction):
        return errors
    hsc, evidence = "Cal. Health & Safety Code 123110", "Cal. Evidence Code 1158"
    limits = (
        ("per_page_paper", CA_PER_PAGE_PAPER, hsc),
        ("per_page_microfilm", CA_PER_PAGE_MICROFILM, hsc),
        ("third_party_per_page", CA_THIRD_PARTY_PER_PAGE, evidence),
        ("third_party_per_page_microfilm", CA_THIRD_PARTY_PER_PAGE_MICROFILM, evidence),
        ("third_party_clerical_per_quarter_hour", CA_CLERICAL_PER_QUARTER_HOUR, evidence),
    )
    for name, limit, law in limits:
        if getattr(schedule, name) > limit:
            errors.append(
                _("%(field)s can be at most $%(limit)s in California (%(law)s).")
                % {"field": FIELD_LABELS[name], "limit": limit, "law": law}
            )
    if not schedule.benefit_appeal_free:
        errors.append(
            str(
                _(
                    "California requires free copies for public-benefit appeals "
                    "(Cal. Health & Safety Code 123110(d))."
                )
            )
        )
    return errors
