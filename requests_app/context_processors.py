from __future__ import annotations

from django.http import HttpRequest

from .access.portal import portal_identity
from .rules.facts import LEGAL_NUMBERS


def portal(request: HttpRequest) -> dict[str, object]:
    """Who the portal visitor is (an account, a confirmed guest, or nobody), for the header,
    and the legal numbers the pages quote."""
    return {"portal_guest_email": portal_identity(request).guest_email, "legal": LEGAL_NUMBERS}
