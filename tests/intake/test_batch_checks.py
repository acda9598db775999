"""Batch checks: each refusal with its code and message; a good batch is accepted."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from disclosure_gateway.agreement import Agreement, Status, parse_agreement
from disclosure_gateway.contracts import MANIFEST_FILE, REQUEST_COLUMNS, SIGNATURE_FILE
from disclosure_gateway.errors import BatchRefused
from disclosure_gateway.intake.batch_checks import BATCH_REFUSALS, check_batch
from disclosure_gateway.intake.manifest import (
    Manifest,
    build_manifest,
    sign_manifest,
    write_manifest,
)
from disclosure_gateway.keys import KeyPair, new_keypair

REFERENCE = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"
NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
CREATED = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Parties:
    secretary: KeyPair
    director: KeyPair
    custodian: KeyPair
    third_official: KeyPair
    agreement: Agreement


@pytest.fixture(scope="module")
def parties() -> Parties:
    secretary, director = new_keypair("dhs-secretary"), new_keypair("ice-director")
    custodian, third = new_keypair("custodian"), new_keypair("ice-assistant-director")
    data: dict[str, Any] = tomllib.loads(REFERENCE.read_text(encoding="utf-8"))
    data["custodian"]["public_key"] = custodian.public_b64
    data["requesters"][0]["public_key"] = secretary.public_b64
    data["requesters"][1]["public_key"] = director.public_b64
    data["limits"] = {"max_records_per_batch": 5}
    return Parties(secretary, director, custodian, third, parse_agreement(data, where="test"))


def csv_text(n: int) -> str:
    lines = [",".join(REQUEST_COLUMNS)]
    for i in range(n):
        values = {c: "" for c in REQUEST_COLUMNS}
        values.update(
            request_id=f"R{i}",
            first_name="Ana",
            last_name="Diaz",
            address_line1=f"{i + 1} Main St",
            zip="62704",
        )
        lines.append(",".join(values[c] for c in REQUEST_COLUMNS))
    return "\n".join(lines) + "\n"


def make_batch(
    root: Path,
    parties: Parties,
    *,
    key: KeyPair | None = None,
    key_id: str | None = None,
    records: str | None = None,
    created: datetime = CREATED,
    batch_id: str = "B20251001-test",
    **manifest_changes: Any,
) -> Path:
    """A signed batch directory; ``key_id`` lets the manifest name a key other than the signer's."""
    d = root / batch_id
    d.mkdir()
    (d / "records.csv").write_text(records if records is not None else csv_text(3), encoding="utf-8")
    key = key or parties.director
    manifest = build_manifest(
        d / "records.csv",
        agreement=parties.agreement,
        requester_key_id=key_id or key.key_id,
        batch_id=batch_id,
        created=created,
    )
    if manifest_changes:
        manifest = manifest.model_copy(update=manifest_changes)
    write_manifest(d, manifest)
    sign_manifest(d, manifest, key)
    return d


def run(
    d: Path,
    agreement: Agreement,
    *,
    now: datetime = NOW,
    ids: frozenset[str] = frozenset(),
    digests: frozenset[str] = frozenset(),
):
    return check_batch(
        d, agreement, now=now, seen_batch_id=ids.__contains__, seen_digest=digests.__contains__
    )


def refused(d: Path, agreement: Agreement, code: str, match: str = "", **kw: Any) -> BatchRefused:
    with pytest.raises(BatchRefused) as info:
        run(d, agreement, **kw)
    assert info.value.code == code, info.value.describe()
    assert BATCH_REFUSALS[code] in info.value.message
    if match:
        assert match in info.value.describe()
    return info.value


def test_good_batch_is_accepted(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, key=parties.secretary)
    batch = run(d, parties.agreement)
    assert batch.requester.id == "dhs-secretary"
    assert len(batch.records) == 3
    assert list(batch.records.columns) == list(REQUEST_COLUMNS)
    assert batch.batch_date.isoformat() == "2025-10-01"
    assert batch.records_path == d / "records.csv"


def test_malformed_json_manifest(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / MANIFEST_FILE).write_text('{"batch_id": "B1", ', encoding="utf-8")
    refused(d, parties.agreement, "BATCH_MANIFEST_INVALID", "manifest is not valid JSON")


