"""A fresh mail budget for every test, and a POST that sends the emails it queues."""

from __future__ import annotations

import pytest


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST like a browser; emails queued with on_commit go out before the response returns."""

    def do(url: str, data: dict | None = None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return do
