"""services/documents.py: adding, ordering and leaving out record documents."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import Packet, RecordDocument, TimelineEvent
from requests_app.services import documents as d
from requests_app.services import transitions as t

from .samples import (
    corrupt_pdf_bytes,
    encrypted_pdf_bytes,
    image_bytes,
    pdf_bytes,
    tiff_bytes,
)

pytestmark = pytest.mark.django_db


def test_it_adds_documents_by_content_with_pages_hash_and_position(
    ready_request, staff_a, upload
) -> None:
    data = pdf_bytes(3)
    first = d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", data))
    second = d.document_add(
        request=ready_request, actor=staff_a, upload=upload("fax.tif", tiff_bytes(2)), title="Fax"
    )
    third = d.document_add(
        request=ready_request, actor=staff_a, upload=upload("x.jpg", image_bytes("JPEG"))
    )
    assert (first.title, first.page_count, first.content_type) == ("a", 3, "application/pdf")
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert (second.title, second.page_count, second.content_type) == ("Fax", 2, "image/tiff")
    assert third.content_type == "image/jpeg"
    assert [x.position for x in (first, second, third)] == [1, 2, 3]
    with first.file.open("rb") as stored:
        assert stored.read() == data
    assert first.file.name.startswith(f"records/{ready_request.pk}/")
    # Stored under a random name, never the uploaded one (it can carry a patient's name).
    assert re.fullmatch(r"records/\d+/[0-9a-f]{32}\.pdf", first.file.name), first.file.name
    events = TimelineEvent.objects.filter(request=ready_request, action="document_add")
    assert events.count() == 3 and not events.filter(visible_to_requester=True).exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("records.pdf", b"not a pdf at all", "is not a PDF, TIFF, JPEG or PNG"),
        ("records.pdf", encrypted_pdf_bytes(), "password"),
        ("records.pdf", corrupt_pdf_bytes(), "damaged"),
        ("photo.png", image_bytes("PNG")[:300], "damaged"),
    ],
)
def test_it_refuses_a_file_by_its_content_naming_it(
    ready_request, staff_a, upload, name, data, words
) -> None:
    with pytest.raises(ValidationError) as info:
        d.document_add(request=ready_request, actor=staff_a, upload=upload(name, data))
    assert words in info.value.messages[0]
    assert name in info.value.messages[0]
    assert not RecordDocument.objects.exists()


def test_it_refuses_a_file_over_the_limit(ready_request, staff_a, upload, monkeypatch) -> None:
    monkeypatch.setattr(d, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(ValidationError, match="at most 1000"):
        d.document_add(request=ready_request, actor=staff_a, upload=upload("big.pdf", pdf_bytes(9)))


def test_the_stated_limit_is_50_mb() -> None:
    assert d.MAX_DOCUMENT_BYTES == 50 * 1024 * 1024


def test_it_refuses_the_same_file_twice(ready_request, staff_a, upload) -> None:
    data = pdf_bytes(1)
    d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", data), title="Labs")
    with pytest.raises(ValidationError, match="already added as “Labs”"):
        d.document_add(request=ready_request, actor=staff_a, upload=upload("b.pdf", data))


def test_it_removes_the_stored_file_when_the_row_is_rolled_back(
    ready_request, staff_a, upload, monkeypatch, settings
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(d, "_record", boom)
    folder = settings.MEDIA_ROOT / "records" / str(ready_request.pk)
    before = set(folder.iterdir()) if folder.exists() else set()
    with pytest.raises(RuntimeError):
        d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(1)))
    after = set(folder.iterdir()) if folder.exists() else set()
    assert after == before
    assert not RecordDocument.objects.exists()


def test_it_changes_nothing_once_released_or_while_a_packet_is_built(
    ready_request, staff_a, upload
) -> None:
    doc = d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(2)))
    Packet.objects.create(request=ready_request, state=Packet.State.BUILDING)
    with pytest.raises(ValidationError, match="being built"):
        d.document_set_excluded(document=doc, actor=staff_a, excluded=True)
    with pytest.raises(ValidationError, match="being built"):
        d.document_add(request=ready_request, actor=staff_a, upload=upload("b.pdf", pdf_bytes(1)))
    Packet.objects.filter(request=ready_request).update(state=Packet.State.BUILT)
    t.request_release(ready_request, actor=staff_a)
    with pytest.raises(ValidationError, match="only while the request is open"):
        d.document_exclude_pages(document=doc, actor=staff_a, pages="1")
    doc.refresh_from_db()
    assert (doc.excluded, doc.excluded_pages) == (False, [])


def test_it_moves_documents_up_and_down(ready_request, staff_a, upload) -> None:
    docs = [
        d.document_add(
            request=ready_request, actor=staff_a, upload=upload(f"{n}.pdf", pdf_bytes(1, n))
        )
        for n in ("A", "B", "C")
    ]
    d.document_move(document=docs[2], actor=staff_a, direction="up")
    assert [x.title for x in ready_request.documents.all()] == ["A", "C", "B"]
    d.document_move(document=docs[0], actor=staff_a, direction="down")
    assert [x.title for x in ready_request.documents.all()] == ["C", "A", "B"]
    d.document_move(document=docs[2], actor=staff_a, direction="up")  # C is first: stays
    d.document_move(document=docs[1], actor=staff_a, direction="down")  # B is last: stays
    assert [(x.title, x.position) for x in ready_request.documents.all()] == [
        ("C", 1),
        ("A", 2),
        ("B", 3),
    ]
    with pytest.raises(ValidationError):
        d.document_move(document=docs[0], actor=staff_a, direction="sideways")


def test_it_leaves_out_pages_and_puts_them_back(ready_request, staff_a, upload) -> None:
    doc = d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(8)))
    doc = d.document_exclude_pages(document=doc, actor=staff_a, pages="3, 5-7")
    assert doc.excluded_pages == [3, 5, 6, 7]
    event = TimelineEvent.objects.get(action="document_pages")
    assert event.data["pages"] == "3, 5-7"
    with pytest.raises(ValidationError, match="outside the document, which has pages 1 to 8"):
        d.document_exclude_pages(document=doc, actor=staff_a, pages="9")
    with pytest.raises(ValidationError, match="every page"):
        d.document_exclude_pages(document=doc, actor=staff_a, pages="1-8")
    doc.refresh_from_db()
    assert doc.excluded_pages == [3, 5, 6, 7]  # a refused change changes nothing
    doc = d.document_exclude_pages(document=doc, actor=staff_a, pages="")
    assert doc.excluded_pages == []


def test_it_leaves_a_whole_document_out_and_back_in(ready_request, staff_a, upload) -> None:
    doc = d.document_add(request=ready_request, actor=staff_a, upload=upload("a.pdf", pdf_bytes(1)))
    assert d.document_set_excluded(document=doc, actor=staff_a, excluded=True).excluded
    d.document_set_excluded(document=doc, actor=staff_a, excluded=True)  # no second event
    assert not d.document_set_excluded(document=doc, actor=staff_a, excluded=False).excluded
    actions = list(
        TimelineEvent.objects.filter(action__in=["document_exclude", "document_include"])
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["document_exclude", "document_include"]
