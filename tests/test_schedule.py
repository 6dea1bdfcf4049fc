"""The one registry of periodic work (requests_app/schedule.py) and `manage.py setup_schedule`,
which writes it to django-celery-beat: idempotent, and the admin's schedule is kept."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks
from django_celery_beat.schedulers import ModelEntry

from requests_app.schedule import JOBS
from roi_portal.celery import app

pytestmark = pytest.mark.django_db

EXPECTED = {
    "deadline-sweep": ("requests_app.tasks.clocks.deadline_sweep", 15, "minutes"),
    "authorization-expiry": ("requests_app.tasks.clocks.authorization_expiry_sweep", 1, "hours"),
    "requester-reminders": ("requests_app.tasks.clocks.requester_reminder_sweep", 1, "hours"),
    "recover-pending-work": ("requests_app.tasks.recovery.recover_pending_work", 1, "minutes"),
    "purge-abandoned-drafts": ("requests_app.tasks.cleanup.purge_abandoned_drafts", 1, "days"),
}


def setup(*args: str) -> str:
    out = StringIO()
    call_command("setup_schedule", *args, stdout=out)
    return out.getvalue()


def rows() -> dict[str, tuple]:
    return {
        p.name: (p.task, p.interval.every, p.interval.period)
        for p in PeriodicTask.objects.select_related("interval")
    }


def snapshot() -> list[tuple]:
    return sorted(
        PeriodicTask.objects.values_list(
            "name", "task", "interval_id", "enabled", "expire_seconds", "date_changed"
        )
    )


def test_it_writes_the_registry() -> None:
    output = setup()
    assert rows() == EXPECTED
    assert output.count("created") == len(EXPECTED)
    sweep = PeriodicTask.objects.get(name="deadline-sweep")
    assert sweep.enabled and sweep.expire_seconds == 15 * 60
    assert "extension decision" in sweep.description


def test_running_it_twice_changes_nothing() -> None:
    setup()
    before = snapshot()
    intervals = IntervalSchedule.objects.count()
    changed = PeriodicTasks.last_change()
    output = setup()
    assert snapshot() == before
    assert IntervalSchedule.objects.count() == intervals
    assert PeriodicTasks.last_change() == changed
    assert output.count("unchanged") == len(EXPECTED)


def test_an_interval_changed_in_the_admin_is_kept_until_reset() -> None:
    setup()
    thirty, _created = IntervalSchedule.objects.get_or_create(every=30, period="minutes")
    sweep = PeriodicTask.objects.get(name="deadline-sweep")
    sweep.interval = thirty
    sweep.enabled = False
    sweep.save()
    setup()
    sweep.refresh_from_db()
    assert (sweep.interval.every, sweep.enabled) == (30, False)
    output = setup("--reset")
    sweep.refresh_from_db()
    assert (sweep.interval.every, sweep.interval.period, sweep.enabled) == (15, "minutes", True)
    assert re.search(r"deadline-sweep +updated: schedule, enabled", output)


def test_a_renamed_task_path_is_put_back() -> None:
    setup()
    PeriodicTask.objects.filter(name="deadline-sweep").update(task="old.path")
    assert "updated: task" in setup()
    assert PeriodicTask.objects.get(name="deadline-sweep").task == EXPECTED["deadline-sweep"][0]


def test_tasks_added_in_the_admin_are_listed_and_left_alone() -> None:
    every_day, _created = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.create(name="nightly-report", task="x.report", interval=every_day)
    assert "nightly-report" in setup() and PeriodicTask.objects.filter(name="nightly-report")


def test_beat_runs_a_new_job_at_once_then_on_its_interval() -> None:
    setup()
    entry = ModelEntry(PeriodicTask.objects.get(name="deadline-sweep"), app=app)
    due, _next = entry.is_due()
    assert due
    ran = entry.__next__()
    due, wait = ran.is_due()
    assert not due and 14 * 60 < wait <= 15 * 60


def test_every_job_names_a_registered_task() -> None:
    import requests_app.tasks  # noqa: F401 - what the worker's autodiscovery imports

    assert {job.task for job in JOBS} <= set(app.tasks)
