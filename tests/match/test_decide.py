"""The decision rule's edges: thresholds, ties, the three alternatives, TIN slips,
and answering instead of queueing where no reviewer could change the answer."""

from __future__ import annotations

import math

import pytest

from disclosure_gateway.agreement import Matching
from disclosure_gateway.decide import (
    Candidate,
    Outcome,
    Tin,
    decide,
    required_bits,
    suffix_conflict,
    tin_agreement,
)

T = Matching(auto_threshold=0.99, review_threshold=0.5, min_weight_margin=6.0)
NEED = math.log2(0.99 / 0.01)  # 6.63 bits


def cand(p: float = 0.999, w: float = 20.0, *, household: float = 20.0, namesake: float = 20.0,
         person: bool = True, tin: Tin = Tin.ABSENT, exact: bool = True, suffix: bool = False,
         confirmable: bool = True, held: bool = True) -> Candidate:
    return Candidate(p, w, household, namesake, person, tin, exact, suffix, confirmable, held)


def test_required_bits_are_the_auto_thresholds_log_odds() -> None:
    assert required_bits(T) == pytest.approx(NEED)
    assert required_bits(Matching(auto_threshold=0.999, review_threshold=0.5)) == pytest.approx(
        math.log2(999))


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


@pytest.mark.parametrize(
    ("household", "namesake", "outcome", "reasons"),
    [
        (NEED, NEED, Outcome.MATCH, ("AUTO_MATCH",)),  # exactly the required bits: enough
        (NEED - 0.001, 30.0, Outcome.REVIEW, ("HOUSEHOLD_DOUBT",)),
        (30.0, NEED - 0.001, Outcome.REVIEW, ("NAMESAKE_DOUBT",)),
        (0.0, 0.0, Outcome.REVIEW, ("HOUSEHOLD_DOUBT", "NAMESAKE_DOUBT")),
    ],
)
def test_each_alternative_must_be_beaten_by_the_required_bits(
        household: float, namesake: float, outcome: Outcome, reasons: tuple[str, ...]) -> None:
    d = decide(cand(household=household, namesake=namesake), None, T)
    assert (d.outcome, d.reasons) == (outcome, reasons)


def test_without_a_held_address_a_namesake_must_also_be_beaten_by_the_runner_up_margin() -> None:
    assert decide(cand(namesake=NEED + 1), None, T).outcome is Outcome.MATCH
    d = decide(cand(namesake=NEED + 1, held=False), None, T)
    assert d.reasons == ("NAMESAKE_DOUBT",)
    assert decide(cand(namesake=NEED + 6.0, held=False), None, T).outcome is Outcome.MATCH


def test_a_stricter_auto_threshold_asks_more_of_every_alternative() -> None:
    strict = Matching(auto_threshold=0.9999, review_threshold=0.5)
    d = decide(cand(p=0.99999, household=10.0, namesake=30.0), None, strict)
    assert d.reasons == ("HOUSEHOLD_DOUBT",)  # 10 bits: enough at 0.99, not at 0.9999


def test_nothing_personal_agrees_is_no_match_not_review() -> None:
    d = decide(cand(person=False, household=-12.0), None, T)
    assert (d.outcome, d.reasons) == (Outcome.NO_MATCH, ("NO_PERSON_EVIDENCE",))


@pytest.mark.parametrize(
    ("tin", "exact", "outcome"),
    [
        (Tin.SLIP, True, Outcome.MATCH),     # a slip beside exact name and birth date: evidence
        (Tin.SLIP, False, Outcome.REVIEW),   # otherwise a contradiction for a person
        (Tin.CONFLICTS, False, Outcome.MATCH),  # another TIN is weighed (in the bits), not vetoed
        (Tin.AGREES, False, Outcome.MATCH),
    ],
)
def test_tin_slips(tin: Tin, exact: bool, outcome: Outcome) -> None:
    d = decide(cand(tin=tin, exact=exact), None, T)
    assert d.outcome is outcome
    if outcome is Outcome.REVIEW:
        assert d.reasons == ("TIN_CONFLICT",)


def test_suffix_conflict_goes_to_review() -> None:
    d = decide(cand(suffix=True), None, T)
    assert d.outcome is Outcome.REVIEW and d.reasons == ("SUFFIX_CONFLICT",)


def test_every_failed_condition_is_reported() -> None:
    d = decide(cand(p=0.9, w=3.0, household=1.0, namesake=2.0, tin=Tin.SLIP, exact=False), 1.0, T)
    assert d.reasons == ("BELOW_AUTO_THRESHOLD", "NEAR_TIE", "TIN_CONFLICT", "HOUSEHOLD_DOUBT",
                         "NAMESAKE_DOUBT")


def test_doubt_no_reviewer_could_turn_into_a_confirmation_is_answered_not_queued() -> None:
    doubt = cand(household=2.0, confirmable=False)
    d = decide(doubt, None, T)
    # NOT_CONFIRMED whichever candidate it is: answered now, the doubt recorded
    assert (d.outcome, d.reasons) == (Outcome.NO_MATCH, ("NOT_CONFIRMABLE", "HOUSEHOLD_DOUBT"))
    # where the answer could be the address itself, a person must look
    d = decide(doubt, None, T, mode="last_known_address")
    assert (d.outcome, d.reasons) == (Outcome.REVIEW, ("HOUSEHOLD_DOUBT",))
    # a review that could end in a confirmation is queued
    assert decide(cand(household=2.0), None, T).outcome is Outcome.REVIEW
    # and a clear match is a match whatever the address
    assert decide(cand(confirmable=False), None, T).outcome is Outcome.MATCH


@pytest.mark.parametrize(
    ("req", "cand_tin", "slip", "state"),
    [(None, "123456789", False, Tin.ABSENT), ("", "123456789", False, Tin.ABSENT),
     ("123456789", "123456789", False, Tin.AGREES), ("123456780", "123456789", True, Tin.SLIP),
     ("987654321", "123456789", False, Tin.CONFLICTS)],
)
def test_tin_agreement(req: str | None, cand_tin: str, slip: bool, state: Tin) -> None:
    assert tin_agreement(req, cand_tin, slip=slip) is state


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [("JR", "SR", True), ("JR", "JR", False), ("JR", None, False), (None, "SR", False)],
)
def test_suffix_conflict(a: str | None, b: str | None, conflict: bool) -> None:
    assert suffix_conflict(a, b) is conflict
