"""One error shape for the API: RFC 9457 problem details, whatever went wrong."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import login

KEYS = {"type", "title", "status", "detail", "instance"}


def _is_problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    assert set(body) >= KEYS
    assert body["status"] == status
    return body


def test_unknown_route(client: TestClient) -> None:
    body = _is_problem(client.get("/api/v1/nothing-here"), 404)
    assert body["instance"] == "/api/v1/nothing-here"


def test_wrong_method(client: TestClient) -> None:
    _is_problem(client.delete("/api/v1/staff/agreement"), 405)


def test_body_validation_lists_every_field(client: TestClient) -> None:
    token = login(client, "admin")
    r = client.post("/api/v1/staff/agreement/suspension", json={"suspended": "perhaps"},
                    headers={"X-CSRF-Token": token})
    body = _is_problem(r, 422)
    assert body["type"] == "/problems/validation-error"
    locs = {".".join(e["loc"]) for e in body["errors"]}  # type: ignore[attr-defined]
    assert {"body.suspended", "body.reason"} <= locs


def test_gateway_errors_carry_their_kind(client: TestClient) -> None:
    login(client, "disclosure_officer")
    body = _is_problem(client.get("/api/v1/staff/batches/B-missing"), 404)
    assert body["type"] == "/problems/not-found"
    assert body["title"] == "Not found"
    assert body["detail"] == "no batch B-missing"


def test_security_headers_on_every_response(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_the_openapi_schema_names_every_route_and_no_cdn_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/batches", "/api/v1/batches/{batch_id}",
            "/api/v1/batches/{batch_id}/response/{file_name}",
            "/api/v1/requests", "/api/v1/auth/login", "/api/v1/staff/review/items/{item_id}/decisions",
            "/api/v1/staff/ledger/proofs/{leaf}", "/api/v1/staff/accounting/lookup",
            "/api/v1/staff/agreement/suspension"} <= paths
    assert not any(p.startswith("/console") for p in paths)
    assert client.get("/docs").status_code == 404
