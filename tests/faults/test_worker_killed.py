"""A worker killed with SIGKILL in the middle of a packet build loses nothing and doubles
nothing: the restarted worker, handed the build again by the recovery sweep once the lease has
expired, builds it exactly once (one file, one release, one disclosure, every page)."""

from __future__ import annotations

import time

import pikepdf
import pytest

from .conftest import TASK_TIME_LIMIT, wait_for

pytestmark = pytest.mark.faults

# Big enough that the build takes seconds, small enough for the soft time limit on a slow CI
# machine (it builds about a thousand pages a second here).
DOCUMENTS, PAGES = 40, 100


def test_a_packet_build_killed_midway_is_built_exactly_once(processes, capsys) -> None:
    stack = processes
    # Staff press Release while no worker runs: the build waits in Redis, and the test is
    # already watching when the worker starts and takes it.
    made = stack.agent("ready_packet", documents=DOCUMENTS, pages=PAGES)
    worker = stack.worker(wait=False)
    started = time.monotonic()

    def building() -> tuple | None:
        ((state, progress),) = stack.database.query(
            "SELECT state, progress FROM requests_app_packet WHERE id = %s", made["packet"]
        )
        assert state in ("queued", "building"), (state, progress)
        return (state, progress) if state == "building" and progress > 1 else None

    _state, progress = wait_for(building, timeout=60, what="the build's progress", every=0.02)
    worker.kill()  # SIGKILL to the whole group: the main process and its pool child
    worker.process.wait(timeout=10)
    killed_at = time.monotonic()
    row = stack.agent("packet", packet=made["packet"])
    assert (row["state"], row["releases"], row["disclosures"]) == ("building", 0, 0)

    stack.worker("worker2")
    # Nothing happens until the lease runs out: the dead build might still be alive.
    assert stack.agent("recover")["packets"] == 0
    wait_for(
        lambda: stack.agent("recover")["packets"] == 1,
        timeout=TASK_TIME_LIMIT * 3,
        what="the lease to expire and the sweep to publish the build again",
        every=2,
    )
    recovered_at = time.monotonic()
    row = wait_for(
        lambda: (r := stack.agent("packet", packet=made["packet"]))["state"] == "built" and r,
        timeout=120,
        what="the packet to be built",
        every=1,
    )
    with capsys.disabled():
        print(
            f"\n[faults] killed at {progress}% after {killed_at - started:.1f} s; "
            f"republished {recovered_at - killed_at:.1f} s later; built "
            f"{time.monotonic() - recovered_at:.1f} s after that"
        )
    assert (row["releases"], row["disclosures"], row["interrupted"]) == (1, 1, 1), {
        k: v for k, v in row.items() if k != "manifest"
    }
    assert row["status"] == "released"
    with pikepdf.open(row["file"]) as pdf:
        assert len(pdf.pages) == row["page_count"]
    manifest = row["manifest"]
    assert len(manifest) == DOCUMENTS
    assert sum(entry["pages"] for entry in manifest) == made["pages"]
    assert manifest[-1]["last_page"] == row["page_count"]
    files = list((stack.folder / "var" / "media" / "packets").rglob("*.pdf"))
    assert [str(path) for path in files] == [row["file"]]
