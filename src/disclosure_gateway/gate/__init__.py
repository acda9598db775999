"""The per-record legal-sufficiency gate (pure: no database, CLI or file access).

Public surface: :func:`check_records` and its :class:`GateResult`, the
:class:`RequestHistory` port with its in-memory adapter, and the reason codes.
"""

from __future__ import annotations

from .history import HistoryEntries, InMemoryHistory, ProbeDimension, RequestHistory
from .reasons import ALL_CODES, REASONS, Reason, message
from .rules import GateResult, GateSummary, check_records

__all__ = [
    "ALL_CODES",
    "REASONS",
    "GateResult",
    "GateSummary",
    "HistoryEntries",
    "InMemoryHistory",
    "ProbeDimension",
    "Reason",
    "RequestHistory",
    "check_records",
    "message",
]
