"""The one registry of periodic work. `manage.py setup_schedule` writes it to
django-celery-beat's tables, which the single beat process reads (DatabaseScheduler); `make
run` and the deployment's migrate step call it.

The registry gives each job its default interval. Once a job's row exists the admin owns its
schedule (Periodic tasks in the admin: a 15-minute sweep can become 5 or 30 minutes), so
running the command again keeps what the admin chose and changes nothing else; it only puts
back a task path the code renamed and a description. `setup_schedule --reset` restores the
registry's schedules.

Every job is idempotent by its query (a second run changes nothing), so a late or doubled run
is harmless. `expire_seconds` drops a run still queued after one interval: when workers were
down for an hour, they come back to one sweep, not four.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

MINUTES, HOURS, DAYS = "minutes", "hours", "days"  # django_celery_beat.models periods


@dataclass(frozen=True)
class Job:
    name: str  # the PeriodicTask's unique name: stable, the admin finds it by this
    task: str  # the Celery task's registered name
    every: int
    period: str
    description: str

    @property
    def seconds(self) -> int:
        unit = {MINUTES: 60, HOURS: 3600, DAYS: 86400}[self.period]
        return self.every * unit


JOBS: tuple[Job, ...] = (
    Job(
        "deadline-sweep",
        "requests_app.tasks.clocks.deadline_sweep",
        15,
        MINUTES,
        "Marks open requests due soon, due today and overdue, flags those needing an "
        "extension decision, and alerts staff once per threshold (services/clocks.py).",
    ),
    Job(
        "authorization-expiry",
        "requests_app.tasks.clocks.authorization_expiry_sweep",
        1,
        HOURS,
        "Sends requests whose authorization expired before release back to the requester "
        "for a new one (services/clocks_requester.py).",
    ),
    Job(
        "requester-reminders",
        "requests_app.tasks.clocks.requester_reminder_sweep",
        1,
        HOURS,
        "Reminds requesters we are waiting on, and closes requests past the policy's limit "
        "with a letter on how to reopen (services/clocks_requester.py).",
    ),
    Job(
        "recover-pending-work",
        "requests_app.tasks.recovery.recover_pending_work",
        1,
        MINUTES,
        "Publishes again the work a stopped broker or a killed worker left behind: queued "
        "emails, packets, letters (services/recovery.py).",
    ),
    Job(
        "purge-abandoned-drafts",
        "requests_app.tasks.cleanup.purge_abandoned_drafts",
        1,
        DAYS,
        "Deletes portal drafts untouched for 30 days (and submitted ones after 30 days) with "
        "their uploads, and intake scans past their 6-hour token (services/drafts_cleanup.py).",
    ),
)


def _interval(job: Job):  # -> IntervalSchedule
    from django_celery_beat.models import IntervalSchedule

    interval, _created = IntervalSchedule.objects.get_or_create(every=job.every, period=job.period)
    return interval


@transaction.atomic
def schedule_sync(*, reset: bool = False) -> list[tuple[str, str]]:
    """Write JOBS to django-celery-beat. Returns (job name, what happened) pairs: "created",
    "updated" (task path or description, or the schedule with reset=True) or "unchanged".

    A new row starts now: beat runs it as soon as it starts, instead of one interval later,
    so a fresh `make run` sweeps at once."""
    from django_celery_beat.models import PeriodicTask

    report = []
    for job in JOBS:
        row = PeriodicTask.objects.select_for_update().filter(name=job.name).first()
        if row is None:
            PeriodicTask.objects.create(
                name=job.name,
                task=job.task,
                interval=_interval(job),
                description=job.description,
                expire_seconds=job.seconds,
                start_time=timezone.now() - timedelta(seconds=1),
            )
            report.append((job.name, "created"))
            continue
        changed = []
        if row.task != job.task:
            row.task = job.task
            changed.append("task")
        if row.description != job.description:
            row.description = job.description
            changed.append("description")
        schedules = (row.interval_id, row.crontab_id, row.solar_id, row.clocked_id)
        if reset or not any(schedules):
            interval = _interval(job)
            if schedules != (interval.pk, None, None, None):
                row.interval, row.crontab, row.solar, row.clocked = interval, None, None, None
                changed.append("schedule")
        if reset and (not row.enabled or row.expire_seconds != job.seconds):
            row.enabled = True
            row.expire_seconds = job.seconds
            changed.append("enabled")
        if changed:
            row.save()
            report.append((job.name, "updated: " + ", ".join(changed)))
        else:
            report.append((job.name, "unchanged"))
    return report


def unknown_tasks() -> list[str]:
    """Periodic tasks in the database that the registry does not hold (added in the admin,
    or left by a job since removed); the command lists them and leaves them alone."""
    from django_celery_beat.models import PeriodicTask

    names = {job.name for job in JOBS}
    return sorted(
        PeriodicTask.objects.exclude(name__in=names)
        .exclude(task="celery.backend_cleanup")
        .values_list("name", flat=True)
    )
