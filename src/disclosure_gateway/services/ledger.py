"""The ledger as the console and API see it: checkpoints, verification, proofs."""

from __future__ import annotations

from typing import Any

from ..errors import VerificationError
from .context import Context


def latest_checkpoint(ctx: Context) -> dict[str, Any] | None:
    cp = ctx.ledger.latest_checkpoint()
    return cp.to_json() if cp else None


def checkpoint(ctx: Context) -> dict[str, Any]:
    return ctx.ledger.checkpoint(ctx.custodian_key()).to_json()


def verify(ctx: Context) -> dict[str, Any]:
    """Verify the whole log against the custodian's key; never raises for a bad log."""
    try:
        report = ctx.ledger.verify(trusted_keys=[ctx.custodian_key().public])
    except VerificationError as e:
        return {"ok": False, "error": e.describe(), "index": e.index}
    return report.to_json()


def prove(ctx: Context, leaf: int) -> dict[str, Any]:
    proof = ctx.ledger.prove(leaf)
    data: dict[str, Any] = proof.to_json()
    return data