def test_manifest_with_unknown_field(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    data = json.loads((d / MANIFEST_FILE).read_text())
    data["extra"] = 1
    (d / MANIFEST_FILE).write_text(json.dumps(data))
    refused(d, parties.agreement, "BATCH_MANIFEST_INVALID", "extra: unknown field")


def test_deeply_nested_manifest(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / MANIFEST_FILE).write_text("[" * 50_000)
    refused(d, parties.agreement, "BATCH_MANIFEST_INVALID")


def test_missing_manifest(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / MANIFEST_FILE).unlink()
    refused(d, parties.agreement, "BATCH_MANIFEST_INVALID", "cannot read manifest")


def test_truncated_signature(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    sig = (d / SIGNATURE_FILE).read_text().strip()
    (d / SIGNATURE_FILE).write_text(sig[:40] + "\n")
    refused(d, parties.agreement, "BATCH_SIGNATURE_INVALID", "manifest.sig")


def test_signature_not_base64(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / SIGNATURE_FILE).write_text("not base64 at all!!\n")
    refused(d, parties.agreement, "BATCH_SIGNATURE_INVALID", "not base64")


def test_missing_signature(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / SIGNATURE_FILE).unlink()
    refused(d, parties.agreement, "BATCH_SIGNATURE_MISSING")


def test_third_officials_key(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, key=parties.third_official)
    refused(d, parties.agreement, "BATCH_SIGNER_NOT_AUTHORISED", parties.third_official.key_id)


def test_third_official_naming_an_authorised_key(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, key=parties.third_official, key_id=parties.director.key_id)
    refused(d, parties.agreement, "BATCH_SIGNATURE_INVALID", "ice-director")


def test_custodian_key(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, key=parties.custodian)
    refused(d, parties.agreement, "BATCH_SIGNER_NOT_AUTHORISED", "custodian's own key")


def test_unknown_key(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, key=new_keypair("stranger"))
    refused(d, parties.agreement, "BATCH_SIGNER_NOT_AUTHORISED")


def test_manifest_changed_after_signing(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    data = json.loads((d / MANIFEST_FILE).read_text())
    data["record_count"] = 2
    (d / MANIFEST_FILE).write_text(json.dumps(data))
    refused(d, parties.agreement, "BATCH_SIGNATURE_INVALID")


def test_records_changed_after_signing(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    text = (d / "records.csv").read_text()
    (d / "records.csv").write_text(text.replace("1 Main St", "Don't Care"))
    refused(d, parties.agreement, "BATCH_DIGEST_MISMATCH", "records.csv")


def test_records_file_missing(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    (d / "records.csv").unlink()
    refused(d, parties.agreement, "BATCH_RECORDS_UNREADABLE", "missing")


def test_other_agreement(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, agreement_id="some-other-mou")
    refused(d, parties.agreement, "BATCH_AGREEMENT_MISMATCH", "some-other-mou")


def test_other_terms(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, agreement_hash="0" * 64)
    refused(d, parties.agreement, "BATCH_AGREEMENT_MISMATCH", "terms hash")


def test_not_in_force_after_expiry(tmp_path: Path, parties: Parties) -> None:
    late = datetime(2027, 5, 1, tzinfo=UTC)
    d = make_batch(tmp_path, parties, created=late)
    refused(d, parties.agreement, "BATCH_AGREEMENT_NOT_IN_FORCE", "2027-05-01", now=late)


def test_not_in_force_before_effective(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, created=datetime(2025, 3, 1, tzinfo=UTC))
    refused(d, parties.agreement, "BATCH_AGREEMENT_NOT_IN_FORCE", "batch date 2025-03-01")


def test_batch_dated_in_the_future(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, created=datetime(2025, 10, 2, tzinfo=UTC))
    refused(d, parties.agreement, "BATCH_MANIFEST_INVALID", "in the future")


def test_suspended(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    suspended = parties.agreement.with_status(
        Status(suspended=True, suspended_reason="court order of 21 Nov 2025")
    )
    refused(d, suspended, "BATCH_AGREEMENT_SUSPENDED", "court order of 21 Nov 2025")


def test_replayed_batch_id(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties)
    refused(d, parties.agreement, "BATCH_REPLAY_ID", "B20251001-test", ids=frozenset({"B20251001-test"}))


def test_replayed_records_under_a_new_batch_id(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, batch_id="B-new")
    digest = Manifest.model_validate_json((d / MANIFEST_FILE).read_text()).records_sha256
    refused(d, parties.agreement, "BATCH_REPLAY_DIGEST", digests=frozenset({digest}))


def test_count_mismatch(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, record_count=4)
    refused(d, parties.agreement, "BATCH_COUNT_MISMATCH", "states 4; the file holds 3")


def test_too_large(tmp_path: Path, parties: Parties) -> None:
    d = make_batch(tmp_path, parties, records=csv_text(6))
    refused(d, parties.agreement, "BATCH_TOO_LARGE", "6 records; the limit is 5")


@pytest.mark.parametrize(
    ("records", "match"),
    [
        (",".join(REQUEST_COLUMNS[:-1]) + "\n", "missing columns: relevance"),
        (csv_text(2) + "R9,Ana\n", "line 4: 2 columns"),
        (csv_text(1) + "\x00\n", "line 3: contains a NUL byte"),
    ],
)
def test_unreadable_records_name_the_line(tmp_path: Path, parties: Parties, records: str, match: str) -> None:
    d = make_batch(tmp_path, parties, records=records)
    refused(d, parties.agreement, "BATCH_RECORDS_UNREADABLE", match)


def test_refusal_order_signature_before_agreement(tmp_path: Path, parties: Parties) -> None:
    # A stranger's batch for another agreement is refused for the signer first:
    # nothing in an unauthenticated manifest is trusted.
    d = make_batch(tmp_path, parties, key=new_keypair("x"), agreement_id="other")
    refused(d, parties.agreement, "BATCH_SIGNER_NOT_AUTHORISED")


def test_every_batch_code_has_a_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [c for c in BATCH_REFUSALS if f'"{c}"' not in source.split("def test_every")[0]]
    assert missing == []
