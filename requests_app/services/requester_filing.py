"""The two short forms a patient files from "My requests": an amendment (45 CFR 164.526:
what is wrong, what it should say) and an accounting of disclosures (164.528: who received
the records, up to six years back). Both go through submission.request_submit, so they get
a number, the legal clock (60 days) and a fee estimate like every other request.

These forms are for the patient's own records (requester role "self"). The patient is either
one of the signed-in user's Patient records or new details typed in the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Entity, Patient, Request, Requester
from ..rules.accounting import ACCOUNTING_YEARS, accounting_period_start, free_window_start
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from ..selectors.calendar import entity_local_date
from ..workflow import Status
from .submission import ItemSpec, request_submit


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    middle_name: str = ""
    other_names: str = ""
    phone: str = ""


def delivery_for(entity: Entity) -> str:
    """The portal when the entity offers it (the brief's default); otherwise the first
    electronic method it offers, then whatever it offers: a valid request is never turned
    away because of how an answer letter travels."""
    offered = list(getattr(entity.policy, "delivery_methods", []) or [])
    for method in (DeliveryMethod.PORTAL, DeliveryMethod.SECURE_EMAIL, DeliveryMethod.MAIL):
        if method.value in offered:
            return method.value
    return offered[0] if offered else DeliveryMethod.PORTAL.value


def _patient(
    *, user: Any, guest_email: str | None, patient: Patient | None, details: PatientDetails | None
) -> Patient:
    if patient is not None:
        # Only the user's own patient records may be picked; a posted id alone proves nothing.
        if user is None or patient.user_id != user.pk:
            raise ValidationError(_("Choose one of your own patient records."))
        return patient
    if details is None:
        raise ValidationError(_("Tell us who the patient is."))
    return Patient.objects.create(
        first_name=details.first_name.strip(),
        middle_name=details.middle_name.strip(),
        last_name=details.last_name.strip(),
        other_names=details.other_names.strip(),
        date_of_birth=details.date_of_birth,
        phone=details.phone.strip(),
        email=(getattr(user, "email", "") if user else guest_email) or "",
        user=user,
    )


def _requester(*, user: Any, guest_email: str | None, patient: Patient, language: str) -> Requester:
    if user is not None:
        found = (
            Requester.objects.filter(user=user, role=RequesterRole.SELF)
            .order_by("-created_at")
            .first()
        )
        if found is not None:
            return found
        return Requester.objects.create(
            role=RequesterRole.SELF,
            full_name=user.get_full_name() or patient.full_name,
            email=user.email,
            user=user,
            preferred_language=language,
        )
    if not guest_email:
        raise ValidationError(_("Confirm your email address first."))
    # A guest's request is found again by this address (access/portal.py).
    return Requester.objects.create(
        role=RequesterRole.SELF,
        full_name=patient.full_name,
        email=guest_email.strip().lower(),
        preferred_language=language,
    )


def accounting_already_given(
    *, entity: Entity, patient: Patient, now: datetime, exclude_pk: int | None = None
) -> bool:
    """Whether this entity already received an accounting request for this patient in the
    last 12 months (a withdrawn one does not count: nothing was provided)."""
    today = entity_local_date(entity, now)
    since = now - (today - free_window_start(today))
    found = Request.objects.filter(
        entity=entity,
        kind=RequestKind.ACCOUNTING,
        received_at__gte=since,
        received_at__lte=now,
    ).exclude(status=Status.WITHDRAWN)
    if patient.user_id:
        found = found.filter(patient__user_id=patient.user_id)
    else:
        found = found.filter(patient=patient)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()


@transaction.atomic
def requester_file_amendment(
    *,
    entity: Entity,
    what_is_wrong: str,
    should_say: str,
    user: Any = None,
    guest_email: str | None = None,
    patient: Patient | None = None,
    details: PatientDetails | None = None,
    language: str = "en",
) -> Request:
    what_is_wrong, should_say = what_is_wrong.strip(), should_say.strip()
    if not what_is_wrong or not should_say:
        raise ValidationError(_("Say what is wrong and what it should say."))
    person = _patient(user=user, guest_email=guest_email, patient=patient, details=details)
    (request,) = request_submit(
        organization=entity.organization,
        entity=entity,
        patient=person,
        requester=_requester(user=user, guest_email=guest_email, patient=person, language=language),
        kind=RequestKind.AMENDMENT,
        delivery_method=delivery_for(entity),
        received_at=timezone.now(),
        actor=user,
        language=language,
        amendment_what_is_wrong=what_is_wrong,
        amendment_should_say=should_say,
    )
    return request


def accounting_period_check(*, start: date, end: date, today: date) -> None:
    if start > end:
        raise ValidationError(_("The period starts after it ends."))
    if end > today:
        raise ValidationError(_("The period cannot end in the future."))
    if start < accounting_period_start(today):
        raise ValidationError(
            _(
                "An accounting covers at most %(n)d years back (45 CFR 164.528(a)); "
                "start on or after %(first)s."
            )
            % {"n": ACCOUNTING_YEARS, "first": accounting_period_start(today).isoformat()}
        )


@transaction.atomic
def requester_file_accounting(
    *,
    entity: Entity,
    period_start: date,
    period_end: date,
    user: Any = None,
    guest_email: str | None = None,
    patient: Patient | None = None,
    details: PatientDetails | None = None,
    language: str = "en",
) -> Request:
    now = timezone.now()
    accounting_period_check(
        start=period_start, end=period_end, today=entity_local_date(entity, now)
    )
    person = _patient(user=user, guest_email=guest_email, patient=patient, details=details)
    requester = _requester(user=user, guest_email=guest_email, patient=person, language=language)
    # The first accounting in any 12 months is free; a second may carry the entity's
    # cost-based fee (164.528(c)(2)), told to the patient up front.
    prior = accounting_already_given(entity=entity, patient=person, now=now)
    (request,) = request_submit(
        organization=entity.organization,
        entity=entity,
        patient=person,
        requester=requester,
        kind=RequestKind.ACCOUNTING,
        prior_accounting_within_12_months=prior,
        delivery_method=delivery_for(entity),
        received_at=now,
        actor=user,
        language=language,
        items=[
            ItemSpec(
                record_type="other",
                description=_("Accounting of disclosures"),
                date_ranges=((period_start, period_end),),
            )
        ],
    )
    return request
