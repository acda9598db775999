"""The append-only transparency log, kept in the operational store.

Writing happens *inside the caller's transaction*: ``ledger.append(session, ...)``
adds the leaf in the same database transaction as the store rows it records,
so a crash either keeps both or neither, and a resumed run cannot log an event
twice. Appends lock the single ``ledger_head`` row, which totally orders them
across processes; the head keeps the size, the last leaf hash and the compact
range, so appending and checkpointing cost O(log n), never a pass over the log.

Reading (proofs, verification, listing) opens its own read-only snapshot and
streams leaves in index order in fixed-size chunks, so millions of leaves never
sit in memory at once.

Verification (:mod:`.audit`) trusts nothing stored but the signatures and
names the first bad index.
"""

from __future__ import annotations

import hashlib
import json
import time as _time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Table, func, select, update
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound, VerificationError
from ..keys import KeyPair
from ..store._sql import Executor, chunks
from ..store.engine import Store
from ..store.models import CheckpointRow, LedgerHead, LedgerLeaf
from . import merkle
from .audit import VerifyReport, stream_leaves, verify_leaves
from .checkpoint import Checkpoint, sign_checkpoint
from .events import (
    GENESIS_PREV,
    Event,
    EventType,
    decode_event,
    encode_event,
    format_time,
)
from .proofs import ConsistencyProof, InclusionProof

