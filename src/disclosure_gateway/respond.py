"""Answer codes: what may leave the gateway for one request record.

Pure logic. Under ``confirm_address`` only CONFIRMED or NOT_CONFIRMED leave for a
legally sufficient request: no match, an ambiguous match and an address that
differs are collapsed into NOT_CONFIRMED on purpose, so the requester cannot
learn whether the person is a taxpayer at all. ADDRESS_PROVIDED exists only in
``last_known_address`` mode. Doubt is held for a human (PENDING_REVIEW) and
never answered as a match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .agreement import DisclosureMode


class AnswerCode(StrEnum):
    REJECTED = "REJECTED"
    CONFIRMED = "CONFIRMED"
    NOT_CONFIRMED = "NOT_CONFIRMED"
    ADDRESS_PROVIDED = "ADDRESS_PROVIDED"
    PENDING_REVIEW = "PENDING_REVIEW"


#: answers that disclose something about a taxpayer and so enter the accounting
DISCLOSING = frozenset({AnswerCode.CONFIRMED, AnswerCode.ADDRESS_PROVIDED})

#: the response columns each mode allows, in order; nothing else is ever written
RESPONSE_COLUMNS: Mapping[DisclosureMode, tuple[str, ...]] = {
    "confirm_address": ("request_id", "answer", "reason_codes"),
    "last_known_address": (
        "request_id",
        "answer",
        "reason_codes",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "zip",
    ),
}


@dataclass(frozen=True)
class Answer:
    code: AnswerCode
    reason_codes: tuple[str, ...] = ()
    #: fields disclosed beyond the code itself (last_known_address mode only)
    disclosed: Mapping[str, str] = field(default_factory=dict)

    @property
    def discloses(self) -> bool:
        return self.code in DISCLOSING


def answer_for(
    *,
    mode: DisclosureMode,
    refused_reasons: tuple[str, ...] | list[str] = (),
    outcome: str | None = None,
    address_result: str | None = None,
    last_known_address: Mapping[str, str] | None = None,
) -> Answer:
    """The one path from a record's gate result and final match outcome to its answer.

    ``outcome`` is the final one (after any review): ``match``, ``review``
    (still open) or ``no_match``. ``address_result`` is ``same`` only when the
    submitted address equals the matched taxpayer's last known address.
    """
    if refused_reasons:
        return Answer(AnswerCode.REJECTED, tuple(sorted(set(refused_reasons))))
    if outcome is None:
        raise ValueError("an accepted record needs a match outcome before it is answered")
    if outcome == "review":
        return Answer(AnswerCode.PENDING_REVIEW)
    if outcome != "match":
        return Answer(AnswerCode.NOT_CONFIRMED)
    if mode == "last_known_address":
        if not last_known_address:
            # A match without an address on file answers nothing rather than guess.
            return Answer(AnswerCode.NOT_CONFIRMED)
        return Answer(AnswerCode.ADDRESS_PROVIDED, disclosed=dict(last_known_address))
    if address_result == "same":
        return Answer(AnswerCode.CONFIRMED)
    return Answer(AnswerCode.NOT_CONFIRMED)
