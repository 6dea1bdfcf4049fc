from __future__ import annotations

from django.core.exceptions import ValidationError


class TransitionNotAllowed(ValidationError):
    """The request is not in a status where this action may happen (for example a second
    release, or an extension after the first due date)."""
