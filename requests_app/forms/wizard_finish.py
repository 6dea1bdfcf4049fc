"""Steps 5-7 of the request wizard: "How do you want them?", the uploads, and "Review and
sign"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import DELIVERY_LABELS
from ..models import Attachment
from ..rules.kinds import DeliveryMethod, RequestKind
from ..services.drafts_state import (
    CHOICE_DECEASED,
    CHOICE_PROVIDER,
    CHOICE_REPRESENTATIVE,
    CHOICE_THIRD_PARTY,
    default_expiration,
    delivery_methods_offered,
    expiration_event_allowed,
)
from ..services.uploads import MAX_UPLOAD_BYTES, CheckedUpload, upload_check
from .wizard import StepForm, date_input

D = DeliveryMethod
DELIVERY_HELP = {
    D.PORTAL: _("Fastest. Download them here as soon as they are ready."),
    D.SECURE_EMAIL: _("We email a secure link to download them."),
    D.MAIL: _("Paper copies sent by mail."),
    D.CD: _("On a CD or DVD, sent by mail."),
    D.USB: _("On a USB drive, sent by mail."),
    D.FAX: _("Faxed, for example to another doctor's office."),
    D.INSPECTION: _("Look at your records in person, free of charge."),
    D.PICKUP: _("Pick up paper copies in person."),
}
_NEEDS_ADDRESS = {D.MAIL, D.CD, D.USB}


class DeliveryForm(StepForm):
    method = forms.ChoiceField(label=_("How do you want them?"), widget=forms.RadioSelect)
    recipient_name = forms.CharField(
        label=_("Who should receive them?"), max_length=200, required=False
    )
    recipient_address = forms.CharField(
        label=_("Their mailing address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    recipient_email = forms.EmailField(label=_("Their email"), required=False)
    recipient_fax = forms.CharField(label=_("Their fax number"), max_length=40, required=False)
    purpose = forms.CharField(
        label=_("Why are the records needed?"),
        help_text=_("For example: a legal claim, an insurance application, a school."),
        max_length=300,
        required=False,
    )
    defect_fields = {
        "recipient_name": "recipient_name",
        "recipient_address": "recipient_address",
        "purpose": "purpose",
    }

    def setup(self) -> None:
        state = self.ctx.state
        self.methods = delivery_methods_offered(state, self.ctx.entities)
        self.fields["method"].choices = [(m.value, DELIVERY_LABELS[m]) for m in self.methods]
        self.help = DELIVERY_HELP
        if self.methods and not self.is_bound and not self.initial.get("method"):
            self.initial["method"] = self.methods[0].value  # the fastest secure one
        self.to_someone_else = state.kind in (
            RequestKind.DIRECTED,
            RequestKind.AUTHORIZED,
            RequestKind.CONTINUITY,
        )
        if not self.to_someone_else:
            # Asked only when needed for the method chosen: mail needs an address, fax a number.
            del self.fields["recipient_name"]
            del self.fields["recipient_email"]
            self.fields["recipient_address"].label = _("Mailing address for paper, CD or USB")
            self.fields["recipient_fax"].label = _("Fax number, only for a fax to a doctor")
            known = state.patient.get("address" if state.is_patient else "requester_address")
            self.initial.setdefault("recipient_address", known or "")
        elif (
            not self.is_bound
            and not self.initial.get("recipient_name")
            and state.choice in (CHOICE_THIRD_PARTY, CHOICE_PROVIDER)
        ):
            # A third party or provider usually receives the records themselves.
            who = state.requester_organization or state.requester_name
            self.initial["recipient_name"] = who
            self.initial["recipient_address"] = state.patient.get("requester_address", "")
            self.initial["recipient_fax"] = state.patient.get("requester_fax", "")
        if state.needs_authorization:
            required = {"recipient_name", "recipient_address"}
            if state.kind == RequestKind.AUTHORIZED:
                required.add("purpose")
            self.rule_required = frozenset(required)
        if state.kind != RequestKind.AUTHORIZED:
            # The patient's own right needs no reason (45 CFR 164.524); nor does a copy the
            # patient directs, nor treatment.
            del self.fields["purpose"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        method = data.get("method")
        address = (data.get("recipient_address") or "").strip()
        # For a signed direction or authorization a missing address is the rules' defect.
        if method in _NEEDS_ADDRESS and not address and not self.ctx.state.needs_authorization:
            self.add_error("recipient_address", _("Tell us where to mail them."))
        if method == D.FAX and not (data.get("recipient_fax") or "").strip():
            self.add_error("recipient_fax", _("Tell us the fax number."))
        if (
            method == D.SECURE_EMAIL
            and self.ctx.state.kind == RequestKind.DIRECTED
            and not data.get("recipient_email")
        ):
            self.add_error("recipient_email", _("Tell us the email address to send the link to."))
        return data


# --- Step 6: uploads

UPLOAD_LABELS = {
    Attachment.Kind.PHOTO_ID: _("Photo ID"),
    Attachment.Kind.REPRESENTATIVE_AUTHORITY: _("Proof of your authority"),
    Attachment.Kind.DEATH_CERTIFICATE: _("Death certificate"),
    Attachment.Kind.SCANNED_AUTHORIZATION: _("Permission the patient signed on paper"),
}


class UploadsForm(StepForm):
    """One file input per document the answer to step 1 calls for. Which are required
    follows DOMAIN.md section 4; the rules report a missing one as a defect."""

    defect_fields = {
        "authority_document": Attachment.Kind.REPRESENTATIVE_AUTHORITY.value,
        "death_certificate": Attachment.Kind.DEATH_CERTIFICATE.value,
    }

    def setup(self) -> None:
        state = self.ctx.state
        self.limit = filesizeformat(MAX_UPLOAD_BYTES)
        accept = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"
        kinds: dict[str, Any] = {}
        if state.is_patient and self.ctx.signed_in:
            # Identity must not become a barrier (DOMAIN.md section 4): staff ask later if needed.
            kinds[Attachment.Kind.PHOTO_ID] = _(
                "Not required. Staff may ask for it later if they cannot confirm who you are."
            )
        else:
            kinds[Attachment.Kind.PHOTO_ID] = _(
                "Optional, but it helps staff confirm who you are without calling you."
            )
        if state.choice == CHOICE_REPRESENTATIVE:
            kinds[Attachment.Kind.REPRESENTATIVE_AUTHORITY] = _(
                "Required: guardianship papers, a health care power of attorney or advance "
                "directive, a designation of personal representative, or for a minor the birth "
                "certificate or court order showing you are the parent."
            )
        if state.choice == CHOICE_DECEASED:
            kinds[Attachment.Kind.DEATH_CERTIFICATE] = _("Required.")
            kinds[Attachment.Kind.REPRESENTATIVE_AUTHORITY] = _(
                "Required: letters testamentary or of administration, or a document showing you "
                "are next of kin."
            )
        if state.choice == CHOICE_THIRD_PARTY:
            kinds[Attachment.Kind.SCANNED_AUTHORIZATION] = _(
                "Optional. The patient can also sign electronically at the last step."
            )
        self.rule_required = frozenset(
            k.value
            for k in (Attachment.Kind.REPRESENTATIVE_AUTHORITY, Attachment.Kind.DEATH_CERTIFICATE)
            if k in kinds
        )
        for kind, help_text in kinds.items():
            self.fields[kind.value] = forms.FileField(
                label=UPLOAD_LABELS[kind],
                help_text=help_text,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
            )
        self.checked: dict[str, CheckedUpload] = {}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in list(self.fields):
            upload = data.get(name)
            if not upload:
                continue
            try:
                self.checked[name] = upload_check(upload)
            except ValidationError as exc:
                self.add_error(name, exc)
        return data

    def saved_values(self) -> dict[str, Any]:
        return {"seen": True}

    @classmethod
    def data_from_saved(cls, saved: dict[str, Any]) -> dict[str, Any]:
        return {}


# --- Step 7: review and sign


class ReviewForm(StepForm):
    expiration_date = forms.DateField(
        label=_("This permission ends on"), widget=date_input(), required=False
    )
    expiration_event = forms.CharField(
        label=_("Or it ends when this happens"),
        help_text=_("For example: when my claim is settled."),
        max_length=300,
        required=False,
    )
    signature_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    attest = forms.BooleanField(
        label=_(
            "I have read the text above. Typing my name is my electronic signature, and the "
            "information I gave is true."
        )
    )
    defect_fields = {"signed_on": "signature_name", "expired": "expiration_date"}

    def setup(self) -> None:
        state = self.ctx.state
        today = timezone.localdate()
        self.today = today
        if not state.needs_authorization:
            del self.fields["expiration_date"]
            del self.fields["expiration_event"]
            return
        self.initial.setdefault("expiration_date", default_expiration(self.ctx.entities, today))
        self.event_allowed = expiration_event_allowed(self.ctx.entities)
        if not self.event_allowed:
            # California (Civil Code 56.11(h)) wants a specific date, never only an event.
            del self.fields["expiration_event"]
            self.fields["expiration_date"].required = True

    def clean_expiration_date(self) -> date | None:
        ends = self.cleaned_data.get("expiration_date")
        if ends is not None and ends <= self.today:
            raise ValidationError(_("The end date must be after today."))
        return ends

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            "expiration_date" in self.fields
            and not data.get("expiration_date")
            and not (data.get("expiration_event") or "").strip()
            and "expiration_date" not in self.errors
        ):
            self.add_error("expiration_date", _("Tell us when this permission ends."))
        return data


SIGNER_LABELS = {
    CHOICE_THIRD_PARTY: _("The patient, or the patient's personal representative, signs here."),
    CHOICE_PROVIDER: _("You sign as the provider asking for the records."),
}
