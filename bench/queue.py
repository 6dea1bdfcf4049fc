"""bench/queue: the staff queue at 100,000 requests, beside the Django admin changelist.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/queue.py

Creates its own database (roi_bench_queue) on the server DATABASE_URL points at, migrates it,
bulk-creates 100,000 requests over four entities (rows written directly, not through the
services, for speed), then measures through Django's test client:

- the queue, signed in as a clerk of one entity and filtered to it (every status, any
  assignee: 40,000 requests, enough for a page 200), first page and page 200, reached by
  following the "Next" links, so the keyset cursor is the one a clerk would click;
- the Django admin changelist of Request, signed in as a superuser, first page and ?p=200,
  both unfiltered and filtered to the same entity.

Prints the median of several runs and the SQL statement count of each, then `ratio: N.NN`
(the queue's time over the admin's, the worse of page 1 and page 200 against the faster
admin variant), and exits non-zero when a target of issue 4 is missed: at most 5 queries a
page, page 200 about as fast as page 1 (within 1.5 times), the queue at most half the
admin's time. The database is dropped at the end, whatever happened.

BENCH_ADD_QUEUE_INDEXES=1 creates the two indexes the queue needs (`_queue_indexes`) when
the migrations do not have them yet; BENCH_KEEP=1 keeps the database afterwards (for EXPLAIN)
and BENCH_REUSE=1 measures a kept one again without rebuilding it.
"""

from __future__ import annotations

import syspath  # noqa: F401  (first: the project on sys.path, bench/ last; see syspath.py)

# isort: split
import os
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta

from pgscratch import admin_sql, server_urls

BENCH_DB = "roi_bench_queue"
REQUESTS = 100_000
PATIENTS = 30_000
RUNS = 15
WARMUP = 3
PAGE = 200
PAGE_SIZE = 50  # the queue's default and the admin's list_per_page
# Targets (issue 4, Benchmarks).
MAX_QUERIES = 5
MAX_DEEP_OVER_FIRST = 1.5
MAX_RATIO = 0.5


def _setup_django(bench_url: str) -> None:
    os.environ["DATABASE_URL"] = bench_url
    # Production-like: no debug bookkeeping on every query and template.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-queue-only-" + "x" * 40)
    os.environ.setdefault("ROI_VAR_DIR", "/tmp/roi-bench-queue-var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "roi_portal.settings"
    import django

    django.setup()


def _queue_indexes() -> list:
    """The two indexes the queue's keyset pages walk (proposed for Request.Meta.indexes): an
    entity's requests by current due date, all of them and the open ones. A clerk's default
    view (open, mine or unassigned) reads the second in order and stops after a page."""
    from django.db.models import F, Index, Q
    from django.db.models.functions import Coalesce

    from requests_app.workflow import OPEN_STATUSES

    def due() -> Coalesce:
        return Coalesce("extended_due_on", "due_on")

    return [
        Index(F("entity"), due(), F("id"), name="request_queue_entity_due"),
        Index(
            F("entity"),
            due(),
            F("id"),
            name="request_queue_entity_open_due",
            condition=Q(status__in=sorted(OPEN_STATUSES)),
        ),
    ]


def _check_indexes() -> None:
    """Say which of the queue's indexes the migrated schema lacks; with
    BENCH_ADD_QUEUE_INDEXES=1, create them for this run (until the migration exists)."""
    from django.db import connection

    from requests_app.models import Request

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Request._meta.db_table]
        )
        present = {row[0] for row in cur.fetchall()}
    for index in _queue_indexes():
        if index.name in present:
            continue
        if os.environ.get("BENCH_ADD_QUEUE_INDEXES") == "1":
            with connection.schema_editor() as editor:
                editor.add_index(Request, index)
            print(f"index {index.name}: not in the migrations, created for this run")
        else:
            print(f"index {index.name}: MISSING (set BENCH_ADD_QUEUE_INDEXES=1 to add it)")


