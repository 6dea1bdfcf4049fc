from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from requests_app.views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("requests_app.urls_portal")),
    path("staff/", include("requests_app.urls_staff")),
    path("admin/", admin.site.urls),
]
