"""Authorizations (45 CFR 164.508): a signed legal document, so what was signed is kept.

An electronic authorization is shown as signed in the portal; only a written revocation can be
recorded on it. A paper authorization is transcribed by staff, so its elements stay editable.
The signature evidence the portal captured (IP, user agent) is never editable.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..choices import SENSITIVE_CHOICES
from ..models import Authorization

CORE_FIELDS = (
    "description",
    "discloser",
    "recipient_name",
    "recipient_address",
    "purpose",
    "expiration_date",
    "expiration_event",
)
STATEMENT_FIELDS = (
    "statement_revocation",
    "statement_conditioning",
    "statement_redisclosure",
    "statement_copy_right",
    "font_size_pt",
    "signature_used_only_for_authorization",
)
SENSITIVE_FIELDS = ("specific_consents", "psychotherapy_notes_separate", "known_false_information")
SIGNATURE_FIELDS = (
    "source",
    "signer_role",
    "representative_authority",
    "signature_name",
    "signed_at",
    "signature_ip",
    "signature_user_agent",
)
REVOCATION_FIELDS = ("revoked_at", "revocation_reason")
# Captured by the portal at signing: evidence, never typed in.
EVIDENCE_FIELDS = ("source", "signature_ip", "signature_user_agent")

FIELDSETS = (
    (_("Core elements (164.508(c)(1))"), {"fields": CORE_FIELDS}),
    (_("Required statements (164.508(c)(2), Cal. Civil Code 56.11)"), {"fields": STATEMENT_FIELDS}),
    (_("Specific consents"), {"fields": SENSITIVE_FIELDS}),
    (_("Signature"), {"fields": SIGNATURE_FIELDS}),
    (_("Revocation"), {"fields": REVOCATION_FIELDS}),
)


def readonly_for(authorization: Authorization | None) -> tuple[str, ...]:
    if authorization is not None and authorization.source == Authorization.Source.ELECTRONIC:
        return CORE_FIELDS + STATEMENT_FIELDS + SENSITIVE_FIELDS + SIGNATURE_FIELDS
    return EVIDENCE_FIELDS


class AuthorizationForm(forms.ModelForm):
    # Checkboxes instead of raw JSON: the model stores a list of SensitiveCategory values.
    specific_consents = forms.MultipleChoiceField(
        label=_("Specific consents given"),
        choices=SENSITIVE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Authorization
        fields = (
            "request",
            *CORE_FIELDS,
            *STATEMENT_FIELDS,
            *SENSITIVE_FIELDS,
            *SIGNATURE_FIELDS,
            *REVOCATION_FIELDS,
        )

    def save(self, commit: bool = True) -> Authorization:
        if self.instance.pk is None:
            # Entered here means transcribed from paper: only the portal signs electronically.
            self.instance.source = Authorization.Source.SCANNED
        return super().save(commit)


class AuthorizationInline(admin.StackedInline):
    model = Authorization
    form = AuthorizationForm
    fieldsets = FIELDSETS
    can_delete = False
    extra = 0
    max_num = 1

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        # `obj` is the request; it has at most one authorization.
        return readonly_for(getattr(obj, "authorization", None))


@admin.register(Authorization)
class AuthorizationAdmin(admin.ModelAdmin):
    form = AuthorizationForm
    list_display = (
        "request",
        "source",
        "recipient_name",
        "purpose",
        "expiration_date",
        "signed_at",
        "revoked_at",
    )
    list_filter = (
        "source",
        ("revoked_at", admin.EmptyFieldListFilter),
        ("expiration_date", admin.DateFieldListFilter),
    )
    list_select_related = ("request",)
    search_fields = (
        "request__number",
        "recipient_name",
        "signature_name",
        "request__patient__last_name",
        "request__patient__first_name",
    )
    autocomplete_fields = ("request",)
    show_full_result_count = False

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ((None, {"fields": ("request",)}), *FIELDSETS)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        fields = readonly_for(obj if isinstance(obj, Authorization) else None)
        # The request it authorizes is fixed once recorded.
        return ("request", *fields) if obj is not None else fields

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A signed authorization is kept (164.508(b)(6)); a revocation is recorded instead.
        return False
