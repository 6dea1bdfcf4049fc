"""A HIPAA authorization (45 CFR 164.508) with its electronic signature and revocation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import AUTHORITY_CHOICES, REQUESTER_ROLE_CHOICES
from ..rules.authorization import AuthorizationFacts
from ..rules.kinds import RepresentativeAuthority, RequesterRole, RequestKind, SensitiveCategory
from .request import Request


class Authorization(models.Model):
    class Source(models.TextChoices):
        ELECTRONIC = "electronic", _("Signed in the portal")
        SCANNED = "scanned", _("Paper, scanned by staff")

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="authorization")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.ELECTRONIC)
    # Core elements, 164.508(c)(1).
    description = models.TextField(_("information to be disclosed"), blank=True)
    discloser = models.CharField(_("who may disclose"), max_length=300, blank=True)
    recipient_name = models.CharField(_("who may receive"), max_length=200, blank=True)
    recipient_address = models.TextField(_("recipient address"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    expiration_date = models.DateField(_("expiration date"), null=True, blank=True)
    expiration_event = models.CharField(_("expiration event"), max_length=300, blank=True)
    # Required statements, 164.508(c)(2), and California's additions (Civil Code 56.11).
    statement_revocation = models.BooleanField(default=False)
    statement_conditioning = models.BooleanField(default=False)
    statement_redisclosure = models.BooleanField(default=False)
    statement_copy_right = models.BooleanField(default=False)
    font_size_pt = models.PositiveSmallIntegerField(null=True, blank=True)
    signature_used_only_for_authorization = models.BooleanField(default=True)
    # Sensitive categories with their own specific consent (42 CFR Part 2, CA HSC 120980...).
    specific_consents = models.JSONField(default=list, blank=True)
    psychotherapy_notes_separate = models.BooleanField(default=False)
    known_false_information = models.BooleanField(default=False)
    # Electronic signature: typed name, time, IP and user agent.
    signer_role = models.CharField(max_length=20, choices=REQUESTER_ROLE_CHOICES, blank=True)
    representative_authority = models.CharField(
        max_length=20, choices=AUTHORITY_CHOICES, blank=True
    )
    signature_name = models.CharField(_("typed signature"), max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signature_ip = models.GenericIPAddressField(null=True, blank=True)
    signature_user_agent = models.CharField(max_length=400, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Authorization for {self.request.number}"

    def facts(self, *, authority_document: bool = False, death_certificate: bool = False):
        request = self.request
        role = RequesterRole(self.signer_role or request.requester.role)
        return AuthorizationFacts(
            kind=RequestKind(request.kind),
            requester_role=role,
            representative_authority=(
                RepresentativeAuthority(self.representative_authority)
                if self.representative_authority
                else None
            ),
            authority_document=authority_document,
            patient_deceased=request.patient.is_deceased,
            death_certificate=death_certificate,
            description=self.description,
            discloser=self.discloser,
            recipient_name=self.recipient_name,
            recipient_address=self.recipient_address,
            purpose=self.purpose,
            expiration_date=self.expiration_date,
            expiration_event=self.expiration_event,
            signature_name=self.signature_name,
            signed_on=self.signed_at.date() if self.signed_at else None,
            statement_revocation=self.statement_revocation,
            statement_conditioning=self.statement_conditioning,
            statement_redisclosure=self.statement_redisclosure,
            statement_copy_right=self.statement_copy_right,
            font_size_pt=self.font_size_pt,
            signature_used_only_for_authorization=self.signature_used_only_for_authorization,
            revoked_on=self.revoked_at.date() if self.revoked_at else None,
            known_false_information=self.known_false_information,
            sensitive_categories=frozenset(
                SensitiveCategory(c) for c in request.sensitive_categories
            ),
            specific_consents=frozenset(SensitiveCategory(c) for c in self.specific_consents),
            psychotherapy_notes_separate=self.psychotherapy_notes_separate,
            requesting_provider=request.requester.organization_name or request.requester.full_name
            if role == RequesterRole.PROVIDER
            else "",
            amendment_what_is_wrong=request.amendment_what_is_wrong,
            amendment_why=request.amendment_should_say,
        )
