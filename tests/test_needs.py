"""A skip is a failure in CI (tests/needs.py, through the root conftest's report hook)."""

from __future__ import annotations

import pytest

from .needs import fail_skip_in_ci


def _skipped() -> pytest.TestReport:
    return pytest.TestReport(
        nodeid="tests/x.py::test_x",
        location=("tests/x.py", 1, "test_x"),
        keywords={},
        outcome="skipped",
        longrepr=("tests/x.py", 1, "Skipped: no Chromium"),
        when="setup",
    )


def test_a_skip_fails_in_ci(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    report = _skipped()
    fail_skip_in_ci(report)
    assert report.failed and "no Chromium" in str(report.longrepr)


def test_a_skip_stays_a_skip_outside_ci(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    report = _skipped()
    fail_skip_in_ci(report)
    assert report.skipped
