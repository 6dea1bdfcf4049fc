"""Work that leaves the building: emails (an outbox) and the legal-clock alerts that cause some
of them. Both are rows first, written in the transaction that decided to send them, so a broker
that is down, a worker that dies or a sweep that runs twice never loses or doubles a message."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .request import Request
from .timeline import TimelineEvent


class Notification(models.Model):
    """One email to one address. `key` makes creating it idempotent: the same fact (an event,
    an alert for one recipient, a reminder) never produces two rows. Tasks carry only the id;
    the subject and body are rendered at send time from `template` and the database."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Audience(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        STAFF = "staff", _("Staff")

    key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=40)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The staff member written to, for staff emails."),
    )
    to = models.EmailField(_("to"))
    language = models.CharField(max_length=5, default="en")
    data = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # While SENDING: the claim expires then, so a worker killed mid-send does not strand it.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # While QUEUED: when the recovery sweep may publish it again (after a failed attempt, the
    # backoff; after creation, a grace period for the normal on-commit publish).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending",
                condition=models.Q(state__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.get_state_display()})"


class ClockAlert(models.Model):
    """A request crossed a legal-clock threshold. Unique per (request, threshold, due date): the
    sweep inserts these set-based and a conflict means the alert was already raised, however
    often the sweep runs and from however many processes. A new due date (an extension, a
    resume) is a new clock and may alert again."""

    class Threshold(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        DUE_TODAY = "due_today", _("Due today")
        OVERDUE = "overdue", _("Overdue")
        EXTENSION = "extension", _("Decide on an extension")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="clock_alerts")
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    due_on = models.DateField()
    created_at = models.DateTimeField()
    # Set once the staff emails for it exist (services expand an alert into recipients).
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "threshold", "due_on"], name="clock_alert_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="clock_alert_undelivered",
                condition=models.Q(delivered_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.threshold} ({self.due_on})"
