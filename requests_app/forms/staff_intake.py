"""The intake form: a request received by mail, fax, phone or in person, keyed in by staff.
It validates and turns the answers into an IntakeSpec; services/intake.py records it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    AUTHORITY_CHOICES,
    DELIVERY_CHOICES,
    REQUEST_KIND_CHOICES,
    REQUESTER_ROLE_CHOICES,
    SENSITIVE_CHOICES,
    THIRD_PARTY_CHOICES,
)
from ..models import Attachment, Channel, Entity, Location, Patient, RequestedItem
from ..models.people import LANGUAGE_CHOICES
from ..services.intake import (
    NEEDS_PAPER,
    received_at_check,
    scan_check,
    scan_unstash,
)
from .staff_intake_spec import IntakeSpecMixin

CHANNEL_CHOICES = [
    (c.value, c.label) for c in (Channel.FAX, Channel.MAIL, Channel.PHONE, Channel.WALK_IN)
]
# (form field, Attachment kind, label)
SCANS = [
    ("scan_authorization", Attachment.Kind.SCANNED_AUTHORIZATION, _("Scanned authorization")),
    ("scan_photo_id", Attachment.Kind.PHOTO_ID, _("Photo ID")),
    ("scan_authority", Attachment.Kind.REPRESENTATIVE_AUTHORITY, _("Proof of authority")),
    ("scan_death_certificate", Attachment.Kind.DEATH_CERTIFICATE, _("Death certificate")),
]
ACCEPT = ".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff"
DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _text(label: Any, *, rows: int = 0, required: bool = False, **kwargs: Any) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=2000, widget=widget, **kwargs)


def patients_in_scope(entities: QuerySet[Entity]) -> QuerySet[Patient]:
    """Patients a clerk may find: those with a request at one of their entities. Staff never
    browse the organization's whole patient list from intake."""
    return Patient.objects.filter(requests__entity__in=entities).distinct()


