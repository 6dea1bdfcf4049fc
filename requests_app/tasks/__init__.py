"""Celery tasks: ids in, one service call, nothing else (HackSoft styleguide). One module per
area; Celery's autodiscovery imports this package, which imports them all."""

from __future__ import annotations

from .cleanup import *  # noqa: F403
from .clocks import *  # noqa: F403
from .letters import *  # noqa: F403
from .notify import deliver_clock_alerts, send_notification
from .packets import *  # noqa: F403
from .recovery import *  # noqa: F403

__all__ = ["deliver_clock_alerts", "send_notification"]
