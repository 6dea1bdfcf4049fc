"""An entity's configurable rules: its fee and delivery policy and its deadlines.

Legal floors are checked by the models' clean() methods (EntityPolicy.clean ->
rules.fees.validate_schedule, DeadlinePolicy.clean -> selectors.calendar.validate_deadline_policy),
so the admin form shows the law's own message. The inline formsets here make those checks see
the entity as it is being saved (a new entity, or a changed state), not as it was stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import DAY_UNIT_LABELS, DELIVERY_CHOICES
from ..forms.requests import lazy_format
from ..models import DeadlinePolicy, Entity, EntityPolicy
from ..models.organization import default_delivery_methods
from ..rules.calendar import closed_days, years_for
from ..rules.deadlines import LegalDeadline, legal_deadlines
from ..rules.fees import (
    CA_CLERICAL_PER_QUARTER_HOUR,
    CA_PER_PAGE_PAPER,
    CA_THIRD_PARTY_PER_PAGE,
    CA_THIRD_PARTY_PER_PAGE_MICROFILM,
    FLAT_FEE_CAP,
)
from ..rules.kinds import DayUnit, DeadlineKey
from ..selectors.calendar import (
    CALENDAR_SPAN_DAYS,
    entity_closed_days,
    entity_today,
    validate_deadline_policy,
)
from .base import ModelCleanGuardMixin

# --- The legal floor, in words, for the form that sets a deadline.

_DEADLINE_KEYS = frozenset(key.value for key in DeadlineKey)


def _describe_law(law: LegalDeadline) -> str:
    unit = DAY_UNIT_LABELS[DayUnit(law.unit)]
    if law.extension_days:
        extension = _("one extension of up to %(n)d more %(unit)s") % {
            "n": law.extension_days,
            "unit": unit,
        }
    else:
        extension = _("no extension")
    return _("%(law)s: %(days)d %(unit)s, %(extension)s (%(citation)s)") % {
        "law": law.label,
        "days": law.days,
        "unit": unit,
        "extension": extension,
        "citation": law.citation,
    }


def legal_floor_text(jurisdiction: str, key: str) -> str:
    """The deadlines the law sets for this state and kind; a policy may be shorter, never
    longer (DOMAIN.md section 2)."""
    if not jurisdiction or key not in _DEADLINE_KEYS:
        return "-"
    laws = legal_deadlines(jurisdiction, DeadlineKey(key))
    if not laws:
        # HIPAA sets none for authorizations (164.508) or treatment (164.506).
        return _("No law sets a deadline here; the entity's policy is the only clock.")
    return _("%(laws)s. The policy may be shorter, never longer.") % {
        "laws": "; ".join(_describe_law(law) for law in laws)
    }


# --- Forms.

_FEE_FIELDSETS = (
    (
        gettext_lazy("Delivery and help"),
        {
            "fields": (
                "delivery_methods",
                "help_phone",
                "help_hours",
                "default_authorization_days",
            ),
        },
    ),
    (
        gettext_lazy("Reminders and alerts"),
        {
            "fields": (
                "due_soon_working_days",
                "reminder_after_days",
                "close_pending_after_days",
            ),
            "description": gettext_lazy(
                "The deadline sweep warns staff this many working days before a due date. A "
                "request waiting on the requester gets one reminder, then is closed with a "
                "letter saying how to reopen it."
            ),
        },
    ),
    (
        gettext_lazy("Holiday calendar"),
        {
            "fields": ("holiday_country", "holiday_subdivision"),
            "description": gettext_lazy(
                "Working-day deadlines skip these holidays and the entity's closures."
            ),
        },
    ),
    (
        gettext_lazy("Patient rate (45 CFR 164.524(c)(4))"),
        {
            "fields": (
                "per_page_paper",
                "per_page_microfilm",
                "electronic_flat_fee",
                "media_fee",
                "postage",
                "summary_fee",
                "free_record_years",
                "benefit_appeal_free",
            ),
            "description": lazy_format(
                gettext_lazy(
                    "Only copying labor, supplies, postage and an agreed summary. The optional "
                    "flat fee for electronic copies is at most $%(flat_fee)s; California caps "
                    "paper at $%(per_page)s a page."
                ),
                flat_fee=FLAT_FEE_CAP,
                per_page=CA_PER_PAGE_PAPER,
            ),
        },
    ),
    (
        gettext_lazy("Third parties and accounting"),
        {
            "fields": (
                "third_party_per_page",
                "third_party_per_page_microfilm",
                "third_party_clerical_per_quarter_hour",
                "third_party_base_fee",
                "accounting_fee",
            ),
            "description": lazy_format(
                gettext_lazy(
                    "California Evidence Code 1158 caps attorney copies at $%(per_page)s a page "
                    "($%(microfilm)s from microfilm) and $%(clerical)s clerical time per quarter "
                    "hour."
                ),
                per_page=CA_THIRD_PARTY_PER_PAGE,
                microfilm=CA_THIRD_PARTY_PER_PAGE_MICROFILM,
                clerical=CA_CLERICAL_PER_QUARTER_HOUR,
            ),
        },
    ),
)
POLICY_FIELDS = tuple(name for _title, options in _FEE_FIELDSETS for name in options["fields"])

DEADLINE_FIELDS = (
    "entity",
    "key",
    "days",
    "unit",
    "extension_days",
    "pauses_when_pending",
    "moves_to_open_day",
)


class EntityPolicyForm(ModelCleanGuardMixin, forms.ModelForm):
    # Checkboxes instead of raw JSON: the model stores a list of DeliveryMethod values.
    delivery_methods = forms.MultipleChoiceField(
        label=gettext_lazy("Delivery methods offered"),
        choices=DELIVERY_CHOICES,
        initial=default_delivery_methods,
        widget=forms.CheckboxSelectMultiple,
    )
    model_clean_needs = ("entity",)

    class Meta:
        model = EntityPolicy
        fields = ("entity", *POLICY_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        country = (cleaned.get("holiday_country") or "").strip().upper()
        subdivision = (cleaned.get("holiday_subdivision") or "").strip().upper()
        if country:
            # Every due date is counted on this calendar; one the holidays package cannot
            # load would break every deadline of the entity, so refuse it here.
            try:
                closed_days(
                    country=country, subdiv=subdivision or None, years=[timezone.localdate().year]
                )
            except ValueError:
                self.add_error(
                    "holiday_subdivision" if subdivision else "holiday_country",
                    _("No holiday calendar is known for %(place)s.")
                    % {"place": f"{country}-{subdivision}" if subdivision else country},
                )
        return cleaned


class EntityPolicyInlineForm(EntityPolicyForm):
    def has_changed(self) -> bool:
        # A new entity always gets its policy row, even with every default left as it is:
        # request_submit reads entity.policy, so an entity without one cannot take requests.
        return self.instance.pk is None or super().has_changed()


class DeadlinePolicyForm(ModelCleanGuardMixin, forms.ModelForm):
    model_clean_needs = ("entity", "key", "days", "unit", "extension_days")

    class Meta:
        model = DeadlinePolicy
        fields = DEADLINE_FIELDS


# --- Inline formsets that hand the rows the entity being saved.


class EntityChildFormSet(BaseInlineFormSet):
    """Every row gets the parent Entity object itself, the one the entity form is filling in.
    The model clean() methods then check against the state being saved now, and __str__ of a
    row costs no query."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.instance.entity = self.instance


