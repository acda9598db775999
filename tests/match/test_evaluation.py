"""The evaluation's arithmetic on a tiny hand-made truth, and the 2025 baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from disclosure_gateway.evaluation import (
    baseline_address_passes,
    baseline_outcomes,
    score,
    side_by_side,
)
from disclosure_gateway.match.master_index import open_master

from .conftest import MasterFactory, master_row

TRUTH = pd.DataFrame(
    [
        # request_id, true_tin, address_is_last_known, corruptions, defects
        ("R1", "A", True, [], []),
        ("R2", "B", False, ["moved"], []),
        ("R3", None, False, ["absent"], []),
        ("R4", None, False, ["absent"], []),
        ("R5", "D", True, ["typo"], []),
        ("R6", "E", True, ["nickname"], []),
        ("R7", "G", True, [], ["order_not_final"]),
        ("R8", "H", True, ["typo", "nickname"], []),
    ],
    columns=["request_id", "true_tin", "address_is_last_known", "corruptions", "defects"],
)

OURS = pd.DataFrame(
    [
        ("R1", "A", "match", "same"),       # right, confirmed
        ("R2", "B", "match", "differs"),    # right person, old address: not confirmed
        ("R3", None, "no_match", "unknown"),
        ("R4", "C", "match", "same"),       # an absent person matched: wrongful both ways
        ("R5", "D", "review", "same"),      # to a person
        ("R6", "F", "match", "same"),       # the wrong taxpayer
        ("R7", "G", "match", "same"),       # a defective request answered
        # R8 has no outcome row at all: counts as no match
    ],
    columns=["request_id", "tin", "outcome", "address_result"],
)


def test_overall_counts() -> None:
    c = score(OURS, TRUTH).overall
    assert (c.requests, c.matchable, c.absent) == (7, 5, 2)
    assert (c.matches, c.correct_matches, c.wrongful_matches, c.missed_matches) == (4, 2, 2, 3)
    assert (c.to_review, c.review_of_matchable) == (1, 1)
    assert (c.confirmations, c.correct_confirmations, c.wrongful_confirmations) == (3, 1, 2)
    assert (c.confirmable, c.missed_confirmations) == (4, 3)


def test_ratios() -> None:
    c = score(OURS, TRUTH).overall
    assert c.precision == pytest.approx(0.5)
    assert c.recall == pytest.approx(0.4)
    assert c.f1 == pytest.approx(2 * 0.5 * 0.4 / 0.9)
    assert c.review_share == pytest.approx(1 / 7)
    assert c.confirmation_precision == pytest.approx(1 / 3)
    assert c.confirmation_recall == pytest.approx(1 / 4)


def test_defective_requests_are_counted_apart() -> None:
    card = score(OURS, TRUTH)
    assert (card.defective, card.defective_disclosures) == (1, 1)


def test_by_kind() -> None:
    k = score(OURS, TRUTH).by_kind
    assert set(k) == {"none", "moved", "absent", "typo", "nickname"}
    assert (k["typo"].requests, k["typo"].matchable, k["typo"].to_review) == (2, 2, 1)
    assert (k["nickname"].wrongful_matches, k["nickname"].missed_matches) == (1, 2)
    assert k["none"].requests == 1  # R7 is defective, so only R1
    assert k["moved"].recall == 1.0 and k["moved"].wrongful_confirmations == 0


def test_empty_denominators_are_none() -> None:
    only_absent = TRUTH[TRUTH.request_id == "R3"]
    c = score(OURS, only_absent).overall
    assert c.precision is None and c.recall is None and c.f1 is None


def test_side_by_side_has_both_columns() -> None:
    rows = side_by_side(score(OURS, TRUTH), score(OURS, TRUTH))
    assert rows[0] == ("requests (no legal defect)", "7", "7")
    assert ("wrongful confirmations", "2", "2") in rows


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="address_result"):
        score(OURS.drop(columns=["address_result"]), TRUTH)


@pytest.mark.parametrize(
    ("parts", "passes"),
    [
        (("Don't Care 12345",), True),   # the court's example passes the 2025 check
        (("Unknown Address",), False),
        (("123 Main St", "Springfield", "IL", "62704-1234"), True),
        (("123 Main St",), False),
        (("123456 Main",), False),
        (("NA NA", None, "123456789"), True),
    ],
)
def test_baseline_address_check(parts: tuple[str | None, ...], passes: bool) -> None:
    assert baseline_address_passes(*parts) is passes


def test_baseline_outcomes(make_master: MasterFactory) -> None:
    master = make_master([
        master_row("111111111", "JOSE", "GARCIA", "1980-01-01", "1 MAIN ST", "62704"),
        master_row("222222222", "ANNA", "SMITH", "1970-01-01", "2 OAK AVE", "62704"),
        master_row("333333333", "JOHN", "DOE", "1960-01-01", "3 ELM ST", "62704"),
        master_row("444444444", "JOHN", "DOE", "1990-01-01", "4 ELM ST", "62704"),
    ])
    requests = pd.DataFrame([
        # TIN route: the address is never compared, a 5-digit number is enough
        {"request_id": "a", "tin": "111-11-1111", "first_name": "X", "last_name": "Y",
         "address_line1": "Don't Care 12345", "address_line2": None, "city": None,
         "state": None, "zip": None},
        {"request_id": "b", "tin": None, "first_name": "anna ", "last_name": "Smith",
         "address_line1": "99 Nowhere Rd", "address_line2": None, "city": "X", "state": "IL",
         "zip": "62704"},
        # accents are not folded in 2025: no match
        {"request_id": "c", "tin": None, "first_name": "José", "last_name": "García",
         "address_line1": "1 Main St", "address_line2": None, "city": None, "state": None,
         "zip": "62704"},
        # two taxpayers with this name and ZIP: ambiguous, no match
        {"request_id": "d", "tin": None, "first_name": "John", "last_name": "Doe",
         "address_line1": "3 Elm St", "address_line2": None, "city": None, "state": None,
         "zip": "62704"},
        {"request_id": "e", "tin": "999999999", "first_name": "Anna", "last_name": "Smith",
         "address_line1": "2 Oak Ave", "address_line2": None, "city": None, "state": None,
         "zip": "62704"},
        # a match, but no 5- or 9-digit number anywhere: nothing released
        {"request_id": "f", "tin": "222222222", "first_name": "Anna", "last_name": "Smith",
         "address_line1": "Unknown", "address_line2": None, "city": None, "state": None,
         "zip": None},
    ])
    con, _ = open_master(master)
    con.register("req", requests)
    got = baseline_outcomes(con, "req").set_index("request_id")
    con.close()
    assert got.loc["a", "tin"] == "111111111" and got.loc["a", "address_result"] == "same"
    assert got.loc["b", "tin"] == "222222222" and got.loc["b", "outcome"] == "match"
    assert got.loc["c", "outcome"] == "no_match"
    assert got.loc["d", "outcome"] == "no_match"
    assert got.loc["e", "outcome"] == "no_match"
    assert got.loc["f", "outcome"] == "match" and got.loc["f", "address_result"] == "unknown"
