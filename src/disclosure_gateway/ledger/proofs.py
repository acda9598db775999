"""Proof documents the CLI prints, and the separate verifier that checks them.

An auditor needs only this module, :mod:`merkle`, :mod:`checkpoint` and the
custodian's public key: no database, no gateway state. Two kinds of document
(JSON, hashes in hex):

* ``inclusion``: leaf ``leaf_index`` (hash ``leaf_hash``; optionally its data
  ``leaf_data``, the event's canonical JSON) is in the tree of ``tree_size``
  leaves with root ``root_hash``, by the RFC 9162 audit ``path``;
* ``consistency``: the tree (``old_size``, ``old_root``) is a prefix of
  (``new_size``, ``new_root``), by the RFC 9162 consistency ``path``.

Either may carry the signed checkpoints of its tree sizes, which bind the roots
to the custodian's key. :func:`verify_proof` returns nothing or raises
VerificationError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import VerificationError
from . import merkle
from .checkpoint import Checkpoint, verify_checkpoint
from .events import decode_event

FORMAT = "disclosure-gateway/ledger-proof/v1"


def _hex(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError) as e:
        raise VerificationError(f"{what} is not hex") from e
    if len(raw) != merkle.HASH_SIZE:
        raise VerificationError(f"{what} is not a 32-byte hash")
    return raw


def _int(doc: dict[str, Any], key: str) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise VerificationError(f"proof field {key!r} must be a non-negative integer")
    return value


def _path(doc: dict[str, Any]) -> list[bytes]:
    path = doc.get("path")
    if not isinstance(path, list) or len(path) > 128:
        raise VerificationError("proof field 'path' must be a list of hashes")
    return [_hex(h, f"path[{i}]") for i, h in enumerate(path)]


def _checkpoint(value: Any) -> Checkpoint | None:
    return None if value is None else Checkpoint.from_json(value)


@dataclass(frozen=True)
class InclusionProof:
    origin: str
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    path: list[str]
    leaf_data: str | None = None
    checkpoint: Checkpoint | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": "inclusion", "origin": self.origin,
                "leaf_index": self.leaf_index, "tree_size": self.tree_size,
                "leaf_hash": self.leaf_hash, "root_hash": self.root_hash, "path": self.path,
                "leaf_data": self.leaf_data,
                "checkpoint": self.checkpoint.to_json() if self.checkpoint else None}


@dataclass(frozen=True)
class ConsistencyProof:
    origin: str
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    path: list[str]
    old_checkpoint: Checkpoint | None = None
    new_checkpoint: Checkpoint | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "kind": "consistency", "origin": self.origin,
                "old_size": self.old_size, "new_size": self.new_size,
                "old_root": self.old_root, "new_root": self.new_root, "path": self.path,
                "old_checkpoint": self.old_checkpoint.to_json() if self.old_checkpoint else None,
                "new_checkpoint": self.new_checkpoint.to_json() if self.new_checkpoint else None}


def _check_binding(cp: Checkpoint | None, *, origin: str, size: int, root: str,
                   public_key: Ed25519PublicKey | None, what: str) -> bool:
    if cp is None:
        return False
    if cp.tree_size != size or cp.root_hash != root or cp.origin != origin:
        raise VerificationError(f"the {what} checkpoint is for another tree "
                                f"(size {cp.tree_size}, root {cp.root_hash[:16]}...)")
    verify_checkpoint(cp, public_key=public_key)
    return True


def verify_proof(doc: dict[str, Any], *, public_key: Ed25519PublicKey | None = None,
                 require_signed: bool = False) -> None:
    """Check a proof document. Returns nothing or raises VerificationError.

    With ``public_key``, embedded checkpoints must be signed by that key. With
    ``require_signed``, every root the proof relies on must come with a signed
    checkpoint (otherwise an unsigned root proves nothing about the custodian).
    """
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VerificationError(f"not a ledger proof (format must be {FORMAT!r})")
    origin = doc.get("origin")
    if not isinstance(origin, str):
        raise VerificationError("proof field 'origin' must be a string")
    kind = doc.get("kind")
    if kind == "inclusion":
        index, size = _int(doc, "leaf_index"), _int(doc, "tree_size")
        leaf = _hex(doc.get("leaf_hash"), "leaf_hash")
        root = _hex(doc.get("root_hash"), "root_hash")
        data = doc.get("leaf_data")
        if data is not None:
            if not isinstance(data, str):
                raise VerificationError("proof field 'leaf_data' must be a string")
            raw = data.encode("utf-8")
            if merkle.leaf_hash(raw) != leaf:
                raise VerificationError("leaf_data does not hash to leaf_hash", index=index)
            if decode_event(raw, index=index).seq != index:
                raise VerificationError("leaf_data is the event of another leaf", index=index)
        merkle.verify_inclusion(leaf=leaf, index=index, size=size, proof=_path(doc), root=root)
        signed = _check_binding(_checkpoint(doc.get("checkpoint")), origin=origin, size=size,
                                root=root.hex(), public_key=public_key, what="")
        if require_signed and not signed:
            raise VerificationError(f"no signed checkpoint for tree size {size}")
    elif kind == "consistency":
        old_size, new_size = _int(doc, "old_size"), _int(doc, "new_size")
        old_root, new_root = _hex(doc.get("old_root"), "old_root"), _hex(doc.get("new_root"),
                                                                         "new_root")
        merkle.verify_consistency(old_size=old_size, new_size=new_size, old_root=old_root,
                                  new_root=new_root, proof=_path(doc))
        old_signed = _check_binding(_checkpoint(doc.get("old_checkpoint")), origin=origin,
                                    size=old_size, root=old_root.hex(), public_key=public_key,
                                    what="old")
        new_signed = _check_binding(_checkpoint(doc.get("new_checkpoint")), origin=origin,
                                    size=new_size, root=new_root.hex(), public_key=public_key,
                                    what="new")
        if require_signed and not (new_signed and (old_signed or old_size == 0)):
            raise VerificationError("both tree sizes need a signed checkpoint")
    else:
        raise VerificationError(f"unknown proof kind {kind!r}")