def _populate() -> dict:
    """Organization, 4 entities, 12 locations, 12 clerks, 30,000 patients and requesters,
    100,000 requests over three years; the pending ones with their pend event."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from requests_app.models import (
        Entity,
        Location,
        Organization,
        Patient,
        Request,
        Requester,
        StaffMembership,
        TimelineEvent,
    )
    from requests_app.workflow import Status

    rnd = random.Random(42)
    User = get_user_model()
    org = Organization.objects.create(name="Bench Health", slug="bench-health")
    entities = [
        Entity.objects.create(
            organization=org,
            name=f"Bench Medical Center {i}",
            short_name=f"BMC {i}",
            bates_prefix=f"BMC{i}",
            jurisdiction="CA",
        )
        for i in range(4)
    ]
    locations = {
        e.pk: [
            Location.objects.create(entity=e, name=f"Site {j}", address="1 Main St")
            for j in range(3)
        ]
        for e in entities
    }
    clerks = []
    for i in range(12):
        user = User.objects.create_user(f"clerk{i}", password="bench", first_name=f"Clerk{i}")
        membership = StaffMembership.objects.create(user=user, organization=org)
        membership.entities.add(entities[i % 4])
        clerks.append(user)
    User.objects.create_superuser("admin", "admin@example.org", "bench")

    patients = Patient.objects.bulk_create(
        Patient(
            first_name=rnd.choice(["Ana", "Luis", "Mei", "John", "Rosa", "Omar", "Grace"]),
            last_name=f"Patient{i:05d}",
            other_names="" if i % 7 else f"Maiden{i:05d}",
            date_of_birth=date(1940, 1, 1) + timedelta(days=rnd.randrange(30_000)),
        )
        for i in range(PATIENTS)
    )
    requesters = Requester.objects.bulk_create(
        Requester(role="self", full_name=f"{p.first_name} {p.last_name}") for p in patients
    )
    now = timezone.now()
    answered = [Status.RELEASED, Status.CLOSED, Status.DENIED, Status.WITHDRAWN]
    open_ = [
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.IN_PROGRESS,
        Status.PENDING_REQUESTER,
        Status.READY,
    ]
    kinds = ["access", "access", "access", "authorized", "authorized", "directed", "continuity"]
    channels = ["portal", "portal", "mail", "fax", "walk_in", "email"]
    # Entity 0 holds 40% of the requests: the clerk's entity, and a page 200 of 50 rows.
    weights = [0.4, 0.2, 0.2, 0.2]
    batch = []
    for number in range(1, REQUESTS + 1):
        entity = rnd.choices(entities, weights)[0]
        received = now - timedelta(days=rnd.uniform(0, 3 * 365))
        age = (now - received).days
        status = rnd.choice(open_) if age < 45 or rnd.random() < 0.03 else rnd.choice(answered)
        due = received.date() + timedelta(days=15 if rnd.random() < 0.6 else 30)
        extended = due + timedelta(days=30) if rnd.random() < 0.05 else None
        k = rnd.randrange(PATIENTS)
        batch.append(
            Request(
                number=f"ROI-{received.year}-{number:06d}",
                kind=rnd.choice(kinds),
                status=status,
                organization=org,
                entity=entity,
                location=rnd.choice(locations[entity.pk]) if rnd.random() < 0.5 else None,
                patient=patients[k],
                requester=requesters[k],
                channel=rnd.choice(channels),
                received_at=received,
                due_on=due,
                extended_due_on=extended,
                due_rule="California law: within 15 days (Cal. HSC 123110)",
                assignee=rnd.choice([None, None, *[c for c in clerks if c.pk % 4 == 0]])
                if status in open_
                else rnd.choice(clerks),
                answered_at=received + timedelta(days=rnd.uniform(1, 40))
                if status in answered
                else None,
                delivery_method="portal",
            )
        )
        if len(batch) == 5000:
            Request.objects.bulk_create(batch)
            batch = []
    Request.objects.bulk_create(batch)
    pending = Request.objects.filter(status=Status.PENDING_REQUESTER).values_list("pk", flat=True)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            request_id=pk,
            at=now,
            kind="status",
            action="pend",
            from_status=Status.IN_REVIEW,
            to_status=Status.PENDING_REQUESTER,
            reason="A signed authorization naming the recipient.",
        )
        for pk in pending
    )
    _check_indexes()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"entity": entities[0], "clerk": clerks[0]}


def _measure(pages: dict[str, tuple]) -> dict[str, tuple[float, int, bytes]]:
    """Median time and query count of each page. The runs are interleaved (one of each page
    per round) so that a busy machine slows the queue and the admin alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: dict[str, list[float]] = {name: [] for name in pages}
    for round_ in range(WARMUP + RUNS):
        for name, (client, url) in pages.items():
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, url
            if round_ >= WARMUP:
                times[name].append(elapsed)
    results = {}
    for name, (client, url) in pages.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        results[name] = (
            statistics.median(times[name]) * 1000,
            len(ctx.captured_queries),
            response.content,
        )
    return results


