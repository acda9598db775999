"""Requester authentication by RFC 9421 HTTP Message Signatures: every way a
request can fail to authenticate is refused with 401 and says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.api.client_signing import signed_headers
from disclosure_gateway.keys import KeyPair, load_private, new_keypair

from . import factories

URL = "https://testserver/api/v1/batches"


@pytest.fixture(scope="module")
def ice(ws: Path) -> KeyPair:
    return factories.requester_key(ws, "ice-director")


def _refused(r: object, *needle: str) -> None:
    status = r.status_code  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert status == 401, (status, body)
    assert body["type"] == "/problems/bad-signature"
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert "Accept-Signature" in r.headers  # type: ignore[attr-defined]
    for n in needle:
        assert n in body["detail"], body["detail"]


def test_a_signed_request_authenticates(client: TestClient, ice: KeyPair) -> None:
    r = client.get("/api/v1/batches", headers=signed_headers(ice, "GET", URL))
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)


def test_the_httpx_auth_hook_signs_too(client: TestClient, ice: KeyPair) -> None:
    assert client.get("/api/v1/batches", auth=factories.signed(ice)).status_code == 200


def test_unsigned_is_refused(client: TestClient) -> None:
    _refused(client.get("/api/v1/batches"), "request is not signed")


def test_a_key_outside_the_agreement_is_refused(client: TestClient) -> None:
    stranger = new_keypair("stranger")
    _refused(client.get("/api/v1/batches", headers=signed_headers(stranger, "GET", URL)),
             "is not a requester key of agreement")


def test_the_custodian_key_is_not_a_requester_key(client: TestClient, ws: Path) -> None:
    custodian = load_private(ws / "keys" / "custodian.key")
    _refused(client.get("/api/v1/batches", headers=signed_headers(custodian, "GET", URL)),
             "is not a requester key")


def test_a_replayed_request_is_refused(client: TestClient, ice: KeyPair) -> None:
    headers = signed_headers(ice, "GET", URL)
    assert client.get("/api/v1/batches", headers=headers).status_code == 200
    _refused(client.get("/api/v1/batches", headers=headers), "nonce was already used")


def test_a_stale_signature_is_refused(client: TestClient, ice: KeyPair) -> None:
    old = datetime.now(UTC) - timedelta(minutes=6)
    _refused(client.get("/api/v1/batches", headers=signed_headers(ice, "GET", URL, created=old)),
             "too old")


def test_a_signature_from_the_future_is_refused(client: TestClient, ice: KeyPair) -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=5)
    _refused(client.get("/api/v1/batches", headers=signed_headers(ice, "GET", URL, created=ahead)),
             "in the future")


def test_a_signature_for_another_path_does_not_fit(client: TestClient, ice: KeyPair) -> None:
    headers = signed_headers(ice, "GET", "https://testserver/api/v1/batches/B-OTHER")
    _refused(client.get("/api/v1/batches", headers=headers), "does not verify")


def test_a_signature_for_another_method_does_not_fit(client: TestClient, ice: KeyPair) -> None:
    body = json.dumps({"request_id": "r1"}).encode()
    headers = signed_headers(ice, "PUT", "https://testserver/api/v1/requests", body=body,
                             content_type="application/json")
    _refused(client.post("/api/v1/requests", content=body, headers=headers), "does not verify")


def test_a_changed_body_is_caught_by_the_content_digest(client: TestClient, ice: KeyPair) -> None:
    body = json.dumps({"request_id": "r1"}).encode()
    headers = signed_headers(ice, "POST", "https://testserver/api/v1/requests", body=body,
                             content_type="application/json")
    tampered = json.dumps({"request_id": "r2"}).encode()
    _refused(client.post("/api/v1/requests", content=tampered, headers=headers),
             "Content-Digest does not match")


def test_a_body_without_a_signed_digest_is_refused(client: TestClient, ice: KeyPair) -> None:
    headers = signed_headers(ice, "POST", "https://testserver/api/v1/requests")  # signed with no body
    _refused(client.post("/api/v1/requests", content=b'{"request_id": "r1"}',
                         headers={**headers, "content-type": "application/json"}))


def test_a_tampered_signature_is_refused(client: TestClient, ice: KeyPair) -> None:
    headers = signed_headers(ice, "GET", URL)
    sig = headers["Signature"]
    # Flip one base64 character inside the byte sequence.
    i = sig.index(":") + 5
    flipped = sig[:i] + ("A" if sig[i] != "A" else "B") + sig[i + 1:]
    _refused(client.get("/api/v1/batches", headers={**headers, "Signature": flipped}), "does not verify")


def test_a_signature_without_the_gateway_tag_is_refused(client: TestClient, ice: KeyPair) -> None:
    headers = signed_headers(ice, "GET", URL)
    headers["Signature-Input"] = headers["Signature-Input"].replace('tag="dgw-request"', 'tag="other"')
    _refused(client.get("/api/v1/batches", headers=headers))


def test_a_staff_session_is_no_requester_authentication(client: TestClient) -> None:
    from .conftest import login

    login(client, "admin")
    _refused(client.get("/api/v1/batches"), "request is not signed")
