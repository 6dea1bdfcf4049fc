"""Turning the intake form's answers into an IntakeSpec for services/intake.py."""

from __future__ import annotations

from typing import Any

from ..services.intake import (
    NEEDS_PAPER,
    IntakeSpec,
    PaperAuthorization,
    PatientSpec,
    RequesterSpec,
)
from ..services.submission import ItemSpec


class IntakeSpecMixin:
    """For IntakeForm, after is_valid(): cleaned_data and the checked scans."""

    cleaned_data: dict[str, Any]
    scans: dict[str, Any]

    # --- the spec --------------------------------------------------------------------------

    def _patient_spec(self) -> PatientSpec | None:
        d = self.cleaned_data
        if d.get("patient"):
            return None
        return PatientSpec(
            first_name=d["patient_first_name"],
            middle_name=d["patient_middle_name"],
            last_name=d["patient_last_name"],
            other_names=d["patient_other_names"],
            date_of_birth=d["patient_date_of_birth"],
            date_of_death=d["patient_date_of_death"],
            address=d["patient_address"],
            phone=d["patient_phone"],
            email=d["patient_email"],
        )

    def _requester_spec(self) -> RequesterSpec:
        d = self.cleaned_data
        patient = d.get("patient")
        default_name = (
            patient.full_name
            if patient
            else " ".join(p for p in (d["patient_first_name"], d["patient_last_name"]) if p)
        )
        return RequesterSpec(
            role=d["requester_role"],
            full_name=d["requester_name"] or default_name,
            organization_name=d["requester_organization"],
            third_party_type=d["third_party_type"],
            representative_authority=d["representative_authority"],
            relationship=d["relationship"],
            email=d["requester_email"],
            phone=d["requester_phone"],
            fax=d["requester_fax"],
            address=d["requester_address"],
            preferred_language=d["language"],
        )

    def _paper(self) -> PaperAuthorization | None:
        d = self.cleaned_data
        if d["kind"] not in NEEDS_PAPER and "scan_authorization" not in self.scans:
            return None
        return PaperAuthorization(
            description=d["auth_description"],
            discloser=d["auth_discloser"],
            names_recipient=d["auth_names_recipient"],
            gives_recipient_address=d["auth_gives_address"],
            purpose=d["auth_purpose"],
            expiration_date=d["auth_expiration_date"],
            expiration_event=d["auth_expiration_event"],
            signature_name=d["auth_signature_name"],
            signed_on=d["auth_signed_on"],
            statement_revocation=d["auth_statement_revocation"],
            statement_conditioning=d["auth_statement_conditioning"],
            statement_redisclosure=d["auth_statement_redisclosure"],
            statement_copy_right=d["auth_statement_copy_right"],
            font_size_pt=d["auth_font_size_pt"],
            signature_used_only_for_authorization=d["auth_signature_separate"],
            specific_consents=tuple(d["auth_specific_consents"]),
            psychotherapy_notes_separate=d["auth_psychotherapy_separate"],
            known_false_information=d["auth_false_information"],
        )

    def _items(self) -> list[ItemSpec]:
        d = self.cleaned_data
        ranges = ((d["dates_from"], d["dates_to"]),) if d["dates_from"] and d["dates_to"] else ()
        types = d["record_types"] or (
            [] if d["kind"] in ("amendment", "accounting") else ["complete"]
        )
        return [
            ItemSpec(
                record_type=t,
                description=d["items_note"] if t == "other" else "",
                date_ranges=ranges,
            )
            for t in types
        ]

    def spec(self) -> IntakeSpec:
        d = self.cleaned_data
        return IntakeSpec(
            entity=d["entity"],
            location=d["location"],
            channel=d["channel"],
            received_at=d["received_at"],
            kind=d["kind"],
            delivery_method=d["delivery_method"],
            requester=self._requester_spec(),
            patient=d.get("patient"),
            new_patient=self._patient_spec(),
            items=self._items(),
            recipient_name=d["recipient_name"],
            recipient_address=d["recipient_address"],
            recipient_email=d["recipient_email"],
            recipient_fax=d["recipient_fax"],
            purpose=d["purpose"],
            sensitive_categories=d["sensitive_categories"],
            estimated_pages=d["estimated_pages"] or 0,
            language=d["language"],
            summary_requested=d["summary_requested"],
            benefit_appeal=d["benefit_appeal"],
            amendment_what_is_wrong=d["amendment_what_is_wrong"],
            amendment_should_say=d["amendment_should_say"],
            authorization=self._paper(),
            scans=list(self.scans.values()),
        )
