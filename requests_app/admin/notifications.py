"""The email outbox and the legal-clock alerts: written only by the services (the rows are the
record of what was sent and why), so read-only here, with one action: send a failed email
again once its cause is fixed (a mail server back up, a corrected address)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import ClockAlert, Notification
from ..services.notifications import notification_resend
from .base import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    fields = (
        "key",
        "template",
        "audience",
        "to",
        "language",
        "request",
        "event",
        "user",
        "data",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_until",
        "sent_at",
    )
    readonly_fields = fields
    list_display = (
        "created_at",
        "template",
        "audience",
        "to",
        "request",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("state", "audience", "template", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("request__number", "to", "key")
    ordering = ("-created_at", "-id")
    actions = ("send_again",)

    @admin.action(description=_("Send the selected failed emails again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        failed = list(queryset.filter(state=Notification.State.FAILED))
        queued = sum(notification_resend(notification=n) for n in failed)
        skipped = queryset.count() - queued
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(n)d email queued to be sent again.",
                    "%(n)d emails queued to be sent again.",
                    queued,
                )
                % {"n": queued},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d email was not failed and was left alone.",
                    "%(n)d emails were not failed and were left alone.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )


class DeliveredFilter(admin.SimpleListFilter):
    title = _("delivered to staff")
    parameter_name = "delivered"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("Not yet"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(delivered_at__isnull=self.value() == "no")
        return queryset


@admin.register(ClockAlert)
class ClockAlertAdmin(ReadOnlyAdmin):
    fields = ("request", "threshold", "due_on", "created_at", "delivered_at")
    readonly_fields = fields
    list_display = fields
    list_filter = ("threshold", DeliveredFilter, ("created_at", admin.DateFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("request__number",)
    ordering = ("-created_at", "-id")
