"""The Django admin for hospital HIM administrators, split by concept.

Importing the modules registers their ModelAdmins; Django's autodiscover imports this package.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (
    audit,
    authorization,
    documents,
    notifications,
    organization,
    people,
    policies,
    portal,
    requests,
)

admin.site.site_header = _("roi-portal administration")
admin.site.site_title = _("roi-portal admin")
admin.site.index_title = _("Release of information: configuration and records")

__all__ = [
    "audit",
    "authorization",
    "documents",
    "notifications",
    "organization",
    "people",
    "policies",
    "portal",
    "requests",
]
