"""Answer codes: confirm mode collapses every negative; nothing leaks by mode."""

from __future__ import annotations

import pytest

from disclosure_gateway.respond import AnswerCode, answer_for

ADDR = {"address_line1": "12 MAIN ST", "address_line2": "", "city": "AUSTIN", "state": "TX", "zip": "78701"}


@pytest.mark.parametrize(
    ("outcome", "address_result", "expected"),
    [
        ("match", "same", AnswerCode.CONFIRMED),
        ("match", "differs", AnswerCode.NOT_CONFIRMED),
        ("match", "unknown", AnswerCode.NOT_CONFIRMED),
        ("no_match", None, AnswerCode.NOT_CONFIRMED),
        ("no_match", "same", AnswerCode.NOT_CONFIRMED),
        ("review", "same", AnswerCode.PENDING_REVIEW),
    ],
)
def test_confirm_mode(outcome: str, address_result: str | None, expected: AnswerCode) -> None:
    a = answer_for(
        mode="confirm_address", outcome=outcome, address_result=address_result, last_known_address=ADDR
    )
    assert a.code is expected
    assert dict(a.disclosed) == {}


def test_rejected_carries_every_reason_once_and_nothing_else() -> None:
    a = answer_for(
        mode="last_known_address", refused_reasons=["B", "A", "B"], outcome="match", last_known_address=ADDR
    )
    assert a.code is AnswerCode.REJECTED
    assert a.reason_codes == ("A", "B")
    assert not a.discloses and dict(a.disclosed) == {}


def test_address_provided_only_in_last_known_mode() -> None:
    a = answer_for(
        mode="last_known_address", outcome="match", address_result="differs", last_known_address=ADDR
    )
    assert a.code is AnswerCode.ADDRESS_PROVIDED
    assert dict(a.disclosed) == ADDR
    assert a.discloses
    none = answer_for(mode="last_known_address", outcome="no_match", last_known_address=ADDR)
    assert none.code is AnswerCode.NOT_CONFIRMED and dict(none.disclosed) == {}


def test_accepted_record_without_outcome_is_an_error_not_an_answer() -> None:
    with pytest.raises(ValueError, match="needs a match outcome"):
        answer_for(mode="confirm_address")


def test_only_confirmed_and_address_provided_disclose() -> None:
    assert answer_for(mode="confirm_address", outcome="match", address_result="same").discloses
    assert not answer_for(mode="confirm_address", outcome="no_match").discloses
    assert not answer_for(mode="confirm_address", outcome="review").discloses
