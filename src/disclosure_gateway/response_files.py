"""The signed response a requester receives, and how they verify it.

A response directory holds ``response.csv`` (only the columns the disclosure
mode allows, every cell spreadsheet-safe), ``response-manifest.json`` (batch,
agreement, version, issue time, record count, the CSV's SHA-256, counts per
answer code, the custodian's key id) and ``response-manifest.sig``, a detached
Ed25519 signature by the custodian over the RFC 8785 form of the manifest.

The files are created 0600 (they name requests and, in some modes, addresses)
and each is written under a temporary name and renamed, the manifest last: a
directory with a manifest holds a complete, signed response.

:func:`compare_with_log` checks the responses on disk against the ones the
ledger logged (``dgw ledger verify``): a signed response the store does not
know is a batch the store lost.
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .agreement import DisclosureMode
from .canonical import canonical_bytes, file_sha256
from .csvsafe import write_csv
from .errors import GatewayError, InputError, ResponsesDisagree, VerificationError
from .files import atomic_file, atomic_write, private_dir
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
    """Write the three files atomically (temp names, then renames; manifest last), 0600."""
    private_dir(out_dir.parent, ours=True)
    private_dir(out_dir, ours=True)
    columns = RESPONSE_COLUMNS[mode]
    counts: dict[str, int] = {}

    def counted() -> Iterable[Mapping[str, Any]]:
        for r in rows:
            counts[str(r["answer"])] = counts.get(str(r["answer"]), 0) + 1
            yield r

    with atomic_file(out_dir / RESPONSE_CSV, newline="") as f:
        n = write_csv(f, columns, counted())
    digest = file_sha256(out_dir / RESPONSE_CSV)
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
        "response_sha256": digest,
        "custodian_key_id": key.key_id,
    }
    sig = base64.b64encode(key.sign(canonical_bytes(manifest))).decode("ascii")
    atomic_write(out_dir / RESPONSE_SIG, sig + "\n")
    atomic_write(out_dir / RESPONSE_MANIFEST, json.dumps(manifest, indent=2) + "\n")
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


@dataclass(frozen=True)
class ResponseOnDisk:
    """A signed response directory as ``dgw ledger verify`` sees it."""

    batch_id: str
    version: int
    sha256: str
    path: Path


def read_response(response_dir: Path, key: Ed25519PublicKey | None) -> ResponseOnDisk | None:
    """The response in ``response_dir`` (None without a manifest: nothing was published).

    With ``key``, its signature, digest and count are verified first; a response
    that fails is named as disagreeing with the ledger.
    """
    mpath = response_dir / RESPONSE_MANIFEST
    if not mpath.is_file():
        return None
    try:
        manifest = (verify_response(response_dir, key) if key is not None
                    else json.loads(mpath.read_text(encoding="utf-8")))
    except (OSError, ValueError) as e:
        raise ResponsesDisagree(f"cannot read the response manifest: {e}", where=str(mpath)) from e
    except GatewayError as e:
        raise ResponsesDisagree(f"the signed response does not verify: {e.message}",
                                where=e.where or str(mpath)) from e
    batch, version, digest = (manifest.get("batch_id"), manifest.get("response_version"),
                              manifest.get("response_sha256")) if isinstance(manifest, dict) else (
        None, None, None)
    if not (isinstance(batch, str) and isinstance(version, int) and isinstance(digest, str)):
        raise ResponsesDisagree("the response manifest lacks its batch, version or digest",
                                where=str(mpath))
    if batch != response_dir.name:
        raise ResponsesDisagree(f"the response manifest names batch {batch!r}", where=str(mpath))
    return ResponseOnDisk(batch, version, digest, response_dir)


def responses_on_disk(responses_dir: Path,
                      key: Ed25519PublicKey | None) -> dict[str, ResponseOnDisk]:
    """Every published response under ``responses_dir``, by batch."""
    if not responses_dir.is_dir():
        return {}
    found = (read_response(d, key) for d in sorted(responses_dir.iterdir()) if d.is_dir())
    return {r.batch_id: r for r in found if r is not None}


def compare_with_log(on_disk: Mapping[str, ResponseOnDisk],
                     logged: Mapping[str, Mapping[int, str]],
                     store_versions: Mapping[str, int], *, responses_dir: Path,
                     reread: Callable[[str], ResponseOnDisk | None]) -> None:
    """Every response on disk is logged with its digest and version, and the latest
    logged response of every batch is on disk. Returns nothing or raises
    ResponsesDisagree naming the first batch that differs.

    ``logged``: batch -> version -> digest of the ``response_issued`` leaves;
    ``store_versions``: batch -> the response version the store holds answers for.
    ``on_disk`` was read *before* the store's snapshot was taken (files are
    written after their answers commit, so a file seen then belongs to a batch the
    snapshot must know); ``reread`` looks again, for a response logged while the
    directory was being read.
    """
    for batch_id, r in sorted(on_disk.items()):
        versions = logged.get(batch_id, {})
        if r.version in versions:
            if versions[r.version] != r.sha256:
                raise ResponsesDisagree(
                    f"batch {batch_id}: the response on disk (version {r.version}, {r.path}) "
                    f"is not the one the ledger logged for that version (digest "
                    f"{r.sha256[:16]}..., logged {versions[r.version][:16]}...)")
            continue
        known = store_versions.get(batch_id)
        if known is None or known < r.version:
            raise ResponsesDisagree(
                f"batch {batch_id}: its signed response (version {r.version}, {r.path}) is not "
                "known to the store: the store lost the batch (a truncated WAL, an old backup); "
                "the signed files are the evidence of what was answered")
        raise ResponsesDisagree(
            f"batch {batch_id}: response version {r.version} ({r.path}) is written but not in "
            "the ledger: its publishing was interrupted, or is running now; `dgw process` on "
            "the batch finishes it")
    for batch_id, versions in sorted(logged.items()):
        latest = max(versions)
        seen = on_disk.get(batch_id)
        now = (seen if seen is not None and seen.version == latest
             and seen.sha256 == versions[latest] else reread(batch_id))
        if now is None:
            raise ResponsesDisagree(
                f"batch {batch_id}: response version {latest} is in the ledger but its files are "
                f"gone from {responses_dir / batch_id}")
        if now.version < latest:
            raise ResponsesDisagree(
                f"batch {batch_id}: response version {latest} is in the ledger but {now.path} "
                f"holds version {now.version}")
        if now.version == latest and now.sha256 != versions[latest]:
            raise ResponsesDisagree(
                f"batch {batch_id}: the response on disk (version {latest}, {now.path}) is not "
                "the one the ledger logged")
