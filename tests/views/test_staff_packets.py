"""The record documents and packet views, driven over HTTP as a clerk would."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.models import Packet, RecordDocument, TimelineEvent
from requests_app.services import documents as d
from requests_app.workflow import Status

from ..packets.conftest import make_ready
from ..packets.samples import encrypted_pdf_bytes, image_bytes, page_texts, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(entity_a, staff_a, representative):
    return make_ready(entity_a, staff_a, requester=representative)


@pytest.fixture
def clerk(client, staff_a):
    client.force_login(staff_a)
    return client


def _add(req, staff, name: str, data: bytes) -> RecordDocument:
    return d.document_add(
        request=req, actor=staff, upload=SimpleUploadedFile(name, data), title=name.split(".")[0]
    )


def _urls(req, doc_id: int) -> list[tuple[str, str]]:
    n = req.number
    return [
        ("get", reverse("staff:packet", args=[n])),
        ("post", reverse("staff:packet_build", args=[n])),
        ("get", reverse("staff:packet_progress", args=[n])),
        ("get", reverse("staff:packet_download", args=[n])),
        ("post", reverse("staff:document_add", args=[n])),
        ("get", reverse("staff:document_file", args=[n, doc_id])),
        ("post", reverse("staff:document_move", args=[n, doc_id])),
        ("post", reverse("staff:document_pages", args=[n, doc_id])),
        ("post", reverse("staff:document_exclude", args=[n, doc_id])),
    ]


def test_it_sends_anonymous_people_to_the_staff_sign_in(client, req, staff_a) -> None:
    doc = _add(req, staff_a, "a.pdf", pdf_bytes(1))
    for method, url in _urls(req, doc.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("staff:login"))


def test_staff_of_another_entity_get_404_everywhere(
    client, req, staff_a, staff_b, django_capture_on_commit_callbacks
) -> None:
    doc = _add(req, staff_a, "a.pdf", pdf_bytes(1))
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(staff_a)
        client.post(reverse("staff:packet_build", args=[req.number]))
    assert Packet.objects.get(request=req).state == "built"
    client.force_login(staff_b)
    for method, url in _urls(req, doc.pk):
        assert getattr(client, method)(url).status_code == 404, url
    assert not TimelineEvent.objects.filter(action="packet_download").exists()


def test_a_patient_signed_in_gets_404(client, req, staff_a, patient_user) -> None:
    client.force_login(patient_user)
    assert client.get(reverse("staff:packet", args=[req.number])).status_code == 404


def test_the_request_file_shows_the_panel(clerk, req, staff_a) -> None:
    _add(req, staff_a, "labs.pdf", pdf_bytes(2))
    page = clerk.get(reverse("staff:request_file", args=[req.number])).content.decode()
    assert 'id="pk-panel"' in page and "labs" in page
    assert "Release: build the packet" in page


def test_it_adds_a_document_and_goes_back(clerk, req) -> None:
    url = reverse("staff:document_add", args=[req.number])
    back = reverse("staff:request_file", args=[req.number])
    response = clerk.post(
        url,
        {
            "file": SimpleUploadedFile("scan.tif", image_bytes("TIFF")),
            "title": "Clinic scan",
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{back}#pk-panel"
    doc = RecordDocument.objects.get(request=req)
    assert (doc.title, doc.content_type, doc.page_count, doc.added_by.username) == (
        "Clinic scan",
        "image/tiff",
        1,
        "clerk.a",
    )
    page = clerk.get(response["Location"]).content.decode()
    assert "Added “Clinic scan” (1 page)." in page


def test_it_refuses_a_bad_file_with_a_message_and_keeps_the_title(clerk, req) -> None:
    response = clerk.post(
        reverse("staff:document_add", args=[req.number]),
        {"file": SimpleUploadedFile("locked.pdf", encrypted_pdf_bytes()), "title": "Cardiology"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“locked.pdf” is a PDF protected by a password" in page
    assert 'value="Cardiology"' in page
    assert not RecordDocument.objects.exists()


def test_it_asks_for_a_file_when_none_is_sent(clerk, req) -> None:
    response = clerk.post(reverse("staff:document_add", args=[req.number]), {"title": "X"})
    assert response.status_code == 400
    assert "Choose a PDF, TIFF, JPEG or PNG file" in response.content.decode()


def test_it_states_the_size_limit_on_the_page(clerk, req) -> None:
    page = clerk.get(reverse("staff:packet", args=[req.number])).content.decode()
    assert "at most 50 MB" in page
    assert d.MAX_DOCUMENT_BYTES == 50 * 1024 * 1024


def test_it_moves_documents_with_plain_forms(clerk, req, staff_a) -> None:
    a = _add(req, staff_a, "a.pdf", pdf_bytes(1, "A"))
    _add(req, staff_a, "b.pdf", pdf_bytes(1, "B"))
    response = clerk.post(
        reverse("staff:document_move", args=[req.number, a.pk]), {"direction": "down"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:packet", args=[req.number]) + "#pk-panel"
    assert [x.title for x in req.documents.all()] == ["b", "a"]
    bad = clerk.post(reverse("staff:document_move", args=[req.number, a.pk]), {"direction": "left"})
    assert bad.status_code == 400


def test_it_leaves_out_pages_and_keeps_what_was_typed_when_wrong(clerk, req, staff_a) -> None:
    doc = _add(req, staff_a, "a.pdf", pdf_bytes(8))
    url = reverse("staff:document_pages", args=[req.number, doc.pk])
    assert clerk.post(url, {"pages": "3, 5-7"}).status_code == 302
    doc.refresh_from_db()
    assert doc.excluded_pages == [3, 5, 6, 7]
    response = clerk.post(url, {"pages": "2, 12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“12” is outside the document, which has pages 1 to 8." in page
    assert 'value="2, 12"' in page
    doc.refresh_from_db()
    assert doc.excluded_pages == [3, 5, 6, 7]


def test_it_excludes_and_includes_a_document(clerk, req, staff_a) -> None:
    doc = _add(req, staff_a, "a.pdf", pdf_bytes(1))
    url = reverse("staff:document_exclude", args=[req.number, doc.pk])
    clerk.post(url, {"excluded": "1"})
    doc.refresh_from_db()
    assert doc.excluded
    clerk.post(url, {"excluded": "0"})
    doc.refresh_from_db()
    assert not doc.excluded


def test_it_shows_a_document_as_added(clerk, req, staff_a) -> None:
    data = image_bytes("PNG")
    doc = _add(req, staff_a, "x.png", data)
    response = clerk.get(reverse("staff:document_file", args=[req.number, doc.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == data


def test_release_builds_the_packet_and_the_progress_partial_follows_it(
    clerk, req, staff_a, django_capture_on_commit_callbacks
) -> None:
    _add(req, staff_a, "a.pdf", pdf_bytes(2))
    progress = reverse("staff:packet_progress", args=[req.number])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = clerk.post(reverse("staff:packet_build", args=[req.number]))
    assert response.status_code == 302
    # While queued: the partial polls itself; without htmx the page refreshes itself.
    partial = clerk.get(progress, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode()
    assert "HX-Refresh" not in partial
    Packet.objects.filter(request=req).update(state="building", progress=42)
    partial = clerk.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert "Building the packet: 42%" in partial and 'aria-valuenow="42"' in partial
    page = clerk.get(progress).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    Packet.objects.filter(request=req).update(state="queued", progress=0)
    for callback in queued:
        callback()
    partial = clerk.get(progress, HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert "Download the packet" in partial.content.decode()
    req.refresh_from_db()
    assert req.status == Status.RELEASED


def test_a_failed_build_is_explained_on_the_page(
    clerk, req, staff_a, django_capture_on_commit_callbacks
) -> None:
    _add(req, staff_a, "a.pdf", pdf_bytes(1))
    packet = Packet.objects.create(
        request=req, state="failed", error="“Cardiology” could not be read: the file is damaged."
    )
    page = clerk.get(reverse("staff:packet", args=[req.number])).content.decode()
    assert "The packet was not built, and nothing was released." in page
    assert "“Cardiology” could not be read" in page
    assert "Release: build the packet" in page  # and can be pressed again
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(reverse("staff:packet_build", args=[req.number]))
    packet.refresh_from_db()
    assert packet.state == "built"


def test_release_refuses_a_request_not_ready(clerk, entity_a, staff_a, representative) -> None:
    from ..factories import submit

    req = submit(entity=entity_a, requester=representative)
    response = clerk.post(reverse("staff:packet_build", args=[req.number]), follow=True)
    assert "only a request ready to release can be released" in response.content.decode()
    assert not Packet.objects.exists()


def test_it_downloads_the_packet_and_records_it(
    clerk, req, staff_a, django_capture_on_commit_callbacks
) -> None:
    download = reverse("staff:packet_download", args=[req.number])
    assert clerk.get(download).status_code == 404  # nothing built yet
    _add(req, staff_a, "a.pdf", pdf_bytes(2))
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(reverse("staff:packet_build", args=[req.number]))
    response = clerk.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{req.number}-records.pdf"'
    data = b"".join(response.streaming_content)
    texts = page_texts(data)
    assert len(texts) == Packet.objects.get(request=req).page_count == 4
    assert f"COHNMC-{req.number}-0004" in texts[-1]
    event = TimelineEvent.objects.get(request=req, kind="download")
    assert (event.actor, event.action) == (staff_a, "packet_download")


def test_the_panel_offers_no_changes_once_released(
    clerk, req, staff_a, django_capture_on_commit_callbacks
) -> None:
    _add(req, staff_a, "a.pdf", pdf_bytes(1))
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(reverse("staff:packet_build", args=[req.number]))
    page = clerk.get(reverse("staff:packet", args=[req.number])).content.decode()
    assert "Add a record document" not in page and "Save pages" not in page
    assert "Download the packet (PDF)" in page


def test_the_polled_partial_sends_forms_back_to_the_page_it_is_on(clerk, req, staff_a) -> None:
    _add(req, staff_a, "a.pdf", pdf_bytes(1))
    Packet.objects.create(request=req, state="failed", error="Broken")
    page_url = reverse("staff:request_file", args=[req.number])
    partial = clerk.get(
        reverse("staff:packet_progress", args=[req.number]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page_url}",
    )
    assert f'name="next" value="{page_url}"' in partial.content.decode()
    foreign = clerk.get(
        reverse("staff:packet_progress", args=[req.number]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/staff/x",
    )
    packet_page = reverse("staff:packet", args=[req.number])
    assert f'name="next" value="{packet_page}"' in foreign.content.decode()
