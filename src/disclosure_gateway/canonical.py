"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and digests.

Every signature and every version hash in the gateway is taken over the RFC 8785
form, so two parties that parse the same document compute the same bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import rfc8785


def canonical_bytes(obj: Any) -> bytes:
    """RFC 8785 bytes of a JSON-compatible value."""
    return rfc8785.dumps(obj)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_hash(obj: Any) -> str:
    """SHA-256 (hex) of the RFC 8785 form of ``obj``."""
    return sha256_hex(canonical_bytes(obj))


def file_sha256(path: Path, *, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
