"""The signed response a requester receives, and how they verify it.

A response directory holds ``response.csv`` (only the columns the disclosure
mode allows, every cell spreadsheet-safe), ``response-manifest.json`` (batch,
agreement, version, issue time, record count, the CSV's SHA-256, counts per
answer code, the custodian's key id) and ``response-manifest.sig``, a detached
Ed25519 signature by the custodian over the RFC 8785 form of the manifest.
"""

from __future__ import annotations

import base64
import csv
import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .agreement import DisclosureMode
from .canonical import canonical_bytes, file_sha256
from .csvsafe import write_csv
from .errors import InputError, VerificationError
from .keys import KeyPair, decode_signature, key_id_of, public_raw, verify
from .respond import RESPONSE_COLUMNS

RESPONSE_CSV = "response.csv"
RESPONSE_MANIFEST = "response-manifest.json"
RESPONSE_SIG = "response-manifest.sig"


def write_response(
    out_dir: Path,
    *,
    batch_id: str,
    agreement_id: str,
    agreement_hash: str,
    mode: DisclosureMode,
    version: int,
    issued: datetime,
    rows: Iterable[Mapping[str, Any]],
    key: KeyPair,
) -> dict[str, Any]:
    """Write the three files atomically (temp names, then renames; manifest last)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = RESPONSE_COLUMNS[mode]
    counts: dict[str, int] = {}
    tmp_csv = out_dir / (RESPONSE_CSV + ".tmp")

    def counted() -> Iterable[Mapping[str, Any]]:
        for r in rows:
            counts[str(r["answer"])] = counts.get(str(r["answer"]), 0) + 1
            yield r

    with tmp_csv.open("w", encoding="utf-8", newline="") as f:
        n = write_csv(f, columns, counted())
        f.flush()
        os.fsync(f.fileno())
    manifest = {
        "schema_version": 1,
        "batch_id": batch_id,
        "agreement_id": agreement_id,
        "agreement_hash": agreement_hash,
        "disclosure_mode": mode,
        "response_version": version,
        "issued": issued.isoformat(),
        "record_count": n,
        "counts": dict(sorted(counts.items())),
        "response_file": RESPONSE_CSV,
        "response_sha256": file_sha256(tmp_csv),
        "custodian_key_id": key.key_id,
    }
    sig = base64.b64encode(key.sign(canonical_bytes(manifest))).decode("ascii")
    tmp_csv.replace(out_dir / RESPONSE_CSV)
    (out_dir / (RESPONSE_SIG + ".tmp")).write_text(sig + "\n", encoding="ascii")
    (out_dir / (RESPONSE_SIG + ".tmp")).replace(out_dir / RESPONSE_SIG)
    tmp_manifest = out_dir / (RESPONSE_MANIFEST + ".tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    tmp_manifest.replace(out_dir / RESPONSE_MANIFEST)
    return manifest


def verify_response(response_dir: Path, custodian_key: Ed25519PublicKey) -> dict[str, Any]:
    """Check signature, digest and record count; return the manifest or raise."""
    mpath = response_dir / RESPONSE_MANIFEST
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read response manifest: {e}", where=str(mpath)) from e
    if not isinstance(manifest, dict):
        raise VerificationError("response manifest is not a JSON object", where=str(mpath))
    spath = response_dir / RESPONSE_SIG
    try:
        sig_text = spath.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise VerificationError("missing or unreadable response signature", where=str(spath)) from e
    signature = decode_signature(sig_text, where=str(spath))
    if manifest.get("custodian_key_id") != key_id_of(public_raw(custodian_key)):
        raise VerificationError("the response was signed by another key than the one given",
                                where=str(mpath))
    verify(custodian_key, signature, canonical_bytes(manifest), what="response manifest")
    csv_path = response_dir / str(manifest.get("response_file", RESPONSE_CSV))
    if not csv_path.exists():
        raise VerificationError("response file is missing", where=str(csv_path))
    if file_sha256(csv_path) != manifest.get("response_sha256"):
        raise VerificationError("response file does not match the signed digest",
                                where=str(csv_path))
    with csv_path.open(encoding="utf-8", newline="") as f:
        lines = sum(1 for _ in csv.reader(f)) - 1
    if lines != manifest.get("record_count"):
        raise VerificationError("response file's record count differs from the manifest",
                                where=str(csv_path))
    return manifest
