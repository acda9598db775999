"""The decision rule's edges: thresholds, ties, TIN conflicts, the household guard."""

from __future__ import annotations

import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.decide import (
    Candidate,
    Evidence,
    Outcome,
    Tin,
    decide,
    suffix_conflict,
    tin_agreement,
)

T = Matching(auto_threshold=0.99, review_threshold=0.5, min_weight_margin=6.0)
S, W, N = Evidence.STRONG, Evidence.WEAK, Evidence.NONE


def cand(p: float = 0.999, w: float = 20.0, given: Evidence = S, dob: Evidence = S,
         tin: Tin = Tin.ABSENT, suffix: bool = False) -> Candidate:
    return Candidate(p, w, given, dob, tin, suffix)


def test_no_candidate_is_no_match() -> None:
    d = decide(None, None, T)
    assert (d.outcome, d.reasons) == (Outcome.NO_MATCH, ("NO_CANDIDATE",))


def test_clear_unopposed_match() -> None:
    d = decide(cand(), None, T)
    assert d.outcome is Outcome.MATCH and d.margin is None


@pytest.mark.parametrize(
    ("p", "outcome"),
    [(0.4999999, Outcome.NO_MATCH), (0.5, Outcome.REVIEW), (0.9899999, Outcome.REVIEW),
     (0.99, Outcome.MATCH), (1.0, Outcome.MATCH)],
)
def test_probability_threshold_edges(p: float, outcome: Outcome) -> None:
    assert decide(cand(p=p), None, T).outcome is outcome


@pytest.mark.parametrize(
    ("second", "outcome"),
    [(14.0, Outcome.MATCH),   # margin exactly 6.0: enough
     (14.001, Outcome.REVIEW),  # just short
     (20.0, Outcome.REVIEW)],  # a tie
)
def test_margin_edges(second: float, outcome: Outcome) -> None:
    d = decide(cand(w=20.0), second, T)
    assert d.outcome is outcome
    if outcome is Outcome.REVIEW:
        assert "NEAR_TIE" in d.reasons


def test_tie_below_review_threshold_is_no_match() -> None:
    assert decide(cand(p=0.3, w=-1.0), -1.0, T).outcome is Outcome.NO_MATCH


def test_tin_conflict_never_matches_automatically() -> None:
    d = decide(cand(p=1.0, w=60.0, tin=Tin.CONFLICTS), None, T)
    assert d.outcome is Outcome.REVIEW and d.reasons == ("TIN_CONFLICT",)


@pytest.mark.parametrize(
    ("given", "dob", "tin", "outcome", "reasons"),
    [
        (S, S, Tin.ABSENT, Outcome.MATCH, ("AUTO_MATCH",)),
        # a household member who is not in the master: nothing personal agrees
        (N, N, Tin.ABSENT, Outcome.NO_MATCH, ("NO_PERSON_EVIDENCE",)),
        # a twin (same birth date, other first name), or a badly garbled first name
        (N, S, Tin.ABSENT, Outcome.REVIEW, ("NO_GIVEN_NAME_EVIDENCE",)),
        # a JR/SR or a badly garbled birth date
        (S, N, Tin.ABSENT, Outcome.REVIEW, ("NO_BIRTH_DATE_EVIDENCE",)),
        # a one-letter typo in the first name with an exact birth date
        (W, S, Tin.ABSENT, Outcome.MATCH, ("AUTO_MATCH",)),
        # a transposed birth date with an exact first name
        (S, W, Tin.ABSENT, Outcome.MATCH, ("AUTO_MATCH",)),
        # both only approximate: not enough without a TIN ...
        (W, W, Tin.ABSENT, Outcome.REVIEW, ("NO_GIVEN_NAME_EVIDENCE", "NO_BIRTH_DATE_EVIDENCE")),
        # ... but an agreeing TIN backs them
        (W, W, Tin.AGREES, Outcome.MATCH, ("AUTO_MATCH",)),
        # an agreeing TIN alone is person evidence, yet not a first name
        (N, N, Tin.AGREES, Outcome.REVIEW, ("NO_GIVEN_NAME_EVIDENCE", "NO_BIRTH_DATE_EVIDENCE")),
    ],
)
def test_household_guard(given: Evidence, dob: Evidence, tin: Tin, outcome: Outcome,
                         reasons: tuple[str, ...]) -> None:
    d = decide(cand(p=0.99999, given=given, dob=dob, tin=tin), None, T)
    assert (d.outcome, d.reasons) == (outcome, reasons)


def test_suffix_conflict_goes_to_review() -> None:
    d = decide(cand(suffix=True), None, T)
    assert d.outcome is Outcome.REVIEW and d.reasons == ("SUFFIX_CONFLICT",)


def test_every_failed_condition_is_reported() -> None:
    d = decide(cand(p=0.9, w=3.0, given=N, dob=S, tin=Tin.CONFLICTS), 1.0, T)
    assert d.reasons == ("BELOW_AUTO_THRESHOLD", "NEAR_TIE", "TIN_CONFLICT",
                         "NO_GIVEN_NAME_EVIDENCE")


@pytest.mark.parametrize(
    ("req", "cand_tin", "state"),
    [(None, "123456789", Tin.ABSENT), ("", "123456789", Tin.ABSENT),
     ("123456789", "123456789", Tin.AGREES), ("123456780", "123456789", Tin.CONFLICTS)],
)
def test_tin_agreement(req: str | None, cand_tin: str, state: Tin) -> None:
    assert tin_agreement(req, cand_tin) is state


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [("JR", "SR", True), ("JR", "JR", False), ("JR", None, False), (None, "SR", False)],
)
def test_suffix_conflict(a: str | None, b: str | None, conflict: bool) -> None:
    assert suffix_conflict(a, b) is conflict


def test_namesake_guard_needs_a_held_address_or_the_tin() -> None:
    far = cand(p=0.999, given=S, dob=S)
    far = Candidate(far.match_probability, far.match_weight, S, S, Tin.ABSENT, False,
                    address_held=False)
    d = decide(far, None, T)
    assert (d.outcome, d.reasons) == (Outcome.REVIEW, ("NO_ADDRESS_EVIDENCE",))
    with_tin = Candidate(0.999, 20.0, S, S, Tin.AGREES, False, address_held=False)
    assert decide(with_tin, None, T).outcome is Outcome.MATCH
