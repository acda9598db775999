"""The ledger as the CLI, console and API see it: checkpoints, their export outside
the store, the full audit, proofs.

The audit (:func:`audit`, ``dgw ledger verify``) checks, in this order, and
names the first bad thing with an exit code of its own:

1. the database's own integrity check (:mod:`..store.integrity`): damaged pages
   -> StoreDamaged (10);
2. the log itself (:mod:`..ledger.audit`): every leaf, checkpoint, signature and
   consistency proof -> VerificationError (8);
3. the checkpoints exported outside the store (the workspace's witness file and
   any the caller gives): the store must extend each -> RollbackDetected (11);
4. the signed response files on disk against the logged ``response_issued``
   leaves -> ResponsesDisagree (12): a response the store does not know is a
   batch the store lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table, select

from ..errors import StoreDamaged, StoreError, VerificationError
from ..ledger.audit import VerifyReport, stream_leaves, verify_leaves
from ..ledger.checkpoint import Checkpoint
from ..ledger.events import EventType
from ..ledger.log import Ledger
from ..ledger.witness import append_export, read_export
from ..response_files import compare_with_log, read_response, responses_on_disk
from ..store.engine import Store, display_url
from ..store.integrity import IntegrityReport, check_integrity
from ..store.models import Batch, LedgerHead
from ..workspace import Workspace
from .context import Context

_HEAD = cast(Table, LedgerHead.__table__)


def latest_checkpoint(ctx: Context) -> dict[str, Any] | None:
    cp = ctx.ledger.latest_checkpoint()
    return cp.to_json() if cp else None


def checkpoint(ctx: Context) -> dict[str, Any]:
    cp = ctx.ledger.checkpoint(ctx.custodian_key())
    export_checkpoints(ctx)
    return cp.to_json()


def export_to(ledger: Ledger, path: Path) -> int:
    """Append the store's checkpoints that ``path`` lacks (append-only, atomic)."""
    return append_export(path, origin=ledger.head().origin, checkpoints=ledger.checkpoints())


def export_checkpoints(ctx: Context) -> int:
    """Copy new checkpoints to the workspace's witness file; call after a checkpoint
    commits (never before: an export must not name a tree the store may yet lose)."""
    return export_to(ctx.ledger, ctx.ws.checkpoint_export)


@dataclass(frozen=True)
class AuditReport:
    ledger: VerifyReport
    integrity: IntegrityReport
    #: checkpoints read from outside the store, and the largest of them
    exported: int
    latest_exported: int | None
    #: response directories compared with the log; whether their signatures were checked
    responses: int
    responses_signed: bool
    seconds: float

    def to_json(self) -> dict[str, Any]:
        ledger = {k: v for k, v in self.ledger.to_json().items() if k != "seconds"}
        return {**ledger, "integrity_check": self.integrity.check,
                "integrity_complete": self.integrity.complete,
                "exported_checkpoints": self.exported, "latest_exported": self.latest_exported,
                "responses": self.responses, "responses_signed": self.responses_signed,
                "seconds": self.seconds}


def audit(ws: Workspace, store: Store, *, trusted_keys: Sequence[Ed25519PublicKey] | None,
          witness_files: Sequence[Path] = (), quick: bool = False,
          progress: Callable[[int, int], None] | None = None) -> AuditReport:
    """The database's integrity, the log, the exported checkpoints, the response files.

    Returns the report or raises the error of the first problem (see the module).
    """
    started = time.perf_counter()
    integrity = check_integrity(store, quick=quick)
    exported: list[Checkpoint] = []
    for path in (ws.checkpoint_export, *witness_files):
        exported.extend(read_export(path)[1])
    key = trusted_keys[0] if trusted_keys else None
    # Read before the store's snapshot is taken: response files are written after
    # their batch's answers commit, so the snapshot knows every batch seen here.
    on_disk = responses_on_disk(ws.responses_dir, key)
    logged: dict[str, dict[int, str]] = {}

    def on_response(_idx: int, event: dict[str, Any]) -> None:
        p = event.get("payload")
        p = p if isinstance(p, dict) else {}
        batch, version, digest = p.get("batch_id"), p.get("response_version"), p.get(
            "response_sha256")
        if isinstance(batch, str) and isinstance(version, int) and isinstance(digest, str):
            logged.setdefault(batch, {})[version] = digest

    with store.reader() as s, closing(stream_leaves(s)) as rows:
        head = s.execute(select(_HEAD).where(_HEAD.c.id == 1)).first()
        if head is None:
            raise StoreDamaged("the store is damaged: the ledger's head row is missing "
                               "(restore the store from a backup)", where=display_url(store.url))
        frontier = bytes(head.frontier)
        report = verify_leaves(
            origin=head.origin, head_size=int(head.size), head_last=bytes(head.last_leaf_hash),
            head_frontier=[frontier[i:i + 32] for i in range(0, len(frontier), 32)],
            checkpoints=Ledger(store).checkpoints(s), trusted_keys=trusted_keys, rows=rows,
            progress=progress, exported=exported,
            watch={EventType.RESPONSE_ISSUED: on_response})
        versions = {b: int(v) for b, v in s.execute(select(Batch.batch_id,
                                                           Batch.response_version))}
    compare_with_log(on_disk, logged, versions, responses_dir=ws.responses_dir,
                     reread=lambda batch: read_response(ws.responses_dir / batch, key))
    seconds = round(time.perf_counter() - started, 3)
    return AuditReport(
        ledger=VerifyReport(**report, seconds=seconds), integrity=integrity,
        exported=len(exported), latest_exported=max((c.tree_size for c in exported), default=None),
        responses=len(on_disk), responses_signed=key is not None, seconds=seconds)


def verify(ctx: Context) -> dict[str, Any]:
    """The full audit against the custodian's key; never raises for a bad store or log."""
    try:
        report = audit(ctx.ws, ctx.store, trusted_keys=[ctx.custodian_key().public])
    except (VerificationError, StoreError) as e:
        return {"ok": False, "error": e.describe(), "kind": e.kind, "exit_code": e.exit_code,
                "index": getattr(e, "index", None)}
    return report.to_json()


def prove(ctx: Context, leaf: int) -> dict[str, Any]:
    proof = ctx.ledger.prove(leaf)
    data: dict[str, Any] = proof.to_json()
    return data
