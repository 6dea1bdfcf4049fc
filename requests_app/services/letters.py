"""Letters the entity sends about a request: rendered to PDF and kept as Letter rows.

Every letter answers one timeline event: a denial answers the "deny" status change, an
extension notice the extension, a missing-information notice the "pend" change, and so on.
The event is the letter's source of truth (grounds, reason, new date, the accounting entries),
so a letter rendered again later says exactly what was decided then.

The flow: a staff service writes the event and calls `letter_enqueue` in its transaction; after
commit a Celery task calls `letter_for_event`, which renders the PDF (WeasyPrint, in the
request's language) and stores it. The event's data records the letter's id, so a retried task
finds the letter already made and makes no second one.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import pikepdf
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..letters import letter_language, render_pdf
from ..models import Letter, LetterText, Request, TimelineEvent
from ..rules.denials import ground
from ..rules.facts import LEGAL_NUMBERS
from ..rules.kinds import RequestKind
from ..selectors.calendar import entity_today
from .dispatch import enqueue_on_commit
from .notifications_render import help_phone

logger = logging.getLogger(__name__)

K = Letter.Kind
# The LetterText an entity writes for each letter; a partial denial uses the denial text.
LETTER_TEXT_KIND = {
    K.DENIAL: LetterText.Kind.DENIAL,
    K.PARTIAL_DENIAL: LetterText.Kind.DENIAL,
    K.EXTENSION: LetterText.Kind.EXTENSION,
    K.PENDING: LetterText.Kind.PENDING,
    K.AMENDMENT_ACCEPTED: LetterText.Kind.AMENDMENT_ACCEPTED,
    K.AMENDMENT_DENIAL: LetterText.Kind.AMENDMENT_DENIAL,
    K.ACCOUNTING: LetterText.Kind.ACCOUNTING,
    K.CLOSURE: LetterText.Kind.CLOSURE,
}
# HHS Office for Civil Rights, where every denial letter tells the requester they may
# complain (45 CFR 164.524(d)(2)(iii), 164.526(d)(1)(iv)).
HHS_OCR = {
    "name": "U.S. Department of Health and Human Services, Office for Civil Rights",
    "address": "200 Independence Avenue, S.W., Washington, D.C. 20201",
    "phone": "1-800-368-1019",
    "web": "www.hhs.gov/ocr/complaints",
}
# The one extension the law allows, in writing, before the first deadline.
EXTENSION_CITATION = {
    RequestKind.ACCESS: "45 CFR 164.524(b)(2)",
    RequestKind.DIRECTED: "45 CFR 164.524(b)(2)",
    RequestKind.AMENDMENT: "45 CFR 164.526(b)(2)",
    RequestKind.ACCOUNTING: "45 CFR 164.528(c)(1)",
}
PLACEHOLDERS = ("patient", "number", "due_date", "reason", "phone", "entity")
# The subject when the entity wrote no text of its own.
DEFAULT_SUBJECTS = {
    K.DENIAL: gettext_lazy("Decision on your records request %(number)s"),
    K.PARTIAL_DENIAL: gettext_lazy("Decision on part of your records request %(number)s"),
    K.EXTENSION: gettext_lazy("We need more time to answer request %(number)s"),
    K.PENDING: gettext_lazy("We need information to finish request %(number)s"),
    K.AMENDMENT_ACCEPTED: gettext_lazy(
        "Your request to amend your record, %(number)s, is accepted"
    ),
    K.AMENDMENT_DENIAL: gettext_lazy("Decision on your request to amend your record, %(number)s"),
    K.ACCOUNTING: gettext_lazy("Accounting of disclosures, request %(number)s"),
    K.CLOSURE: gettext_lazy("We closed your request %(number)s"),
}


def letter_kind_for(event: TimelineEvent) -> str | None:
    """The letter an event calls for, or None."""
    amendment = event.request.kind == RequestKind.AMENDMENT
    if event.kind == TimelineEvent.Kind.EXTENSION:
        return K.EXTENSION
    return {
        "deny": K.AMENDMENT_DENIAL if amendment else K.DENIAL,
        "partially_deny": K.PARTIAL_DENIAL,
        "pend": K.PENDING,
        "amendment_accept": K.AMENDMENT_ACCEPTED,
        "accounting": K.ACCOUNTING,
        # Sent when the reminder sweep closes a request the requester never completed
        # (services/clocks_requester.py); a staff "close" sends no letter.
        "close": K.CLOSURE,
    }.get(event.action)


def letter_enqueue(event: TimelineEvent) -> None:
    """Mark the event as waiting for its letter and render it after commit. Call inside the
    transaction that wrote the event: if it rolls back, no letter is made."""
    kind = letter_kind_for(event)
    if kind is None:
        raise ValueError(f"No letter for a {event.kind}/{event.action} event")
    event.data = {**event.data, "letter_kind": str(kind)}
    event.save(update_fields=["data"])
    from ..tasks.letters import letter_render

    enqueue_on_commit(letter_render, event.pk)


def letter_state(event: TimelineEvent) -> str:
    """ "" (no letter), "pending", "ready" or "failed": what the request file shows."""
    data = event.data or {}
    if "letter_kind" not in data:
        return ""
    if data.get("letter_id"):
        return "ready"
    return "failed" if data.get("letter_error") else "pending"


# --- the text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomText:
    """An entity's own wording (LetterText), split so the template can put the required
    notices between the body and the signature."""

    subject: str
    salutation: str
    paragraphs: list[list[str]]  # paragraphs of lines
    closing: list[str]


def _fill(text: str, values: dict[str, str]) -> str:
    # Plain replacement, not str.format: a stray brace an admin typed must not break a letter.
    for key in PLACEHOLDERS:
        text = text.replace("{" + key + "}", values.get(key, ""))
    return text


def _is_salutation(paragraph: list[str]) -> bool:
    return len(paragraph) == 1 and paragraph[0].rstrip().endswith((",", ":"))


def _is_closing(paragraph: list[str]) -> bool:
    # "Sincerely,\nRelease of Information, City of Hope": a short last paragraph whose first
    # line is a valediction ending in a comma.
    return len(paragraph) <= 3 and paragraph[0].rstrip().endswith(",")


def custom_text(
    entity_id: int, kind: str, language: str, values: dict[str, str]
) -> CustomText | None:
    text = LetterText.objects.filter(
        entity_id=entity_id, kind=LETTER_TEXT_KIND[kind], language=language
    ).first()
    if text is None or not text.body.strip():
        return None
    body = _fill(text.body.replace("\r\n", "\n"), values)
    paragraphs = [
        [line.strip() for line in block.split("\n") if line.strip()] for block in body.split("\n\n")
    ]
    paragraphs = [p for p in paragraphs if p]
    salutation = " ".join(paragraphs.pop(0)) if paragraphs and _is_salutation(paragraphs[0]) else ""
    closing = paragraphs.pop() if len(paragraphs) > 1 and _is_closing(paragraphs[-1]) else []
    return CustomText(_fill(text.subject, values), salutation, paragraphs, closing)


# --- the context -------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _recipient(req: Request) -> dict[str, Any]:
    """Letters go to whoever asked: the patient, the representative, the law firm."""
    requester = req.requester
    address = _lines(requester.address)
    if not address and requester.is_patient:
        address = _lines(req.patient.address)
    return {
        "name": requester.full_name,
        "organization": requester.organization_name,
        "address_lines": address,
        "email": requester.email,
        "fax": requester.fax,
    }


def _grounds(codes: list[str]) -> list[dict[str, Any]]:
    found = []
    for code in codes:
        try:
            g = ground(code)
        except ValueError:
            continue
        found.append(
            {"code": g.code, "label": g.label, "reviewable": g.reviewable, "citation": g.citation}
        )
    return found


def letter_date_format() -> str:
    """Dates written out as in a letter: "November 20, 2026"; the locale's own long format in
    other languages ("20 de noviembre de 2026")."""
    return "F j, Y" if translation.get_language() == "en" else "DATE_FORMAT"


def _due_text(day: date | None) -> str:
    from django.utils.formats import date_format

    return date_format(day, letter_date_format()) if day else ""


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _last_pend_reason(req: Request) -> str:
    pend = req.events.filter(action="pend").order_by("-at", "-id").first()
    return pend.reason if pend else ""


def letter_context(event: TimelineEvent, kind: str) -> dict[str, Any]:
    req = event.request
    data = event.data or {}
    new_due = date.fromisoformat(data["to"]) if kind == K.EXTENSION and data.get("to") else None
    reason = {
        K.DENIAL: data.get("explanation", event.reason),
        K.PARTIAL_DENIAL: data.get("explanation", event.reason),
        K.AMENDMENT_DENIAL: data.get("explanation", event.reason),
        K.EXTENSION: event.reason,
        K.PENDING: event.reason,
        K.CLOSURE: event.reason,
        K.AMENDMENT_ACCEPTED: data.get("amendment", ""),
    }.get(kind, event.reason)
    phone = help_phone(req)
    values = {
        "patient": req.patient.full_name,
        "number": req.number,
        "due_date": _due_text(new_due or req.current_due_on),
        "reason": reason,
        "phone": phone,
        "entity": req.entity.name,
    }
    grounds = _grounds(data.get("grounds", []))
    custom = custom_text(req.entity_id, kind, letter_language(req.language), values)
    return {
        "date_format": letter_date_format(),
        "subject": custom.subject if custom else str(DEFAULT_SUBJECTS[kind]) % values,
        "kind": kind,
        "event": event,
        "data": data,
        "req": req,
        "entity": req.entity,
        "organization": req.organization,
        "patient": req.patient,
        "requester": req.requester,
        "recipient": _recipient(req),
        "today": entity_today(req.entity),
        "phone": phone,
        "entity_address_lines": _lines(req.entity.address),
        "signer": (event.actor.get_full_name() if event.actor else "") or "",
        "custom": custom,
        "reason": reason,
        "grounds": grounds,
        # Amendment denials have no review, only a statement of disagreement (164.526(d)).
        "show_review": kind != K.AMENDMENT_DENIAL,
        "reviewable": any(g["reviewable"] for g in grounds),
        "not_held": any(g["code"] == "not_held" for g in grounds),
        "records_location": data.get("records_location", ""),
        "items": list(req.items.all()),
        "new_due_on": new_due,
        "old_due_on": date.fromisoformat(data["from"]) if data.get("from") else req.due_on,
        "hhs": HHS_OCR,
        "extension_citation": EXTENSION_CITATION.get(RequestKind(req.kind), ""),
        "paused": req.paused_on is not None,
        "entries": [
            {**entry, "date": date.fromisoformat(entry["date"])}
            for entry in data.get("entries", [])
        ],
        # A closure for no answer: the day we asked and what we asked for.
        "asked_on": _iso(data.get("pended_on")),
        "missing": _last_pend_reason(req) if kind == K.CLOSURE else "",
        "period_start": _iso(data.get("period_start")),
        "period_end": _iso(data.get("period_end")),
        # Letters render in a worker, without the context processor that gives pages these.
        "legal": LEGAL_NUMBERS,
    }


# --- rendering and storing ---------------------------------------------------------------


def _page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def letter_render_pdf(event: TimelineEvent, kind: str) -> bytes:
    language = letter_language(event.request.language)
    # The context has dates and labels in words: build it in the letter's language too.
    with translation.override(language):
        context = letter_context(event, kind)
    return render_pdf(f"letters/{kind}.html", context, language=language)


def letter_for_event(*, event_id: int) -> Letter | None:
    """Render and store the letter an event calls for; the same letter on a second call.

    Rendering errors are not transient: they are recorded on the event (the request file shows
    them) instead of retried. Storage errors (OSError) are raised for the task to retry."""
    event = (
        TimelineEvent.objects.select_related(
            "request__entity__policy",
            "request__organization",
            "request__patient",
            "request__requester",
            "actor",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return None
    if event.data.get("letter_id"):
        return Letter.objects.filter(pk=event.data["letter_id"]).first()
    kind = letter_kind_for(event)
    if kind is None:
        return None
    try:
        pdf = letter_render_pdf(event, kind)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - any rendering failure is shown to staff
        logger.exception("Letter for event %s failed", event_id)
        TimelineEvent.objects.filter(pk=event_id).update(
            data={**event.data, "letter_error": str(exc)[:500] or exc.__class__.__name__}
        )
        return None
    return _letter_store(event_id=event_id, kind=kind, pdf=pdf)


def _letter_store(*, event_id: int, kind: str, pdf: bytes) -> Letter:
    with transaction.atomic():
        # The lock makes two concurrent runs of the task store one letter, not two.
        event = TimelineEvent.objects.select_for_update().select_related("request").get(pk=event_id)
        if event.data.get("letter_id"):
            return Letter.objects.get(pk=event.data["letter_id"])
        req = event.request
        letter = Letter(
            request=req,
            kind=kind,
            language=letter_language(req.language),
            page_count=_page_count(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            visible_to_requester=True,
            created_by=event.actor,
        )
        letter.file.save(f"{kind}-{req.number}.pdf", ContentFile(pdf), save=False)
        letter.save()
        data = {k: v for k, v in event.data.items() if k != "letter_error"}
        event.data = {**data, "letter_id": letter.pk}
        event.save(update_fields=["data"])
    return letter


def letter_retry(*, event_id: int) -> None:
    """Staff ask again for a letter that failed to render."""
    with transaction.atomic():
        event = TimelineEvent.objects.select_for_update().get(pk=event_id)
        if letter_state(event) != "failed":
            return
        event.data = {k: v for k, v in event.data.items() if k != "letter_error"}
        event.save(update_fields=["data"])
        from ..tasks.letters import letter_render

        enqueue_on_commit(letter_render, event.pk)


def letter_label(kind: str) -> str:
    return str(dict(Letter.Kind.choices).get(kind, _("Letter")))
