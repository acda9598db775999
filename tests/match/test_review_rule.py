"""The review rule: one or two agreeing reviewers; a disagreement stays open."""

from __future__ import annotations

import pytest

from disclosure_gateway.decide import (
    Outcome,
    ReviewDecision,
    ReviewState,
    review_status,
)

M, X = Outcome.MATCH, Outcome.NO_MATCH


def rd(*pairs: tuple[str, Outcome]) -> list[ReviewDecision]:
    return [ReviewDecision(who, verdict) for who, verdict in pairs]


def test_one_reviewer_required_resolves_on_first_decision() -> None:
    s = review_status(rd(("alice", X)), 1)
    assert (s.state, s.outcome, s.needed) == (ReviewState.RESOLVED, X, 0)


def test_nothing_decided_is_awaiting() -> None:
    s = review_status([], 2)
    assert (s.state, s.outcome, s.needed) == (ReviewState.AWAITING, None, 2)


def test_two_required_waits_for_the_second() -> None:
    s = review_status(rd(("alice", M)), 2)
    assert (s.state, s.outcome, s.needed) == (ReviewState.AWAITING, None, 1)


def test_two_agreeing_reviewers_resolve() -> None:
    s = review_status(rd(("alice", M), ("bob", M)), 2)
    assert (s.state, s.outcome, s.reviewers) == (ReviewState.RESOLVED, M, ("alice", "bob"))


def test_the_same_person_twice_is_one_reviewer() -> None:
    s = review_status(rd(("alice", M), ("Alice ", M), ("ALICE", M)), 2)
    assert s.state is ReviewState.AWAITING and s.needed == 1


def test_disagreement_stays_open() -> None:
    s = review_status(rd(("alice", M), ("bob", X)), 2)
    assert (s.state, s.outcome) == (ReviewState.DISAGREEMENT, None)


def test_disagreement_stays_open_even_when_a_third_agrees() -> None:
    s = review_status(rd(("alice", M), ("bob", X), ("carol", M)), 2)
    assert s.state is ReviewState.DISAGREEMENT


def test_disagreement_blocks_a_single_reviewer_rule_too() -> None:
    assert review_status(rd(("alice", M), ("bob", X)), 1).state is ReviewState.DISAGREEMENT


def test_a_reviewer_changing_their_mind_counts_once_latest() -> None:
    s = review_status(rd(("alice", M), ("bob", X), ("bob", M)), 2)
    assert (s.state, s.outcome) == (ReviewState.RESOLVED, M)


@pytest.mark.parametrize("bad", ["", "   "])
def test_reviewer_name_required(bad: str) -> None:
    with pytest.raises(ValueError, match="reviewer name"):
        review_status(rd((bad, M)), 1)


def test_review_is_not_a_verdict() -> None:
    with pytest.raises(ValueError, match="match or no_match"):
        review_status(rd(("alice", Outcome.REVIEW)), 1)


def test_required_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        review_status([], 0)