_LEAVES = cast(Table, LedgerLeaf.__table__)
_HEAD = cast(Table, LedgerHead.__table__)
_CPS = cast(Table, CheckpointRow.__table__)
_KEY_LOOKUP_CHUNK = 500
_WRITE_CHUNK = 10_000


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its type, payload, optional idempotency key and time."""

    type: str
    payload: Mapping[str, Any]
    key: str | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class Head:
    origin: str
    size: int
    root_hash: str
    last_leaf_hash: str


@dataclass(frozen=True)
class Leaf:
    index: int
    leaf_hash: str
    event: Event
    key: str | None

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "leaf_hash": self.leaf_hash, "key": self.key,
                **self.event.to_json()}


def _time_binder(conn: Connection) -> Callable[[datetime], Any]:
    """The DBAPI value of a ``ledger_leaves.time`` instant, computed once per distinct time."""
    # the column's own conversion, as the dialect implements it
    proc = _LEAVES.c.time.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    cache: dict[datetime, Any] = {}

    def bind(when: datetime) -> Any:
        if when not in cache:
            cache[when] = proc(when) if proc else when
        return cache[when]

    return bind


def _split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i:i + 32] for i in range(0, len(blob), 32)]


def _row_checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(origin=row.origin, tree_size=int(row.tree_size), root_hash=row.root_hash,
                      time=format_time(row.time), key_id=row.key_id, public_key=row.public_key,
                      signature=row.signature, note_signature=row.note_signature)


class Ledger:
    """The transparency log of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # --- writing: inside the caller's transaction ----------------------------------

    def append(self, db: Executor, type: str, payload: Mapping[str, Any], *,
               key: str | None = None, time: datetime | None = None) -> int:
        """Append one event in ``db``'s transaction; returns its leaf index.

        With ``key``, an event already logged under that key is not logged again:
        its index is returned (idempotent append, for resumable steps).
        """
        return self.append_many(db, [NewEvent(type, payload, key, time)])[0]

    def append_many(self, db: Executor,
                    events: Iterable[NewEvent | tuple[str, Mapping[str, Any]]], *,
                    time: datetime | None = None) -> list[int]:
        """Append events in order in ``db``'s transaction; returns their leaf indices.

        Bulk logging: one head lock, then encode-and-insert in pages of 10,000,
        so ``events`` may be a generator over millions without all of them (or
        their encodings) in memory at once.
        """
        now = time or datetime.now(UTC)
        head = db.execute(select(_HEAD).where(_HEAD.c.id == 1).with_for_update()).one()
        size = int(head.size)
        cr = merkle.CompactRange(size, _split_frontier(head.frontier))
        prev = head.last_leaf_hash if size else None
        conn = db.connection() if isinstance(db, Session) else db
        bind_time = _time_binder(conn)
        # Plain DBAPI executemany of tuples: the per-row cost of Core parameter
        # processing was a quarter of an append.
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        sql = (f"INSERT INTO {_LEAVES.name} (idx, leaf_hash, payload, event_type, time, "
               f"event_key) VALUES ({', '.join([mark] * 6)})")
        sha256 = hashlib.sha256
        out: list[int] = []
        known: dict[str, int] = {}
        items = (e if isinstance(e, NewEvent) else NewEvent(e[0], e[1]) for e in events)
        for page in chunks(items, _WRITE_CHUNK):
            known.update(self._existing_keys(
                db, [e.key for e in page if e.key is not None and e.key not in known]))
            rows: list[tuple[Any, ...]] = []
            for ev in page:
                if ev.key is not None and ev.key in known:
                    out.append(known[ev.key])
                    continue
                when = ev.time or now
                data = encode_event(seq=cr.size, prev=prev.hex() if prev else GENESIS_PREV,
                                    type=ev.type, time=when, payload=ev.payload)
                lh = sha256(b"\x00" + data).digest()
                rows.append((cr.size, lh, data, str(ev.type), bind_time(when), ev.key))
                if ev.key is not None:
                    known[ev.key] = cr.size
                out.append(cr.size)
                cr.append(lh)
                prev = lh
            if rows:
                conn.exec_driver_sql(sql, rows)
        if cr.size != size:
            db.execute(update(_HEAD).where(_HEAD.c.id == 1).values(
                size=cr.size, last_leaf_hash=prev, frontier=b"".join(cr.nodes), updated_at=now))
        return out

    def _existing_keys(self, db: Executor, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in chunks(sorted(set(keys)), _KEY_LOOKUP_CHUNK):
            q = select(_LEAVES.c.event_key, _LEAVES.c.idx).where(_LEAVES.c.event_key.in_(chunk))
            found.update({k: int(i) for k, i in db.execute(q)})
        return found

    def checkpoint(self, key: KeyPair, *, db: Executor | None = None,
                   time: datetime | None = None) -> Checkpoint:
        """Sign the tree as it stands and log a ``checkpoint`` event after it.

        In ``db``'s transaction when given (e.g. at the end of a batch), else in
        its own. The checkpoint covers the leaves before its own event; its event
        lets verification notice a checkpoint row deleted from the table.
        """
        if db is None:
            with self.store.transaction() as s:
                return self.checkpoint(key, db=s, time=time)
        now = time or datetime.now(UTC)
        head = db.execute(select(_HEAD).where(_HEAD.c.id == 1).with_for_update()).one()
        size = int(head.size)
        root = merkle.CompactRange(size, _split_frontier(head.frontier)).root()
        existing = db.execute(select(_CPS).where(_CPS.c.tree_size == size)).first()
        if existing is not None:
            # Already signed at this size (only possible for the empty log): keep the first.
            return _row_checkpoint(existing)
        cp = sign_checkpoint(key=key, origin=head.origin, tree_size=size, root=root, time=now)
        db.execute(_CPS.insert().values(
            tree_size=size, origin=cp.origin, root_hash=cp.root_hash, time=now,
            key_id=cp.key_id, public_key=cp.public_key, signature=cp.signature,
            note_signature=cp.note_signature))
        self.append(db, EventType.CHECKPOINT, {
            "tree_size": size, "root_hash": cp.root_hash, "key_id": cp.key_id,
            "signature": cp.signature}, time=now)
        return cp

    # --- reading ---------------------------------------------------------------------

    def head(self, db: Executor | None = None) -> Head:
        if db is None:
            with self.store.reader() as s:
                return self.head(s)
        row = db.execute(select(_HEAD).where(_HEAD.c.id == 1)).one()
        root = merkle.CompactRange(int(row.size), _split_frontier(row.frontier)).root()
        return Head(origin=row.origin, size=int(row.size), root_hash=root.hex(),
                    last_leaf_hash=row.last_leaf_hash.hex() if row.size else GENESIS_PREV)

    def leaves(self, start: int = 0, limit: int = 100, *,
               type: str | None = None) -> list[Leaf]:
        """Leaves from index ``start`` on, decoded; optionally only one event type."""
        q = select(_LEAVES).where(_LEAVES.c.idx >= start).order_by(_LEAVES.c.idx).limit(limit)
        if type is not None:
            q = q.where(_LEAVES.c.event_type == type)
        with self.store.reader() as s:
            rows = s.execute(q).all()
        return [Leaf(index=int(r.idx), leaf_hash=bytes(r.leaf_hash).hex(),
                     event=decode_event(bytes(r.payload), index=int(r.idx)), key=r.event_key)
                for r in rows]

    def leaf_data(self, index: int, db: Executor) -> bytes:
        row = db.execute(select(_LEAVES.c.payload).where(_LEAVES.c.idx == index)).first()
        if row is None:
            raise NotFound(f"no leaf {index} in the ledger")
        return bytes(row.payload)

    def checkpoints(self, db: Executor | None = None) -> list[Checkpoint]:
        if db is None:
            with self.store.reader() as s:
                return self.checkpoints(s)
        return [_row_checkpoint(r) for r in db.execute(select(_CPS).order_by(_CPS.c.tree_size))]

    def latest_checkpoint(self) -> Checkpoint | None:
        with self.store.reader() as s:
            row = s.execute(select(_CPS).order_by(_CPS.c.tree_size.desc()).limit(1)).first()
        return _row_checkpoint(row) if row else None

    def _leaf_hashes(self, db: Executor, end: int) -> Iterator[bytes]:
        """Stored leaf hashes [0, end) in order; raises if one is missing."""
        at = 0
        with closing(stream_leaves(db, with_data=False, end=end)) as pages:
            for page in pages:
                for idx, lh in page:
                    if idx != at:
                        break
                    yield lh
                    at += 1
                else:
                    continue
                break
        if at < end:
            raise VerificationError(f"leaf {at} is missing; run `dgw ledger verify`", index=at)

    def _nodes(self, db: Executor, ranges: Iterable[merkle.Range]) -> dict[merkle.Range, bytes]:
        wanted = list(ranges)
        end = max((r[1] for r in wanted), default=0)
        return merkle.collect_nodes(self._leaf_hashes(db, end), wanted)

    def _checkpoint_at(self, db: Executor, size: int) -> Checkpoint | None:
        row = db.execute(select(_CPS).where(_CPS.c.tree_size == size)).first()
        return _row_checkpoint(row) if row else None

    def prove(self, leaf_index: int, tree_size: int | None = None) -> InclusionProof:
        """Inclusion proof of a leaf in the tree of ``tree_size`` leaves.

        By default the tree of the latest checkpoint that contains the leaf (so
        the proof ends at a signed root), else the whole log.
        """
        with self.store.reader() as s:
            head = self.head(s)
            if tree_size is None:
                latest = s.execute(select(func.max(_CPS.c.tree_size))).scalar()
                tree_size = latest if latest is not None and leaf_index < latest else head.size
            if not 0 <= leaf_index < tree_size <= head.size:
                raise InputError(f"no leaf {leaf_index} in a tree of size {tree_size} "
                                 f"(the log has {head.size} leaves)")
            ranges = merkle.inclusion_ranges(leaf_index, tree_size)
            nodes = self._nodes(s, [*ranges, (0, tree_size), (leaf_index, leaf_index + 1)])
            cp = self._checkpoint_at(s, tree_size)
            root = nodes[(0, tree_size)].hex()
            if cp is not None and cp.root_hash != root:
                raise VerificationError(
                    f"the stored leaves no longer match the checkpoint at size {tree_size}; "
                    "run `dgw ledger verify`", index=None)
            data = self.leaf_data(leaf_index, s)
        return InclusionProof(
            origin=head.origin, leaf_index=leaf_index, tree_size=tree_size,
            leaf_hash=nodes[(leaf_index, leaf_index + 1)].hex(), root_hash=root,
            path=[nodes[r].hex() for r in ranges], leaf_data=data.decode("utf-8"),
            checkpoint=cp)

    def consistency(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Consistency proof that the tree of ``old_size`` is a prefix of ``new_size``.

        ``new_size`` defaults to the latest checkpoint (or the whole log).
        """
        with self.store.reader() as s:
            head = self.head(s)
            if new_size is None:
                latest = s.execute(select(func.max(_CPS.c.tree_size))).scalar()
                new_size = latest if latest is not None and latest >= old_size else head.size
            if not 0 <= old_size <= new_size <= head.size:
                raise InputError(f"no consistency proof from size {old_size} to {new_size} "
                                 f"(the log has {head.size} leaves)")
            ranges = merkle.consistency_ranges(old_size, new_size)
            nodes = self._nodes(s, [*ranges, (0, old_size), (0, new_size)])
            old_cp, new_cp = self._checkpoint_at(s, old_size), self._checkpoint_at(s, new_size)
        old_root, new_root = nodes[(0, old_size)].hex(), nodes[(0, new_size)].hex()
        for cp, root in ((old_cp, old_root), (new_cp, new_root)):
            if cp is not None and cp.root_hash != root:
                raise VerificationError(
                    f"the stored leaves no longer match the checkpoint at size {cp.tree_size}; "
                    "run `dgw ledger verify`")
        return ConsistencyProof(origin=head.origin, old_size=old_size, new_size=new_size,
                                old_root=old_root, new_root=new_root,
                                path=[nodes[r].hex() for r in ranges],
                                old_checkpoint=old_cp, new_checkpoint=new_cp)

    def export_checkpoints(self, path: Path) -> int:
        """Write every checkpoint (JSON, with signed notes) for an outside witness."""
        head = self.head()
        cps = self.checkpoints()
        keys = {cp.key_id: cp.public_key for cp in cps}
        doc = {"format": "disclosure-gateway/ledger-checkpoints/v1", "origin": head.origin,
               "public_keys": keys,
               "checkpoints": [{**cp.to_json(), "note": cp.note()} for cp in cps]}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot write checkpoints: {e.strerror}", where=str(path)) from e
        return len(cps)

    # --- verification ------------------------------------------------------------------

    def verify(self, *, trusted_keys: Sequence[Ed25519PublicKey] | None = None,
               progress: Callable[[int, int], None] | None = None) -> VerifyReport:
        """Recompute and check the whole log; returns a report or raises VerificationError.

        ``trusted_keys``: the custodian's public keys. Without them, checkpoint
        signatures are checked against the keys the checkpoints carry, which
        shows they are intact but not who made them.
        """
        started = _time.perf_counter()
        with self.store.reader() as s, closing(stream_leaves(s)) as rows:
            head_row = s.execute(select(_HEAD).where(_HEAD.c.id == 1)).one()
            cps = self.checkpoints(s)
            report = verify_leaves(
                origin=head_row.origin, head_size=int(head_row.size),
                head_last=bytes(head_row.last_leaf_hash),
                head_frontier=_split_frontier(bytes(head_row.frontier)),
                checkpoints=cps, trusted_keys=trusted_keys,
                rows=rows, progress=progress)
        return VerifyReport(**{**report, "seconds": round(_time.perf_counter() - started, 3)})


