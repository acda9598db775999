"""The guards on real scoring: household members, typos and namesakes."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.match import settings as S
from disclosure_gateway.match.evidence import level_case
from disclosure_gateway.match.model_store import StoredModel, model_hash, untrained_model
from disclosure_gateway.match.service import Matcher

from .conftest import MasterFactory, master_row


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("1980-05-13", "1980-05-13", "exact"),
        ("1980-05-13", "1980-13-05", "day and month transposed"),
        ("1980-05-13", "1980-05-14", "one part off by one"),
        ("1980-05-13", "1981-05-13", "one part off by one"),
        ("1980-05-13", "1980-04-13", "one part off by one"),
        ("1980-05-13", "1980-05-17", "two parts equal"),  # another day: not a slip by one
        ("1980-05-13", "1975-05-13", "two parts equal"),  # another year
        ("1953-10-18", "2007-10-18", "two parts equal"),  # parent and child, same day and month
        ("1953-10-18", "2007-11-19", "different"),
    ],
)
def test_birth_date_levels(left: str, right: str, level: str) -> None:
    dob = next(c for c in S.COMPARISONS if c["output_column_name"] == "dob")
    got = duckdb.sql(f"SELECT {level_case(dob)} FROM "
                     f"(SELECT '{left}' AS dob_l, '{right}' AS dob_r)")
    assert got.fetchall()[0][0] == level


@pytest.fixture
def household(make_master: MasterFactory) -> Matcher:
    master = make_master([
        master_row("111111111", "Donald", "Knight", "1975-06-01", "259 Park Ave", "32764"),
        master_row("222222222", "Mary", "Knight", "1977-02-03", "259 Park Ave", "32764"),
        master_row("333333333", "Ronald", "Smith", "1960-01-01", "1 Oak St", "10001"),
        master_row("444444444", "Luis", "Martinez", "1967-06-19", "715 Washington Ter", "77005",
                   city="HOUSTON", state="TX"),
    ])
    m = untrained_model(0.9 / 10_000_000)  # the prior of a national master file
    model = StoredModel(master / "prior.json", 0, m, model_hash(m), S.settings_hash(), {})
    return Matcher(master, model, Matching())


def _ask(matcher: Matcher, **fields: Any) -> dict[str, Any]:
    base = {"request_id": "q", "address_line1": "259 Park Ave", "zip": "32764",
            "dob": "1975-06-01", "last_name": "Knight"}
    return matcher.match_record(base | fields)


def test_a_typo_of_the_name_matches(household: Matcher) -> None:
    got = _ask(household, first_name="Donalf")
    assert (got["outcome"], got["tin"]) == ("match", "111111111")


def test_another_real_name_one_letter_away_is_not_matched(household: Matcher) -> None:
    # RONALD is a taxpayer's given name: someone else, perhaps a brother, not a typo.
    got = _ask(household, first_name="Ronald")
    assert got["outcome"] != "match"
    assert "HOUSEHOLD_DOUBT" in got["reasons"]


def test_a_household_member_not_in_the_master_is_no_match(household: Matcher) -> None:
    got = _ask(household, first_name="Peter", dob="1999-09-09")
    assert got["outcome"] == "no_match"
    assert got["reasons"] in ("NO_PERSON_EVIDENCE", "BELOW_REVIEW_THRESHOLD")


def test_same_name_and_birth_date_elsewhere_is_not_matched(household: Matcher) -> None:
    got = household.match_record({"request_id": "q", "first_name": "Luis",
                                  "last_name": "Martinez", "dob": "1967-06-19",
                                  "address_line1": "1235 Pine St", "zip": "77029",
                                  "city": "Houston", "state": "TX"})
    assert got["outcome"] != "match"
