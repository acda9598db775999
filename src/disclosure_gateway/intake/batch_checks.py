"""Batch checks: whether a batch may be read at all, before any record is judged.

A batch is a directory holding ``manifest.json``, the records file it names
and ``manifest.sig`` (Ed25519 over the manifest's RFC 8785 form). The checks
run in this order and stop at the first failure, raising
:class:`~disclosure_gateway.errors.BatchRefused` with a stable code from
:data:`BATCH_REFUSALS`:

1. the manifest parses (BATCH_MANIFEST_INVALID);
2. the signature is there, is well-formed, was made by one of the agreement's
   authorised requesters — not a third official, not the custodian, not an
   unknown key — and verifies; the records file is the one signed
   (BATCH_SIGNATURE_MISSING, BATCH_SIGNER_NOT_AUTHORISED,
   BATCH_SIGNATURE_INVALID, BATCH_RECORDS_UNREADABLE, BATCH_DIGEST_MISMATCH);
3. the manifest names this agreement and these terms (BATCH_AGREEMENT_MISMATCH);
4. the agreement is in force on the batch date and today, and is not
   suspended (BATCH_AGREEMENT_NOT_IN_FORCE, BATCH_AGREEMENT_SUSPENDED); a
   batch dated in the future is a malformed manifest;
5. neither the batch id nor the records digest was seen before
   (BATCH_REPLAY_ID, BATCH_REPLAY_DIGEST);
6. the signed record count is within ``limits.max_records_per_batch``
   (BATCH_TOO_LARGE) — checked on the signed claim *before* parsing, so an
   oversized batch costs nothing to refuse;
7. the records file parses structurally (BATCH_RECORDS_UNREADABLE, naming the
   line and field) and holds exactly the signed number of records
   (BATCH_COUNT_MISMATCH).

Nothing here judges a record's content; that is the gate's job. The caller
records the refusal (one event, nothing else) or goes on with the
:class:`AcceptedBatch`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from ..agreement import Agreement, Requester
from ..canonical import file_sha256
from ..contracts import MANIFEST_FILE, SIGNATURE_FILE
from ..errors import BatchRefused, InputError, SignatureError
from ..keys import key_id_of, public_from_b64
from .manifest import Manifest, format_of, read_manifest, read_signature, verify_manifest_signature
from .records import ReadLimits, read_records

#: every batch refusal code with its message (documented in docs/reason-codes.md)
BATCH_REFUSALS: dict[str, str] = {
    "BATCH_MANIFEST_INVALID": "The batch manifest is missing, not valid JSON, or not a valid manifest.",
    "BATCH_SIGNATURE_MISSING": "The batch has no signature file.",
    "BATCH_SIGNATURE_INVALID": "The batch signature is malformed or does not verify against the "
    "named requester's public key.",
    "BATCH_SIGNER_NOT_AUTHORISED": "The batch is signed with a key that is not one of the "
    "agreement's authorised requesters.",
    "BATCH_DIGEST_MISMATCH": "The records file is not the one that was signed (its SHA-256 "
    "differs from the manifest's).",
    "BATCH_AGREEMENT_MISMATCH": "The manifest names a different agreement or different terms "
    "than the agreement in force.",
    "BATCH_AGREEMENT_NOT_IN_FORCE": "The agreement is not in force on the batch date or today.",
    "BATCH_AGREEMENT_SUSPENDED": "The agreement is suspended; no batch is accepted.",
    "BATCH_REPLAY_ID": "A batch with this batch id was received before.",
    "BATCH_REPLAY_DIGEST": "A batch with this exact records file was received before.",
    "BATCH_TOO_LARGE": "The batch has more records than the agreement allows in one batch.",
    "BATCH_RECORDS_UNREADABLE": "The records file is missing or cannot be read as request "
    "records.",
    "BATCH_COUNT_MISMATCH": "The records file does not hold the number of records the manifest "
    "states.",
}

#: how far in the future a manifest's creation time may lie (clock skew)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class AcceptedBatch:
    """A batch that passed every batch check; its records are ready for the gate."""

    manifest: Manifest
    requester: Requester
    records_path: Path
    #: the records, structurally valid (see intake.records.read_records)
    records: pd.DataFrame
    #: the date the batch was made (UTC); the date its requests are judged on
    batch_date: date


def _refuse(code: str, detail: str, *, where: str | None = None) -> BatchRefused:
    return BatchRefused(code, f"{BATCH_REFUSALS[code]} {detail}".strip(), where=where)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_batch(
    batch_dir: Path,
    agreement: Agreement,
    *,
    now: datetime,
    seen_batch_id: Callable[[str], bool],
    seen_digest: Callable[[str], bool],
    limits: ReadLimits | None = None,
) -> AcceptedBatch:
    """Run the batch checks in order; return the accepted batch or raise BatchRefused."""
    manifest = _manifest(batch_dir)
    requester = _signature(batch_dir, manifest, agreement)
    records_path = _signed_records(batch_dir, manifest)
    _agreement(manifest, agreement, now=_utc(now))
    if seen_batch_id(manifest.batch_id):
        raise _refuse("BATCH_REPLAY_ID", f"(batch id {manifest.batch_id})")
    if seen_digest(manifest.records_sha256):
        raise _refuse("BATCH_REPLAY_DIGEST", f"(SHA-256 {manifest.records_sha256[:16]}...)")
    cap = agreement.limits.max_records_per_batch
    if manifest.record_count > cap:
        raise _refuse("BATCH_TOO_LARGE", f"({manifest.record_count:,} records; the limit is {cap:,})")
    try:
        records = read_records(records_path, manifest.records_format, limits=limits)
    except InputError as e:
        raise _refuse("BATCH_RECORDS_UNREADABLE", e.message, where=e.where) from e
    if len(records) != manifest.record_count:
        raise _refuse(
            "BATCH_COUNT_MISMATCH",
            f"(the manifest states {manifest.record_count:,}; the file holds {len(records):,})",
        )
    return AcceptedBatch(
        manifest=manifest,
        requester=requester,
        records_path=records_path,
        records=records,
        batch_date=_utc(manifest.created).astimezone(UTC).date(),
    )


#: a manifest is a dozen short fields, a signature 88 base64 characters
MAX_MANIFEST_BYTES = 64 * 1024
MAX_SIGNATURE_BYTES = 1024


def _manifest(batch_dir: Path) -> Manifest:
    path = batch_dir / MANIFEST_FILE
    if path.is_file() and path.stat().st_size > MAX_MANIFEST_BYTES:
        raise _refuse("BATCH_MANIFEST_INVALID", f"larger than {MAX_MANIFEST_BYTES:,} bytes",
                      where=str(path))
    try:
        return read_manifest(batch_dir)
    except InputError as e:
        raise _refuse("BATCH_MANIFEST_INVALID", e.message, where=e.where) from e
    except RecursionError as e:  # "[[[[..." nests deeper than the JSON parser recurses
        raise _refuse("BATCH_MANIFEST_INVALID", "JSON nested too deeply", where=str(path)) from e


def _signature(batch_dir: Path, manifest: Manifest, agreement: Agreement) -> Requester:
    sig_path = batch_dir / SIGNATURE_FILE
    if not sig_path.is_file():
        raise _refuse("BATCH_SIGNATURE_MISSING", "", where=str(sig_path))
    if sig_path.stat().st_size > MAX_SIGNATURE_BYTES:
        raise _refuse("BATCH_SIGNATURE_INVALID", "the signature file is far too large",
                      where=str(sig_path))
    try:
        signature = read_signature(batch_dir)
    except SignatureError as e:
        raise _refuse("BATCH_SIGNATURE_INVALID", e.message, where=e.where) from e
    requester = agreement.requester_by_key_id(manifest.requester_key_id)
    if requester is None:
        custodian = agreement.custodian.public_key
        if custodian and key_id_of(base64.b64decode(custodian)) == manifest.requester_key_id:
            detail = "(the custodian's own key cannot sign requests)"
        else:
            detail = f"(key id {manifest.requester_key_id})"
        raise _refuse("BATCH_SIGNER_NOT_AUTHORISED", detail, where=str(batch_dir / MANIFEST_FILE))
    try:
        verify_manifest_signature(manifest, signature, public_from_b64(requester.public_key))
    except SignatureError as e:
        raise _refuse(
            "BATCH_SIGNATURE_INVALID", f"(requester {requester.id})", where=str(sig_path)
        ) from e
    return requester


def _signed_records(batch_dir: Path, manifest: Manifest) -> Path:
    path = batch_dir / manifest.records_file
    if not path.is_file():
        raise _refuse("BATCH_RECORDS_UNREADABLE", "The file the manifest names is missing.",
                      where=str(path))
    try:
        fmt = format_of(path)
    except InputError as e:
        raise _refuse("BATCH_MANIFEST_INVALID", e.message, where=e.where) from e
    if fmt != manifest.records_format:
        raise _refuse(
            "BATCH_MANIFEST_INVALID",
            f"records_format is {manifest.records_format} but the file is {fmt}",
            where=str(path),
        )
    try:
        digest = file_sha256(path)
    except OSError as e:
        raise _refuse("BATCH_RECORDS_UNREADABLE", str(e.strerror), where=str(path)) from e
    if digest != manifest.records_sha256:
        raise _refuse("BATCH_DIGEST_MISMATCH", "", where=str(path))
    return path


def _agreement(manifest: Manifest, agreement: Agreement, *, now: datetime) -> None:
    if manifest.agreement_id != agreement.id:
        raise _refuse(
            "BATCH_AGREEMENT_MISMATCH",
            f"(the manifest names {manifest.agreement_id!r}; in force is {agreement.id!r})",
        )
    if manifest.agreement_hash != agreement.terms_hash:
        raise _refuse(
            "BATCH_AGREEMENT_MISMATCH",
            f"(terms hash {manifest.agreement_hash[:16]}... is not "
            f"{agreement.terms_hash[:16]}...)",
        )
    created = _utc(manifest.created)
    if created > now + CLOCK_SKEW:
        raise _refuse("BATCH_MANIFEST_INVALID", f"created {created.isoformat()} is in the future")
    for label, day in (("batch date", created.astimezone(UTC).date()),
                       ("today", now.astimezone(UTC).date())):
        if not agreement.in_force_on(day):
            raise _refuse(
                "BATCH_AGREEMENT_NOT_IN_FORCE",
                f"({label} {day.isoformat()}; the term is {agreement.term.effective} to "
                f"{agreement.term.expires})",
            )
    if agreement.status.suspended:
        reason = agreement.status.suspended_reason or "no reason recorded"
        raise _refuse("BATCH_AGREEMENT_SUSPENDED", f"(reason: {reason})")