def _queue_page_url(client, first: str, page: int) -> str:
    """Follow the "Next" links to page `page`, checking that no row repeats on the way."""
    url, seen = first, set()
    for _ in range(page - 1):
        body = client.get(url).content.decode()
        numbers = re.findall(r'name="numbers" value="([^"]+)"', body)
        assert not seen.intersection(numbers), "a row came back on a later page"
        seen.update(numbers)
        found = re.search(r'rel="next" href="([^"]+)"', body)
        assert found, f"no page after {len(seen)} rows"
        url = "/staff/" + found[1].replace("&amp;", "&")
    return url


def main() -> int:
    maintenance, bench_url = server_urls("queue", BENCH_DB)
    # BENCH_KEEP=1 leaves the database for a look (EXPLAIN) and BENCH_REUSE=1 measures it
    # again without rebuilding; by default it is built and dropped in the same run.
    keep = os.environ.get("BENCH_KEEP") == "1"
    reuse = os.environ.get("BENCH_REUSE") == "1"
    if not reuse:
        admin_sql(maintenance, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        admin_sql(maintenance, f'CREATE DATABASE "{BENCH_DB}"')
    try:
        _setup_django(bench_url)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        if reuse:
            from requests_app.models import Entity

            User = get_user_model()
            made = {
                "entity": Entity.objects.get(short_name="BMC 0"),
                "clerk": User.objects.get(username="clerk0"),
            }
            _check_indexes()
        else:
            started = time.perf_counter()
            call_command("migrate", verbosity=0)
            print(f"migrated in {time.perf_counter() - started:.0f}s")
            made = _populate()
            print(f"data: {REQUESTS:,} requests in {time.perf_counter() - started:.0f}s")

        clerk, entity = made["clerk"], made["entity"]
        queue = Client()
        queue.force_login(clerk)
        admin = Client()
        admin.force_login(get_user_model().objects.get(username="admin"))

        first = f"/staff/?entity={entity.pk}&status=all&assignee=anyone&size={PAGE_SIZE}"
        deep = _queue_page_url(queue, first, PAGE)
        pages = {
            "queue p1": (queue, first),
            f"queue p{PAGE}": (queue, deep),
            "queue default view p1": (queue, "/staff/"),
            "admin p1": (admin, "/admin/requests_app/request/"),
            f"admin p{PAGE}": (admin, f"/admin/requests_app/request/?p={PAGE}"),
            "admin entity p1": (
                admin,
                f"/admin/requests_app/request/?entity__id__exact={entity.pk}",
            ),
            f"admin entity p{PAGE}": (
                admin,
                f"/admin/requests_app/request/?entity__id__exact={entity.pk}&p={PAGE}",
            ),
        }
        results = {}
        for name, (ms, queries, body) in _measure(pages).items():
            rows = len(re.findall(rb'name="(?:numbers|_selected_action)" value=', body))
            results[name] = (ms, queries)
            print(f"{name:<24} {ms:8.1f} ms  {queries} queries  {rows} rows")

        def t(name: str) -> float:
            return results[name][0]

        q1, q200 = t("queue p1"), t(f"queue p{PAGE}")
        admin1 = min(t("admin p1"), t("admin entity p1"))
        admin200 = min(t(f"admin p{PAGE}"), t(f"admin entity p{PAGE}"))
        deep_over_first = q200 / q1
        ratio = max(q1 / admin1, q200 / admin200)
        print(f"page {PAGE} / page 1 (queue): {deep_over_first:.2f}")
        print(f"queue / admin: page 1 {q1 / admin1:.2f}, page {PAGE} {q200 / admin200:.2f}")
        misses = []
        worst_queries = max(results["queue p1"][1], results[f"queue p{PAGE}"][1])
        if worst_queries > MAX_QUERIES:
            misses.append(f"{worst_queries} queries on a queue page (target {MAX_QUERIES})")
        if deep_over_first > MAX_DEEP_OVER_FIRST:
            misses.append(f"page {PAGE} takes {deep_over_first:.2f} times page 1")
        if ratio > MAX_RATIO:
            misses.append(f"the queue takes {ratio:.2f} of the admin's time")
        for miss in misses:
            print(f"MISSED: {miss}")
        print(f"ratio: {ratio:.2f}")
        connections.close_all()
        return 1 if misses else 0
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        if not keep:
            admin_sql(maintenance, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


if __name__ == "__main__":
    sys.exit(main())
