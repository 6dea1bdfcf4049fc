"""What the requester reads once a request is answered: whether the packet can be
downloaded, what was sent and when, and the fee lines (the invoice). Like selectors.portal,
it works on a request already fetched through access/portal.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..models import Packet, Request
from ..rules.fees import FeeLine
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
class FeeView:
    lines: list[FeeLine]
    total: Decimal
    basis: str

    @property
    def is_free(self) -> bool:
        return self.total == 0


def fee_view(request: Request) -> FeeView | None:
    """The fee lines stored at submission."""
    fee = request.stored_fee()
    if fee is None:
        return None
    return FeeView(list(fee.lines), fee.total, fee.basis)
