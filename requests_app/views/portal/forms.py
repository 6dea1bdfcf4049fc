"""Patient portal: the printable request form (PDF) for people who mail, fax or walk in.

One blank, fillable PDF with the wizard's questions, in English or Spanish, either for one
covered entity (its locations, delivery methods and address) or for every entity. The form
carries no personal data, so its PDF is kept in the server's cache (letters/public_cache.py),
keyed by the HTML rendered from the entities' current addresses and policies: an admin's change
shows on the next download. Browsers and proxies are still told not to keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ...choices import AUTHORITY_LABELS, DELIVERY_LABELS, SENSITIVE_LABELS
from ...forms.wizard import WHOSE_CHOICES, WHOSE_HELP
from ...forms.wizard_records import COMMON_TYPES, SPECIFIC_TYPES
from ...letters import letter_language
from ...letters.public_cache import public_pdf
from ...models import Entity, Location, RequestedItem
from ...rules.authorization import DEFAULT_VALIDITY_DAYS
from ...rules.kinds import DeliveryMethod, RequestKind, SensitiveCategory
from ...selectors.calendar import due_dates_for
from ...selectors.directory import EntityListing


@dataclass(frozen=True)
class Choice:
    """One printed option: its field name or value, its label and an optional hint."""

    value: str
    label: str | Promise
    hint: str | Promise = ""


# Question 1 and question 4 offer exactly the wizard's choices, with the same values, so a
# filled-in paper form reads like a wizard draft.
WHOSE = tuple(Choice(value, label, WHOSE_HELP.get(value, "")) for value, label in WHOSE_CHOICES)
HINTS = {RequestedItem.RecordType.SUMMARY: _("We tell you any fee first.")}
COMMON_RECORDS = tuple(
    Choice(f"type_{kind.value}", label, HINTS.get(kind, "")) for kind, label in COMMON_TYPES.items()
)
# "Other" is a line to write on, not a box to tick.
SPECIFIC_RECORDS = tuple(
    Choice(f"type_{kind.value}", label)
    for kind, label in SPECIFIC_TYPES.items()
    if kind != RequestedItem.RecordType.OTHER
)
# The accessible name of each radio group in the PDF: the question it answers.
GROUP_TITLES = {
    "whose": _("Whose records are you asking for?"),
    "authority": _("If you act for the patient, what gives you the right to do so?"),
    "delivery": _("How should we send the records?"),
    "recipient": _("Who should receive them?"),
}
DATE_RANGE_ROWS = 3  # the wizard takes up to 10; the paper form says to attach a list


@dataclass(frozen=True)
class Field:
    """One fillable text field. `name` is stable: staff tools may read filled-in forms."""

    name: str
    label: str | Promise
    size: str = ""  # a CSS class of letters.css: "w2", "state", "narrow"
    maxlength: int | None = None


DATE = 10  # MM/DD/YYYY
REQUESTER_ROWS = (
    (
        Field("requester_name", _("Your full name")),
        Field("requester_relationship", _("Relationship to the patient")),
    ),
    (Field("requester_organization", _("Organization, if any (law firm, insurer, practice...)")),),
    (Field("requester_phone", _("Phone")), Field("requester_email", _("Email"), "w2")),
    (Field("requester_address", _("Mailing address")),),
)
PATIENT_ROWS = (
    (
        Field("patient_first_name", _("First name")),
        Field("patient_middle_name", _("Middle name")),
        Field("patient_last_name", _("Last name")),
    ),
    (Field("patient_other_names", _("Other names used (for example a maiden or previous name)")),),
    (
        Field("patient_date_of_birth", _("Date of birth (MM/DD/YYYY)"), maxlength=DATE),
        Field("patient_date_of_death", _("Date of death, if the patient has died"), maxlength=DATE),
    ),
    (Field("patient_phone", _("Phone")), Field("patient_email", _("Email"), "w2")),
    (Field("patient_street", _("Street address")),),
    (
        Field("patient_city", _("City"), "w2"),
        Field("patient_state", _("State"), "state", 2),
        Field("patient_zip", _("ZIP code"), "narrow", 10),
    ),
)
RECIPIENT_ROWS = (
    (Field("recipient_name", _("Name of the person or organization")),),
    (Field("recipient_address", _("Their address")),),
    (
        Field("recipient_phone", _("Phone")),
        Field("recipient_fax", _("Fax")),
        Field("recipient_email", _("Email")),
    ),
)
SIGNER_ROWS = (
    (Field("signer_name", _("Printed name of the person signing")),),
    (
        Field(
            "signer_authority",
            _("If you sign for the patient: your authority (for example, legal guardian)"),
        ),
    ),
)


@dataclass(frozen=True)
class EntityBlock:
    """An entity as the form shows it: where to send the form and how fast it answers."""

    listing: EntityListing
    delivery_methods: list[str]
    validity_days: int


def _entities(entity_id: int | None) -> list[Entity]:
    queryset = (
        Entity.objects.filter(policy__isnull=False)
        .select_related("organization", "policy")
        .prefetch_related(
            Prefetch("locations", queryset=Location.objects.filter(active=True)),
            "deadline_policies",
            "closures",
        )
        .order_by("organization__name", "name")
    )
    if entity_id is not None:
        queryset = queryset.filter(pk=entity_id)
    return list(queryset)


def _block(entity: Entity) -> EntityBlock:
    access_rule = due_dates_for(
        entity=entity,
        kind=RequestKind.ACCESS,
        delivery=DeliveryMethod.MAIL,
        received_at=timezone.now(),
    ).rule_text
    known = {m.value for m in DeliveryMethod}
    methods = [m for m in entity.policy.delivery_methods if m in known]
    return EntityBlock(
        listing=EntityListing(
            entity=entity, locations=list(entity.locations.all()), access_rule=str(access_rule)
        ),
        delivery_methods=methods,
        validity_days=entity.policy.default_authorization_days,
    )


def _parse_entity_id(raw: str) -> int | None:
    """None when no entity is asked for; a 404 for anything that is not a plausible id (a
    too-long number would overflow the database's bigint)."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


def _form_context(request: HttpRequest, entity_id: int | None) -> dict[str, Any]:
    entities = _entities(entity_id)
    if entity_id is not None and not entities:
        raise Http404
    blocks = [_block(entity) for entity in entities]
    one = blocks[0] if entity_id is not None else None
    if one is not None:
        offered = one.delivery_methods
    else:  # every method any entity offers, in the usual order
        offered_anywhere = {m for block in blocks for m in block.delivery_methods}
        offered = [m.value for m in DeliveryMethod if m.value in offered_anywhere]
    # A shorter policy wins when the form serves several entities: the printed term must
    # hold for every one of them.
    validity = min((b.validity_days for b in blocks), default=DEFAULT_VALIDITY_DAYS)
    help_phones = {
        b.listing.entity.policy.help_phone or b.listing.entity.phone
        for b in blocks
        if b.listing.entity.policy.help_phone or b.listing.entity.phone
    }
    return {
        "one": one,
        "blocks": blocks,
        "requester_rows": REQUESTER_ROWS,
        "patient_rows": PATIENT_ROWS,
        "recipient_rows": RECIPIENT_ROWS,
        "signer_rows": SIGNER_ROWS,
        "whose": WHOSE,
        "common_records": COMMON_RECORDS,
        "specific_records": SPECIFIC_RECORDS,
        "date_rows": range(1, DATE_RANGE_ROWS + 1),
        "specific_consents": [
            Choice(category.value, SENSITIVE_LABELS[category])
            for category in SensitiveCategory
            if category != SensitiveCategory.PSYCHOTHERAPY_NOTES
        ],
        "deliveries": [Choice(m, DELIVERY_LABELS[DeliveryMethod(m)]) for m in offered],
        "authorities": [Choice(a.value, label) for a, label in AUTHORITY_LABELS.items()],
        "validity_days": validity,
        "help_phone": help_phones.pop() if len(help_phones) == 1 else "",
        "portal_url": request.build_absolute_uri(reverse("home")),
    }


def _file_name(one: EntityBlock | None, language: str) -> str:
    """records-request-form[-<entity>]-<language>.pdf: a saved copy says what it is."""
    suffix = f"-{slugify(one.listing.entity.bates_prefix)}" if one is not None else ""
    return f"records-request-form{suffix}-{language}.pdf"


@never_cache
@require_GET
def request_form_pdf(request: HttpRequest) -> HttpResponse:
    # ?lang= picks the language; without it, the visitor's current language. An unknown value
    # gives the default (English) rather than an error: the form is still useful.
    language = letter_language(request.GET.get("lang") or translation.get_language())
    entity_id = _parse_entity_id(request.GET.get("entity", ""))
    with translation.override(language):
        context = _form_context(request, entity_id)
    pdf = public_pdf(
        "letters/request_form.html",
        context,
        language=language,
        request=request,
        pdf_forms=True,
        pdf_tags=True,  # people who fill it in with a screen reader get its structure
        field_titles=GROUP_TITLES,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _file_name(context["one"], language)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Content-Language"] = language
    return response


urlpatterns: list[URLPattern] = [
    path("forms/request.pdf", request_form_pdf, name="request_form_pdf"),
]
