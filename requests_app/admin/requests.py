"""Requests: the one place an admin looks a request up end to end.

The status, the legal clock and the request number are read-only. Statuses move only through
the service functions in services/transitions.py (the status machine, each with its timeline
event); an edited status field would skip both. Requests are created only by
services.submission.request_submit (number, routing, due dates) and are never deleted here:
they are part of the designated record set's release history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..choices import SENSITIVE_LABELS
from ..models import Patient, Request, RequestedItem, Requester, RequestNumberCounter
from ..rules.deadlines import DUE_SOON_DAYS
from ..rules.kinds import SensitiveCategory
from ..selectors.queue import REQUEST_NUMBER, parse_date_of_birth
from ..services.errors import TransitionNotAllowed
from ..services.transitions import request_assign
from ..workflow import allowed_actions
from .audit import TimelineEventInline
from .authorization import AuthorizationInline
from .base import ReadOnlyAdmin, ReadOnlyTabularInline
from .documents import AttachmentInline, PacketInline, RecordDocumentInline

# services/numbering.py: ROI-<year>-<six or more digits>.
_SENSITIVE_VALUES = frozenset(c.value for c in SensitiveCategory)
# The only fields an admin may correct in place: how to reach the recipient. Anything else
# changes the legal record (who, what, when, status) and belongs to a service.
EDITABLE_FIELDS = (
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "recipient_fax",
    "language",
)


class DueFilter(admin.SimpleListFilter):
    """Open requests by how close the current due date (extended, if extended) is. "Today" is
    the server's day; entities in other US time zones differ by a few hours at most."""

    title = gettext_lazy("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("soon", _("Due within %(n)d days") % {"n": DUE_SOON_DAYS}),
            ("open", _("All open")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.current_due_on_overdue(today)
        if value == "open":
            return queryset.open()
        if value in ("today", "soon"):
            end = today if value == "today" else today + timedelta(days=DUE_SOON_DAYS)
            return queryset.open().filter(
                Q(extended_due_on__isnull=True, due_on__range=(today, end))
                | Q(extended_due_on__range=(today, end))
            )
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Mine or nobody's: a filter listing every user would list every patient account."""

    title = gettext_lazy("assignee")
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("me", _("Assigned to me")), ("nobody", _("Unassigned"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class RequestedItemInline(ReadOnlyTabularInline):
    model = RequestedItem
    fields = ("record_type", "description", "date_ranges")
    readonly_fields = fields
    show_change_link = False


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "next_steps",
                    "kind",
                    "channel",
                    "organization",
                    "entity",
                    "location",
                    "routing_note",
                )
            },
        ),
        (gettext_lazy("Who"), {"fields": ("patient", "requester", "assignee")}),
        (
            gettext_lazy("Legal clock"),
            {
                "fields": (
                    "received_at",
                    "due_on",
                    "due_rule_display",
                    "latest_extension_on",
                    "extended_due_on",
                    "extension_reason",
                    "extended_at",
                    "paused_on",
                    "answered_at",
                )
            },
        ),
        (gettext_lazy("Delivery"), {"fields": ("delivery_method", *EDITABLE_FIELDS, "purpose")}),
        (
            gettext_lazy("What was asked"),
            {
                "fields": (
                    "sensitive_categories_display",
                    "summary_requested",
                    "benefit_appeal",
                    "amendment_what_is_wrong",
                    "amendment_should_say",
                    "estimated_pages",
                    "fee_estimate_display",
                )
            },
        ),
        (gettext_lazy("Record"), {"fields": ("submission", "created_at", "updated_at")}),
    )
    list_display = (
        "number",
        "patient_name",
        "requester",
        "kind",
        "status",
        "entity_name",
        "received_at",
        "due",
        "assignee",
    )
    # One query for the page: every column above reads these joined rows.
    list_select_related = ("patient", "requester", "entity", "assignee")
    list_filter = (
        DueFilter,
        "status",
        "kind",
        AssigneeFilter,
        "channel",
        "delivery_method",
        ("received_at", admin.DateFieldListFilter),
        "entity",
    )
    # What get_search_results below searches; the list also turns on the search box and the
    # autocomplete that the authorization page uses to pick a request.
    search_fields = (
        "number",
        "patient__last_name",
        "patient__first_name",
        "patient__other_names",
        "requester__full_name",
        "requester__organization_name",
    )
    search_help_text = gettext_lazy(
        "Request number, patient name or other names, requester or their organization; "
        "add a date of birth as 1975-03-14 or 03/14/1975."
    )
    # Newest first walks the received_at index and stops after a page; no date_hierarchy,
    # whose year list is a scan of the whole table on every page view.
    ordering = ("-received_at", "-id")
    # At 100,000 rows the unfiltered COUNT(*) next to every filtered one is pure cost.
    show_full_result_count = False
    list_per_page = 50
    inlines = (
        AuthorizationInline,
        RequestedItemInline,
        AttachmentInline,
        RecordDocumentInline,
        PacketInline,
        TimelineEventInline,
    )
    actions = ("assign_to_me", "unassign")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Every word must match, as in Django's own search, but patients and requesters are
        searched in their own tables and matched by id: the requests table is then scanned
        once, without a LIKE over every joined row (at 100,000 requests, about 0.25 s down
        to 0.06 s a query)."""
        term = search_term.strip()
        if REQUEST_NUMBER.fullmatch(term):
            # A whole request number: the unique index answers at once.
            return queryset.filter(number=term.upper()), False
        for word in term.split():
            born = parse_date_of_birth(word)
            if born is not None:
                queryset = queryset.filter(
                    patient_id__in=Patient.objects.filter(date_of_birth=born).values("pk")
                )
                continue
            patients = Patient.objects.filter(
                Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(other_names__icontains=word)
            ).values("pk")
            requesters = Requester.objects.filter(
                Q(full_name__icontains=word) | Q(organization_name__icontains=word)
            ).values("pk")
            queryset = queryset.filter(
                Q(number__icontains=word)
                | Q(patient_id__in=patients)
                | Q(requester_id__in=requesters)
            )
        return queryset, False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        model_fields = [f.name for f in Request._meta.fields if f.name not in EDITABLE_FIELDS]
        return [
            *model_fields,
            "next_steps",
            "due_rule_display",
            "sensitive_categories_display",
            "fee_estimate_display",
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Request, form: Any, change: bool) -> None:
        # Write only what this form edits: a service may move the status between this page
        # loading the row and saving it, and a full save would write the old status back.
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    # --- Columns.

    @admin.display(description=gettext_lazy("patient"), ordering="patient__last_name")
    def patient_name(self, obj: Request) -> str:
        return obj.patient.full_name

    @admin.display(description=gettext_lazy("entity"), ordering="entity__short_name")
    def entity_name(self, obj: Request) -> str:
        return obj.entity.short_name

    @admin.display(description=gettext_lazy("due"), ordering="due_on")
    def due(self, obj: Request) -> str:
        text = date_format(obj.current_due_on, "SHORT_DATE_FORMAT")
        if obj.extended_due_on:
            return format_html("{} <small>({})</small>", text, _("extended"))
        return text

    # --- Read-only displays on the change page.

    @admin.display(description=gettext_lazy("next steps"))
    def next_steps(self, obj: Request) -> str:
        labels = [str(action.label) for action in allowed_actions(obj.status)]
        if not labels:
            return _("None: the request is answered.")
        return _("In the staff workspace: %(actions)s. The status changes only there.") % {
            "actions": "; ".join(labels)
        }

    @admin.display(description=gettext_lazy("deadline rule"))
    def due_rule_display(self, obj: Request) -> str:
        # In the admin's language, whatever language the request was filed in.
        return obj.due_rule_text or "-"

    @admin.display(description=gettext_lazy("sensitive categories"))
    def sensitive_categories_display(self, obj: Request) -> str:
        labels = [
            str(SENSITIVE_LABELS.get(SensitiveCategory(c), c))
            for c in obj.sensitive_categories
            if c in _SENSITIVE_VALUES
        ]
        return ", ".join(labels) or "-"

    @admin.display(description=gettext_lazy("fee estimate"))
    def fee_estimate_display(self, obj: Request) -> str:
        estimate = obj.fee_estimate or {}
        if not estimate:
            return "-"
        lines = format_html_join(
            "",
            "<li>{}: {} x ${} = ${}</li>",
            (
                (
                    line.get("label"),
                    line.get("quantity"),
                    line.get("unit_price"),
                    line.get("amount"),
                )
                for line in estimate.get("lines", [])
            ),
        )
        return format_html(
            "<ul>{}</ul><p><strong>${}</strong> {}</p>",
            lines,
            estimate.get("total", "0"),
            estimate.get("basis", ""),
        )

    # --- Actions, through the services only.

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._assign(request, queryset, request.user)

    @admin.action(description=gettext_lazy("Unassign"), permissions=["change"])
    def unassign(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._assign(request, queryset, None)

    def _assign(self, request: HttpRequest, queryset: QuerySet, assignee: Any) -> None:
        done, refused = 0, []
        # Ids only: request_assign locks and re-reads each row itself.
        for pk, number in queryset.values_list("pk", "number"):
            try:
                request_assign(pk, actor=request.user, assignee=assignee)
            except TransitionNotAllowed:
                refused.append(number)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d request updated.", "%(n)d requests updated.", done) % {"n": done},
            )
        if refused:
            self.message_user(
                request,
                _("Not open, so not assigned: %(numbers)s") % {"numbers": ", ".join(refused)},
                level=messages.WARNING,
            )


@admin.register(RequestedItem)
class RequestedItemAdmin(ReadOnlyAdmin):
    fields = ("request", "record_type", "description", "date_ranges")
    list_display = ("request", "record_type", "description")
    list_filter = ("record_type",)
    list_select_related = ("request",)
    search_fields = ("request__number", "description")


@admin.register(RequestNumberCounter)
class RequestNumberCounterAdmin(ReadOnlyAdmin):
    """The last number per year, for a look only: bumping it by hand could hand out a number
    twice, and lowering it would reuse one."""

    list_display = ("year", "last")
    ordering = ("-year",)
