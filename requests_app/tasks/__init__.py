"""Celery tasks: ids in, one service call, nothing else (HackSoft styleguide). One module per
area; Celery's autodiscovery imports this package, which imports them all."""

from __future__ import annotations

from .letters import *  # noqa: F403
from .notify import notify_requester, send_request_received
from .packets import *  # noqa: F403

__all__ = ["notify_requester", "send_request_received"]
