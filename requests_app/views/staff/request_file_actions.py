"""The actions on the request file, declared once: label, form, when it is offered, the one
service it calls, and what the confirmation page says. request_file_action_view.py serves them
at /staff/requests/<number>/<slug>/ (URL names staff:request_<name>, e.g. staff:request_deny).

An action is offered only when workflow.can allows it for the request's status (and, for the
kind-specific ones, the request's kind)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...access.staff import is_supervisor
from ...forms import staff as f
from ...forms.requests import lazy_format
from ...models import Request
from ...rules.accounting import ACCOUNTING_YEARS
from ...rules.kinds import RequestKind
from ...selectors.calendar import entity_today
from ...services import staff_actions as sa
from ...services import transitions as t
from ...workflow import ACTIONS as WORKFLOW
from ...workflow import Status, can

Perform = Callable[[Request, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class StaffAction:
    slug: str  # in the URL, /staff/requests/<number>/<slug>/
    label: Any
    form: type[f.ActionForm]
    offered: Callable[[Request, Any], bool]
    perform: Perform
    done: Any  # the success message
    effect: Any = ""  # what else happens, shown on the confirmation page
    workflow: str = ""  # the status change it makes, if any
    style: str = "primary"
    extra: str = ""  # a template with more context for the confirmation page
    letter: bool = False  # it sends a letter (PDF)
    form_kwargs: Callable[[Request, Any], dict[str, Any]] = field(default=lambda req, user: {})

    @property
    def name(self) -> str:
        return self.slug.replace("-", "_")


def _can(name: str) -> Callable[[Request, Any], bool]:
    return lambda req, user: can(name, req.status)


def _access_like(name: str) -> Callable[[Request, Any], bool]:
    return lambda req, user: can(name, req.status) and req.kind in sa.ACCESS_LIKE_KINDS


def _kind_answerable(kind: str) -> Callable[[Request, Any], bool]:
    return lambda req, user: (
        req.kind == kind and (can("mark_ready", req.status) or req.status == Status.READY)
    )


def extension_blocker(req: Request) -> str:
    """Why no extension is possible now, in words for the page; "" when one is."""
    if not req.is_open:
        return _("Only an open request can be extended.")
    if req.extended_due_on is not None:
        return _("Already extended once, to %(date)s; the law allows one extension.") % {
            "date": req.extended_due_on.isoformat()
        }
    if req.latest_extension_on is None:
        return _("No extension is allowed under the rule that sets the due date: %(rule)s") % {
            "rule": req.due_rule_text
        }
    if entity_today(req.entity) > req.due_on:
        return _("The extension notice had to go out before the first due date (%(due)s).") % {
            "due": req.due_on.isoformat()
        }
    return ""


def _assign_form(req: Request, user: Any) -> dict[str, Any]:
    if is_supervisor(user, req.entity):
        return {"staff": sa.staff_for_entity(req.entity)}
    return {}


def _assign(req: Request, user: Any, data: dict[str, Any]) -> Any:
    # A supervisor picks someone (or nobody); a clerk takes it or lets it go.
    if "assignee" in data:
        return sa.request_assign_checked(req, actor=user, assignee=data["assignee"])
    assignee = user if data["take"] else None
    return sa.request_assign_checked(req, actor=user, assignee=assignee)


def _deny(partial: bool) -> Perform:
    return lambda req, user, d: sa.request_deny_with_letter(
        req,
        actor=user,
        grounds=d["grounds"],
        explanation=d["explanation"],
        partial=partial,
        records_location=d.get("records_location", ""),
    )


_ALWAYS = lambda req, user: True  # noqa: E731

STAFF_ACTIONS: dict[str, StaffAction] = {
    a.slug: a
    for a in (
        StaffAction(
            "assign",
            gettext_lazy("Assign"),
            f.AssignForm,
            lambda req, user: req.is_open,
            _assign,
            gettext_lazy("Assignment saved."),
            form_kwargs=_assign_form,
            style="outline-primary",
        ),
        StaffAction(
            "start-review",
            WORKFLOW["start_review"].label,
            f.ConfirmForm,
            _can("start_review"),
            lambda req, user, d: t.request_start_review(req, actor=user),
            gettext_lazy("Review started."),
            workflow="start_review",
        ),
        StaffAction(
            "verify",
            gettext_lazy("Verify identity and authority"),
            f.VerifyForm,
            _can("verify"),
            lambda req, user, d: sa.request_verify_identity(
                req, actor=user, checks=d["checks"], note=d["note"]
            ),
            gettext_lazy("Identity and authority verified."),
            workflow="verify",
        ),
        StaffAction(
            "pend",
            gettext_lazy("Pend for missing information"),
            f.PendForm,
            _can("pend"),
            lambda req, user, d: sa.request_pend_with_notice(req, actor=user, missing=d["missing"]),
            gettext_lazy("The request waits for the requester; the notice is being prepared."),
            effect=gettext_lazy("The missing-information notice goes to the requester."),
            letter=True,
            workflow="pend",
            style="warning",
        ),
        StaffAction(
            "resume",
            WORKFLOW["resume"].label,
            f.ResumeForm,
            _can("resume"),
            lambda req, user, d: t.request_resume(req, actor=user, note=d["note"]),
            gettext_lazy("Back in review."),
            effect=gettext_lazy(
                "A paused clock moves by the days lost, never past the date the law sets."
            ),
            workflow="resume",
        ),
        StaffAction(
            "extend",
            gettext_lazy("Extend the due date"),
            f.ExtendForm,
            lambda req, user: not extension_blocker(req),
            lambda req, user, d: sa.request_extend_with_notice(
                req, actor=user, new_due_on=d["new_due_on"], reason=d["reason"]
            ),
            gettext_lazy("Extended; the written notice is being prepared."),
            effect=gettext_lazy(
                "One extension only, before the first due date. The written notice with the "
                "reason and the new date goes to the requester."
            ),
            letter=True,
            style="warning",
            extra="staff/request_file/extra_extend.html",
        ),
        StaffAction(
            "deny",
            gettext_lazy("Deny"),
            f.DenyForm,
            _access_like("deny"),
            _deny(partial=False),
            gettext_lazy("Denied; the denial letter is being prepared."),
            effect=gettext_lazy(
                "The denial letter gives the grounds, the review and complaint rights and "
                "where the records are if we do not hold them."
            ),
            letter=True,
            workflow="deny",
            style="danger",
            extra="staff/request_file/extra_deny.html",
        ),
        StaffAction(
            "partially-deny",
            gettext_lazy("Deny in part"),
            f.DenyForm,
            _access_like("partially_deny"),
            _deny(partial=True),
            gettext_lazy("Partly denied; the letter is being prepared."),
            effect=gettext_lazy(
                "The rest of the request goes on to release. The letter explains the denied "
                "part with review and complaint rights."
            ),
            letter=True,
            workflow="partially_deny",
            style="danger",
            extra="staff/request_file/extra_deny.html",
        ),
        StaffAction(
            "amendment-accept",
            gettext_lazy("Accept the amendment"),
            f.AmendmentAcceptForm,
            _kind_answerable(RequestKind.AMENDMENT),
            lambda req, user, d: sa.amendment_accept(
                req, actor=user, amendment=d["amendment"], inform=d["inform"]
            ),
            gettext_lazy("Amendment accepted and appended; the letter is being prepared."),
            effect=gettext_lazy(
                "The amendment is appended to the record and the request is answered."
            ),
            letter=True,
            extra="staff/request_file/extra_amendment.html",
        ),
        StaffAction(
            "amendment-deny",
            gettext_lazy("Deny the amendment"),
            f.AmendmentDenyForm,
            lambda req, user: req.kind == RequestKind.AMENDMENT and can("deny", req.status),
            _deny(partial=False),
            gettext_lazy("Amendment denied; the letter is being prepared."),
            effect=gettext_lazy(
                "The letter gives the grounds, offers a statement of disagreement and tells "
                "how to complain."
            ),
            letter=True,
            workflow="deny",
            style="danger",
            extra="staff/request_file/extra_amendment.html",
        ),
        StaffAction(
            "accounting",
            gettext_lazy("Prepare the accounting of disclosures"),
            f.ConfirmForm,
            _kind_answerable(RequestKind.ACCOUNTING),
            lambda req, user, d: sa.accounting_report(req, actor=user),
            gettext_lazy("Accounting prepared; the report is being made."),
            effect=lazy_format(
                gettext_lazy(
                    "%(years)s years of the disclosure log, exempt disclosures left out; the "
                    "request is answered."
                ),
                years=ACCOUNTING_YEARS,
            ),
            letter=True,
            extra="staff/request_file/extra_accounting.html",
        ),
        StaffAction(
            "mark-ready",
            WORKFLOW["mark_ready"].label,
            f.ConfirmForm,
            _access_like("mark_ready"),
            lambda req, user, d: t.request_mark_ready(req, actor=user),
            gettext_lazy("Ready to release."),
            workflow="mark_ready",
            style="success",
        ),
        StaffAction(
            "return-to-work",
            WORKFLOW["return_to_work"].label,
            f.ReasonForm,
            _can("return_to_work"),
            lambda req, user, d: t.request_return_to_work(req, actor=user, reason=d["reason"]),
            gettext_lazy("Back to work."),
            workflow="return_to_work",
            style="outline-secondary",
        ),
        StaffAction(
            "ship",
            gettext_lazy("Record mailing or media shipment"),
            f.ShipmentForm,
            lambda req, user: (
                req.status == Status.RELEASED and req.delivery_method in sa.SHIPPABLE_DELIVERY
            ),
            lambda req, user, d: sa.request_record_shipment(
                req,
                actor=user,
                method=d["method"],
                carrier=d["carrier"],
                tracking=d["tracking"],
                shipped_on=d["shipped_on"],
                note=d["note"],
            ),
            gettext_lazy("Shipment recorded."),
            effect=gettext_lazy("The requester sees the carrier and tracking number."),
            style="outline-primary",
        ),
        StaffAction(
            "close",
            WORKFLOW["close"].label,
            f.OptionalReasonForm,
            _can("close"),
            lambda req, user, d: t.request_close(req, actor=user, reason=d["reason"]),
            gettext_lazy("Closed."),
            workflow="close",
            style="outline-secondary",
        ),
        StaffAction(
            "reopen",
            WORKFLOW["reopen"].label,
            f.ReasonForm,
            _can("reopen"),
            lambda req, user, d: t.request_reopen(req, actor=user, reason=d["reason"]),
            gettext_lazy("Reopened."),
            workflow="reopen",
            style="outline-primary",
        ),
        StaffAction(
            "note",
            gettext_lazy("Add an internal note"),
            f.NoteForm,
            _ALWAYS,
            lambda req, user, d: t.request_add_note(req, actor=user, text=d["text"]),
            gettext_lazy("Note added."),
            effect=gettext_lazy("Internal notes are never shown to the requester."),
            style="outline-secondary",
        ),
        StaffAction(
            "message",
            gettext_lazy("Message the requester"),
            f.MessageForm,
            _ALWAYS,
            lambda req, user, d: sa.request_message_requester(req, actor=user, text=d["text"]),
            gettext_lazy("Message sent."),
            style="outline-secondary",
        ),
    )
}
# Shown apart on the file (beside notes and messages), not in the action bar.
INLINE_ACTIONS = frozenset({"note", "message"})


def offered_actions(req: Request, user: Any) -> list[StaffAction]:
    return [a for a in STAFF_ACTIONS.values() if a.offered(req, user)]
