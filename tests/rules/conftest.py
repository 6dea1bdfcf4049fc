"""Shared fixtures for the pure rule tests, which need no database.

They can run without the project's settings (`-p no:django`): the rules only touch Django
for gettext_lazy, which needs USE_I18N. Settings are configured here only when nothing else
will: not configured yet and no importable settings module.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from datetime import date
from functools import cache

import pytest
from django.conf import settings

from requests_app.rules.calendar import closed_days


def _settings_module_importable() -> bool:
    name = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not name:
        return False
    try:
        importlib.import_module(name)
    except Exception:  # any failure means the project settings are not usable yet
        return False
    return True


if not settings.configured and not _settings_module_importable():
    settings.configure(USE_I18N=False)


@cache
def _closed(subdiv: str | None) -> frozenset[date]:
    # 2026 to 2029 covers every date in the tests, with the observed New Year's Day of the
    # following year that falls on 31 December.
    return closed_days(subdiv=subdiv, years=range(2026, 2030))


@pytest.fixture
def closed() -> Callable[[str | None], frozenset[date]]:
    """closed("CA") -> the days California entities are closed, from the holidays package."""
    return _closed
