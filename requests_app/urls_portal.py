"""The patient portal's URLs (namespace "portal"). Each area's views live in their own module
under views/portal/ and add their routes here."""

from __future__ import annotations

from django.urls import path  # noqa: F401  (areas append to urlpatterns below)

app_name = "portal"

urlpatterns: list = []
