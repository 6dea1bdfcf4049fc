"""What staff do on the request file beyond the bare status changes of transitions.py.

Each function wraps the transition it needs (never duplicating it) in one transaction with the
facts that go with it: what was checked at verification, the letter a denial or an extension
must send, the shipment's tracking number. Letters are rendered after commit by a Celery task
(services/letters.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Disclosure, Entity, Letter, Request, StaffMembership, TimelineEvent
from ..rules.accounting import accounting_period_start, free_window_start
from ..rules.denials import ACCESS_DENIAL_GROUNDS, AMENDMENT_DENIAL_GROUNDS
from ..rules.kinds import DeliveryMethod, RequestKind
from ..selectors.calendar import entity_today
from ..workflow import Status, can
from . import transitions as t
from .errors import TransitionNotAllowed
from .letters import letter_enqueue
from .submission import fee_estimate_for
from .timeline import event_record

# What staff can tick when they verify identity and authority (DOMAIN.md section 4). Never a
# Social Security number, never a notarization; verification is not chargeable.
IDENTITY_CHECKS = {
    "photo_id_in_person": gettext_lazy("Photo ID seen in person"),
    "id_copy": gettext_lazy("Copy of photo ID matches the patient"),
    "signature_match": gettext_lazy("Signature matches one on file"),
    "portal_account": gettext_lazy("Verified portal account"),
    "callback": gettext_lazy("Called back at the phone number on file"),
    "authority_document": gettext_lazy("Representative's authority document reviewed"),
    "death_certificate": gettext_lazy("Death certificate reviewed"),
    "provider_verified": gettext_lazy("Requesting provider confirmed (NPI or known practice)"),
}
SHIPMENT_METHODS = {
    "mail": gettext_lazy("Paper copy by mail"),
    "cd": gettext_lazy("CD/DVD by mail"),
    "usb": gettext_lazy("USB drive by mail"),
    "courier": gettext_lazy("Courier"),
}
SHIPPABLE_DELIVERY = frozenset({DeliveryMethod.MAIL, DeliveryMethod.CD, DeliveryMethod.USB})
ACCESS_LIKE_KINDS = frozenset(
    {RequestKind.ACCESS, RequestKind.DIRECTED, RequestKind.AUTHORIZED, RequestKind.CONTINUITY}
)


def _locked(request: Request | int) -> Request:
    pk = request.pk if isinstance(request, Request) else request
    return Request.objects.select_for_update(of=("self",)).select_related("entity").get(pk=pk)


def _last_event(req: Request, action: str) -> TimelineEvent:
    return req.events.filter(action=action).latest("at", "id")


# --- who may work on what ----------------------------------------------------------------


def staff_for_entity(entity: Entity) -> QuerySet:
    """Users who may work on the entity's requests: its clerks and the organization's
    supervisors."""
    memberships = StaffMembership.objects.filter(
        Q(entities=entity)
        | Q(organization_id=entity.organization_id, role=StaffMembership.Role.SUPERVISOR)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_memberships__in=memberships)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _supervises(user: Any, entity: Entity) -> bool:
    return StaffMembership.objects.filter(
        user=user, organization_id=entity.organization_id, role=StaffMembership.Role.SUPERVISOR
    ).exists()


def request_assign_checked(request: Request, *, actor: Any, assignee: Any) -> Request:
    """A clerk takes a request for themselves (or lets it go); a supervisor gives it to anyone
    who works for the entity."""
    if assignee is not None and not staff_for_entity(request.entity).filter(pk=assignee.pk):
        raise ValidationError(_("That person does not work on this entity's requests."))
    if not _supervises(actor, request.entity):
        mine = assignee is not None and assignee.pk == actor.pk
        letting_go = assignee is None and request.assignee_id == actor.pk
        if not (mine or letting_go):
            raise ValidationError(_("Only a supervisor can assign a request to someone else."))
    return t.request_assign(request, actor=actor, assignee=assignee)


# --- transitions with their facts and letters --------------------------------------------


def request_verify_identity(
    request: Request, *, actor: Any, checks: list[str], note: str = ""
) -> Request:
    """Identity and authority verified, with what was checked kept on the timeline."""
    unknown = set(checks) - set(IDENTITY_CHECKS)
    if unknown or not (checks or note.strip()):
        raise ValidationError(_("Tick what you checked, or describe it in the note."))
    summary = "; ".join(str(IDENTITY_CHECKS[c]) for c in checks)
    reason = "\n".join(part for part in (summary, note.strip()) if part)
    with transaction.atomic():
        req = t.request_verify(request, actor=actor, note=reason)
        event = _last_event(req, "verify")
        event.data = {**event.data, "checks": list(checks)}
        event.save(update_fields=["data"])
    return req


def request_pend_with_notice(request: Request, *, actor: Any, missing: str) -> Request:
    """Ask for what is missing; the written notice says exactly what."""
    with transaction.atomic():
        req = t.request_pend(request, actor=actor, missing=missing)
        letter_enqueue(_last_event(req, "pend"))
    return req


def request_extend_with_notice(
    request: Request, *, actor: Any, new_due_on: date, reason: str
) -> Request:
    """One extension with its written notice (164.524(b)(2)(ii)): the reason and the new
    date, sent before the first due date."""
    with transaction.atomic():
        req = t.request_extend(request, actor=actor, new_due_on=new_due_on, reason=reason)
        letter_enqueue(_last_event(req, "extend"))
    return req


def _check_grounds(req: Request, grounds: list[str]) -> None:
    allowed = (
        AMENDMENT_DENIAL_GROUNDS if req.kind == RequestKind.AMENDMENT else ACCESS_DENIAL_GROUNDS
    )
    if not set(grounds) <= {g.code for g in allowed}:
        raise ValidationError(_("Choose grounds that apply to this kind of request."))


def request_deny_with_letter(
    request: Request,
    *,
    actor: Any,
    grounds: list[str],
    explanation: str,
    partial: bool = False,
    records_location: str = "",
) -> Request:
    """Deny (or partly deny) in writing: the letter gives the grounds, the review rights, how
    to complain, and where the records are when we do not hold them (164.524(d)(2),(3))."""
    _check_grounds(request, grounds)
    if "not_held" in grounds and not records_location.strip():
        raise ValidationError(
            _("Say where the records are, or that we do not know: the letter must tell them.")
        )
    if partial and request.kind == RequestKind.AMENDMENT:
        raise ValidationError(_("An amendment is accepted or denied, not partly denied."))
    service = t.request_partially_deny if partial else t.request_deny
    with transaction.atomic():
        req = service(request, actor=actor, grounds=grounds, explanation=explanation)
        event = _last_event(req, "partially_deny" if partial else "deny")
        if records_location.strip():
            event.data = {**event.data, "records_location": records_location.strip()}
            event.save(update_fields=["data"])
        letter_enqueue(event)
    return req


def _answer(req: Request, *, actor: Any, note: str) -> Request:
    return t.request_answer(req, actor=actor, note=note)


def _answerable(req: Request, kind: str) -> None:
    if req.kind != kind:
        raise ValidationError(_("This action is for another kind of request."))
    if not can("answer", req.status):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s; verify identity first.")
            % {"number": req.number, "status": req.get_status_display()}
        )


def amendment_accept(request: Request, *, actor: Any, amendment: str, inform: str = "") -> Request:
    """Accept an amendment (164.526(c)): the amendment is appended to the record (a timeline
    event that stays with it), the requester gets the letter, and we note whom to inform."""
    amendment = (amendment or "").strip()
    if not amendment:
        raise ValidationError(_("Write the amendment that is appended to the record."))
    with transaction.atomic():
        req = _locked(request)
        _answerable(req, RequestKind.AMENDMENT)
        event = event_record(
            request=req,
            kind=TimelineEvent.Kind.DOCUMENT,
            actor=actor,
            action="amendment_accept",
            reason=_("Amendment appended to the record."),
            data={"amendment": amendment, "inform": inform.strip()},
        )
        letter_enqueue(event)
        req = _answer(req, actor=actor, note=_("Amendment accepted and appended to the record."))
    request.refresh_from_db()
    return req


def accounting_disclosures(req: Request) -> QuerySet[Disclosure]:
    """The accountable disclosures of the patient by this entity in the six years before
    today. Exempt ones (treatment, to the patient, under authorization...) are logged for the
    audit trail but never listed (164.528(a)(1))."""
    today = entity_today(req.entity)
    patient = req.patient
    same_person = Q(patient=patient) | Q(
        patient__first_name__iexact=patient.first_name,
        patient__last_name__iexact=patient.last_name,
        patient__date_of_birth=patient.date_of_birth,
    )
    return (
        Disclosure.objects.filter(same_person, exemption="")
        .filter(Q(request__entity=req.entity) | Q(request__isnull=True))
        .filter(disclosed_on__gte=accounting_period_start(today), disclosed_on__lte=today)
        .order_by("disclosed_on", "id")
    )


def accounting_prior_within_year(req: Request) -> bool:
    now = timezone.now()
    today = entity_today(req.entity, now)
    since = now - (today - free_window_start(today))
    return (
        Letter.objects.filter(
            kind=Letter.Kind.ACCOUNTING,
            request__patient=req.patient,
            request__entity=req.entity,
            created_at__gte=since,
        )
        .exclude(request=req)
        .exists()
    )


def accounting_fee(req: Request) -> Decimal:
    estimate = fee_estimate_for(
        entity=req.entity,
        kind=RequestKind.ACCOUNTING,
        requester=req.requester,
        delivery=req.delivery_method,
        pages=0,
        years=1,
        prior_accounting_within_12_months=accounting_prior_within_year(req),
    )
    return estimate.total


def accounting_report(request: Request, *, actor: Any) -> Request:
    """The accounting of disclosures (164.528): six years of the log, each entry with date,
    recipient and address, description and purpose, as a letter; the request is answered."""
    with transaction.atomic():
        req = _locked(request)
        _answerable(req, RequestKind.ACCOUNTING)
        today = entity_today(req.entity)
        entries = [
            {
                "date": d.disclosed_on.isoformat(),
                "recipient": d.recipient_name,
                "address": d.recipient_address,
                "description": d.description,
                "purpose": d.purpose,
            }
            for d in accounting_disclosures(req)
        ]
        fee = accounting_fee(req)
        event = event_record(
            request=req,
            kind=TimelineEvent.Kind.DOCUMENT,
            actor=actor,
            action="accounting",
            reason=_("Accounting of disclosures prepared: %(n)d entries.") % {"n": len(entries)},
            data={
                "entries": entries,
                "period_start": accounting_period_start(today).isoformat(),
                "period_end": today.isoformat(),
                "fee": str(fee),
                "free": fee == 0,
            },
        )
        letter_enqueue(event)
        req = _answer(req, actor=actor, note=_("Accounting of disclosures sent."))
    request.refresh_from_db()
    return req


# --- facts that change no status ---------------------------------------------------------


def request_record_shipment(
    request: Request,
    *,
    actor: Any,
    method: str,
    carrier: str,
    tracking: str = "",
    shipped_on: date,
    note: str = "",
) -> TimelineEvent:
    """Paper or media went out by mail or courier: carrier, tracking number and date, for the
    requester to follow and for the file."""
    if method not in SHIPMENT_METHODS:
        raise ValidationError(_("Choose how it was sent."))
    carrier = (carrier or "").strip()
    if not carrier:
        raise ValidationError(_("Name the carrier."))
    with transaction.atomic():
        req = _locked(request)
        if req.status != Status.RELEASED:
            raise TransitionNotAllowed(_("Record a shipment after the records are released."))
        if shipped_on > entity_today(req.entity):
            raise ValidationError(_("The shipping date cannot be in the future."))
        return event_record(
            request=req,
            kind=TimelineEvent.Kind.SYSTEM,
            actor=actor,
            action="shipment",
            reason=note.strip(),
            data={
                "method": method,
                "carrier": carrier,
                "tracking": (tracking or "").strip(),
                "shipped_on": shipped_on.isoformat(),
            },
            notify=True,
        )


def request_message_requester(request: Request, *, actor: Any, text: str) -> TimelineEvent:
    """A message to the requester: on their timeline in the portal, and by email."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The message is empty."))
    with transaction.atomic():
        req = _locked(request)
        return event_record(
            request=req,
            kind=TimelineEvent.Kind.MESSAGE_TO_REQUESTER,
            actor=actor,
            action="message",
            reason=text,
            notify=True,
        )
