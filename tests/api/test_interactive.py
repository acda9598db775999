"""The interactive lane: one signed record in, its answer out; the body is only
read once the signature holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.api.schemas import RECORD_FIELDS, RequestRecord
from disclosure_gateway.contracts import REQUEST_COLUMNS
from disclosure_gateway.keys import KeyPair

from . import factories

ANSWERS = {"REJECTED", "CONFIRMED", "NOT_CONFIRMED", "ADDRESS_PROVIDED", "PENDING_REVIEW"}


@pytest.fixture(scope="module")
def ice(ws: Path) -> KeyPair:
    return factories.requester_key(ws, "ice-director")


def _record(**overrides: str) -> dict[str, str]:
    base = {
        "request_id": "IR-1", "first_name": "Maria", "middle_name": "", "last_name": "Lopez Garcia",
        "dob": "1984-03-02", "tin": "", "address_line1": "Don't Care 12345", "address_line2": "",
        "city": "", "state": "", "zip": "12345", "taxable_periods": "2023", "statute": "8 U.S.C. 1253(a)(1)",
        "removal_order_date": "2024-01-10", "case_number": "ICE-2024-000123",
        "investigating_officer": "Officer J. Smith",
        "relevance": "The subject is the named person in a final order of removal under investigation.",
    }
    base.update(overrides)
    return base


def test_the_record_schema_is_the_contract() -> None:
    assert RECORD_FIELDS == REQUEST_COLUMNS
    assert set(RequestRecord.model_json_schema()["properties"]) == set(REQUEST_COLUMNS)


def test_a_placeholder_address_is_rejected_with_reason_codes(client: TestClient, ice: KeyPair) -> None:
    r = client.post("/api/v1/requests", json=_record(), auth=factories.signed(ice))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["request_id"] == "IR-1"
    assert body["answer"] == "REJECTED"
    assert any(code.startswith("ADDRESS_") for code in body["reason_codes"])


def test_a_complete_record_gets_one_of_the_answer_codes(client: TestClient, ice: KeyPair) -> None:
    record = _record(request_id="IR-2", address_line1="1200 W Main St", city="Springfield", state="IL",
                     zip="62704")
    r = client.post("/api/v1/requests", json=record, auth=factories.signed(ice))
    assert r.status_code == 200, r.text
    assert r.json()["answer"] in ANSWERS


def test_a_malformed_record_is_named_field_by_field(client: TestClient, ice: KeyPair) -> None:
    r = client.post("/api/v1/requests", json={"request_id": "", "colour": "blue"}, auth=factories.signed(ice))
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert "request_id" in detail and "colour" in detail


def test_an_unsigned_malformed_body_gets_no_validation_detail(client: TestClient) -> None:
    r = client.post("/api/v1/requests", content=b"{not json")
    assert r.status_code == 401
    assert r.json()["type"] == "/problems/bad-signature"
