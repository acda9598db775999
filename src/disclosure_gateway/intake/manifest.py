"""The batch manifest and its detached Ed25519 signature.

``manifest.json`` names the batch, the agreement (id and terms hash), the
requester's key id, when it was made, and the records file with its record
count and SHA-256. ``manifest.sig`` is the base64 Ed25519 signature over the
RFC 8785 canonical form of the manifest.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..agreement import Agreement
from ..canonical import canonical_bytes, file_sha256
from ..contracts import MANIFEST_FILE, SIGNATURE_FILE
from ..errors import InputError, SignatureError
from ..keys import KeyPair, decode_signature, verify

RecordFormat = Literal["csv", "parquet", "jsonl"]


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = 1
    batch_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
    agreement_id: str
    agreement_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    requester_key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    created: datetime
    record_count: int = Field(ge=0)
    records_file: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    records_format: RecordFormat
    records_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    def canonical(self) -> bytes:
        return canonical_bytes(self.model_dump(mode="json"))


def format_of(path: Path) -> RecordFormat:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "parquet", "jsonl"):
        return suffix  # type: ignore[return-value]
    if suffix == "ndjson":
        return "jsonl"
    raise InputError("records file must end in .csv, .parquet or .jsonl", where=str(path))


def count_records(path: Path, fmt: RecordFormat) -> int:
    """Count records without parsing their content (the gate reads them later)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception as e:  # pyarrow raises several unrelated types
            raise InputError(f"not a readable Parquet file: {e}", where=str(path)) from e
    import csv

    with path.open("r", encoding="utf-8", newline="", errors="strict") as f:
        if fmt == "jsonl":
            return sum(1 for line in f if line.strip())
        csv.field_size_limit(16 * 1024 * 1024)
        reader = csv.reader(f)
        try:
            next(reader)
        except StopIteration:
            return 0
        return sum(1 for _ in reader)


def new_batch_id(created: datetime) -> str:
    return f"B{created:%Y%m%d}-{uuid.uuid4().hex[:12]}"


def build_manifest(
    records_path: Path,
    *,
    agreement: Agreement,
    requester_key_id: str,
    batch_id: str | None = None,
    created: datetime | None = None,
) -> Manifest:
    created = created or datetime.now(UTC).replace(microsecond=0)
    fmt = format_of(records_path)
    try:
        return Manifest(
            batch_id=batch_id or new_batch_id(created),
            agreement_id=agreement.id,
            agreement_hash=agreement.terms_hash,
            requester_key_id=requester_key_id,
            created=created,
            record_count=count_records(records_path, fmt),
            records_file=records_path.name,
            records_format=fmt,
            records_sha256=file_sha256(records_path),
        )
    except ValidationError as e:
        raise InputError(str(e), where=str(records_path)) from e


def write_manifest(batch_dir: Path, manifest: Manifest) -> Path:
    path = batch_dir / MANIFEST_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_manifest(batch_dir: Path) -> Manifest:
    path = batch_dir / MANIFEST_FILE
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read manifest: {e.strerror}", where=str(path)) from e
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"manifest is not valid JSON: {e}", where=str(path)) from e
    if not isinstance(data, dict):
        raise InputError("manifest is not a JSON object", where=str(path))
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: "
            f"{'unknown field' if err['type'] == 'extra_forbidden' else err['msg']}"
            for err in e.errors()
        )
        raise InputError(f"bad manifest: {fields}", where=str(path)) from e


def sign_manifest(batch_dir: Path, manifest: Manifest, key: KeyPair) -> Path:
    import base64

    sig = key.sign(manifest.canonical())
    path = batch_dir / SIGNATURE_FILE
    path.write_text(base64.b64encode(sig).decode("ascii") + "\n", encoding="ascii")
    return path


def read_signature(batch_dir: Path) -> bytes:
    path = batch_dir / SIGNATURE_FILE
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise SignatureError("missing or unreadable signature file", where=str(path)) from e
    return decode_signature(text, where=str(path))


def verify_manifest_signature(manifest: Manifest, signature: bytes, key: Ed25519PublicKey) -> None:
    """Return nothing or raise SignatureError."""
    verify(key, signature, manifest.canonical(), what=f"batch {manifest.batch_id}")


def sign_batch(batch_dir: Path, key: KeyPair, *, agreement: Agreement | None = None) -> Manifest:
    """(Re)compute count and digest from the records file, then sign.

    Lets a requester prepare a batch from any records file: the key's id becomes
    the manifest's requester key id.
    """
    old = read_manifest(batch_dir)
    records = batch_dir / old.records_file
    if not records.exists():
        raise InputError("records file named by the manifest is missing", where=str(records))
    fmt = format_of(records)
    updated = old.model_copy(
        update={
            "records_format": fmt,
            "record_count": count_records(records, fmt),
            "records_sha256": file_sha256(records),
            "requester_key_id": key.key_id,
            **({"agreement_id": agreement.id, "agreement_hash": agreement.terms_hash} if agreement else {}),
        }
    )
    write_manifest(batch_dir, updated)
    sign_manifest(batch_dir, updated, key)
    return updated
