"""What the request file shows, gathered in a few queries: the authorization checklist, the
timeline in words, the letters and their progress."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext_lazy as _

from ...access.staff import is_supervisor
from ...choices import AUTHORITY_LABELS, REQUESTER_ROLE_LABELS, SENSITIVE_LABELS
from ...models import Attachment, Authorization, Request, TimelineEvent
from ...rules.authorization import (
    DEFAULT_VALIDITY_DAYS,
    authorization_defects,
    effective_expiration,
)
from ...rules.clocks import shown_urgency
from ...rules.deadlines import days_left
from ...rules.denials import ground
from ...rules.kinds import RepresentativeAuthority, RequesterRole, RequestKind
from ...selectors.calendar import entity_today
from ...services.letters import letter_label, letter_state
from ...services.staff_actions import IDENTITY_CHECKS, SHIPMENT_METHODS
from ...workflow import ACTIONS as WORKFLOW
from .request_file_actions import INLINE_ACTIONS, extension_blocker, offered_actions

PACKET_PANEL = "staff/packets/_panel.html"
# The elements of each kind's paper, in the order staff read them (DOMAIN.md section 3).
_AUTHORIZED = [
    ("description", _("Specific description of the information")),
    ("discloser", _("Who may disclose")),
    ("recipient_name", _("Who may receive")),
    ("recipient_address", _("Recipient's address")),
    ("purpose", _("Purpose")),
    ("expiration_date", _("Expiration date or event")),
    ("signature_name", _("Signature")),
    ("signed_on", _("Date signed")),
    ("statement_revocation", _("Statement: right to revoke in writing")),
    ("statement_conditioning", _("Statement: treatment not conditioned on signing")),
    ("statement_redisclosure", _("Statement: redisclosure may lose protection")),
]
_CA_AUTHORIZED = [
    ("statement_copy_right", _("Statement: right to a copy (Cal. Civil Code 56.11)")),
    ("font_size_pt", _("At least 14-point type (Cal. Civil Code 56.11)")),
]
ELEMENTS: dict[str, list[tuple[str, Any]]] = {
    RequestKind.ACCESS: [("requester_role", _("Requester is the patient or acts for them"))],
    RequestKind.DIRECTED: [
        ("requester_role", _("Requester is the patient or acts for them")),
        ("signature_name", _("Signature")),
        ("signed_on", _("Date signed")),
        ("recipient_name", _("Recipient named")),
        ("recipient_address", _("Where to send the copy")),
    ],
    RequestKind.AUTHORIZED: _AUTHORIZED,
    RequestKind.CONTINUITY: [("requesting_provider", _("Requesting provider identified"))],
    RequestKind.AMENDMENT: [
        ("amendment_what_is_wrong", _("What is wrong")),
        ("amendment_why", _("What it should say, and why")),
    ],
    RequestKind.ACCOUNTING: [],
}
_AUTHORITY = [
    ("representative_authority", _("Representative's authority")),
    ("authority_document", _("Proof of authority attached")),
]
_REPRESENTATIVES = {RequesterRole.REPRESENTATIVE, RequesterRole.EXECUTOR, RequesterRole.NEXT_OF_KIN}


def _value(field: str, facts: Any, default_days: int) -> Any:
    """What the paper says for an element, for staff to check against the scan."""
    if field == "requester_role":
        return REQUESTER_ROLE_LABELS.get(facts.requester_role, "")
    if field == "representative_authority":
        authority = facts.representative_authority
        return AUTHORITY_LABELS.get(authority, "") if authority else ""
    if field == "expiration_date":
        if facts.expiration_date:
            return facts.expiration_date.isoformat()
        if facts.expiration_event:
            return facts.expiration_event
        expires = effective_expiration(facts, default_validity_days=default_days)
        return _("none written; valid until %(date)s") % {"date": expires} if expires else ""
    if field == "signed_on":
        return facts.signed_on.isoformat() if facts.signed_on else ""
    if field == "font_size_pt":
        return f"{facts.font_size_pt} pt" if facts.font_size_pt else _("not recorded")
    if field == "amendment_why":
        return facts.amendment_why
    value = getattr(facts, field, "")
    return "" if isinstance(value, bool) else value


def authorization_checklist(req: Request, attachments: list[Attachment]) -> dict[str, Any]:
    """Each element of the request's paper as present or missing, from the authorization rules.
    Requests without an authorization row (a patient's own request, a provider's fax) are
    checked on what the request itself says."""
    try:
        auth = req.authorization
    except Authorization.DoesNotExist:
        auth = None
    kinds = {a.kind for a in attachments}
    source = auth or Authorization(request=req)
    facts = source.facts(
        authority_document=Attachment.Kind.REPRESENTATIVE_AUTHORITY in kinds,
        death_certificate=Attachment.Kind.DEATH_CERTIFICATE in kinds,
    )
    if facts.representative_authority is None and req.requester.representative_authority:
        facts = dataclasses.replace(
            facts,
            representative_authority=RepresentativeAuthority(
                req.requester.representative_authority
            ),
        )
    policy = getattr(req.entity, "policy", None)
    # Keck's rule, the model's default: no expiration written means valid 90 days.
    validity = policy.default_authorization_days if policy else DEFAULT_VALIDITY_DAYS
    defects = authorization_defects(
        facts,
        jurisdiction=req.entity.jurisdiction,
        today=entity_today(req.entity),
        default_validity_days=validity,
    )
    elements = list(ELEMENTS[req.kind])
    if req.kind == RequestKind.AUTHORIZED and req.entity.jurisdiction == "CA":
        elements += _CA_AUTHORIZED
    if facts.requester_role in _REPRESENTATIVES or facts.representative_authority:
        elements += _AUTHORITY
    if facts.patient_deceased:
        elements += [("death_certificate", _("Death certificate attached"))]
    by_field: dict[str, list[str]] = {}
    for defect in defects:
        by_field.setdefault(defect.field, []).append(defect.message)
    fields = {name for name, _label in elements}
    rows = [
        {
            "field": name,
            "label": label,
            "present": name not in by_field,
            "value": _value(name, facts, validity),
            "messages": by_field.get(name, []),
        }
        for name, label in elements
    ]
    return {
        "authorization": auth,
        "rows": rows,
        "other": [d for d in defects if d.field not in fields],
        "defects": defects,
        "valid": not defects,
    }


def describe_event(event: TimelineEvent) -> dict[str, Any]:
    """A timeline event in words, with its data spelled out."""
    workflow = WORKFLOW.get(event.action)
    title = workflow.label if workflow and event.kind == TimelineEvent.Kind.STATUS else None
    details: list[str] = []
    data = event.data or {}
    for code in data.get("grounds", []):
        try:
            g = ground(code)
        except ValueError:
            continue
        details.append(f"{g.label} (45 CFR {g.citation})")
    if "reviewable" in data:
        details.append(str(_("Reviewable") if data["reviewable"] else _("Not reviewable")))
    if data.get("records_location"):
        details.append(str(_("Records are at: %s")) % data["records_location"])
    details += [str(IDENTITY_CHECKS[c]) for c in data.get("checks", []) if c in IDENTITY_CHECKS]
    if event.action == "shipment":
        title = _("Shipment")
        details.append(
            " · ".join(
                str(part)
                for part in (
                    SHIPMENT_METHODS.get(data.get("method"), ""),
                    data.get("carrier", ""),
                    data.get("tracking", ""),
                    data.get("shipped_on", ""),
                )
                if part
            )
        )
    if event.kind == TimelineEvent.Kind.EXTENSION and data.get("to"):
        details.append(str(_("Due %(from)s → %(to)s")) % {"from": data["from"], "to": data["to"]})
    if event.action == "amendment_accept":
        details.append(data.get("amendment", ""))
    return {
        "event": event,
        "title": title or event.get_kind_display(),
        "details": [d for d in details if d],
        "internal": not event.visible_to_requester,
        "letter": letter_state(event),
        "letter_kind": letter_label(data.get("letter_kind", "")),
    }


def letters_context(req: Request, events: list[TimelineEvent]) -> dict[str, Any]:
    letters = list(req.letters.all())
    waiting = [e for e in events if letter_state(e) in ("pending", "failed")]
    return {
        "letters": letters,
        "waiting": [
            {"event": e, "state": letter_state(e), "label": letter_label(e.data["letter_kind"])}
            for e in waiting
        ],
        "polling": any(letter_state(e) == "pending" for e in waiting),
    }


def _has_packet_panel() -> bool:
    # The record documents and packet panel is another area's; the file works without it.
    try:
        select_template([PACKET_PANEL])
    except TemplateDoesNotExist:
        return False
    return True


def request_file_context(req: Request, user: Any) -> dict[str, Any]:
    today = entity_today(req.entity)
    attachments = list(req.attachments.all())
    events = list(req.events.select_related("actor").order_by("-at", "-id"))
    actions = offered_actions(req, user)
    due = req.current_due_on
    # The same words as the queue's badge for this request (rules.clocks.shown_urgency).
    state = shown_urgency(due_on=due, today=today, swept_state=req.clock_state)
    return {
        "req": req,
        "patient": req.patient,
        "requester": req.requester,
        "entity": req.entity,
        "today": today,
        "due": due,
        "days_left": days_left(due, today),
        "overdue_days": -days_left(due, today),
        "urgency": state if req.is_open else "",
        "urgency_class": state.replace("_", "-") if req.is_open else "",
        "extension_blocker": extension_blocker(req),
        "items": list(req.items.all()),
        "sensitive_labels": [
            SENSITIVE_LABELS.get(code, code) for code in req.sensitive_categories or []
        ],
        "attachments": attachments,
        "checklist": authorization_checklist(req, attachments),
        "timeline": [describe_event(e) for e in events],
        "notes": [e for e in events if e.kind == TimelineEvent.Kind.NOTE],
        "messages_thread": [
            e
            for e in events
            if e.kind
            in (TimelineEvent.Kind.MESSAGE_TO_REQUESTER, TimelineEvent.Kind.MESSAGE_FROM_REQUESTER)
        ],
        "actions": [a for a in actions if a.slug not in INLINE_ACTIONS],
        "supervisor": is_supervisor(user, req.entity),
        "has_packet_panel": _has_packet_panel(),
        **letters_context(req, events),
    }
