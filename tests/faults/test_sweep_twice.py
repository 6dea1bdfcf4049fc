"""Two deadline sweeps at the same instant, from two processes (two beat schedulers, or a run
late enough to meet the next): every alert is raised once, and every staff email it calls for
exists once and goes out once, through real workers delivering concurrently."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.faults


def test_the_deadline_sweep_run_twice_at_once_alerts_each_person_once(processes) -> None:
    stack = processes
    site = stack.agent("clock_site")
    numbers = site["numbers"]
    stack.worker(concurrency=2)

    # Both processes sweep "now" (the same moment), starting on the same wall-clock tick, once
    # both have Django set up.
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    arguments = json.dumps({"now": now, "start_at": time.time() + 10})
    sweeps = [
        stack.start(
            f"sweep-{n}", [sys.executable, "-m", "tests.faults.agent", "deadline_sweep", arguments]
        )
        for n in (1, 2)
    ]
    results = []
    for sweep in sweeps:
        assert sweep.process.wait(timeout=120) == 0, sweep.output()[-3000:]
        last = [line for line in sweep.output().splitlines() if line.startswith("{")][-1]
        results.append(json.loads(last))
    started = [r["started"] for r in results]
    assert abs(started[0] - started[1]) < 0.5, started  # at the same instant
    raised = [sum(r["result"]["raised"].values()) for r in results]
    assert sorted(raised)[0] == 0 and sorted(raised)[1] > 0, results  # one raised them all

    def delivered() -> dict | None:
        state = stack.agent("staff_emails", entity=site["entity"])
        alerts = [e for e in state["emails"] if e[0].startswith("alert:")]
        done = state["undelivered"] == 0 and alerts and all(e[4] == "sent" for e in alerts)
        return state if done else None

    state = wait_for(delivered, timeout=90, what="every alert's emails to be sent", every=1)
    alerts = Counter(state["alerts"])
    assert all(count == 1 for count in alerts.values()), alerts
    assert f"{numbers['overdue']}:overdue" in alerts
    assert f"{numbers['due_today']}:due_today" in alerts
    assert f"{numbers['unassigned_due_today']}:due_today" in alerts
    assert not any(key.startswith(numbers["on_track"]) for key in alerts)

    emails = [e for e in state["emails"] if e[0].startswith("alert:")]
    # Each (alert, person) once; the overdue one reached the clerk and the supervisor, the
    # unassigned one the supervisor.
    assert len({e[0] for e in emails}) == len(emails)
    per_request = Counter((number, to.split("@")[0]) for _k, number, _t, to, _s, _a in emails)
    assert per_request[(numbers["overdue"], "clerk")] == 1
    assert per_request[(numbers["overdue"], "supervisor")] == 1
    assert per_request[(numbers["unassigned_due_today"], "supervisor")] == 1
    assert all(e[5] == 1 for e in emails), emails  # one attempt each
    # Sent once: the mailbox holds exactly one message per staff email, none twice.
    staff = {"clerk@example.org", "supervisor@example.org"}
    mailed = [(to, subject) for to, subject in stack.mailbox() if to in staff]
    assert len(emails) == len(state["emails"])  # no other staff email (self-assigned)
    assert len(mailed) == len(emails) and len(set(mailed)) == len(mailed), mailed
    assert state["sent_events"] == len(emails)
