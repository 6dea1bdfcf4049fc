"""Requests ready to release, and uploads as a browser sends them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import Request
from requests_app.services import transitions as t

from ..factories import submit


def make_ready(entity, actor, **kwargs) -> Request:
    """A request taken through the real workflow to READY."""
    req = submit(entity=entity, **kwargs)
    t.request_start_review(req, actor=actor)
    t.request_verify(req, actor=actor)
    t.request_mark_ready(req, actor=actor)
    req.refresh_from_db()
    return req


@pytest.fixture
def ready_request(entity_a, staff_a, representative) -> Request:
    # A representative, so the release writes a disclosure entry (164.528 audit trail).
    return make_ready(entity_a, staff_a, requester=representative)


@pytest.fixture
def upload() -> Callable[..., SimpleUploadedFile]:
    def make(name: str, data: bytes, content_type: str = "application/octet-stream"):
        return SimpleUploadedFile(name, data, content_type=content_type)

    return make
