"""Requesters submit, poll and download; a requester never sees another's batch;
staff see every batch with its counts."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from disclosure_gateway.canonical import canonical_bytes
from disclosure_gateway.keys import KeyPair, public_from_b64, verify
from disclosure_gateway.services import batches as batch_service
from disclosure_gateway.services.context import open_context
from disclosure_gateway.synth import write_batch
from disclosure_gateway.workspace import Workspace

from . import factories
from .conftest import login


@pytest.fixture(scope="module")
def keys(ws: Path) -> dict[str, KeyPair]:
    return {r: factories.requester_key(ws, r) for r in ("dhs-secretary", "ice-director")}


@pytest.fixture(scope="module")
def ice_batch(ws: Path, keys: dict[str, KeyPair], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ice") / "batch"
    write_batch(out, ws / "data" / "master.parquet", 60, seed=99, agreement=Workspace(ws).agreement(),
                sign_with=keys["ice-director"])
    return out


@pytest.fixture(scope="module")
def submitted(ws: Path, app: Any, keys: dict[str, KeyPair], ice_batch: Path) -> dict[str, Any]:
    with TestClient(app, base_url="https://testserver") as c:
        r = c.post("/api/v1/batches", files=factories.batch_parts(ice_batch),
                   auth=factories.signed(keys["ice-director"]))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _demo_batch_id(ws: Path) -> str:
    with open_context(ws) as ctx:
        return next(b["batch_id"] for b in batch_service.list_batches(ctx)
                    if b["requester_id"] == "dhs-secretary")


def test_a_signed_batch_is_answered_and_shaped_like_a_poll(submitted: dict[str, Any], client: TestClient,
                                                            keys: dict[str, KeyPair]) -> None:
    assert submitted["requester_id"] == "ice-director"
    assert submitted["record_count"] == 60
    assert sum(submitted["answers"].values()) == 60
    assert "response_dir" not in submitted  # no server paths leave the gateway
    poll = client.get(f"/api/v1/batches/{submitted['batch_id']}", auth=factories.signed(keys["ice-director"]))
    assert poll.status_code == 200
    assert poll.json()["answers"] == submitted["answers"]


def test_the_response_files_download_and_the_signature_verifies(submitted: dict[str, Any], client: TestClient,
                                                                 keys: dict[str, KeyPair], ws: Path) -> None:
    auth = factories.signed(keys["ice-director"])
    base = f"/api/v1/batches/{submitted['batch_id']}/response"
    csv = client.get(f"{base}/response.csv", auth=auth)
    manifest = client.get(f"{base}/response-manifest.json", auth=auth)
    sig = client.get(f"{base}/response-manifest.sig", auth=auth)
    assert [r.status_code for r in (csv, manifest, sig)] == [200, 200, 200]
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("request_id")
    custodian = public_from_b64(Workspace(ws).agreement().custodian.public_key or "")
    verify(custodian, base64.b64decode(sig.text.strip()), canonical_bytes(json.loads(manifest.content)),
           what="response manifest")
    unknown = client.get(f"{base}/secrets.txt", auth=auth)
    assert unknown.status_code == 404


def test_another_requester_sees_nothing_of_the_batch(submitted: dict[str, Any], client: TestClient,
                                                    keys: dict[str, KeyPair], ws: Path) -> None:
    other = factories.signed(keys["dhs-secretary"])
    bid = submitted["batch_id"]
    status = client.get(f"/api/v1/batches/{bid}", auth=other)
    missing = client.get("/api/v1/batches/B-does-not-exist", auth=other)
    assert status.status_code == missing.status_code == 404
    # The same words as for a batch that does not exist: nothing is learnt by guessing.
    assert status.json()["detail"] == f"no batch {bid}"
    assert client.get(f"/api/v1/batches/{bid}/response/response.csv", auth=other).status_code == 404
    listed = client.get("/api/v1/batches", auth=other).json()
    assert bid not in {b["batch_id"] for b in listed}
    assert _demo_batch_id(ws) in {b["batch_id"] for b in listed}
    mine = client.get("/api/v1/batches", auth=factories.signed(keys["ice-director"])).json()
    assert {b["requester_id"] for b in mine} == {"ice-director"}


def test_nobody_files_a_batch_signed_by_another_requester(ice_batch: Path, client: TestClient,
                                                         keys: dict[str, KeyPair]) -> None:
    r = client.post("/api/v1/batches", files=factories.batch_parts(ice_batch),
                    auth=factories.signed(keys["dhs-secretary"]))
    assert r.status_code == 403
    assert "submit your own batches with your own key" in r.json()["detail"]


def test_a_tampered_records_file_is_refused_with_its_code(ws: Path, keys: dict[str, KeyPair],
                                                          client: TestClient, tmp_path: Path) -> None:
    out = tmp_path / "tampered"
    write_batch(out, ws / "data" / "master.parquet", 10, seed=5, agreement=Workspace(ws).agreement(),
                sign_with=keys["ice-director"])
    parts = factories.batch_parts(out)
    name, content, ctype = parts["records"]
    parts["records"] = (name, content.replace(b"\n", b"\r\n", 1) + b"", ctype)
    r = client.post("/api/v1/batches", files=parts, auth=factories.signed(keys["ice-director"]))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "BATCH_DIGEST_MISMATCH"
    assert r.json()["type"] == "/problems/batch-refused"


def test_an_upload_without_its_parts_is_bad_input(client: TestClient, keys: dict[str, KeyPair]) -> None:
    r = client.post("/api/v1/batches", files={"manifest": ("manifest.json", b"{}", "application/json")},
                    auth=factories.signed(keys["ice-director"]))
    assert r.status_code == 400
    assert "missing file part 'signature'" in r.json()["detail"]


def test_staff_see_all_batches_with_counts(submitted: dict[str, Any], client: TestClient, ws: Path) -> None:
    login(client, "disclosure_officer")
    listed = client.get("/api/v1/staff/batches").json()
    assert {submitted["batch_id"], _demo_batch_id(ws)} <= {b["batch_id"] for b in listed}
    detail = client.get(f"/api/v1/staff/batches/{submitted['batch_id']}").json()
    assert sum(b["count"] for b in detail["probability_histogram"]) >= 0
    assert detail["answers"] == submitted["answers"]
    assert client.get("/api/v1/staff/batches/B-none").status_code == 404
