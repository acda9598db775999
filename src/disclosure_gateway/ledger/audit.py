"""Verification of the whole log: what ``dgw ledger verify`` runs.

Trusts nothing stored except signatures. Streams every leaf in index order and
checks, in this order, so that the *first* bad index is the one reported:

1. every checkpoint's signatures (against the custodian's keys when given);
2. per leaf: no gap in the indices, the stored leaf hash is the hash of the
   stored data, the event's ``seq`` is its index (catches moved leaves), its
   ``prev`` is the previous leaf's hash (catches a leaf rewritten together with
   its stored hash: the next leaf still remembers the old one);
3. at each checkpoint's size, the recomputed root equals the signed root
   (catches a suffix rewritten consistently to the end; the index reported is
   the previous good checkpoint, the best a signed root can bound it);
4. at the end: no leaves missing (truncation), the head's size, last hash and
   compact range agree, every checkpoint row has its checkpoint event and vice
   versa, and the consistency proof between successive checkpoints verifies;
5. against checkpoints exported outside the store (:mod:`.witness`), which the
   store cannot roll back: none is larger than the store's log, and the RFC 9162
   consistency proof from each to the store's tree verifies
   (:class:`RollbackDetected` otherwise: commits lost, or the log rewritten).

Callers may watch events of some types as they stream past (the full audit
collects the logged responses this way, without a second pass).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table
from sqlalchemy.orm import Session

from ..errors import RollbackDetected, VerificationError
from ..keys import key_id_of, public_raw
from ..store._sql import Executor
from ..store.models import LedgerLeaf
from . import merkle
from .checkpoint import Checkpoint, verify_checkpoint
from .events import EVENT_TYPES, GENESIS_PREV

_LEAVES = cast(Table, LedgerLeaf.__table__)
READ_CHUNK = 50_000


@dataclass(frozen=True)
class VerifyReport:
    origin: str
    tree_size: int
    root_hash: str
    checkpoints: int
    latest_checkpoint: int | None
    #: leaves after the latest checkpoint (not yet covered by a signature)
    unwitnessed: int
    #: whether checkpoint signatures were checked against keys the caller trusts
    keys_trusted: bool
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"ok": True, **self.__dict__}


def _as_bytes(value: Any) -> bytes:
    # A tamperer can change a column's storage class (SQLite keeps what it is
    # given); compare the bytes it now holds rather than crash on the type.
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return repr(value).encode("utf-8")


def stream_leaves(db: Executor, *, with_data: bool = True,
                  end: int | None = None) -> Generator[Sequence[Any], None, None]:
    """Leaf rows in index order, page by page: (idx, leaf_hash, payload), or
    (idx, leaf_hash) without ``with_data``; all leaves, or those below ``end``.

    Keyset pages over the primary key on the DBAPI cursor of ``db``'s own
    connection (so inside its snapshot): millions of rows without ORM or Row
    objects, and never more than one page in memory.
    """
    conn = db.connection() if isinstance(db, Session) else db
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    columns = "idx, leaf_hash, payload" if with_data else "idx, leaf_hash"
    bound = "" if end is None else f" AND idx < {int(end)}"
    sql = (f"SELECT {columns} FROM {_LEAVES.name} WHERE idx >= {mark}{bound} "
           f"ORDER BY idx LIMIT {READ_CHUNK}")
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # psycopg: binary results, so bytea arrives as bytes instead of hex text that
    # both the server and the client would spend CPU encoding and decoding
    options = {} if mark == "?" else {"binary": True}
    try:
        at = 0
        while True:
            cursor.execute(sql, (at,), **options)
            rows = cursor.fetchall()
            if not rows:
                return
            if with_data:
                yield [r if type(r[1]) is bytes and type(r[2]) is bytes
                       else (r[0], _as_bytes(r[1]), _as_bytes(r[2])) for r in rows]
            else:
                yield [r if type(r[1]) is bytes else (r[0], _as_bytes(r[1])) for r in rows]
            at = int(rows[-1][0]) + 1
    finally:
        cursor.close()


def _trusted(cp: Checkpoint, trusted: Sequence[Ed25519PublicKey] | None) -> None:
    if trusted is None:
        verify_checkpoint(cp)
        return
    by_id = {key_id_of(public_raw(k)): k for k in trusted}
    key = by_id.get(cp.key_id)
    if key is None:
        raise VerificationError(
            f"checkpoint at tree size {cp.tree_size} is signed by key {cp.key_id}, "
            f"which is not a trusted custodian key ({', '.join(sorted(by_id)) or 'none given'})",
            index=cp.tree_size)
    verify_checkpoint(cp, public_key=key)


#: a callback per watched event type: (leaf index, decoded event)
Watch = Mapping[str, Callable[[int, dict[str, Any]], None]]


def verify_leaves(*, origin: str, head_size: int, head_last: bytes, head_frontier: list[bytes],
                   checkpoints: list[Checkpoint], trusted_keys: Sequence[Ed25519PublicKey] | None,
                   rows: Iterable[Sequence[Any]],
                   progress: Callable[[int, int], None] | None,
                   exported: Sequence[Checkpoint] = (),
                   watch: Watch | None = None) -> dict[str, Any]:
    # 1. The signatures, before trusting any root they carry.
    for cp in checkpoints:
        if cp.origin != origin:
            raise VerificationError(f"checkpoint at tree size {cp.tree_size} names another log "
                                    f"({cp.origin!r}, not {origin!r})", index=cp.tree_size)
        _trusted(cp, trusted_keys)
    outside = _check_exported(exported, origin=origin, head_size=head_size,
                              trusted_keys=trusted_keys)
    by_size = {cp.tree_size: cp for cp in checkpoints}
    # 2. What to compute while streaming: each checkpoint's root, and the nodes of
    #    the consistency proof between each checkpoint and the next, and from each
    #    exported checkpoint to the whole log.
    sizes = sorted(by_size)
    pairs = list(itertools.pairwise(sizes))
    wanted: set[merkle.Range] = {(0, n) for n in sizes}
    for a, b in pairs:
        wanted.update(merkle.consistency_ranges(a, b))
    for cp in outside:
        if 0 < cp.tree_size < head_size:
            wanted.update(merkle.consistency_ranges(cp.tree_size, head_size))
    collector = merkle.NodeCollector(wanted)
    cp_ends = iter(sizes)
    next_cp = next(cp_ends, -1)
    if next_cp == 0:
        _check_root(by_size[0], merkle.EMPTY_ROOT, 0)
        next_cp = next(cp_ends, -1)
    last_good_cp = 0
    seen_checkpoint_events: dict[int, int] = {}
    # 3. Every leaf, in order.
    expected = 0
    prev = bytes.fromhex(GENESIS_PREV)
    sha256 = hashlib.sha256
    decode = json.JSONDecoder().decode
    for chunk in rows:
        for idx, stored_hash, data in chunk:
            if idx != expected:
                raise VerificationError(
                    f"leaf {expected} is missing (the next stored leaf is {idx})", index=expected)
            if expected >= head_size:
                raise VerificationError(
                    f"leaf {idx} is beyond the head of the log ({head_size} leaves)", index=idx)
            lh = sha256(b"\x00" + data).digest()
            if lh != stored_hash:
                raise VerificationError(
                    f"leaf {idx} was changed: its data no longer hashes to its stored leaf hash",
                    index=idx)
            try:
                event = decode(data.decode("utf-8"))
                seq, prev_hex, typ = event["seq"], event["prev"], event["type"]
            except (ValueError, TypeError, KeyError) as e:
                raise VerificationError(f"leaf {idx} is not a ledger event", index=idx) from e
            if seq != idx:
                raise VerificationError(
                    f"leaf {idx} holds the event logged as leaf {seq}: leaves were moved or "
                    "removed", index=idx)
            if prev_hex != prev.hex():
                bad = idx - 1
                raise VerificationError(
                    f"leaf {bad} was changed after leaf {idx} was logged (leaf {idx} records "
                    "another hash for it)", index=bad)
            if typ not in EVENT_TYPES:
                raise VerificationError(f"leaf {idx} has unknown event type {typ!r}", index=idx)
            if typ == "checkpoint":
                seen_checkpoint_events[_checkpoint_event_size(event, idx)] = idx
            if watch and typ in watch:
                watch[typ](idx, event)
            collector.feed(lh)
            prev = lh
            expected += 1
            if expected == next_cp:
                _check_root(by_size[next_cp], collector.found[(0, next_cp)], last_good_cp)
                last_good_cp = next_cp
                next_cp = next(cp_ends, -1)
        if progress is not None:
            progress(expected, head_size)
    # 4. Nothing missing at the end, the head agrees, every checkpoint is reachable.
    if expected < head_size:
        raise VerificationError(
            f"leaves {expected} to {head_size - 1} are missing: the log was truncated "
            f"(its head records {head_size} leaves)", index=expected)
    if next_cp != -1:
        raise VerificationError(
            f"the checkpoint at tree size {next_cp} covers leaves that are gone: the log ends "
            f"at {expected} leaves", index=expected)
    if head_size and head_last != prev:
        raise VerificationError("the head's last leaf hash does not match the last leaf",
                                index=head_size - 1)
    if list(collector.compact_range.nodes) != head_frontier:
        raise VerificationError("the head's compact range does not match the leaves",
                                index=head_size - 1 if head_size else None)
    # 5. Checkpoints and their events: each checkpoint (after the first leaf) was logged.
    for size in by_size:
        if size < head_size and size not in seen_checkpoint_events:
            raise VerificationError(
                f"leaf {size} should be the event of the checkpoint at tree size {size}",
                index=size)
    for size, idx in seen_checkpoint_events.items():
        if size not in by_size:
            raise VerificationError(
                f"the checkpoint at tree size {size} (logged in leaf {idx}) was deleted from "
                "the checkpoints table", index=idx)
    # 6. Consistency between successive checkpoints, as a witness would check it.
    nodes = collector.done()
    for a, b in pairs:
        merkle.verify_consistency(
            old_size=a, new_size=b, old_root=bytes.fromhex(by_size[a].root_hash),
            new_root=bytes.fromhex(by_size[b].root_hash),
            proof=[nodes[r] for r in merkle.consistency_ranges(a, b)])
    root = collector.compact_range.root()
    # 7. The exported checkpoints: the log as it stands must extend each of them.
    for cp in outside:
        _check_extends(cp, head_size=head_size, root=root, nodes=nodes)
    latest = sizes[-1] if sizes else None
    return {"origin": origin, "tree_size": head_size,
            "root_hash": root.hex(), "checkpoints": len(sizes),
            "latest_checkpoint": latest,
            "unwitnessed": head_size - (latest or 0), "keys_trusted": trusted_keys is not None}


def _check_exported(exported: Sequence[Checkpoint], *, origin: str, head_size: int,
                    trusted_keys: Sequence[Ed25519PublicKey] | None) -> list[Checkpoint]:
    """Signatures and sizes of the checkpoints kept outside the store; returns them
    in order of size. Raises RollbackDetected for one the store cannot have made."""
    for cp in exported:
        if cp.origin != origin:
            raise RollbackDetected(
                f"the exported checkpoints are of another log ({cp.origin!r}, not {origin!r}): "
                "the store was replaced", index=None)
        try:
            _trusted(cp, trusted_keys)
        except VerificationError as e:
            raise VerificationError(f"exported {e.message}", index=e.index) from e
    ordered = sorted(exported, key=lambda c: c.tree_size)
    if ordered and ordered[-1].tree_size > head_size:
        cp = ordered[-1]
        raise RollbackDetected(
            f"the store's log has {head_size} leaves, but the checkpoint of {cp.tree_size} "
            f"leaves exported at {cp.time} was signed after more were logged: the store was "
            "rolled back or lost its last commits (a truncated WAL, an old backup)",
            index=head_size)
    return ordered


def _check_extends(cp: Checkpoint, *, head_size: int, root: bytes,
                   nodes: Mapping[merkle.Range, bytes]) -> None:
    # the RFC 9162 consistency proof from the exported tree to the whole log, as a
    # witness holding that checkpoint would check it
    old_root = bytes.fromhex(cp.root_hash)
    try:
        if cp.tree_size == head_size:
            if old_root != root:
                raise VerificationError("different roots at the same size")
        elif cp.tree_size == 0:
            if old_root != merkle.EMPTY_ROOT:
                raise VerificationError("the empty tree has another root")
        else:
            merkle.verify_consistency(
                old_size=cp.tree_size, new_size=head_size, old_root=old_root, new_root=root,
                proof=[nodes[r] for r in merkle.consistency_ranges(cp.tree_size, head_size)])
    except VerificationError as e:
        raise RollbackDetected(
            f"the store's log does not extend the checkpoint of {cp.tree_size} leaves exported "
            f"at {cp.time}: leaves it covers were rewritten, or the store was rolled back and "
            "logged other events since", index=cp.tree_size) from e


def _checkpoint_event_size(event: dict[str, Any], idx: int) -> int:
    size = event.get("payload", {}).get("tree_size") if isinstance(event, dict) else None
    if not isinstance(size, int):
        raise VerificationError(f"leaf {idx}: a checkpoint event without a tree size", index=idx)
    if size != idx:
        raise VerificationError(
            f"leaf {idx}: a checkpoint event for tree size {size} must be leaf {size}", index=idx)
    return size


def _check_root(cp: Checkpoint, root: bytes, last_good: int) -> None:
    if cp.root_hash != root.hex():
        # Every leaf up to here matched its neighbours, so the leaves were rewritten
        # consistently from some index on; the signed roots bound where.
        raise VerificationError(
            f"the leaves no longer match the signed checkpoint at tree size {cp.tree_size}: "
            f"leaves from index {last_good} on were rewritten", index=last_good)
