"""The agreement loader: a good file parses; a bad one is refused naming the field."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
import tomli_w

from disclosure_gateway.agreement import Status, load_agreement, parse_agreement
from disclosure_gateway.errors import AgreementError
from disclosure_gateway.keys import new_keypair

REFERENCE = Path(__file__).resolve().parents[2] / "agreements" / "irs-ice-2025.toml"


def reference_data() -> dict:
    return tomllib.loads(REFERENCE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "a.toml"
    p.write_text(tomli_w.dumps(data), encoding="utf-8")
    return p


def test_reference_agreement_has_the_seed_terms() -> None:
    a = load_agreement(REFERENCE)
    assert a.custodian.agency == "IRS"
    assert a.requesting_agency.agency == "ICE"
    assert a.authority == "26 U.S.C. 6103(i)(2)"
    assert len(a.requesters) == 2
    assert {r.id for r in a.requesters} == {"dhs-secretary", "ice-director"}
    assert "8 U.S.C. 1253(a)(1)" in a.permitted_statutes
    assert a.eligibility.require_final_removal_order
    assert a.eligibility.min_days_since_final_order == 90
    assert a.eligibility.require_case_number
    assert a.disclosure.mode == "confirm_address"
    assert a.in_force_on(date(2025, 6, 27))
    assert not a.in_force_on(date(2025, 1, 1))


def test_terms_hash_is_stable_and_ignores_status_but_not_terms(tmp_path: Path) -> None:
    a = load_agreement(REFERENCE)
    again = load_agreement(write(tmp_path, reference_data()))
    assert a.terms_hash == again.terms_hash
    suspended = a.with_status(Status(suspended=True, suspended_reason="court order"))
    assert suspended.terms_hash == a.terms_hash
    data = reference_data()
    data["matching"]["auto_threshold"] = 0.995
    changed = parse_agreement(data, where="x")
    assert changed.terms_hash != a.terms_hash
    assert len(a.terms_hash) == 64


def _mutate(path: str, value: object) -> dict:
    data = reference_data()
    node = data
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[k]
    if value is KeyError:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("eligibility.unknown_rule", True, "eligibility.unknown_rule: unknown field"),
        ("surprise", 1, "surprise: unknown field"),
        ("authority", KeyError, "authority: Field required"),
        ("disclosure.mode", "full_return", "disclosure.mode"),
        ("matching.auto_threshold", 1.5, "matching.auto_threshold"),
        ("matching.review_threshold", 0.999, "review_threshold is above auto_threshold"),
        ("eligibility.case_number_pattern", "([", "not a valid regular expression"),
        ("eligibility.taxable_period_latest", 2010, "taxable_period_latest is before"),
        ("term.expires", date(2024, 1, 1), "expires is not after effective"),
        ("limits.max_records_per_batch", 0, "limits.max_records_per_batch"),
        ("permitted_statutes", [], "permitted_statutes"),
    ],
)
def test_bad_agreement_is_refused_naming_the_field(
    tmp_path: Path, path: str, value: object, expected: str
) -> None:
    with pytest.raises(AgreementError) as info:
        load_agreement(write(tmp_path, _mutate(path, value)))
    assert expected in str(info.value)
    assert str(tmp_path / "a.toml") in str(info.value)


def test_bad_requester_key_is_refused(tmp_path: Path) -> None:
    data = reference_data()
    data["requesters"][0]["public_key"] = "not-base64!"
    with pytest.raises(AgreementError, match=r"requesters\.0\.public_key"):
        load_agreement(write(tmp_path, data))


def test_duplicate_requester_key_is_refused(tmp_path: Path) -> None:
    data = reference_data()
    data["requesters"][1]["public_key"] = data["requesters"][0]["public_key"]
    with pytest.raises(AgreementError, match="share one public key"):
        load_agreement(write(tmp_path, data))


def test_custodian_key_cannot_be_a_requester_key(tmp_path: Path) -> None:
    data = reference_data()
    data["custodian"]["public_key"] = data["requesters"][0]["public_key"]
    with pytest.raises(AgreementError, match="custodian's key is also a requester's key"):
        load_agreement(write(tmp_path, data))


def test_requester_lookup_by_key_id() -> None:
    data = reference_data()
    pair = new_keypair("x")
    data["requesters"][1]["public_key"] = pair.public_b64
    a = parse_agreement(data, where="x")
    found = a.requester_by_key_id(pair.key_id)
    assert found is not None and found.id == "ice-director"
    assert a.requester_by_key_id(new_keypair("y").key_id) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"\xff\xfe bad", "not UTF-8"), (b"id = ", "not valid TOML")],
)
def test_unreadable_agreement_file(tmp_path: Path, content: bytes, expected: str) -> None:
    p = tmp_path / "a.toml"
    p.write_bytes(content)
    with pytest.raises(AgreementError, match=expected):
        load_agreement(p)


def test_missing_agreement_file(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match="cannot read agreement"):
        load_agreement(tmp_path / "none.toml")


def test_good_standing_requires_dated_plan_when_findings_are_open() -> None:
    assert Status().recipient_in_good_standing
    assert not Status(safeguard_status="open_findings", open_findings=3).recipient_in_good_standing
    assert Status(
        safeguard_status="open_findings",
        open_findings=3,
        corrective_action_plan_date=date(2025, 7, 1),
    ).recipient_in_good_standing
