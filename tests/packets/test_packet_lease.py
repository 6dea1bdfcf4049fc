"""The packet build's lease: a delivery that finds a live build retries when its lease ends, one
that finds it expired takes over, and a build taken over can never release a second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from requests_app.models import Disclosure, Packet, TimelineEvent
from requests_app.services import documents as d
from requests_app.services import packets as p
from requests_app.tasks import packets as packet_tasks
from requests_app.workflow import Status

from .samples import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(ready_request, staff_a, upload, django_capture_on_commit_callbacks) -> Packet:
    d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(3)))
    with django_capture_on_commit_callbacks(execute=False):
        return p.packet_request_build(request=ready_request, actor=staff_a)


def _counts(packet: Packet) -> tuple[int, int, str]:
    packet.refresh_from_db()
    return (
        Disclosure.objects.filter(request=packet.request).count(),
        TimelineEvent.objects.filter(request=packet.request, action="release").count(),
        packet.state,
    )


def test_the_claim_takes_a_lease_past_the_hard_time_limit(queued, settings) -> None:
    assert queued.state == Packet.State.QUEUED
    assert queued.lease_until > timezone.now()  # the on-commit publish's grace
    before = timezone.now()
    lease = p._claim(queued.pk)
    queued.refresh_from_db()
    assert (queued.state, queued.lease_until) == (Packet.State.BUILDING, lease)
    assert lease - before >= timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    assert p._claim(queued.pk) is None  # a second delivery gets nothing


def test_a_delivery_during_a_live_build_retries_when_the_lease_ends(
    queued, staff_a, monkeypatch
) -> None:
    lease = p._claim(queued.pk)
    with pytest.raises(p.PacketBusy) as busy:
        p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk)
    assert busy.value.lease_until == lease

    retried = {}

    def fake_retry(*, countdown, exc):
        retried["countdown"] = countdown
        return RuntimeError("retry")

    monkeypatch.setattr(packet_tasks.build_packet, "retry", fake_retry)
    with pytest.raises(RuntimeError, match="retry"):
        packet_tasks.build_packet.run(queued.pk, staff_a.pk)
    expected = (lease - timezone.now()).total_seconds()
    assert expected <= retried["countdown"] <= expected + 2
    assert _counts(queued) == (0, 0, Packet.State.BUILDING)


def test_a_build_whose_worker_died_is_taken_over_and_built_once(queued, staff_a) -> None:
    dead = p._claim(queued.pk)
    with time_machine.travel(dead + timedelta(seconds=1)):
        packet = p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk)
    assert packet.state == Packet.State.BUILT
    assert packet.lease_until is None
    assert _counts(queued) == (1, 1, Packet.State.BUILT)
    assert TimelineEvent.objects.filter(request=queued.request, action="packet_interrupted").count()
    # The dead build's worker, were it somehow alive, can no longer store or fail it.
    p._progress_saver(queued.pk, dead)(50)
    p._fail(queued, dead, "late", None)
    assert _counts(queued) == (1, 1, Packet.State.BUILT)
    assert Packet.objects.get(pk=queued.pk).progress == 100
    # A redelivery of the built packet does nothing.
    assert p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk).state == Packet.State.BUILT
    assert _counts(queued) == (1, 1, Packet.State.BUILT)


def test_a_build_taken_over_cannot_release_a_second_time(queued, staff_a, monkeypatch) -> None:
    real = p.build_packet
    stale = {}

    def slow_build(**kwargs):
        result = real(**kwargs)
        # While this build ran, its lease expired and another delivery took over and finished.
        packet = Packet.objects.get(pk=queued.pk)
        stale["lease"] = packet.lease_until
        with time_machine.travel(packet.lease_until + timedelta(seconds=1)):
            monkeypatch.setattr(p, "build_packet", real)
            assert p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk).state == "built"
        return result

    monkeypatch.setattr(p, "build_packet", slow_build)
    packet = p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk)
    assert packet.state == Packet.State.BUILT
    assert _counts(queued) == (1, 1, Packet.State.BUILT)
    queued.request.refresh_from_db()
    assert queued.request.status == Status.RELEASED


def test_a_packet_that_keeps_killing_its_worker_fails_instead_of_looping(queued, staff_a) -> None:
    for _ in range(p.MAX_INTERRUPTIONS):
        lease = p._claim(queued.pk)
        assert lease is not None
        with time_machine.travel(lease + timedelta(seconds=1)):
            assert p.packet_requeue_interrupted(packet_id=queued.pk)
    packet = p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk)
    assert packet.state == Packet.State.FAILED
    assert "stopped 3 times" in packet.error
    assert _counts(queued)[:2] == (0, 0)
    queued.request.refresh_from_db()
    assert queued.request.status == Status.READY
    # Staff press Release again (after the last interruption): a fresh count.
    with time_machine.travel(lease + timedelta(seconds=5)):
        p.packet_request_build(request=queued.request, actor=staff_a)
        assert p.packet_build(packet_id=queued.pk, actor_id=staff_a.pk).state == "built"
