"""The Celery app. Tasks live in requests_app/tasks.py; periodic jobs are registered in one
place (requests_app/schedule.py) and stored by django-celery-beat."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roi_portal.settings")

app = Celery("roi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
