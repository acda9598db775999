"""The gate's request history on the store (the persistent RequestHistory adapter).

Rows hold only keyed digests (see gate/history.py): which identities passed the
gate, which record fingerprints were refused, the variants seen per probing
group, and the officers' claims (kind ``officer_claim``: officer family key,
person part + claim), each with the batch date. The gate asks set-at-a-time
questions, so each is one indexed query per chunk of keys; officers' claims are
counted in SQL, so a busy officer's claims are not shipped to the gate one by
one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, func, select
from sqlalchemy.orm import Session

from ..gate.history import (
    OFFICER_CLAIM,
    PERSON_CHARS,
    PROBE_DIMENSIONS,
    HistoryEntries,
    VariantKind,
)
from ._sql import chunks, insert_tuples

# Core table (not a mapped model): nothing reads it but this adapter.
_META = MetaData()
HISTORY = Table(
    "request_history", _META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(128), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("group_key", String(64), nullable=False),
    Column("variant", String(64)),
    Column("on_date", Date, nullable=False),
)
_LOOKUP_CHUNK = 500
_HISTORY_COLUMNS = ("batch_id", "kind", "group_key", "variant", "on_date")


def record_history(s: Session, *, batch_id: str, on: date, entries: HistoryEntries) -> int:
    """Add one gated batch's digests; returns rows written."""

    def rows() -> Iterator[tuple[Any, ...]]:
        for ident, fp, ok in zip(entries.identity, entries.fingerprint, entries.accepted,
                                 strict=True):
            if ok:
                yield (batch_id, "identity", ident, None, on)
            else:
                yield (batch_id, "refused", fp, None, on)
        for dimension, pairs in entries.probe.items():
            for pair in pairs:
                if pair is not None:
                    yield (batch_id, dimension, pair[0], pair[1], on)
        for group, variant in entries.officer_claims:
            yield (batch_id, OFFICER_CLAIM, group, variant, on)

    # tuples straight to the DBAPI's executemany (Core's per-row parameter work cost
    # more than the insert); a plain INSERT, as before: the rows have no natural key
    return insert_tuples(s, HISTORY, _HISTORY_COLUMNS, rows(), chunk_size=10_000,
                         if_absent=False)


class StoreHistory:
    """RequestHistory answered from the store, within one read session."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _keys_since(self, kind: str, keys: Collection[str], since: date) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(sorted(set(keys)), _LOOKUP_CHUNK):
            q = select(HISTORY.c.group_key).where(
                HISTORY.c.kind == kind, HISTORY.c.group_key.in_(chunk),
                HISTORY.c.on_date >= since).distinct()
            found.update(str(k) for (k,) in self.s.execute(q))
        return found

    def accepted_since(self, identity_keys: Collection[str], since: date) -> set[str]:
        return self._keys_since("identity", identity_keys, since)

    def refused_since(self, fingerprints: Collection[str], since: date) -> set[str]:
        return self._keys_since("refused", fingerprints, since)

    def variants_since(self, dimension: VariantKind, keys: Collection[str],
                       since: date) -> Mapping[str, set[str]]:
        assert dimension in (*PROBE_DIMENSIONS, OFFICER_CLAIM)
        out: dict[str, set[str]] = {}
        for chunk in chunks(sorted(set(keys)), _LOOKUP_CHUNK):
            q = select(HISTORY.c.group_key, HISTORY.c.variant).where(
                HISTORY.c.kind == dimension, HISTORY.c.group_key.in_(chunk),
                HISTORY.c.on_date >= since).distinct()
            for g, v in self.s.execute(q):
                out.setdefault(str(g), set()).add(str(v))
        return out

    def claim_counts_since(self, officer_keys: Collection[str],
                           since: date) -> Mapping[str, Mapping[str, int]]:
        person = func.substr(HISTORY.c.variant, 1, PERSON_CHARS)
        claim = func.substr(HISTORY.c.variant, PERSON_CHARS + 1)
        out: dict[str, dict[str, int]] = {}
        for chunk in chunks(sorted(set(officer_keys)), _LOOKUP_CHUNK):
            q = (select(HISTORY.c.group_key, person, func.count(claim.distinct()))
                 .where(HISTORY.c.kind == OFFICER_CLAIM, HISTORY.c.group_key.in_(chunk),
                        HISTORY.c.on_date >= since)
                 .group_by(HISTORY.c.group_key, person))
            for g, p, n in self.s.execute(q):
                out.setdefault(str(g), {})[str(p)] = int(n)
        return out
