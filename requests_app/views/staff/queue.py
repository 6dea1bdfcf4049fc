"""Staff workspace: the queue."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from .access import staff_required


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/queue.html", {})


urlpatterns: list[URLPattern] = [
    path("", queue, name="queue"),
]
