"""The suite must run on the engines CI says it runs on: CI exports ROI_EXPECT_DATABASE and
ROI_EXPECT_BROKER, and a silent fall-back to SQLite or to the file broker fails here."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection
from kombu import Connection

from roi_portal.celery import app as celery_app


@pytest.mark.django_db
def test_it_runs_on_the_database_the_environment_names() -> None:
    expected = os.environ.get("ROI_EXPECT_DATABASE")
    if not expected:
        expected = (
            "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        )
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_it_uses_the_broker_the_environment_names() -> None:
    expected = os.environ.get("ROI_EXPECT_BROKER") or (
        "redis" if os.environ.get("REDIS_URL") else "filesystem"
    )
    broker = celery_app.conf.broker_url
    assert broker.split(":", 1)[0] == expected
    with Connection(broker, transport_options=celery_app.conf.broker_transport_options) as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.transport.driver_type == expected


def test_production_refuses_to_start_without_a_secret_key() -> None:
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "roi_portal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
