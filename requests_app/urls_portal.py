"""The patient portal's URLs (namespace "portal"). Each area keeps its routes beside its views
in views/portal/<area>.py."""

from __future__ import annotations

from .views.portal import accounts, forms, requests, wizard

app_name = "portal"

urlpatterns = [
    *accounts.urlpatterns,
    *wizard.urlpatterns,
    *requests.urlpatterns,
    *forms.urlpatterns,
]
