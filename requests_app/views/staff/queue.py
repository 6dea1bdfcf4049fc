"""Staff workspace: the work queue, and bulk assignment from it.

The queue is a GET form: filters, search and the keyset cursor live in the querystring, so a
page can be bookmarked, shared with a colleague and refreshed, and it works without
JavaScript. With htmx, changing a filter refreshes only the results.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape as html_escape

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ...choices import REQUEST_KIND_CHOICES
from ...forms.queue import BulkAssignForm, QueueFilterForm
from ...models import Channel
from ...rules.kinds import Urgency
from ...selectors.queue import (
    KIND_SHORT_LABELS,
    STAFF_STATUS_LABELS,
    QueueRow,
    queue_counts,
    queue_page,
    queue_requests,
    queue_scope,
)
from ...services.bulk import request_bulk_assign
from .decorators import staff_required


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    # staff_required's checks, made with the scope query instead of a query of their own:
    # the page's budget is five queries including the session and the user.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("staff:login"))
    scope = queue_scope(request.user)
    if not scope.is_staff:
        raise Http404
    form = QueueFilterForm(request.GET, scope=scope)
    form.is_valid()  # errors show beside their fields; the valid filters still apply
    filters = form.filters()
    after, before = form.cursors()
    now = timezone.now()
    requests = queue_requests(request.user, filters, scope, now)
    page = queue_page(
        requests,
        filters,
        after=after,
        before=before,
        size=form.page_size(),
        now=now,
    )
    counts = queue_counts(requests)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "counts": counts,
        "open_total": sum(c.count for c in counts),
        "rows_html": rows_html(page.rows),
        "bulk_form": BulkAssignForm(scope=scope, user_pk=request.user.pk),
        "scope": scope,
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, "staff/queue/_results.html", context)
    return render(request, "staff/queue.html", context)


_SAMPLE_NUMBER = "ROI-0000-000000"
# Django date format letters that strftime can write, for the common short formats
# ("m/d/Y" in English, "d/m/Y" in Spanish): strftime is ten times faster than dateformat.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


def _date_formatter(django_format: str) -> Callable[[date], str]:
    if all(ch in _STRFTIME or not ch.isalnum() for ch in django_format):
        pattern = "".join(_STRFTIME.get(ch, ch.replace("%", "%%")) for ch in django_format)
        return lambda value: value.strftime(pattern)
    return lambda value: dateformat.format(value, django_format)


def _badge_text(row: QueueRow) -> str:
    n = row.days_left or 0
    if row.urgency == Urgency.OVERDUE:
        return ngettext("Overdue %(n)d day", "Overdue %(n)d days", -n) % {"n": -n}
    if row.urgency == Urgency.DUE_TODAY:
        return _("Due today")
    if row.urgency == Urgency.DUE_SOON:
        return ngettext("Due in %(n)d day", "Due in %(n)d days", n) % {"n": n}
    return ngettext("On track, %(n)d day left", "On track, %(n)d days left", n) % {"n": n}


def escape(value: object) -> str:
    # The standard library's escape: Django's wraps it for lazy strings, a cost paid ~700
    # times a page here, where every value is a plain string already.
    return html_escape(str(value), quote=True)


def rows_html(rows: list[QueueRow]) -> SafeString:
    """The table body, written here rather than by a template loop, as the admin writes its
    changelist rows: the loop is what a page of the queue costs, and the template version took
    four fifths of the page's time. Every value is escaped; labels are translated once."""
    label = {
        key: escape(text)
        for key, text in {
            "patient": _("Patient"),
            "kind": _("Kind"),
            "where": _("Where"),
            "status": _("Status"),
            "received": _("Received"),
            "due": _("Due"),
            "assignee": _("Assignee"),
            "channel": _("Channel"),
            "dob": _("DOB"),
            "unassigned": _("Unassigned"),
            "select": _("Select"),
            "waiting": _("Waiting for:"),
            "extension": _("Extension decision needed"),
            "extension_title": _(
                "The first due date is near and no extension was sent: extend in writing "
                "before it, or answer by it."
            ),
        }.items()
    }
    day = _date_formatter(get_format("SHORT_DATE_FORMAT"))

    # The request file is another area's page; until its URL exists the number is plain text.
    try:
        file_url = reverse("staff:request_file", kwargs={"number": _SAMPLE_NUMBER})
    except NoReverseMatch:
        file_url = ""
    kinds = {key: escape(text) for key, text in KIND_SHORT_LABELS.items()}
    kind_titles = {key: escape(text) for key, text in REQUEST_KIND_CHOICES}
    statuses = {key: escape(text) for key, text in STAFF_STATUS_LABELS.items()}
    channels = {key: escape(text) for key, text in Channel.choices}
    out = []
    for row in rows:
        number = escape(row.number)
        if file_url:
            href = escape(file_url.replace(_SAMPLE_NUMBER, row.number))
            number = f'<a href="{href}">{number}</a>'
        where = escape(row.entity)
        if row.location:
            where += f'<div class="small text-body-secondary">{escape(row.location)}</div>'
        status = statuses.get(row.status, escape(row.status))
        if row.pause_reason:
            status += (
                f'<div class="small queue-pause" title="{escape(row.pause_reason)}">'
                f"{label['waiting']} {escape(Truncator(row.pause_reason).chars(80))}</div>"
            )
        if row.paused_on:
            paused = _("Clock paused since %(day)s") % {"day": day(row.paused_on)}
            status += f'<div class="small queue-pause">{escape(paused)}</div>'
        due = day(row.due_on)
        if row.days_left is not None:
            badge = "badge-" + row.urgency.replace("_", "-")
            text = escape(_badge_text(row))
            due += f'<div class="mt-1"><span class="badge {badge}">{text}</span></div>'
        if row.extension_needed:
            due += (
                f'<div class="mt-1"><span class="badge badge-extension" '
                f'title="{label["extension_title"]}">{label["extension"]}</span></div>'
            )
        if row.extended_due_on:
            was = _("Extended from %(day)s") % {"day": day(row.first_due_on)}
            due += f'<div class="small text-body-secondary">{escape(was)}</div>'
        if row.assignee:
            assignee = escape(row.assignee)
        else:
            assignee = f'<span class="text-body-secondary">{label["unassigned"]}</span>'
        out.append(
            "<tr>"
            f'<td class="queue-select"><input class="form-check-input" type="checkbox" '
            f'name="numbers" value="{escape(row.number)}" form="bulk-form" '
            f'aria-label="{label["select"]} {escape(row.number)}"></td>'
            f'<th scope="row" class="queue-number">{number}</th>'
            f'<td data-label="{label["patient"]}">{escape(row.patient_name)}'
            f'<div class="small text-body-secondary text-nowrap">{label["dob"]} '
            f"{day(row.patient_born)}</div></td>"
            f'<td data-label="{label["kind"]}" title="{kind_titles.get(row.kind, "")}">'
            f"{kinds.get(row.kind, escape(row.kind))}</td>"
            f'<td data-label="{label["where"]}">{where}</td>'
            f'<td data-label="{label["status"]}">{status}</td>'
            f'<td data-label="{label["received"]}">{day(row.received_on)}</td>'
            f'<td data-label="{label["due"]}" class="queue-due">{due}</td>'
            f'<td data-label="{label["assignee"]}">{assignee}</td>'
            f'<td data-label="{label["channel"]}">'
            f"{channels.get(row.channel, escape(row.channel))}</td>"
            "</tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def _back_to_queue(request: HttpRequest) -> str:
    """The queue page the form was posted from, filters and page kept; never elsewhere."""
    target = request.POST.get("next", "")
    home = reverse("staff:queue")
    if (
        target.startswith(home)
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return home


@require_POST
@staff_required
def queue_assign(request: HttpRequest) -> HttpResponse:
    scope = queue_scope(request.user)
    form = BulkAssignForm(request.POST, scope=scope, user_pk=request.user.pk)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back_to_queue(request))
    result = request_bulk_assign(
        actor=request.user,
        numbers=form.cleaned_data["numbers"],
        assignee_id=form.assignee_id(),
    )
    if result.assigned:
        count = len(result.assigned)
        if result.assignee is None:
            text = ngettext("%(n)d request unassigned.", "%(n)d requests unassigned.", count) % {
                "n": count
            }
        else:
            text = ngettext(
                "%(n)d request assigned to %(name)s.", "%(n)d requests assigned to %(name)s.", count
            ) % {
                "n": count,
                "name": result.assignee.get_full_name() or result.assignee.get_username(),
            }
        messages.success(request, text)
    # One message per reason: two hundred refusals must not become two hundred messages.
    refused: dict[str, list[str]] = {}
    for number, why in result.refused:
        refused.setdefault(why, []).append(number)
    for why, numbers in refused.items():
        messages.warning(
            request,
            _("Not changed (%(why)s): %(numbers)s.") % {"why": why, "numbers": ", ".join(numbers)},
        )
    return redirect(_back_to_queue(request))


urlpatterns: list[URLPattern] = [
    path("", queue, name="queue"),
    path("queue/assign/", queue_assign, name="queue_assign"),
]
