"""Staff access: which entities a user works for, and in what role. The staff access helper
(issue 4) filters every query through this."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organization import Entity, Organization


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("HIM clerk")
        SUPERVISOR = "supervisor", _("Supervisor (whole organization)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # A clerk works for the entities listed; a supervisor sees the whole organization.
    entities = models.ManyToManyField(Entity, blank=True, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLERK)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="staff_once_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organization} ({self.get_role_display()})"
