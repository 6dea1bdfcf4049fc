"""Letters: each staff action's letter is rendered after commit, stored once, and says what the
law requires (read back from the PDF with pdftotext)."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import pytest
import time_machine
from django.conf import settings

from requests_app.models import Disclosure, Letter, LetterText, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services import staff_actions as sa
from requests_app.services import transitions as t
from requests_app.services.letters import letter_for_event, letter_state

from ..factories import PatientFactory, RequesterFactory, submit
from ..pdf import pdf_text

LA = ZoneInfo("America/Los_Angeles")
SHOTS = Path(settings.BASE_DIR) / "var" / "shots"


@pytest.fixture
def entity(entity_a):
    entity_a.address = "1500 East Duarte Road\nDuarte, CA 91010"
    entity_a.phone = "626-218-2446"
    entity_a.fax = "626-301-8432"
    entity_a.him_department = "Health Information Management"
    entity_a.save()
    return entity_a


@pytest.fixture
def requester(db):
    return RequesterFactory(
        full_name="Ana Rivera", address="412 Huntington Drive\nMonrovia, CA 91016"
    )


def make(entity, requester, **kwargs):
    patient = PatientFactory(first_name="Ana", last_name="Rivera")
    return submit(entity=entity, patient=patient, requester=requester, **kwargs)


def only_letter(req) -> Letter:
    (letter,) = Letter.objects.filter(request=req)
    return letter


def test_it_writes_a_denial_with_grounds_review_and_complaint_rights(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = make(entity, requester)
    t.request_start_review(req, actor=staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_deny_with_letter(
            req,
            actor=staff_a,
            grounds=["danger_to_life", "psychotherapy_notes"],
            explanation="A treating psychiatrist judged release dangerous.",
        )
    letter = only_letter(req)
    assert letter.kind == Letter.Kind.DENIAL and letter.visible_to_requester
    assert letter.page_count >= 1 and len(letter.sha256) == 64
    text = pdf_text(letter)
    assert "Likely to endanger the life or physical safety of someone" in text
    assert "164.524(a)(3)(i)" in text and "Psychotherapy notes" in text
    assert "Your right to a review" in text  # a reviewable ground is among them
    assert "Privacy Officer" in text and "626-218-2446" in text
    assert "Office for Civil Rights" in text and "1-800-368-1019" in text
    assert "any other part of your record" in text  # access to everything not denied
    assert "412 Huntington Drive" in text and req.number in text
    event = req.events.get(action="deny")
    assert letter_state(event) == "ready" and event.data["letter_id"] == letter.pk


def test_it_says_when_a_denial_cannot_be_reviewed_and_where_records_are(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = make(entity, requester)
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_deny_with_letter(
            req,
            actor=staff_a,
            grounds=["not_held"],
            explanation="These films were taken at another hospital.",
            records_location="Huntington Hospital Imaging, 100 W California Blvd, Pasadena",
        )
    text = pdf_text(only_letter(req))
    assert "Review of this decision" in text and "does not provide a review" in text
    assert "Where the records are" in text and "Huntington Hospital Imaging" in text


def test_it_needs_the_records_location_when_not_held(entity, requester, staff_a) -> None:
    req = make(entity, requester)
    with pytest.raises(Exception, match="where the records are"):
        sa.request_deny_with_letter(req, actor=staff_a, grounds=["not_held"], explanation="x")
    req.refresh_from_db()
    assert req.status == "submitted"


def test_it_makes_one_letter_however_often_the_task_runs(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = make(entity, requester)
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_pend_with_notice(req, actor=staff_a, missing="A copy of your photo ID.")
    event = req.events.get(action="pend")
    again = letter_for_event(event_id=event.pk)
    assert again == only_letter(req)
    assert Letter.objects.filter(request=req).count() == 1
    assert "A copy of your photo ID." in pdf_text(again)


def test_it_uses_the_entity_letter_text_in_the_request_language(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    LetterText.objects.create(
        entity=entity,
        kind=LetterText.Kind.EXTENSION,
        language="es",
        subject="Necesitamos más tiempo para la solicitud {number}",
        body="Estimado/a {patient}:\n\nEl motivo:\n\n{reason}\n\nLe responderemos a más tardar "
        "el {due_date}. {unknown} Llame al {phone}.\n\nAtentamente,\nEntrega de Información, "
        "{entity}",
    )
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=LA), tick=False):
        req = make(
            entity,
            requester,
            kind=RequestKind.AMENDMENT,
            language="es",
            amendment_what_is_wrong="Allergy",
            amendment_should_say="No penicillin allergy",
        )
        with django_capture_on_commit_callbacks(execute=True):
            sa.request_extend_with_notice(
                req,
                actor=staff_a,
                new_due_on=req.due_on + timedelta(days=20),
                reason="Su médico está de licencia.",
            )
    letter = only_letter(req)
    text = pdf_text(letter)
    assert letter.language == "es"
    assert f"Necesitamos más tiempo para la solicitud {req.number}" in text
    assert "Estimado/a Ana Rivera:" in text and "Su médico está de licencia." in text
    assert "de mayo de 2026" in text  # the new date, in Spanish
    assert "{unknown}" in text  # an unknown placeholder is left as typed, never an error
    assert "Atentamente," in text and "Página" in text or "Page" in text


def test_it_lists_six_years_of_accountable_disclosures_only(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(datetime(2026, 5, 4, 10, tzinfo=LA), tick=False):
        req = make(entity, requester, kind=RequestKind.ACCOUNTING)
        patient = req.patient
        for when, name, exemption in [
            (datetime(2021, 6, 1).date(), "Los Angeles County Public Health", ""),
            (datetime(2019, 6, 1).date(), "Too old Agency", ""),
            (datetime(2025, 1, 9).date(), "Blue Shield of California", "authorization"),
        ]:
            Disclosure.objects.create(
                patient=patient,
                disclosed_on=when,
                recipient_name=name,
                recipient_address="313 N Figueroa St, Los Angeles",
                description="Lab results",
                purpose="Communicable disease report",
                exemption=exemption,
            )
        t.request_start_review(req, actor=staff_a)
        t.request_verify(req, actor=staff_a)
        with django_capture_on_commit_callbacks(execute=True):
            sa.accounting_report(req, actor=staff_a)
    req.refresh_from_db()
    assert req.status == "released" and not req.disclosures.exists()
    text = pdf_text(only_letter(req))
    assert "Los Angeles County Public Health" in text and "313 N Figueroa St" in text
    assert "Communicable disease report" in text and "Lab results" in text
    assert "Too old Agency" not in text and "Blue Shield" not in text
    assert "first accounting in any 12 months is free" in text


def test_a_second_accounting_within_a_year_tells_the_fee(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    entity.policy.accounting_fee = "15.00"
    entity.policy.save()
    patient = PatientFactory()
    for _round in range(2):
        req = submit(
            entity=entity, patient=patient, requester=requester, kind=RequestKind.ACCOUNTING
        )
        t.request_start_review(req, actor=staff_a)
        t.request_verify(req, actor=staff_a)
        with django_capture_on_commit_callbacks(execute=True):
            sa.accounting_report(req, actor=staff_a)
    text = pdf_text(only_letter(req))
    assert "$15.00" in text and "further accounting within 12 months" in text


def test_it_appends_an_accepted_amendment_and_writes_the_letter(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = make(
        entity,
        requester,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="My allergy list says penicillin.",
        amendment_should_say="I am not allergic to penicillin.",
    )
    t.request_start_review(req, actor=staff_a)
    t.request_verify(req, actor=staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        sa.amendment_accept(
            req,
            actor=staff_a,
            amendment="Patient reports no penicillin allergy; confirmed by Dr. Chen 2026-03-01.",
            inform="Dr. Chen",
        )
    req.refresh_from_db()
    assert req.status == "released"
    event = req.events.get(action="amendment_accept")
    assert event.kind == TimelineEvent.Kind.DOCUMENT and "Dr. Chen" in event.data["amendment"]
    text = pdf_text(only_letter(req))
    assert "confirmed by Dr. Chen" in text and "My allergy list says penicillin." in text


def test_an_amendment_denial_offers_a_statement_of_disagreement(
    entity, requester, staff_a, django_capture_on_commit_callbacks
) -> None:
    req = make(
        entity,
        requester,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="Wrong diagnosis",
        amendment_should_say="Remove it",
    )
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_deny_with_letter(
            req,
            actor=staff_a,
            grounds=["accurate"],
            explanation="The diagnosis was confirmed by biopsy.",
        )
    letter = only_letter(req)
    assert letter.kind == Letter.Kind.AMENDMENT_DENIAL
    text = pdf_text(letter)
    assert "Accurate and complete" in text and "164.526(a)(2)(iv)" in text
    assert "statement saying that you disagree" in text and "rebuttal" in text
    assert "Office for Civil Rights" in text


def test_access_grounds_are_refused_for_an_amendment(entity, requester, staff_a) -> None:
    req = make(entity, requester, kind=RequestKind.AMENDMENT)
    with pytest.raises(Exception, match="grounds that apply"):
        sa.request_deny_with_letter(
            req, actor=staff_a, grounds=["psychotherapy_notes"], explanation="x"
        )


def test_a_rendering_failure_is_recorded_for_staff(
    entity, requester, staff_a, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from requests_app.services import letters

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(letters, "render_pdf", broken)
    req = make(entity, requester)
    with django_capture_on_commit_callbacks(execute=True):
        sa.request_pend_with_notice(req, actor=staff_a, missing="Your signature.")
    event = req.events.get(action="pend")
    assert letter_state(event) == "failed" and "font missing" in event.data["letter_error"]
    assert not Letter.objects.exists()


@pytest.mark.parametrize(
    "kind",
    [
        "denial",
        "partial_denial",
        "extension",
        "pending",
        "amendment_accepted",
        "amendment_denial",
        "accounting",
    ],
)
def test_every_letter_renders_one_good_page_with_letterhead(
    kind, entity, staff_a, django_capture_on_commit_callbacks
) -> None:
    """Also leaves PNGs of each first page in var/shots for people to look at."""
    attorney = RequesterFactory(
        role=RequesterRole.SELF,
        full_name="Ana Rivera",
        address="412 Huntington Drive\nMonrovia, CA 91016",
    )
    request_kind = {
        "amendment_accepted": RequestKind.AMENDMENT,
        "amendment_denial": RequestKind.AMENDMENT,
        "accounting": RequestKind.ACCOUNTING,
        "extension": RequestKind.AMENDMENT,
    }.get(kind, RequestKind.ACCESS)
    req = make(
        entity,
        attorney,
        kind=request_kind,
        delivery=DeliveryMethod.MAIL,
        amendment_what_is_wrong="The allergy list says penicillin.",
        amendment_should_say="No known drug allergies.",
    )
    Disclosure.objects.create(
        patient=req.patient,
        disclosed_on=datetime(2024, 4, 2).date(),
        recipient_name="Los Angeles County Department of Public Health",
        recipient_address="313 N Figueroa St\nLos Angeles, CA 90012",
        description="Laboratory results",
        purpose="Communicable disease reporting",
    )
    with django_capture_on_commit_callbacks(execute=True):
        if kind in ("denial", "partial_denial"):
            t.request_start_review(req, actor=staff_a)
            sa.request_deny_with_letter(
                req,
                actor=staff_a,
                partial=kind == "partial_denial",
                grounds=["psychotherapy_notes", "harm_to_other"],
                explanation="The psychotherapy notes and the part of the social work note "
                "about your sister are withheld.",
            )
        elif kind == "extension":
            sa.request_extend_with_notice(
                req,
                actor=staff_a,
                new_due_on=req.due_on + timedelta(days=30),
                reason="The treating physician must review the "
                "change and is away until next month.",
            )
        elif kind == "pending":
            sa.request_pend_with_notice(req, actor=staff_a, missing="A copy of a photo ID.")
        elif kind == "amendment_denial":
            sa.request_deny_with_letter(
                req,
                actor=staff_a,
                grounds=["accurate"],
                explanation="Your allergist confirmed it in 2024.",
            )
        else:
            t.request_start_review(req, actor=staff_a)
            t.request_verify(req, actor=staff_a)
            if kind == "amendment_accepted":
                sa.amendment_accept(
                    req,
                    actor=staff_a,
                    amendment="No known drug allergies (corrected 2026).",
                    inform="Dr. Chen, Pasadena",
                )
            else:
                sa.accounting_report(req, actor=staff_a)
    letter = only_letter(req)
    with letter.file.open("rb") as fh, pikepdf.open(fh) as pdf:
        assert len(pdf.pages) == letter.page_count
    text = pdf_text(letter)
    assert entity.name in text and "1500 East Duarte Road" in text  # letterhead
    assert "Ana Rivera" in text and "Monrovia, CA 91016" in text  # recipient block
    assert "Sincerely," in text and "Alma Clerk" in text  # signature block
    assert "Page 1 of" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    with letter.file.open("rb") as fh:
        (SHOTS / f"staff-request-file-letter-{kind}.pdf").write_bytes(fh.read())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(SHOTS / f"staff-request-file-letter-{kind}.pdf"),
            str(SHOTS / f"staff-request-file-letter-{kind}"),
        ],
        check=True,
    )
