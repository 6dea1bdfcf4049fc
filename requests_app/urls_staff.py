"""The staff workspace's URLs (namespace "staff"). Each area keeps its routes beside its views
in views/staff/<area>.py."""

from __future__ import annotations

from .views.staff import auth, intake, metrics, packets, queue, request_file

app_name = "staff"

urlpatterns = [
    *auth.urlpatterns,
    *queue.urlpatterns,
    *request_file.urlpatterns,
    *intake.urlpatterns,
    *packets.urlpatterns,
    *metrics.urlpatterns,
]
