"""Named crash points, so the crash-safety tests can kill a real `dgw process` with
SIGKILL at a chosen moment instead of guessing with timers.

``DGW_CRASH_AT=<name>`` in the environment makes the process kill itself with
SIGKILL (no cleanup, no flush: what ``kill -9`` does) when it reaches that point.
Unset, a crash point costs one dictionary look-up.
"""

from __future__ import annotations

import os
import signal

#: every crash point, in pipeline order (tests iterate over these)
CRASH_POINTS: tuple[str, ...] = (
    "gate:in-transaction",
    "gate:committed",
    "match:in-transaction",
    "match:committed",
    "respond:in-transaction",
    "respond:committed",
    "publish:files-written",
)


def crash_point(name: str) -> None:
    if os.environ.get("DGW_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