class IntakeForm(IntakeSpecMixin, forms.Form):
    # When and how it arrived.
    entity = forms.ModelChoiceField(label=_("Entity"), queryset=Entity.objects.none())
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        help_text=_("Leave empty when the request is for the whole entity."),
    )
    channel = forms.ChoiceField(label=_("Received by"), choices=CHANNEL_CHOICES)
    received_at = forms.DateTimeField(
        label=_("Date and time received"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "The real time of receipt (fax header, date stamp), in the entity's time zone. "
            "It starts the legal clock."
        ),
    )
    language = forms.ChoiceField(label=_("Letters in"), choices=LANGUAGE_CHOICES, initial="en")
    # The patient: an existing one found by name and birth date, or a new one.
    patient_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    patient_first_name = _text(_("First name"))
    patient_middle_name = _text(_("Middle name"))
    patient_last_name = _text(_("Last name"))
    patient_other_names = _text(_("Other names used"), rows=2)
    patient_date_of_birth = forms.DateField(label=_("Date of birth"), required=False, **DATE)
    patient_date_of_death = forms.DateField(
        label=_("Date of death (if deceased)"), required=False, **DATE
    )
    patient_phone = _text(_("Phone"))
    patient_email = forms.EmailField(label=_("Email"), required=False)
    patient_address = _text(_("Mailing address"), rows=2)
    # Who asks.
    requester_role = forms.ChoiceField(label=_("Requester"), choices=REQUESTER_ROLE_CHOICES)
    requester_name = _text(_("Requester's full name"), help_text=_("Empty: the patient's name."))
    requester_organization = _text(_("Organization (firm, insurer, practice)"))
    third_party_type = forms.ChoiceField(
        label=_("Type of third party"), choices=[("", "—"), *THIRD_PARTY_CHOICES], required=False
    )
    representative_authority = forms.ChoiceField(
        label=_("Authority to act for the patient"),
        choices=[("", "—"), *AUTHORITY_CHOICES],
        required=False,
    )
    relationship = _text(_("Relationship to the patient"))
    requester_phone = _text(_("Phone"))
    requester_fax = _text(_("Fax"))
    requester_email = forms.EmailField(label=_("Email"), required=False)
    requester_address = _text(_("Mailing address"), rows=2)
    # What is asked, and where it goes.
    kind = forms.ChoiceField(label=_("Kind of request"), choices=REQUEST_KIND_CHOICES)
    delivery_method = forms.ChoiceField(label=_("Delivery"), choices=DELIVERY_CHOICES)
    record_types = forms.MultipleChoiceField(
        label=_("Records asked for"),
        choices=RequestedItem.RecordType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dates_from = forms.DateField(label=_("From"), required=False, **DATE)
    dates_to = forms.DateField(label=_("To"), required=False, **DATE)
    items_note = _text(_("Details of the records asked for"))
    sensitive_categories = forms.MultipleChoiceField(
        label=_("Sensitive records asked for"),
        choices=SENSITIVE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    estimated_pages = forms.IntegerField(
        label=_("Estimated pages"), min_value=0, initial=0, required=False
    )
    summary_requested = forms.BooleanField(label=_("A summary is requested"), required=False)
    benefit_appeal = forms.BooleanField(label=_("For a public-benefit appeal"), required=False)
    recipient_name = _text(_("Recipient"))
    recipient_address = _text(_("Recipient's address"), rows=2)
    recipient_fax = _text(_("Recipient's fax"))
    recipient_email = forms.EmailField(label=_("Recipient's email"), required=False)
    purpose = _text(_("Purpose"))
    amendment_what_is_wrong = _text(_("Amendment: what is wrong"), rows=2)
    amendment_should_say = _text(_("Amendment: what it should say, and why"), rows=2)
    # What the paper authorization says (164.508(c)); staff tick what they see.
    auth_description = _text(_("Information to release, as written"))
    auth_discloser = _text(_("Who may disclose, as written"))
    auth_names_recipient = forms.BooleanField(label=_("Names the recipient above"), required=False)
    auth_gives_address = forms.BooleanField(
        label=_("Gives the recipient's address above"), required=False
    )
    auth_purpose = _text(_("Purpose, as written"))
    auth_expiration_date = forms.DateField(label=_("Expiration date"), required=False, **DATE)
    auth_expiration_event = _text(_("Expiration event"))
    auth_signature_name = _text(_("Signed by"))
    auth_signed_on = forms.DateField(label=_("Date signed"), required=False, **DATE)
    auth_statement_revocation = forms.BooleanField(
        label=_("Right to revoke in writing"), required=False
    )
    auth_statement_conditioning = forms.BooleanField(
        label=_("Treatment or payment not conditioned on signing"), required=False
    )
    auth_statement_redisclosure = forms.BooleanField(
        label=_("Redisclosed information may lose protection"), required=False
    )
    auth_statement_copy_right = forms.BooleanField(
        label=_("Right to a copy of the form (California)"), required=False
    )
    auth_font_size_pt = forms.IntegerField(
        label=_("Type size (pt), if typed"), required=False, min_value=4, max_value=72
    )
    auth_signature_separate = forms.BooleanField(
        label=_("Signature used only for this authorization"), required=False, initial=True
    )
    auth_specific_consents = forms.MultipleChoiceField(
        label=_("Specific consents given"),
        choices=SENSITIVE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    auth_psychotherapy_separate = forms.BooleanField(
        label=_("Psychotherapy notes on a separate authorization"), required=False
    )
    auth_false_information = forms.BooleanField(
        label=_("Contains information known to be false"), required=False
    )

    def __init__(
        self,
        *args: Any,
        entities: QuerySet[Entity],
        user: Any,
        searching: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.searching = searching
        self.entities = entities
        self.fields["entity"].queryset = entities
        self.fields["location"].queryset = Location.objects.filter(
            entity__in=entities, active=True
        ).select_related("entity")
        self.fields["location"].label_from_instance = lambda loc: f"{loc.entity.short_name}: {loc}"
        for name, _kind, label in SCANS:
            self.fields[name] = forms.FileField(
                label=label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
            self.fields[f"{name}_kept"] = forms.CharField(required=False, widget=forms.HiddenInput)
        if entities.count() == 1:
            self.fields["entity"].initial = entities.first()
        zone = ZoneInfo(entities.first().timezone) if entities.exists() else None
        self.fields["received_at"].initial = timezone.localtime(timezone.now(), zone).replace(
            second=0, microsecond=0, tzinfo=None
        )
        self.scans: dict[str, Any] = {}

    def full_clean(self) -> None:
        # "Find patient" re-shows the form with the search results: nothing is validated yet,
        # so no error appears on fields the clerk has not reached.
        if self.searching:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    # --- the patient search ----------------------------------------------------------------

    def patient_matches(self) -> list[Patient]:
        last = (self.data.get("patient_last_name") or "").strip()
        born = self.fields["patient_date_of_birth"].widget.value_from_datadict(
            self.data, self.files, "patient_date_of_birth"
        )
        try:
            born_on = forms.DateField().clean(born)
        except ValidationError:
            return []
        if not last or not born_on:
            return []
        first = (self.data.get("patient_first_name") or "").strip()
        found = (
            patients_in_scope(self.entities)
            .filter(date_of_birth=born_on)
            .filter(Q(last_name__iexact=last) | Q(other_names__icontains=last))
        )
        if first:
            found = found.filter(Q(first_name__istartswith=first[0]))
        return list(found.order_by("last_name", "first_name")[:10])

    # --- validation ------------------------------------------------------------------------

    def clean_received_at(self) -> datetime:
        value = self.cleaned_data["received_at"]
        entity = self.cleaned_data.get("entity")
        zone = ZoneInfo(entity.timezone) if entity else timezone.get_current_timezone()
        # Typed as the entity's wall-clock time, whatever zone the clerk's browser is in.
        value = value.replace(tzinfo=None).replace(tzinfo=zone)
        received_at_check(value)
        return value

    def _clean_scans(self) -> None:
        for name, kind, _label in SCANS:
            upload = self.cleaned_data.get(name)
            kept = self.cleaned_data.get(f"{name}_kept")
            try:
                if upload:
                    self.scans[name] = (kind, scan_check(upload))
                elif kept:
                    self.scans[name] = (kind, scan_check(scan_unstash(kept, user=self.user)))
            except ValidationError as exc:
                self.add_error(name, exc)

    def _clean_patient(self, data: dict[str, Any]) -> None:
        patient_id = data.get("patient_id")
        if patient_id:
            data["patient"] = patients_in_scope(self.entities).filter(pk=patient_id).first()
            if data["patient"] is None:
                self.add_error(None, _("That patient cannot be chosen; search again."))
            return
        for name in ("patient_first_name", "patient_last_name", "patient_date_of_birth"):
            if not data.get(name):
                self.add_error(name, _("Needed for a new patient (or find the patient)."))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_scans()
        self._clean_patient(data)
        kind = data.get("kind")
        missing_scan = "scan_authorization" not in self.scans | self.errors.keys()
        if kind in NEEDS_PAPER and missing_scan:
            self.add_error(
                "scan_authorization",
                _("Upload the scanned authorization: this kind of request rests on it."),
            )
        if kind == "continuity" and data.get("requester_role") != "provider":
            self.add_error(
                "requester_role", _("A continuity-of-care request comes from a provider.")
            )
        start, end = data.get("dates_from"), data.get("dates_to")
        if start and end and start > end:
            self.add_error("dates_to", _("The range ends before it starts."))
        location, entity = data.get("location"), data.get("entity")
        if location and entity and location.entity_id != entity.pk:
            self.add_error("location", _("That location belongs to another entity."))
        return data
