"""The request: one ask, to one covered entity, with its legal clock."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..choices import DELIVERY_CHOICES, REQUEST_KIND_CHOICES, SENSITIVE_CHOICES
from ..rules.deadlines import rule_text
from ..rules.fees import FeeEstimate, FeeLine
from ..workflow import OPEN_STATUSES, Status
from .organization import Entity, Location, Organization
from .people import LANGUAGE_CHOICES, Patient, Requester

MAX_DATE_RANGES = 10


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return Decimal("0")


class RequestNumberCounter(models.Model):
    """The last number handed out per year. It only ever goes up, so a public request number
    is never reused, even after a request is deleted."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    MAIL = "mail", _("Mail")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")


class ClockState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")


class RequestQuerySet(models.QuerySet):
    def open(self) -> RequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def current_due_on_overdue(self, today) -> RequestQuerySet:
        return self.open().filter(
            models.Q(extended_due_on__isnull=True, due_on__lt=today)
            | models.Q(extended_due_on__lt=today)
        )


class Request(models.Model):
    number = models.CharField(_("request number"), max_length=20, unique=True, editable=False)
    # Requests split from one submission to the whole organization share this id.
    submission = models.UUIDField(default=uuid.uuid4, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=REQUEST_KIND_CHOICES)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="requests")
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        help_text=_("Empty when the request covers the whole entity."),
    )
    routing_note = models.CharField(max_length=300, blank=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey(Requester, on_delete=models.PROTECT, related_name="requests")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")

    # The legal clock (DOMAIN.md section 2). received_at is the real time of receipt, which
    # for paper is what staff record, not when they typed it in.
    received_at = models.DateTimeField(_("received at"))
    due_on = models.DateField(_("due on"))
    # What the rule that set due_on is made of (rules.deadlines.law_parts / policy_parts): no
    # words in it, so each reader gets them in their own language (due_rule_text).
    due_rule_parts = models.JSONField(_("deadline rule"), default=dict, blank=True)
    # The rule's words as stored before due_rule_parts, in the language of whoever submitted;
    # shown only for the old requests migration 0007 could not recompute the parts of.
    due_rule = models.CharField(_("deadline rule (old wording)"), max_length=300, blank=True)
    latest_extension_on = models.DateField(
        null=True, blank=True, help_text=_("The latest date an extension may give; empty if none.")
    )
    extended_due_on = models.DateField(_("extended due on"), null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    paused_on = models.DateField(
        null=True, blank=True, help_text=_("Set while pending pauses the clock under the policy.")
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Kept by the deadline sweep (services/clocks.py) for the queue and the alerts; the dates
    # above stay the truth, this is where the sweep last saw the request stand.
    clock_state = models.CharField(
        _("clock"), max_length=10, choices=ClockState.choices, default=ClockState.ON_TRACK
    )
    # The first due date will likely be missed and an extension is still possible: staff must
    # decide (the written notice has to go out before the due date, 164.524(b)(2)).
    extension_flagged = models.BooleanField(_("extension decision needed"), default=False)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    delivery_method = models.CharField(max_length=20, choices=DELIVERY_CHOICES)
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    recipient_address = models.TextField(_("recipient address"), blank=True)
    recipient_email = models.EmailField(blank=True)
    recipient_fax = models.CharField(max_length=40, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    sensitive_categories = models.JSONField(default=list, blank=True)
    summary_requested = models.BooleanField(default=False)
    benefit_appeal = models.BooleanField(
        default=False, help_text=_("Copies to support a public-benefit appeal (free in CA).")
    )
    # Amendment (164.526): what is wrong and what it should say.
    amendment_what_is_wrong = models.TextField(blank=True)
    amendment_should_say = models.TextField(blank=True)

    estimated_pages = models.PositiveIntegerField(default=0)
    fee_estimate = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["entity", "status", "due_on", "id"]),
            models.Index(fields=["assignee", "status", "due_on"]),
            models.Index(fields=["received_at"]),
            # The staff queue pages by (current due date, id) within an entity, keyset style;
            # the partial one serves a clerk's default view of open requests (bench/queue).
            models.Index(
                F("entity"),
                Coalesce("extended_due_on", "due_on"),
                F("id"),
                name="request_queue_entity_due",
            ),
            models.Index(
                F("entity"),
                Coalesce("extended_due_on", "due_on"),
                F("id"),
                name="request_queue_entity_open_due",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def stored_fee(self) -> FeeEstimate | None:
        """The fee estimate stored at submission (services.submission.fee_as_json), read
        defensively: None when nothing usable was stored."""
        data = self.fee_estimate
        if not isinstance(data, dict) or "total" not in data:
            return None
        lines = []
        for line in data.get("lines") or []:
            if not isinstance(line, dict):
                continue
            try:
                quantity = int(line.get("quantity") or 0)
            except (TypeError, ValueError):
                quantity = 0
            lines.append(
                FeeLine(
                    label=str(line.get("label", "")),
                    quantity=quantity,
                    unit_price=_decimal(line.get("unit_price")),
                    amount=_decimal(line.get("amount")),
                )
            )
        return FeeEstimate(
            lines=tuple(lines), total=_decimal(data.get("total")), basis=str(data.get("basis", ""))
        )

    @property
    def due_rule_text(self) -> str:
        """The rule behind the due date, in the active language; the old stored words for a
        request whose parts could not be recomputed."""
        return rule_text(self.due_rule_parts or {}) or self.due_rule

    @property
    def current_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestedItem(models.Model):
    class RecordType(models.TextChoices):
        COMPLETE = "complete", _("Complete medical record")
        LAST_VISIT = "last_visit", _("Last visit")
        DISCHARGE_SUMMARY = "discharge_summary", _("Discharge summary")
        HISTORY_PHYSICAL = "history_physical", _("History and physical")
        PROGRESS_NOTES = "progress_notes", _("Progress and clinic notes")
        CONSULTATIONS = "consultations", _("Consultations")
        OPERATIVE_REPORTS = "operative_reports", _("Operative reports")
        LAB_RESULTS = "lab_results", _("Laboratory results")
        PATHOLOGY = "pathology", _("Pathology reports")
        IMAGING_REPORTS = "imaging_reports", _("Imaging reports")
        DIAGNOSTIC_IMAGES = "diagnostic_images", _("Diagnostic images (CD/USB)")
        MEDICATIONS = "medications", _("Medication list")
        BILLING = "billing", _("Billing records")
        SUMMARY = "summary", _("Summary of care")
        OTHER = "other", _("Other")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    record_type = models.CharField(max_length=30, choices=RecordType.choices)
    description = models.CharField(max_length=300, blank=True)
    # Up to MAX_DATE_RANGES [start, end] ISO date pairs; empty means all dates.
    date_ranges = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.get_record_type_display()


SENSITIVE_FIELD_CHOICES = SENSITIVE_CHOICES  # re-exported for forms