def unsaved_entity_closed_days(entity: Entity) -> frozenset[date]:
    """selectors.calendar.entity_closed_days for an entity not saved yet: no closures can be
    stored, and the holiday calendar is the default one, the entity's state."""
    start = entity_today(entity)
    years = years_for(date(start.year - 1, 1, 1), CALENDAR_SPAN_DAYS + 366)
    return closed_days(country="US", subdiv=entity.jurisdiction, years=years)


class DeadlinePolicyFormSet(EntityChildFormSet):
    def clean(self) -> None:
        super().clean()
        entity: Entity = self.instance
        # A stored entity: DeadlinePolicy.clean() has checked each row. A new one has no
        # entity_id yet, so that clean() returns early and the check happens here instead.
        if entity.pk is not None or not entity.jurisdiction:
            return
        closed: frozenset[date] | None = None
        for form in self.forms:
            if not form.has_changed() or form.errors or self._should_delete_form(form):
                continue
            closed = closed if closed is not None else unsaved_entity_closed_days(entity)
            policy: DeadlinePolicy = form.instance
            for error in validate_deadline_policy(
                entity=entity, key=DeadlineKey(policy.key), rule=policy.as_rule(), closed=closed
            ):
                form.add_error(None, str(error))


# --- Inlines on the entity page.


class EntityPolicyInline(admin.StackedInline):
    model = EntityPolicy
    form = EntityPolicyInlineForm
    formset = EntityChildFormSet
    fieldsets = _FEE_FIELDSETS
    can_delete = False  # every entity needs its policy
    extra = 0
    min_num = 1
    max_num = 1


