"""What the requester reads once a request is answered: whether the packet can be
downloaded, what was sent and when, and the fee lines (the invoice). Like selectors.portal,
it works on a request already fetched through views.portal.access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import Packet, Request
from ..workflow import Status
from .portal import delivery_in_words, shipped_details, visible_events


def was_released(request: Request) -> bool:
    """Released now, or released and then closed; a reopened request is not released."""
    if request.status == Status.RELEASED:
        return True
    return (
        request.status == Status.CLOSED
        and visible_events(request).filter(action="release").exists()
    )


def packet_for_download(request: Request) -> Packet | None:
    """The built packet of a released request; None otherwise (the view answers 404)."""
    if not was_released(request):
        return None
    packet = Packet.objects.filter(request=request, state=Packet.State.BUILT).first()
    if packet is None or not packet.file:
        return None
    return packet


@dataclass(frozen=True)
class Delivery:
    at: datetime
    method: str
    note: str
    details: list[tuple[str, str]]


def deliveries(request: Request) -> list[Delivery]:
    """What was sent and when: the release events and any event that records a shipment."""
    found = []
    for event in visible_events(request):
        data = event.data or {}
        if event.action != "release" and "shipped" not in data:
            continue
        found.append(
            Delivery(
                at=event.at,
                method=delivery_in_words(data.get("delivery_method") or request.delivery_method),
                note=event.reason,
                details=shipped_details(data.get("shipped")),
            )
        )
    return found


@dataclass(frozen=True)
class FeeLineView:
    label: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class FeeView:
    lines: list[FeeLineView]
    total: Decimal
    basis: str

    @property
    def is_free(self) -> bool:
        return self.total == 0


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")


def fee_view(request: Request) -> FeeView | None:
    """The fee lines stored at submission (Request.fee_estimate), read defensively."""
    estimate = request.fee_estimate or {}
    if not isinstance(estimate, dict) or "total" not in estimate:
        return None
    lines = []
    for line in estimate.get("lines") or []:
        if not isinstance(line, dict):
            continue
        try:
            quantity = int(line.get("quantity") or 0)
        except (TypeError, ValueError):
            quantity = 0
        lines.append(
            FeeLineView(
                str(line.get("label", "")),
                quantity,
                _money(line.get("unit_price")),
                _money(line.get("amount")),
            )
        )
    return FeeView(lines, _money(estimate.get("total")), str(estimate.get("basis", "")))
