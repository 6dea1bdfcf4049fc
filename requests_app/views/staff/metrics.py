"""Staff workspace: metrics, as server-rendered SVG charts with the numbers in tables beside
them, and the same figures as CSV.

Each chart is drawn from plain geometry computed here (no JavaScript library); the SVG has a
<title> and a <desc> and is followed by a table of the same numbers, so a screen reader, a
printout and a spreadsheet all get them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from ...access.staff import staff_entities, staff_requests
from ...models import Entity
from ...selectors.metrics import Metrics, staff_metrics
from .decorators import staff_required

# The viewBox of every chart; the browser scales it to the column.
WIDTH = 640
BAR_ROW = 34  # height of one horizontal bar's row
LABEL_WIDTH = 230  # room for a label left of a horizontal bar
VALUE_ROOM = 90  # room right of a horizontal bar for its value


@dataclass(frozen=True)
class Bar:
    """One bar and where its label and value are written, in viewBox units."""

    label: str
    text: str  # the value as written on the chart and in the table
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    height: int
    bars: list[Bar]
    horizontal: bool
    baseline: float = 0  # y of the axis line (vertical charts)


def _nice_max(value: float) -> float:
    """The scale's top: the value rounded up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


Items = list[tuple[str, float, str]]  # (label, value, value as text)


def vertical_chart(chart_id: str, title: str, desc: str, items: Items) -> Chart:
    height, top, bottom = 220, 26, 34
    plot = height - top - bottom
    scale = _nice_max(max((value for _label, value, _text in items), default=0))
    slot = WIDTH / max(len(items), 1)
    bars = []
    for i, (label, value, text) in enumerate(items):
        h = round(plot * value / scale, 1)
        x, y, center = (
            round(i * slot + slot * 0.15, 1),
            round(top + plot - h, 1),
            i * slot + slot / 2,
        )
        bars.append(
            Bar(
                label,
                text,
                x,
                y,
                round(slot * 0.7, 1),
                h,
                round(center, 1),
                height - 10,
                round(center, 1),
                y - 7,
            )
        )
    return Chart(chart_id, title, desc, height, bars, horizontal=False, baseline=top + plot)


def horizontal_chart(
    chart_id: str, title: str, desc: str, items: Items, scale: float | None = None
) -> Chart:
    height = max(len(items), 1) * BAR_ROW + 6
    scale = scale or _nice_max(max((value for _label, value, _text in items), default=0))
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for i, (label, value, text) in enumerate(items):
        y, w, h = 4 + i * BAR_ROW, round(room * value / scale, 1), BAR_ROW - 10
        middle = y + h / 2 + 6  # the text baseline that centres 17-unit text on the bar
        bars.append(
            Bar(
                label,
                text,
                LABEL_WIDTH,
                y,
                w,
                h,
                LABEL_WIDTH - 8,
                middle,
                LABEL_WIDTH + w + 6,
                middle,
            )
        )
    return Chart(chart_id, title, desc, height, bars, horizontal=True)


def _days(value: float) -> str:
    # ngettext picks "day"/"días" by the number; a fraction (2.5) reads as plural everywhere.
    count = int(value) if float(value).is_integer() else 2
    return ngettext("%(n)s day", "%(n)s days", count) % {"n": f"{value:g}"}


def _listing(points: list[tuple[str, float, str]]) -> str:
    return "; ".join(f"{label} {text}" for label, _v, text in points)


def charts(metrics: Metrics) -> list[Chart]:
    backlog = [(b.label, b.count, str(b.count)) for b in metrics.backlog]
    on_time = [
        (
            _("Last %(n)d days") % {"n": o.days},
            o.rate or 0,
            f"{o.rate:g}%" if o.rate is not None else _("none answered"),
        )
        for o in metrics.on_time
    ]
    weeks = [(date_format(w.starts_on, "n/j"), w.received, str(w.received)) for w in metrics.weeks]
    by_kind = [(t.label, t.median_days, _days(t.median_days)) for t in metrics.turnaround_by_kind]
    by_entity = [
        (t.label, t.median_days, _days(t.median_days)) for t in metrics.turnaround_by_entity
    ]
    return [
        vertical_chart(
            "backlog",
            _("Open requests by age"),
            _("Open requests by days since received: %(list)s") % {"list": _listing(backlog)},
            backlog,
        ),
        horizontal_chart(
            "on-time",
            _("Answered on time"),
            _("Share of requests answered by their due date: %(list)s")
            % {"list": _listing(on_time)},
            on_time,
            scale=100,
        ),
        horizontal_chart(
            "turnaround-kind",
            _("Median turnaround by kind"),
            _("Median days from received to answered, last 90 days: %(list)s")
            % {"list": _listing(by_kind) or _("none answered")},
            by_kind,
        ),
        horizontal_chart(
            "turnaround-entity",
            _("Median turnaround by entity"),
            _("Median days from received to answered, last 90 days: %(list)s")
            % {"list": _listing(by_entity) or _("none answered")},
            by_entity,
        ),
        vertical_chart(
            "weekly",
            _("Requests received per week"),
            _("Requests received each week, weeks starting Monday: %(list)s")
            % {"list": _listing(weeks)},
            weeks,
        ),
    ]


def _scope(request: HttpRequest) -> tuple[list[Entity], Entity | None]:
    """The viewer's entities, and the one picked with ?entity= (404 outside the scope)."""
    entities = list(staff_entities(request.user).order_by("short_name"))
    raw = request.GET.get("entity", "")
    if not raw:
        return entities, None
    chosen = next((e for e in entities if str(e.pk) == raw), None)
    if chosen is None:
        raise Http404
    return entities, chosen


def _requests(request: HttpRequest, chosen: Entity | None):
    requests = staff_requests(request.user)
    return requests.filter(entity=chosen) if chosen else requests


@require_GET
@staff_required
def metrics(request: HttpRequest) -> HttpResponse:
    entities, chosen = _scope(request)
    figures = staff_metrics(_requests(request, chosen))
    return render(
        request,
        "staff/metrics.html",
        {
            "metrics": figures,
            "charts": charts(figures),
            "entities": entities,
            "chosen": chosen,
            "width": WIDTH,
            "label_width": LABEL_WIDTH,
        },
    )


def _cell(value: object) -> object:
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection); entity
    # names are typed by admins, so they are written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@require_GET
@staff_required
def metrics_csv(request: HttpRequest) -> HttpResponse:
    _entities, chosen = _scope(request)
    m = staff_metrics(_requests(request, chosen))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="roi-metrics-{m.today.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["metric", "group", "value", "n"])
    rows: list[tuple[object, ...]] = [("as_of", m.today.isoformat(), "", "")]
    rows.append(("scope", chosen.short_name if chosen else "all my entities", "", ""))
    rows += [("backlog_by_age", b.label, b.count, "") for b in m.backlog]
    rows += [
        (f"on_time_rate_{o.days}_days_percent", "", "" if o.rate is None else o.rate, o.answered)
        for o in m.on_time
    ]
    rows += [
        ("median_turnaround_days_by_kind", t.label, t.median_days, t.answered)
        for t in m.turnaround_by_kind
    ]
    rows += [
        ("median_turnaround_days_by_entity", t.label, t.median_days, t.answered)
        for t in m.turnaround_by_entity
    ]
    rows += [("received_per_week", w.starts_on.isoformat(), w.received, "") for w in m.weeks]
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


urlpatterns: list[URLPattern] = [
    path("metrics/", metrics, name="metrics"),
    path("metrics.csv", metrics_csv, name="metrics_csv"),
]
