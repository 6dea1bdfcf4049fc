"""services/packets.py: Release builds one packet, once, and releases the request once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from requests_app.models import Disclosure, LetterText, Packet, RecordDocument, TimelineEvent
from requests_app.services import documents as d
from requests_app.services import packets as p
from requests_app.services import transitions as t
from requests_app.services.errors import TransitionNotAllowed
from requests_app.workflow import Status

from .conftest import make_ready
from .samples import corrupt_pdf_bytes, image_bytes, page_texts, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_documents(ready_request, staff_a, upload):
    d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(3, "A")))
    d.document_add(request=ready_request, actor=staff_a, upload=upload("b.png", image_bytes("PNG")))
    return ready_request


def _release(req, actor, capture) -> Packet:
    with capture(execute=True):
        p.packet_request_build(request=req, actor=actor)
    return Packet.objects.get(request=req)


def _counts(req) -> tuple[int, int, int]:
    return (
        Packet.objects.filter(request=req).count(),
        Disclosure.objects.filter(request=req).count(),
        TimelineEvent.objects.filter(request=req, action="release").count(),
    )


def test_it_builds_the_packet_and_releases_the_request(
    with_documents, staff_a, django_capture_on_commit_callbacks
) -> None:
    packet = _release(with_documents, staff_a, django_capture_on_commit_callbacks)
    req = with_documents
    req.refresh_from_db()
    assert (packet.state, packet.progress, req.status) == ("built", 100, Status.RELEASED)
    assert packet.page_count == 1 + 1 + 3 + 1  # cover, manifest, 3 PDF pages, 1 image
    with packet.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == packet.sha256
    texts = page_texts(data)
    assert len(texts) == packet.page_count
    prefix = f"COHNMC-{req.number}"
    assert all(f"{prefix}-{n:04d}" in text for n, text in enumerate(texts, start=1))
    assert [m["title"] for m in packet.manifest] == ["a", "b"]
    assert packet.manifest[0]["sha256"] == RecordDocument.objects.get(title="a").sha256
    assert packet.built_at is not None
    release = TimelineEvent.objects.get(request=req, action="release")
    assert release.actor == staff_a  # the clerk who pressed Release, not "System"
    assert _counts(req) == (1, 1, 1)


def test_building_twice_gives_one_packet_one_disclosure_one_release(
    with_documents, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = with_documents
    # Two clicks before the worker starts: one task.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        p.packet_request_build(request=req, actor=staff_a)
    with django_capture_on_commit_callbacks(execute=False) as more:
        p.packet_request_build(request=req, actor=staff_a)
    assert (len(callbacks), len(more)) == (1, 0)
    packet = Packet.objects.get(request=req)
    # The task delivered twice (acks_late redelivery): the second finds nothing to do.
    p.packet_build(packet_id=packet.pk, actor_id=staff_a.pk)
    first_file = Packet.objects.get(pk=packet.pk).file.name
    p.packet_build(packet_id=packet.pk, actor_id=staff_a.pk)
    assert Packet.objects.get(pk=packet.pk).file.name == first_file
    # A click after the release: refused, nothing changes.
    with pytest.raises(TransitionNotAllowed):
        p.packet_request_build(request=req, actor=staff_a)
    assert _counts(req) == (1, 1, 1)
    assert TimelineEvent.objects.filter(request=req, action="packet_build").count() == 1


def test_it_saves_progress_as_it_goes(
    with_documents, staff_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    seen: list[int] = []
    real = p.build_packet

    def spy(**kwargs):
        saver = kwargs["progress"]

        def progress(value: int) -> None:
            saver(value)
            seen.append(Packet.objects.get(request=with_documents).progress)

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(p, "build_packet", spy)
    monkeypatch.setattr(p, "_PROGRESS_STEP", 1)
    packet = _release(with_documents, staff_a, django_capture_on_commit_callbacks)
    assert seen == sorted(seen) and 1 <= seen[0] < 30 and 85 <= seen[-1] <= 99
    assert len(set(seen)) >= 5
    assert packet.progress == 100


def test_an_unreadable_document_fails_the_packet_and_keeps_the_request_ready(
    with_documents, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = with_documents
    bad = RecordDocument(
        request=req,
        title="Cardiology notes 2023",
        original_name="cardio.pdf",
        content_type="application/pdf",
        page_count=2,
        position=3,
        sha256=hashlib.sha256(corrupt_pdf_bytes()).hexdigest(),
    )
    from django.core.files.base import ContentFile

    bad.file.save("cardio.pdf", ContentFile(corrupt_pdf_bytes()), save=True)
    packet = _release(req, staff_a, django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert packet.state == "failed" and packet.progress == 0
    assert "Cardiology notes 2023" in packet.error and "damaged" in packet.error
    assert not packet.file
    assert req.status == Status.READY
    assert _counts(req) == (1, 0, 0)
    assert TimelineEvent.objects.filter(request=req, action="packet_failed").count() == 1
    assert RecordDocument.objects.filter(request=req).count() == 3  # nothing lost

    # Staff leave the bad document out and release again.
    d.document_set_excluded(document=bad, actor=staff_a, excluded=True)
    packet = _release(req, staff_a, django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert (packet.state, packet.error, req.status) == ("built", "", Status.RELEASED)
    assert [m["title"] for m in packet.manifest] == ["a", "b"]
    assert _counts(req) == (1, 1, 1)


def test_it_releases_nothing_when_the_request_moved_during_the_build(
    with_documents, staff_a, django_capture_on_commit_callbacks, settings
) -> None:
    req = with_documents
    with django_capture_on_commit_callbacks(execute=False):
        packet = p.packet_request_build(request=req, actor=staff_a)
    t.request_return_to_work(req, actor=staff_a, reason="A page is missing")
    packets = settings.MEDIA_ROOT / "packets" / str(req.pk)
    before = set(packets.iterdir()) if packets.exists() else set()
    packet = p.packet_build(packet_id=packet.pk, actor_id=staff_a.pk)
    req.refresh_from_db()
    assert packet.state == "failed" and "Nothing was released" in packet.error
    assert not packet.file
    assert req.status == Status.IN_PROGRESS
    assert _counts(req) == (1, 0, 0)
    assert (set(packets.iterdir()) if packets.exists() else set()) == before  # file removed


def test_it_releases_only_a_ready_request_with_pages(
    entity_a, staff_a, representative, ready_request, upload
) -> None:
    with pytest.raises(ValidationError, match="at least one record document"):
        p.packet_request_build(request=ready_request, actor=staff_a)
    doc = d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(1)))
    d.document_set_excluded(document=doc, actor=staff_a, excluded=True)
    with pytest.raises(ValidationError, match="at least one record document"):
        p.packet_request_build(request=ready_request, actor=staff_a)
    t.request_return_to_work(ready_request, actor=staff_a, reason="More records")
    with pytest.raises(TransitionNotAllowed, match="ready to release"):
        p.packet_request_build(request=ready_request, actor=staff_a)
    assert not Packet.objects.exists()


def test_a_build_that_never_finished_can_be_started_again(
    with_documents, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = with_documents
    with django_capture_on_commit_callbacks(execute=False):
        packet = p.packet_request_build(request=req, actor=staff_a)
    Packet.objects.filter(pk=packet.pk).update(state=Packet.State.BUILDING, progress=40)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        p.packet_request_build(request=req, actor=staff_a)  # the worker may still be at it
    assert callbacks == []
    later = timezone.now() + p.STALE_AFTER + timedelta(minutes=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        p.packet_request_build(request=req, actor=staff_a)
    packet.refresh_from_db()
    assert packet.state == "built"
    assert _counts(req) == (1, 1, 1)


def test_the_cover_letter_uses_the_entity_text_in_the_request_language(
    entity_a, staff_a, representative
) -> None:
    req = make_ready(entity_a, staff_a, requester=representative, language="es")
    LetterText.objects.create(
        entity=entity_a,
        kind="cover",
        language="es",
        subject="Sus documentos {number}",
        body="Hola {patient}",
    )
    LetterText.objects.create(entity=entity_a, kind="cover", language="en", subject="S", body="B")
    info = p.packet_letter_info(req)
    assert (info.language, info.subject, info.body) == (
        "es",
        "Sus documentos {number}",
        "Hola {patient}",
    )
    assert info.recipient_name == "Linda Ortiz"
    assert info.bates_prefix == "COHNMC"
    req.fee_estimate = {
        "lines": [{"label": "Copias", "quantity": 4, "unit_price": "0.25", "amount": "1.00"}],
        "total": "1.00",
        "basis": "x",
    }
    info = p.packet_letter_info(req)
    assert info.fee_due and info.invoice_lines[0].amount == 1


def test_it_records_a_staff_download(
    with_documents, staff_a, django_capture_on_commit_callbacks
) -> None:
    packet = _release(with_documents, staff_a, django_capture_on_commit_callbacks)
    event = p.packet_record_download(packet=packet, actor=staff_a)
    assert (event.kind, event.actor, event.visible_to_requester) == ("download", staff_a, False)
    assert event.data["sha256"] == packet.sha256
