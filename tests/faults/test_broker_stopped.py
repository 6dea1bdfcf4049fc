"""A stopped broker loses nothing: with Redis down, patients submit over HTTP and see success;
when Redis is back (empty: it kept nothing), the worker that waited through the outage and the
recovery sweep send every request's confirmation, once."""

from __future__ import annotations

import pytest

from .conftest import Browser, sign, wait_for, wizard_until_review

pytestmark = pytest.mark.faults

SUBMISSIONS = 3


def test_requests_submitted_while_redis_is_down_are_all_processed(processes, capsys) -> None:
    stack = processes
    site = stack.agent("portal_site")
    _web, base = stack.web()
    worker = stack.worker()
    browser = Browser(base, site["session_cookie"])

    stack.redis.stop()
    seconds = []
    for _ in range(SUBMISSIONS):
        answer = sign(browser, wizard_until_review(browser, site["start"], site["entity"]))
        assert answer.status == 302 and "/done/" in answer.location, answer.text[:500]
        done = browser.get(answer.location)
        assert done.status == 200
        seconds.append(answer.seconds)
    with capsys.disabled():
        print(f"\n[faults] submits with Redis stopped: {', '.join(f'{s:.2f} s' for s in seconds)}")
    assert max(seconds) < 3.0

    rows = stack.agent("received", entity=site["entity"])["requests"]
    assert len(rows) == SUBMISSIONS
    assert all(row["states"] == ["queued"] for row in rows)  # saved, waiting in the outbox

    stack.redis.start()
    # The worker kept trying to reconnect (broker_connection_max_retries=None): still here.
    assert worker.alive(), worker.output()[-3000:]
    wait_for(
        lambda: worker.output().count("Connected to redis://") >= 2,
        timeout=60,
        what="the worker to reconnect",
    )
    # Beat's recovery sweep, a few minutes on (past the outbox's grace period).
    result = stack.agent("recover", past_grace=True)
    assert result["notifications"] == SUBMISSIONS and result["complete"], result

    def all_sent() -> bool:
        rows = stack.agent("received", entity=site["entity"])["requests"]
        return all(row["states"] == ["sent"] for row in rows)

    wait_for(all_sent, timeout=60, what="every confirmation to be sent", every=1)
    rows = stack.agent("received", entity=site["entity"])["requests"]
    assert [row["sent_to"] for row in rows] == [["maria.duarte@example.org"]] * SUBMISSIONS
    assert [to for to, _subject in stack.mailbox()] == ["maria.duarte@example.org"] * SUBMISSIONS
    # Sent once: the sweep again later finds nothing to do.
    again = stack.agent("recover", minutes_later=10)
    assert again["notifications"] == 0, again
    # And the task beat sends every minute runs in the worker.
    assert stack.agent("publish_recovery") == {"published": True}
    wait_for(
        lambda: (
            "recovery.recover_pending_work[" in worker.output()
            and "'complete': True}" in worker.output()
        ),
        timeout=30,
        what="the worker to run the recovery task",
    )
