"""A stalled broker never holds the patient: with Redis frozen by CLIENT PAUSE, the submit
still answers within about 3 seconds, the request is saved, and its email goes out once Redis
is back (the recovery sweep)."""

from __future__ import annotations

import pytest

from .conftest import Browser, sign, wait_for, wizard_until_review

pytestmark = pytest.mark.faults

BUDGET = 3.0  # seconds: the "about 3 seconds"


def test_a_patient_submits_while_redis_is_paused(processes, capsys) -> None:
    stack = processes
    site = stack.agent("portal_site")
    _web, base = stack.web()
    browser = Browser(base, site["session_cookie"])
    # A first request with Redis up: the web process holds a live broker connection, the
    # harder case (a stalled socket rather than a refused one).
    first = sign(browser, wizard_until_review(browser, site["start"], site["entity"]))
    assert first.status == 302 and "/done/" in first.location

    review = wizard_until_review(browser, site["start"], site["entity"])
    stack.redis.pause(6_000)  # longer than the budget: the submit cannot wait it out
    answer = sign(browser, review)
    done = browser.get(answer.location)
    assert not stack.redis.ping()  # still paused when the patient had the answer
    stack.redis.wait_unpaused()

    with capsys.disabled():
        print(f"\n[faults] submit under CLIENT PAUSE: {answer.seconds:.2f} s")
    assert answer.seconds < BUDGET, answer.seconds
    assert answer.status == 302 and "/done/" in answer.location, (answer.status, answer.text[:500])
    assert done.status == 200 and done.seconds < BUDGET
    received = stack.agent("received", entity=site["entity"])["requests"]
    assert len(received) == 2
    number = received[1]["number"]
    assert number in done.text  # the patient sees the request number
    assert received[1]["states"] == ["queued"]  # saved; its email waits in the outbox

    # Redis is back: a worker and the sweep (the grace period later) send it.
    stack.worker()
    stack.agent("recover", past_grace=True)

    def all_sent() -> bool:
        rows = stack.agent("received", entity=site["entity"])["requests"]
        return all(row["states"] == ["sent"] for row in rows)

    wait_for(all_sent, timeout=60, what="both confirmations to be sent", every=1)
