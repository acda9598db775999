"""Service functions shared by the CLI, the API and the console.

Thin interfaces call these; none of them holds logic the others lack.
"""

from __future__ import annotations

from .workspace import Workspace


def record_agreement_status(ws: Workspace, event: str, *, actor: str, reason: str) -> None:
    """Record a suspension or resumption in the ledger.

    Until the ledger lands this is a placeholder that the integration replaces;
    see issue "Answers, the transparency ledger ...".
    """
    # TODO(integration): append a ledger event {event, actor, reason, agreement hash}.
    _ = (ws, event, actor, reason)
