"""A birth date is evidence, not a condition of the request (unless the agreement says so).

A missing, malformed or implausible birth date is a *note* on an eligible
record, which goes on to matching with an empty birth date; with
``require_birth_date`` the same codes refuse. The last tests run the gate
stage of the pipeline on a real store (SQLite and PostgreSQL) to check where
the note is carried and what the matcher receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from disclosure_gateway.agreement import Agreement
from disclosure_gateway.gate import check_records

from .factories import REQUEST_DATE, agreement, frame, record

UNUSABLE = {"": "DOB_MISSING", "1985-02-30": "DOB_MALFORMED", "03/02/85": "DOB_MALFORMED",
            "yesterday": "DOB_MALFORMED", "2030-01-01": "DOB_IMPLAUSIBLE",
            "1899-12-31": "DOB_IMPLAUSIBLE", "1880-01-01": "DOB_IMPLAUSIBLE"}
REQUIRED = {"eligibility": {"require_birth_date": True}}


def test_an_unusable_birth_date_does_not_refuse_by_default(reference: Agreement) -> None:
    recs = [record(i + 2, dob=d) for i, d in enumerate(UNUSABLE)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert [r.reasons(i) for i in range(len(recs))] == [()] * len(recs)
    assert r.accepted.all()


def test_it_is_reported_as_a_note(reference: Agreement) -> None:
    recs = [record(i + 2, dob=d) for i, d in enumerate(UNUSABLE)] + [record(20)]
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert [r.notes(i) for i in range(len(recs))] == [(c,) for c in UNUSABLE.values()] + [()]
    assert [codes for _rid, codes in r.recorded_codes()] == [r.notes(i) for i in range(len(recs))]
    assert r.summary().by_note == {"DOB_MISSING": 1, "DOB_MALFORMED": 3, "DOB_IMPLAUSIBLE": 3}
    assert r.summary().refused == 0


def test_the_agreement_can_require_a_birth_date() -> None:
    agr = agreement(**REQUIRED)
    recs = [record(i + 2, dob=d) for i, d in enumerate(UNUSABLE)] + [record(20)]
    r = check_records(frame(recs), agr, request_date=REQUEST_DATE, workers=1)
    assert [r.reasons(i) for i in range(len(recs))] == [(c,) for c in UNUSABLE.values()] + [()]
    assert [r.notes(i) for i in range(len(recs))] == [()] * len(recs)
    assert agr.eligibility.require_birth_date and not agreement().eligibility.require_birth_date


def test_the_matcher_gets_an_empty_birth_date_never_the_unusable_text(reference: Agreement) -> None:
    dobs = [*UNUSABLE, "1985-03-02", "03/02/1985"]
    df = frame([record(i + 2, dob=d) for i, d in enumerate(dobs)])
    r = check_records(df, reference, request_date=REQUEST_DATE, workers=1)
    out = r.for_matching(df)
    assert out["dob"].tolist() == [""] * len(UNUSABLE) + ["1985-03-02", "03/02/1985"]
    assert out.drop(columns="dob").equals(df.drop(columns="dob"))
    assert df["dob"].tolist() == dobs  # the input is not changed


def test_an_unusable_birth_date_counts_as_none_in_identity_keys(reference: Agreement) -> None:
    # the same person at the same house, once with an impossible date and once without:
    # to matching both are "no birth date", so they are one request subject
    one = record(2, dob="2030-01-01")
    two = record(3, dob="", address_line1=one["address_line1"])
    r = check_records(frame([one, two]), reference, request_date=REQUEST_DATE, workers=1)
    assert r.reasons(1) == ("DUPLICATE_IN_BATCH",)


# --- through the pipeline's gate stage, on a real store ------------------------------------


@pytest.fixture
def bare(tmp_path: Path, db_url: str) -> Iterator[object]:
    from disclosure_gateway.provisioning import install_reference_for_demo
    from disclosure_gateway.services.context import open_context
    from disclosure_gateway.workspace import Workspace

    ws = Workspace(tmp_path / "bare")
    ws.create()
    install_reference_for_demo(ws, db_url)
    with open_context(ws.root, db_url) as ctx:
        yield ctx


def test_notes_and_details_are_kept_with_the_requests(bare: object) -> None:
    from disclosure_gateway.ledger.events import EventType
    from disclosure_gateway.pipeline import gate_and_store, match_and_decide
    from disclosure_gateway.services.context import Context
    from disclosure_gateway.store import batches as store_batches
    from disclosure_gateway.store import requests as store_requests

    ctx = bare
    assert isinstance(ctx, Context)
    now = datetime(2025, 10, 1, 12, tzinfo=UTC)
    recs = [record(2, dob="1985-02-30"), record(3),
            record(4, address_line1="1 Elm St " + "z" * 10_000)]
    gate_and_store(ctx, frame(recs), batch_id="B-DOB", requester_id="ice-director",
                   requester_key_id="0" * 16, created=now, batch_date=now.date(),
                   records_sha256="0" * 64, manifest=None, now=now, workers=1)
    with ctx.store.reader() as s:
        rows = {r.request_id: r for r in store_requests.iter_requests(s, batch_id="B-DOB")}
    noted, plain, long_one = (rows[rec["request_id"]] for rec in recs)
    assert (noted.status, list(noted.reason_codes), noted.dob) == ("eligible", ["DOB_MALFORMED"], None)
    assert (plain.status, list(plain.reason_codes), plain.dob) == ("eligible", [], recs[1]["dob"])
    assert (long_one.status, list(long_one.reason_codes)) == ("refused", ["FIELD_TOO_LONG"])
    (leaf,) = ctx.ledger.leaves(0, 50, type=EventType.RECORD_REFUSED)
    assert leaf.event.payload["detail"] == {"FIELD_TOO_LONG": {"fields": ["address_line1"]}}

    seen: list[pd.DataFrame] = []

    def capture(_ws: object, frame_: pd.DataFrame) -> pd.DataFrame:
        seen.append(frame_.copy())
        return pd.DataFrame(columns=["request_id"])

    with ctx.store.reader() as s:
        batch = store_batches.require_batch(s, batch_id="B-DOB")
        s.expunge(batch)
    match_and_decide(ctx, batch, now=now, matcher=capture)
    (given,) = seen
    assert dict(zip(given["request_id"], given["dob"], strict=True)) == {
        recs[0]["request_id"]: "", recs[1]["request_id"]: recs[1]["dob"]}