# A deadline is changed, never removed: no law gives one for authorizations or continuity of
# care, and without a rule such a request could not be received at all (compute_due raises).
class DeadlinePolicyInline(admin.TabularInline):
    model = DeadlinePolicy
    form = DeadlinePolicyForm
    formset = DeadlinePolicyFormSet
    can_delete = False
    fields = (
        "key",
        "days",
        "unit",
        "extension_days",
        "pauses_when_pending",
        "moves_to_open_day",
        "legal_floor",
    )
    readonly_fields = ("legal_floor",)
    extra = 0

    @admin.display(description=gettext_lazy("legal deadline that applies"))
    def legal_floor(self, obj: DeadlinePolicy) -> str:
        if obj.pk is None:
            return "-"
        return legal_floor_text(obj.entity.jurisdiction, obj.key)


# --- After saving: the whole calendar, closures included, against every deadline.


def deadline_problems(entity: Entity) -> list[str]:
    """The stored deadlines checked against the stored calendar. Validation in the form
    cannot see closures or a holiday calendar saved in the same request, and a closure added
    later can push a working-day policy past a calendar-day law."""
    policies = list(entity.deadline_policies.all())
    if not policies:
        return []
    closed = entity_closed_days(entity)
    problems = []
    for policy in policies:
        for error in validate_deadline_policy(
            entity=entity, key=DeadlineKey(policy.key), rule=policy.as_rule(), closed=closed
        ):
            problems.append(f"{policy.get_key_display()}: {error}")
    return problems


def warn_about_deadlines(
    modeladmin: admin.ModelAdmin, request: HttpRequest, entity: Entity
) -> None:
    for problem in deadline_problems(entity):
        modeladmin.message_user(
            request,
            _("Check the deadlines of %(entity)s. %(problem)s")
            % {"entity": entity.short_name, "problem": problem},
            level=messages.WARNING,
        )


# --- The policies on their own pages.


@admin.register(EntityPolicy)
class EntityPolicyAdmin(admin.ModelAdmin):
    form = EntityPolicyForm
    fieldsets = ((None, {"fields": ("entity",)}), *_FEE_FIELDSETS)
    list_display = (
        "entity",
        "jurisdiction",
        "help_phone",
        "per_page_paper",
        "electronic_flat_fee",
        "benefit_appeal_free",
    )
    list_filter = ("entity__jurisdiction", "benefit_appeal_free")
    list_select_related = ("entity",)
    search_fields = ("entity__name", "entity__short_name")
    autocomplete_fields = ("entity",)

    @admin.display(description=gettext_lazy("state"), ordering="entity__jurisdiction")
    def jurisdiction(self, obj: EntityPolicy) -> str:
        return obj.entity.jurisdiction

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        # Moving a policy to another entity would leave the first one without a policy.
        return ("entity",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: EntityPolicy, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        warn_about_deadlines(self, request, obj.entity)


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    form = DeadlinePolicyForm
    fields = (
        "entity",
        "key",
        "legal_floor",
        "days",
        "unit",
        "extension_days",
        "pauses_when_pending",
        "moves_to_open_day",
    )
    readonly_fields = ("legal_floor",)
    list_display = (
        "entity",
        "key",
        "days",
        "unit",
        "extension_days",
        "pauses_when_pending",
        "moves_to_open_day",
        "legal_floor",
    )
    list_filter = ("key", "unit", "entity__jurisdiction", "entity")
    list_select_related = ("entity",)
    search_fields = ("entity__name", "entity__short_name")
    autocomplete_fields = ("entity",)

    @admin.display(description=gettext_lazy("legal deadline that applies"))
    def legal_floor(self, obj: DeadlinePolicy) -> str:
        if obj.pk is None:
            return _("Shown once the entity and the kind are saved; the save checks it.")
        return legal_floor_text(obj.entity.jurisdiction, obj.key)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # see DeadlinePolicyInline

    def get_form(
        self,
        request: HttpRequest,
        obj: DeadlinePolicy | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "days" in form.base_fields:
            # The factory builds new field objects on every call, so this help is per page.
            form.base_fields["days"].help_text = legal_floor_text(obj.entity.jurisdiction, obj.key)
        return form

    def save_model(
        self, request: HttpRequest, obj: DeadlinePolicy, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        warn_about_deadlines(self, request, obj.entity)
