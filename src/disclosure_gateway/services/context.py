"""The context every service function works in: a workspace, its store and ledger."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..agreement import Agreement
from ..keys import KeyPair
from ..ledger.events import _KEYED_HASH_DOMAIN, keyed_hash
from ..ledger.log import Ledger
from ..store.engine import Store, open_store
from ..workspace import Workspace


@dataclass
class Context:
    ws: Workspace
    store: Store
    ledger: Ledger
    _secret: bytes | None = field(default=None, repr=False)
    #: per kind: the message prefix of keyed_hash (kind checked once, by keyed_hash itself)
    _prefixes: dict[str, bytes] = field(default_factory=dict, repr=False)

    def agreement(self) -> Agreement:
        """Read fresh each time: a suspension written by another process must be seen."""
        return self.ws.agreement()

    def custodian_key(self) -> KeyPair:
        return self.ws.custodian_key()

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = self.ws.ledger_secret()
        return self._secret

    def keyed(self, kind: str, value: str) -> str:
        """Keyed hash (HMAC-SHA-256 under the ledger secret) of an identity.

        The same digest as :func:`keyed_hash`, whose checks of the secret and the
        kind run once per kind here rather than once per value (millions per batch).
        """
        prefix = self._prefixes.get(kind)
        if prefix is None:
            digest = keyed_hash(self.secret, kind, value)  # validates secret and kind
            self._prefixes[kind] = _KEYED_HASH_DOMAIN + b"\x00" + kind.encode("ascii") + b"\x00"
            return digest
        return hmac.digest(self.secret, prefix + value.encode("utf-8"), "sha256").hex()

    def request_key(self, batch_id: str, request_id: str) -> str:
        return self.keyed("request", f"{batch_id}/{request_id}")

    def tin_key(self, tin: str) -> str:
        digits = "".join(ch for ch in tin if ch.isdigit())
        return self.keyed("tin", digits)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_context(ws_path: Path, db_url: str | None = None) -> Context:
    ws = Workspace(ws_path)
    ws.require()
    store = open_store(ws.db_url(db_url))
    return Context(ws=ws, store=store, ledger=Ledger(store))


def utcnow() -> datetime:
    return datetime.now(UTC)
