"""Ed25519 keys: generation, files, key ids, detached signatures.

Private keys are PKCS#8 PEM files written with mode 0600; public keys are the
raw 32 bytes in base64 (one line), which is also how the agreement lists them.
A key id is the first 16 hex digits of SHA-256 over the raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import InputError, SignatureError


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(public_raw(key)).decode("ascii")


def public_from_b64(text: str, *, where: str = "public key") -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as e:
        raise InputError("not a base64 Ed25519 public key (32 raw bytes)", where=where) from e


@dataclass(frozen=True)
class KeyPair:
    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def public_b64(self) -> str:
        return public_b64(self.public)

    @property
    def key_id(self) -> str:
        return key_id_of(public_raw(self.public))

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def new_keypair(name: str) -> KeyPair:
    return KeyPair(name=name, private=Ed25519PrivateKey.generate())


def write_keypair(pair: KeyPair, out_dir: Path) -> tuple[Path, Path]:
    """Write NAME.key (PEM, 0600) and NAME.pub (base64) into out_dir.

    Refuses to overwrite an existing private key: losing one is not recoverable.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create directory: {e.strerror}", where=str(out_dir)) from e
    priv_path = out_dir / f"{pair.name}.key"
    pub_path = out_dir / f"{pair.name}.pub"
    if priv_path.exists():
        raise InputError("a private key already exists here; refusing to overwrite", where=str(priv_path))
    pem = pair.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL + 0600 so the key is never readable by others, not even briefly.
        fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        pub_path.write_text(pair.public_b64 + "\n", encoding="ascii")
    except OSError as e:
        raise InputError(f"cannot write key: {e.strerror}", where=str(out_dir)) from e
    return priv_path, pub_path


def load_private(path: Path) -> KeyPair:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read private key: {e.strerror}", where=str(path)) from e
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise InputError("not a PEM private key", where=str(path)) from e
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError("not an Ed25519 private key", where=str(path))
    name = path.name.removesuffix(".key")
    return KeyPair(name=name, private=key)


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError("cannot read public key", where=str(path)) from e
    return public_from_b64(text, where=str(path))


def verify(public: Ed25519PublicKey, signature: bytes, data: bytes, *, what: str) -> None:
    """Return nothing or raise SignatureError."""
    try:
        public.verify(signature, data)
    except InvalidSignature as e:
        raise SignatureError(f"{what}: signature does not verify") from e


def decode_signature(text: str, *, where: str) -> bytes:
    try:
        sig = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as e:
        raise SignatureError("signature is not base64", where=where) from e
    if len(sig) != 64:
        raise SignatureError(f"signature has {len(sig)} bytes, an Ed25519 signature has 64", where=where)
    return sig
