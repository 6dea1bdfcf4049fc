"""The audit trail: timeline events and the accounting of disclosures (45 CFR 164.528).

Both are written only by the services, in the same transaction as the change they record, so
the admin shows them and never adds, edits or deletes one.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Disclosure, TimelineEvent
from .base import ReadOnlyAdmin, ReadOnlyTabularInline


class TimelineEventInline(ReadOnlyTabularInline):
    model = TimelineEvent
    fields = (
        "at",
        "kind",
        "actor_label",
        "action",
        "from_status",
        "to_status",
        "reason",
        "visible_to_requester",
    )
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row prints the event's __str__, which reads the request number.
        return super().get_queryset(request).select_related("request")


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    fields = (
        "request",
        "at",
        "kind",
        "actor",
        "actor_label",
        "action",
        "from_status",
        "to_status",
        "reason",
        "data",
        "visible_to_requester",
    )
    list_display = (
        "at",
        "request",
        "kind",
        "actor_label",
        "action",
        "from_status",
        "to_status",
        "visible_to_requester",
    )
    list_filter = ("kind", "action", "visible_to_requester", ("at", admin.DateFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("request__number", "actor_label", "reason")
    # Newest first through the index on `at`; the id breaks ties within one transaction.
    ordering = ("-at", "-id")


class AccountableFilter(admin.SimpleListFilter):
    """What goes into the patient's accounting (not exempt) versus what is only logged."""

    title = _("in the patient's accounting")
    parameter_name = "accountable"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No, exempt"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(exemption="")
        if self.value() == "no":
            return queryset.exclude(exemption="")
        return queryset


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    fields = (
        "patient",
        "request",
        "disclosed_on",
        "recipient_name",
        "recipient_address",
        "description",
        "purpose",
        "exemption",
        "created_at",
    )
    list_display = (
        "disclosed_on",
        "patient",
        "recipient_name",
        "purpose",
        "exemption",
        "accountable",
        "request",
    )
    list_filter = (AccountableFilter, "exemption", ("disclosed_on", admin.DateFieldListFilter))
    list_select_related = ("patient", "request")
    search_fields = (
        "patient__last_name",
        "patient__first_name",
        "recipient_name",
        "request__number",
        "purpose",
    )
    date_hierarchy = "disclosed_on"

    @admin.display(description=_("accountable"), boolean=True)
    def accountable(self, obj: Disclosure) -> bool:
        return obj.accountable
