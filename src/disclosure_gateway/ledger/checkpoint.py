"""Signed checkpoints: the custodian's signed statement "the log had N leaves and root R at T".

Two signatures by the same Ed25519 key cover each checkpoint:

* ``signature`` over the RFC 8785 canonical JSON of
  ``{origin, tree_size, root_hash, time, key_id}`` (the gateway's own form);
* ``note_signature`` over the C2SP tlog-checkpoint body ``origin\\nsize\\nbase64(root)\\n``,
  so :meth:`Checkpoint.note` is a standard signed note (C2SP signed-note) that
  existing witnesses and monitors can check.

Verification returns nothing or raises VerificationError. No database code here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..canonical import canonical_bytes
from ..errors import InputError, SignatureError, VerificationError
from ..keys import KeyPair, decode_signature, key_id_of, public_from_b64, public_raw, verify
from .events import format_time

_ED25519_NOTE_TYPE = b"\x01"


def note_key_hash(name: str, public: Ed25519PublicKey) -> bytes:
    """C2SP signed-note key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _ED25519_NOTE_TYPE
                          + public_raw(public)).digest()[:4]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: str  # hex
    time: str  # UTC, microseconds, Z
    key_id: str
    public_key: str  # base64 raw Ed25519
    signature: str  # base64
    note_signature: str  # base64

    def body(self) -> dict[str, Any]:
        return {"origin": self.origin, "tree_size": self.tree_size, "root_hash": self.root_hash,
                "time": self.time, "key_id": self.key_id}

    def signed_bytes(self) -> bytes:
        return canonical_bytes(self.body())

    def note_body(self) -> str:
        return note_body(self.origin, self.tree_size, bytes.fromhex(self.root_hash))

    def note(self) -> str:
        """The checkpoint as a C2SP signed note (text, ends with a newline)."""
        pub = public_from_b64(self.public_key)
        sig = base64.b64decode(self.note_signature)
        blob = base64.b64encode(note_key_hash(self.origin, pub) + sig).decode("ascii")
        return f"{self.note_body()}\n\u2014 {self.origin} {blob}\n"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Checkpoint:
        if not isinstance(data, dict):
            raise VerificationError("a checkpoint must be a JSON object")
        fields = set(cls.__dataclass_fields__)
        if set(data) != fields:
            raise VerificationError(
                f"a checkpoint has the fields {sorted(fields)}, not {sorted(data)}")
        if not isinstance(data["tree_size"], int) or isinstance(data["tree_size"], bool):
            raise VerificationError("checkpoint tree_size must be an integer")
        if not all(isinstance(data[f], str) for f in fields - {"tree_size"}):
            raise VerificationError("checkpoint fields other than tree_size must be strings")
        return cls(**data)


def note_body(origin: str, tree_size: int, root: bytes) -> str:
    return f"{origin}\n{tree_size}\n{base64.b64encode(root).decode('ascii')}\n"


def sign_checkpoint(*, key: KeyPair, origin: str, tree_size: int, root: bytes,
                    time: datetime) -> Checkpoint:
    unsigned = Checkpoint(origin=origin, tree_size=tree_size, root_hash=root.hex(),
                          time=format_time(time), key_id=key.key_id, public_key=key.public_b64,
                          signature="", note_signature="")
    sig = key.sign(unsigned.signed_bytes())
    note_sig = key.sign(unsigned.note_body().encode("utf-8"))
    return Checkpoint(**{**unsigned.to_json(),
                         "signature": base64.b64encode(sig).decode("ascii"),
                         "note_signature": base64.b64encode(note_sig).decode("ascii")})


def verify_checkpoint(cp: Checkpoint, *, public_key: Ed25519PublicKey | None = None) -> None:
    """Check both signatures; against ``public_key`` when given, else the embedded key.

    The embedded key proves only that the checkpoint is intact, not who made
    it: callers who know the custodian's key should pass it.
    """
    where = f"checkpoint at tree size {cp.tree_size}"
    try:
        embedded = public_from_b64(cp.public_key, where=where)
        root = bytes.fromhex(cp.root_hash)
    except (InputError, ValueError) as e:
        raise VerificationError(f"{where}: malformed key or root hash", index=cp.tree_size) from e
    if len(root) != 32:
        raise VerificationError(f"{where}: root hash is not 32 bytes", index=cp.tree_size)
    if key_id_of(public_raw(embedded)) != cp.key_id:
        raise VerificationError(f"{where}: key id {cp.key_id} does not name the key it carries",
                                index=cp.tree_size)
    key = public_key or embedded
    if public_key is not None and public_raw(public_key) != public_raw(embedded):
        raise VerificationError(
            f"{where}: signed by key {cp.key_id}, not by the custodian key "
            f"{key_id_of(public_raw(public_key))}", index=cp.tree_size)
    try:
        verify(key, decode_signature(cp.signature, where=where), cp.signed_bytes(), what=where)
        verify(key, decode_signature(cp.note_signature, where=where),
               cp.note_body().encode("utf-8"), what=f"{where} (signed note)")
    except SignatureError as e:
        raise VerificationError(e.describe(), index=cp.tree_size) from e


def parse_note(text: str, *, public_key: Ed25519PublicKey) -> tuple[str, int, bytes]:
    """Verify a C2SP signed-note checkpoint; returns (origin, tree size, root)."""
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise VerificationError("not a signed note: no blank line before the signatures")
    lines = body.split("\n")
    if len(lines) < 3:
        raise VerificationError("a checkpoint note has an origin, a size and a root")
    origin, size_text, root_b64 = lines[0], lines[1], lines[2]
    try:
        size = int(size_text)
        root = base64.b64decode(root_b64, validate=True)
    except (ValueError, binascii.Error) as e:
        raise VerificationError("malformed checkpoint note") from e
    want = note_key_hash(origin, public_key)
    for line in sigs.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != origin:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            continue
        if blob[:4] != want:
            continue
        try:
            verify(public_key, blob[4:], (body + "\n").encode("utf-8"), what="checkpoint note")
        except SignatureError as e:
            raise VerificationError(e.describe()) from e
        return origin, size, root
    raise VerificationError("no signature by the given key on this checkpoint note")
