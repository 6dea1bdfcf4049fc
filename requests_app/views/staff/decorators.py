"""The door of the staff workspace. Who may see which request is decided in
requests_app/access/staff.py; this only turns "not staff" into a sign-in page or a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from ...access.staff import is_staff_member


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with a staff membership; otherwise to the staff sign-in (anonymous) or a
    404 (signed in, but not HIM staff: a patient must not learn the staff area exists)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            # redirect_to_login encodes the whole path, filters and all.
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if not is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
