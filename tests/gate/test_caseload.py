"""Officer caseload: counted across batches within the window, by a normalised identity.

The two findings (cap 200): two batches of 150 for one officer, and one batch
of 300 split between "Pat Z. Split" and "Split, Pat Z.", were never flagged.
The history-backed cases run on the in-memory history and on the store
(SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest

from disclosure_gateway.agreement import Agreement
from disclosure_gateway.gate import InMemoryHistory, RequestHistory, check_records
from disclosure_gateway.gate.rules import GateResult
from disclosure_gateway.store.engine import Store
from disclosure_gateway.store.history import StoreHistory, record_history

from .factories import REQUEST_DATE, agreement, frame, record

CODE = "OFFICER_CASELOAD_IMPLAUSIBLE"
KEY = b"test-ledger-secret"


def claims(first: int, n: int, officer: str | list[str], **fields: str) -> list[dict[str, str]]:
    """``n`` requests, each a different person in a different case, naming ``officer``
    (or the spellings in turn)."""
    names = [officer] if isinstance(officer, str) else officer
    return [record(i, investigating_officer=names[i % len(names)], case_number=f"HSI-2025-{i:06d}",
                   first_name="Luz", last_name=f"Ortiz{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}",
                   **fields)
            for i in range(first, first + n)]


def flagged(r: GateResult) -> list[bool]:
    return [CODE in r.reasons(i) for i in range(len(r))]


Runner = Callable[[list[dict[str, str]], Agreement, date], GateResult]


@contextmanager
def memory_runner() -> Iterator[Runner]:
    history = InMemoryHistory()

    def run(recs: list[dict[str, str]], agr: Agreement, day: date) -> GateResult:
        r = check_records(frame(recs), agr, request_date=day, history=history, workers=1,
                          hash_key=KEY)
        history.record(r.history_entries(), on=day)
        return r

    yield run


def store_runner(store: Store) -> Runner:
    batches = iter(range(1, 1000))

    def run(recs: list[dict[str, str]], agr: Agreement, day: date) -> GateResult:
        with store.reader() as s:
            hist: RequestHistory = StoreHistory(s)
            r = check_records(frame(recs), agr, request_date=day, history=hist, workers=1,
                              hash_key=KEY)
        with store.transaction() as s:
            record_history(s, batch_id=f"B{next(batches)}", on=day, entries=r.history_entries())
        return r

    return run


# --- who is one officer ------------------------------------------------------------------

SAME_OFFICER = [
    "Pat Z. Split",
    "Split, Pat Z.",
    "SPLIT, PAT",
    "pat   split",
    "Special Agent Pat Z. Split",
    "SA Pat Split",
    "Pat Zachary Split",
    "Pat Z. Split, Jr.",
    "Split Jr., Pat Z.",
    "P\u0430t Spl\u0456t",  # Cyrillic а and і
    "Pát Split",
]


@pytest.mark.parametrize("written", SAME_OFFICER)
def test_one_officer_however_the_name_is_written(written: str) -> None:
    from disclosure_gateway.gate.caseload import OfficerName, officer_name

    assert officer_name(written) == OfficerName("SPLIT", "P", "PAT")


def test_initials_and_family_names_alone_are_kept_apart_from_full_names() -> None:
    from disclosure_gateway.gate.caseload import OfficerName, officer_name

    assert officer_name("P. Z. Split") == OfficerName("SPLIT", "P", "")
    assert officer_name("Split, P.") == OfficerName("SPLIT", "P", "")
    assert officer_name("Agent Split") == OfficerName("SPLIT", "", "")
    assert officer_name("Peter Split") == OfficerName("SPLIT", "P", "PETER")
    assert officer_name(" -- ") is None


# --- the findings --------------------------------------------------------------------------


def test_finding_two_batches_of_150_for_one_officer_are_flagged(reference: Agreement) -> None:
    with memory_runner() as run:
        first = run(claims(1, 150, "Pat Z. Split"), reference, REQUEST_DATE)
        second = run(claims(151, 150, "Pat Z. Split"), reference, REQUEST_DATE + timedelta(days=30))
    assert not any(flagged(first))  # 150 is within the cap of 200
    assert all(flagged(second))
    assert second.detail(0)[CODE] == {"claimed": 300, "cap": 200, "window_days": 365}


def test_finding_300_split_between_two_spellings_are_flagged(reference: Agreement) -> None:
    recs = claims(1, 300, ["Pat Z. Split", "Split, Pat Z."])
    r = check_records(frame(recs), reference, request_date=REQUEST_DATE, workers=1)
    assert all(flagged(r))
    assert {r.detail(i)[CODE]["claimed"] for i in range(len(r))} == {300}
    (load,) = r.summary().officers_over_cap
    # named as first written in the batch
    assert (load.officer, load.claimed, load.records) == (recs[0]["investigating_officer"], 300, 300)


def test_finding_across_batches_on_the_store(store: Store, reference: Agreement) -> None:
    run = store_runner(store)
    first = run(claims(1, 150, "Pat Z. Split"), reference, REQUEST_DATE)
    second = run(claims(151, 150, "Split, Pat"), reference, REQUEST_DATE + timedelta(days=30))
    assert not any(flagged(first)) and all(flagged(second))
    assert second.detail(0)[CODE]["claimed"] == 300


# --- what must not be flagged, and the edges (small cap, same rules) ------------------------

CAP3 = {"eligibility": {"max_open_investigations_per_officer": 3,
                        "officer_caseload_window_days": 30}}


def test_window_resubmission_and_namesakes_in_memory() -> None:
    with memory_runner() as run:
        scenario(run, agreement(**CAP3))


def test_window_resubmission_and_namesakes_on_the_store(store: Store) -> None:
    scenario(store_runner(store), agreement(**CAP3))


def scenario(run: Runner, agr: Agreement) -> None:
    day = REQUEST_DATE
    assert not any(flagged(run(claims(1, 2, "Pat Split"), agr, day)))
    # the same two requests sent again (same officer, case and person): still two claims
    assert not any(flagged(run(claims(1, 2, "Split, Pat"), agr, day + timedelta(days=1))))
    # a namesake who shares the initial but not the given name is another officer
    assert not any(flagged(run(claims(10, 3, "Peter Split"), agr, day + timedelta(days=2))))
    # a third claim of Pat's: 3, at the cap
    assert not any(flagged(run(claims(3, 1, "Pat Split"), agr, day + timedelta(days=3))))
    # a fourth, by initial only: could be Pat (4 > 3) or Peter (4 > 3): flagged
    r = run(claims(20, 1, "P. Split"), agr, day + timedelta(days=4))
    assert flagged(r) == [True] and r.detail(0)[CODE]["claimed"] == 4
    # once the window has passed, the old claims no longer count
    assert not any(flagged(run(claims(30, 3, "Pat Split"), agr, day + timedelta(days=40))))


def test_a_claim_by_initial_counts_against_the_full_name(reference: Agreement) -> None:
    agr = agreement(**CAP3)
    recs = claims(1, 2, "Pat Split") + claims(5, 2, "P. Split") + claims(9, 3, "Lee Park")
    r = check_records(frame(recs), agr, request_date=REQUEST_DATE, workers=1)
    assert flagged(r) == [True] * 4 + [False] * 3
    assert [int(c) for c in r.claimed] == [4, 4, 4, 4, 3, 3, 3]


def test_duplicates_in_a_batch_are_one_claim(reference: Agreement) -> None:
    agr = agreement(**CAP3)
    recs = claims(1, 3, "Pat Split")
    recs.append(dict(recs[0], request_id="R-again"))
    r = check_records(frame(recs), agr, request_date=REQUEST_DATE, workers=1)
    assert not any(flagged(r))
    assert "DUPLICATE_IN_BATCH" in r.reasons(3)


def test_history_holds_only_keyed_digests_of_officers(reference: Agreement) -> None:
    r = check_records(frame(claims(1, 2, "Pat Z. Split")), reference, request_date=REQUEST_DATE,
                      workers=1, hash_key=KEY)
    entries = r.history_entries().officer_claims
    assert len(entries) == 2
    text = repr(entries)
    for value in ("SPLIT", "Split", "PAT", "HSI", "ORTIZ"):
        assert value not in text
    assert all(len(g) == 32 and len(v) == 64 for g, v in entries)


def test_summary_and_message_report_the_number_claimed(reference: Agreement) -> None:
    from disclosure_gateway.gate.reasons import describe

    agr = agreement(**CAP3)
    r = check_records(frame(claims(1, 5, "Pat Split")), agr, request_date=REQUEST_DATE, workers=1)
    text = describe(CODE, r.detail(0)[CODE])
    assert text.endswith("(claimed: 5; cap: 3; window_days: 30)")
