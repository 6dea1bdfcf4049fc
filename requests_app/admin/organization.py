"""Organization > covered entity > location, with each entity's calendar and letters.

The entity page is where a hospital admin sets everything the entity answers for: its policy
(fees, delivery), its deadlines, its closures, its letters and its locations.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Closure, Entity, LetterText, Location, Organization
from ..services.entities import entity_add_default_deadlines
from .policies import (
    DeadlinePolicyInline,
    EntityChildFormSet,
    EntityPolicyInline,
    warn_about_deadlines,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "help_phone", "website", "entity_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    # A bare "example.org" becomes https://, the scheme Django 6 will assume anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # One COUNT per page through the annotation, not one per row.
        return super().get_queryset(request).annotate(entity_total=Count("entities"))

    @admin.display(description=gettext_lazy("covered entities"), ordering="entity_total")
    def entity_count(self, obj: Organization) -> str:
        url = reverse("admin:requests_app_entity_changelist")
        return format_html(
            '<a href="{}?organization__id__exact={}">{}</a>', url, obj.pk, obj.entity_total
        )


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = (
            "organization",
            "name",
            "short_name",
            "bates_prefix",
            "jurisdiction",
            "timezone",
            "him_department",
            "address",
            "phone",
            "fax",
            "email",
        )

    def clean_timezone(self) -> str:
        # Surrounding spaces would fail the model's time zone validator for no good reason.
        return self.cleaned_data["timezone"].strip()


class ClosureInline(admin.TabularInline):
    model = Closure
    formset = EntityChildFormSet
    fields = ("date", "reason")
    extra = 0


class LetterTextInline(admin.StackedInline):
    model = LetterText
    formset = EntityChildFormSet
    fields = (("kind", "language"), "subject", "body")
    extra = 0
    classes = ("collapse",)


class LocationInline(admin.StackedInline):
    model = Location
    formset = EntityChildFormSet
    fields = (("name", "kind", "active"), "release_scope", "address", ("phone", "fax"), "hours")
    extra = 0
    show_change_link = True


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityForm
    fieldsets = (
        (None, {"fields": ("organization", "name", "short_name", "bates_prefix")}),
        (gettext_lazy("Law and clock"), {"fields": ("jurisdiction", "timezone")}),
        (
            gettext_lazy("HIM department"),
            {
                "fields": ("him_department", "address", ("phone", "fax"), "email"),
            },
        ),
    )
    list_display = (
        "name",
        "short_name",
        "organization",
        "jurisdiction",
        "bates_prefix",
        "phone",
        "timezone",
    )
    list_filter = ("organization", "jurisdiction")
    list_select_related = ("organization",)
    search_fields = ("name", "short_name", "bates_prefix")
    autocomplete_fields = ("organization",)
    inlines = (
        EntityPolicyInline,
        DeadlinePolicyInline,
        ClosureInline,
        LetterTextInline,
        LocationInline,
    )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        entity: Entity = form.instance
        if not change:
            self._add_default_deadlines(request, entity)
        warn_about_deadlines(self, request, entity)

    def _add_default_deadlines(self, request: HttpRequest, entity: Entity) -> None:
        """A new entity starts with its state's default deadline for every kind it did not
        set: without a rule, a kind the law gives no deadline (authorizations, continuity of
        care) cannot be received at all. Each default equals the strictest law, so it is
        lawful as it stands."""
        added = entity_add_default_deadlines(entity=entity)
        if not added:
            return
        self.message_user(
            request,
            _("Default %(state)s deadlines were added for: %(kinds)s. Review them below.")
            % {
                "state": entity.jurisdiction,
                "kinds": ", ".join(str(policy.get_key_display()) for policy in added),
            },
        )


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "entity", "kind", "release_scope", "phone", "active")
    list_filter = ("active", "kind", "release_scope", "entity")
    list_select_related = ("entity",)
    search_fields = ("name", "address", "entity__name", "entity__short_name")
    autocomplete_fields = ("entity",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "entity", "reason")
    list_filter = ("entity",)
    list_select_related = ("entity",)
    search_fields = ("reason", "entity__name", "entity__short_name")
    date_hierarchy = "date"
    autocomplete_fields = ("entity",)
    ordering = ("-date",)

    def save_model(self, request: HttpRequest, obj: Closure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A closure can push a working-day policy past a calendar-day law.
        warn_about_deadlines(self, request, obj.entity)


@admin.register(LetterText)
class LetterTextAdmin(admin.ModelAdmin):
    list_display = ("subject", "entity", "kind", "language")
    list_filter = ("kind", "language", "entity")
    list_select_related = ("entity",)
    search_fields = ("subject", "body", "entity__name", "entity__short_name")
    autocomplete_fields = ("entity",)
