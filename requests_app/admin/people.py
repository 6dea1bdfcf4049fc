"""Patients, requesters and the staff memberships that scope what a clerk sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Patient, Request, Requester, StaffMembership
from .base import DateOfBirthSearchMixin, ReadOnlyTabularInline


class PatientRequestInline(ReadOnlyTabularInline):
    """The patient's requests, for a quick look; each links to its own page."""

    model = Request
    fk_name = "patient"
    fields = ("number", "kind", "status", "entity", "received_at", "due_on")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("requests")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("entity")


@admin.register(Patient)
class PatientAdmin(DateOfBirthSearchMixin, admin.ModelAdmin):
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("first_name", "middle_name", "last_name"),
                    "other_names",
                    "date_of_birth",
                    "date_of_death",
                )
            },
        ),
        (gettext_lazy("Contact"), {"fields": ("email", "phone", "address", "preferred_language")}),
        (gettext_lazy("Portal account"), {"fields": ("user", "created_at")}),
    )
    readonly_fields = ("created_at",)
    list_display = (
        "last_name",
        "first_name",
        "middle_name",
        "date_of_birth",
        "deceased",
        "email",
        "phone",
        "preferred_language",
    )
    list_filter = ("preferred_language", ("date_of_death", admin.EmptyFieldListFilter))
    # Searching by name, other names (maiden, previous) and, through the mixin, date of birth.
    search_fields = ("last_name", "first_name", "middle_name", "other_names", "email")
    search_help_text = gettext_lazy(
        "Name, other names or email; add a date of birth as 1975-03-14 or 03/14/1975."
    )
    autocomplete_fields = ("user",)
    inlines = (PatientRequestInline,)
    show_full_result_count = False

    @admin.display(description=gettext_lazy("deceased"), boolean=True, ordering="date_of_death")
    def deceased(self, obj: Patient) -> bool:
        return obj.is_deceased


@admin.register(Requester)
class RequesterAdmin(admin.ModelAdmin):
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "role",
                    "full_name",
                    "organization_name",
                    "third_party_type",
                    "representative_authority",
                    "relationship",
                )
            },
        ),
        (
            gettext_lazy("Contact"),
            {"fields": ("email", "phone", "fax", "address", "preferred_language")},
        ),
        (gettext_lazy("Portal account"), {"fields": ("user", "created_at")}),
    )
    readonly_fields = ("created_at",)
    list_display = ("full_name", "organization_name", "role", "third_party_type", "email", "phone")
    list_filter = ("role", "third_party_type", "representative_authority", "preferred_language")
    search_fields = ("full_name", "organization_name", "email", "phone", "fax")
    autocomplete_fields = ("user",)
    show_full_result_count = False


class StaffMembershipForm(forms.ModelForm):
    class Meta:
        model = StaffMembership
        fields = ("user", "organization", "role", "entities")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization = cleaned.get("organization")
        entities = cleaned.get("entities")
        if organization is not None and entities:
            # The staff access helper scopes a clerk by these entities; one from another
            # organization would open that organization's patients to the clerk.
            foreign = [e for e in entities if e.organization_id != organization.pk]
            if foreign:
                self.add_error(
                    "entities",
                    _("%(entities)s are not part of %(org)s.")
                    % {
                        "entities": ", ".join(e.short_name for e in foreign),
                        "org": organization,
                    },
                )
        return cleaned


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    form = StaffMembershipForm
    fields = ("user", "organization", "role", "entities")
    list_display = ("user", "user_name", "organization", "role", "entity_list")
    list_filter = ("role", "organization")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organization__name",
    )
    autocomplete_fields = ("user", "organization", "entities")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The entity column reads the prefetched list: two queries a page, not one a row.
        return (
            super()
            .get_queryset(request)
            .select_related("user", "organization")
            .prefetch_related("entities")
        )

    @admin.display(description=gettext_lazy("name"), ordering="user__last_name")
    def user_name(self, obj: StaffMembership) -> str:
        return obj.user.get_full_name()

    @admin.display(description=gettext_lazy("entities"))
    def entity_list(self, obj: StaffMembership) -> str:
        if obj.role == StaffMembership.Role.SUPERVISOR:
            return _("All of the organization")
        return ", ".join(entity.short_name for entity in obj.entities.all()) or "-"
