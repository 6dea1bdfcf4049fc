"""Tests that need a service or program this machine may lack: outside CI they skip with the
reason; in CI (CI=true) a missing one fails, so a green CI never hides a test that did not run."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest
from django.db import connection


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{message}, and CI must run this test", pytrace=False)
    pytest.skip(message)


def need_postgresql(why: str) -> None:
    if connection.vendor != "postgresql":
        missing(f"needs PostgreSQL (DATABASE_URL): {why}")


def fail_skip_in_ci(report: pytest.TestReport) -> None:
    """In CI a skipped test is a failed one, whatever skipped it (a plugin, a marker, a
    pytest.skip written later): a green CI must never hide a test that did not run. The root
    conftest calls this for every report; outside CI a skip stays a skip."""
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {reason}"
