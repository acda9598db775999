"""The decision rule, the address confirmation and the review rule: pure functions.

Nothing here touches a database, a file or the linkage engine; the match
service hands in plain values and gets plain values back, so every edge of the
rule is tested directly.

**Decide** (``decide``). Automatic match only when *all* hold:

1. the best candidate's match probability is at least ``auto_threshold``;
2. it leads the runner-up by at least ``min_weight_margin`` bits of match weight
   (no runner-up: unopposed);
3. no TIN conflict: the request gives a TIN and the candidate's differs → never
   automatic (a one-digit slip goes to a person, not to the requester);
4. the household guard: first-name evidence *and* birth-date evidence. Wrong
   links in household data are almost all a household member who is not in the
   master file matched to one who is: surname and address agree and outweigh a
   wrong first name and birth date. Neither surname nor address may carry an
   automatic link. Exact agreement (or a known nickname) is evidence; an
   approximate one (one edit, transposed day/month, one part off by one) counts
   only when the other of the two agrees exactly or the TIN agrees — and an
   approximate first name only when the request's name is not itself another
   taxpayer's given name (DONALF is a typo of DONALD; RONALD is someone else);
5. the namesake guard: an agreeing TIN, or the request's address is one the
   master holds for the candidate (house number and street of the last known
   or an earlier address). At ten million taxpayers the same given name, surname
   and birth date occur by chance; name and birth date alone never link
   automatically;
6. no generational-suffix conflict (JR against SR at one address).

A best candidate at or above ``review_threshold`` that fails any of these goes to
clerical review, with the reasons — except one on which neither the given name,
the birth date nor the TIN agrees at all: it shares only household facts with
the request and is no match. Below ``review_threshold``, no match.

**Confirm the address** (``compare_address``). The submitted address against
the matched taxpayer's *last known* address, both normalised: strict on house
number, street name and unit (a missing unit against a held one differs);
tolerant of format (suffix and directionals need only agree where both are
given; ZIP+4 is already cut to ZIP5). Every record takes this path: an agreeing
name and TIN never replaces it.

**Review** (``review_status``). Each reviewer's latest decision counts. An item
is resolved when ``reviewers_required`` different reviewers agree and none
disagrees; a disagreement stays open until someone changes their decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    MATCH = "match"
    REVIEW = "review"
    NO_MATCH = "no_match"


class AddressResult(StrEnum):
    SAME = "same"
    DIFFERS = "differs"
    UNKNOWN = "unknown"


class Thresholds(Protocol):
    """What ``decide`` reads from the agreement (``agreement.Matching`` fits)."""

    @property
    def auto_threshold(self) -> float: ...
    @property
    def review_threshold(self) -> float: ...
    @property
    def min_weight_margin(self) -> float: ...


class Evidence(StrEnum):
    """How strongly one comparison speaks for *this person* (not the household)."""

    STRONG = "strong"  # exact (or a known nickname, or swapped fields)
    WEAK = "weak"      # approximate: one edit, transposed, one part off
    NONE = "none"


class Tin(StrEnum):
    AGREES = "agrees"      # the request's TIN is the candidate's
    CONFLICTS = "conflicts"  # the request gives a TIN and the candidate's differs
    ABSENT = "absent"      # the request gives no TIN


# Reason codes of a decision (stable identifiers, documented in docs/linkage.md).
NO_CANDIDATE = "NO_CANDIDATE"
BELOW_REVIEW_THRESHOLD = "BELOW_REVIEW_THRESHOLD"
NO_PERSON_EVIDENCE = "NO_PERSON_EVIDENCE"
BELOW_AUTO_THRESHOLD = "BELOW_AUTO_THRESHOLD"
NEAR_TIE = "NEAR_TIE"
TIN_CONFLICT = "TIN_CONFLICT"
NO_GIVEN_NAME_EVIDENCE = "NO_GIVEN_NAME_EVIDENCE"
NO_BIRTH_DATE_EVIDENCE = "NO_BIRTH_DATE_EVIDENCE"
NO_ADDRESS_EVIDENCE = "NO_ADDRESS_EVIDENCE"
SUFFIX_CONFLICT = "SUFFIX_CONFLICT"
AUTO_MATCH = "AUTO_MATCH"
NOT_CONFIRMABLE = "NOT_CONFIRMABLE"

DECISION_REASONS: dict[str, str] = {
    NO_CANDIDATE: "no master record shares a candidate key with the request",
    BELOW_REVIEW_THRESHOLD: "the best candidate's match probability is below the review threshold",
    NO_PERSON_EVIDENCE: "neither given name, birth date nor TIN agree: the candidate shares only "
                        "household facts (surname, address) with the request",
    BELOW_AUTO_THRESHOLD: "the best candidate's match probability is below the auto threshold",
    NEAR_TIE: "the best candidate does not lead the runner-up by the required margin",
    TIN_CONFLICT: "the request's TIN differs from the candidate's",
    NO_GIVEN_NAME_EVIDENCE: "the given names do not agree well enough (household guard)",
    NO_BIRTH_DATE_EVIDENCE: "the birth dates do not agree well enough (household guard)",
    NO_ADDRESS_EVIDENCE: "no agreeing TIN and the address is none the master holds for the "
                         "candidate: name and birth date alone (namesake guard)",
    SUFFIX_CONFLICT: "generational suffixes differ (JR/SR)",
    AUTO_MATCH: "every condition for an automatic match holds",
    NOT_CONFIRMABLE: "the identity is in doubt, but the address asked about is the last known "
                     "address of none of the candidates: NOT_CONFIRMED whichever of them it is, "
                     "so nothing is queued for review (confirm_address mode)",
}


@dataclass(frozen=True)
class Candidate:
    """The best candidate's scores and the facts the guards need."""

    match_probability: float
    match_weight: float
    given: Evidence
    dob: Evidence
    tin: Tin = Tin.ABSENT
    suffix_conflict: bool = False
    #: the request's house number and street are ones the master holds for the candidate
    address_held: bool = True


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[str, ...]
    margin: float | None  # match-weight lead over the runner-up; None when unopposed


def given_name_evidence(c: Candidate) -> bool:
    """Strong, or approximate backed by an exact birth date or an agreeing TIN."""
    return c.given is Evidence.STRONG or (
        c.given is Evidence.WEAK and (c.dob is Evidence.STRONG or c.tin is Tin.AGREES))


def birth_date_evidence(c: Candidate) -> bool:
    """Exact, or approximate backed by a strong given name or an agreeing TIN."""
    return c.dob is Evidence.STRONG or (
        c.dob is Evidence.WEAK and (c.given is Evidence.STRONG or c.tin is Tin.AGREES))


def decide(best: Candidate | None, second_weight: float | None, t: Thresholds) -> Decision:
    """The outcome for one request from its best candidate and the runner-up's weight."""
    if best is None:
        return Decision(Outcome.NO_MATCH, (NO_CANDIDATE,), None)
    margin = None if second_weight is None else best.match_weight - second_weight
    if best.match_probability < t.review_threshold:
        return Decision(Outcome.NO_MATCH, (BELOW_REVIEW_THRESHOLD,), margin)
    if best.given is Evidence.NONE and best.dob is Evidence.NONE and best.tin is not Tin.AGREES:
        # Nothing personal agrees: a household member of the person asked for.
        return Decision(Outcome.NO_MATCH, (NO_PERSON_EVIDENCE,), margin)
    held: list[str] = []
    if best.match_probability < t.auto_threshold:
        held.append(BELOW_AUTO_THRESHOLD)
    if margin is not None and margin < t.min_weight_margin:
        held.append(NEAR_TIE)
    if best.tin is Tin.CONFLICTS:
        held.append(TIN_CONFLICT)
    if not given_name_evidence(best):
        held.append(NO_GIVEN_NAME_EVIDENCE)
    if not birth_date_evidence(best):
        held.append(NO_BIRTH_DATE_EVIDENCE)
    if best.tin is not Tin.AGREES and not best.address_held:
        held.append(NO_ADDRESS_EVIDENCE)
    if best.suffix_conflict:
        held.append(SUFFIX_CONFLICT)
    if held:
        return Decision(Outcome.REVIEW, tuple(held), margin)
    return Decision(Outcome.MATCH, (AUTO_MATCH,), margin)


def tin_agreement(request_tin: str | None, candidate_tin: str | None) -> Tin:
    if not request_tin:
        return Tin.ABSENT
    return Tin.AGREES if request_tin == candidate_tin else Tin.CONFLICTS


def suffix_conflict(request_suffix: str | None, candidate_suffix: str | None) -> bool:
    return bool(request_suffix) and bool(candidate_suffix) and request_suffix != candidate_suffix


# --- address confirmation ----------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """A normalised address (``normalise.addresses.ParsedAddress`` has these fields)."""

    house: str | None
    street: str | None
    unit: str | None = None
    predir: str | None = None
    suffix: str | None = None
    postdir: str | None = None
    city: str | None = None
    state: str | None = None
    zip5: str | None = None


def _agree_if_both(a: str | None, b: str | None) -> bool:
    return not a or not b or a == b


def compare_address(submitted: Address, last_known: Address | None) -> AddressResult:
    """Is the submitted address the last known one? Strict on number, street, unit."""
    if last_known is None or not (submitted.house and submitted.street):
        return AddressResult.UNKNOWN
    if not (last_known.house and last_known.street):
        return AddressResult.UNKNOWN
    if submitted.house != last_known.house or submitted.street != last_known.street:
        return AddressResult.DIFFERS
    if (submitted.unit or None) != (last_known.unit or None):
        return AddressResult.DIFFERS
    for a, b in ((submitted.suffix, last_known.suffix), (submitted.predir, last_known.predir),
                 (submitted.postdir, last_known.postdir), (submitted.state, last_known.state)):
        if not _agree_if_both(a, b):
            return AddressResult.DIFFERS
    # Locality: the ZIPs agree, or (a ZIP missing) city and state both given and agree.
    if submitted.zip5 and last_known.zip5:
        return AddressResult.SAME if submitted.zip5 == last_known.zip5 else AddressResult.DIFFERS
    if submitted.city and submitted.state and submitted.city == last_known.city \
            and submitted.state == last_known.state:
        return AddressResult.SAME
    return AddressResult.DIFFERS


# --- clerical review -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDecision:
    reviewer: str
    verdict: Outcome  # MATCH or NO_MATCH


class ReviewState(StrEnum):
    AWAITING = "awaiting"          # fewer agreeing reviewers than required, none against
    DISAGREEMENT = "disagreement"  # reviewers disagree: stays open
    RESOLVED = "resolved"


@dataclass(frozen=True)
class ReviewStatus:
    state: ReviewState
    outcome: Outcome | None  # MATCH or NO_MATCH once resolved
    reviewers: tuple[str, ...]  # distinct reviewers whose decision counts, in order
    needed: int  # further agreeing reviewers required (0 once resolved)

    @property
    def resolved(self) -> bool:
        return self.state is ReviewState.RESOLVED


def _who(name: str) -> str:
    who = " ".join(name.split()).casefold()
    if not who:
        raise ValueError("a review decision needs a reviewer name")
    return who


def review_status(decisions: Sequence[ReviewDecision], reviewers_required: int) -> ReviewStatus:
    """Resolve a review item from its decisions (oldest first)."""
    if reviewers_required < 1:
        raise ValueError("reviewers_required must be at least 1")
    latest: dict[str, Outcome] = {}
    for d in decisions:
        if d.verdict not in (Outcome.MATCH, Outcome.NO_MATCH):
            raise ValueError(f"a reviewer decides match or no_match, not {d.verdict}")
        who = _who(d.reviewer)
        latest.pop(who, None)  # re-insert: order by each reviewer's latest decision
        latest[who] = d.verdict
    reviewers = tuple(latest)
    verdicts = set(latest.values())
    if len(verdicts) > 1:
        return ReviewStatus(ReviewState.DISAGREEMENT, None, reviewers, reviewers_required)
    if not verdicts:
        return ReviewStatus(ReviewState.AWAITING, None, reviewers, reviewers_required)
    (verdict,) = verdicts
    if len(latest) >= reviewers_required:
        return ReviewStatus(ReviewState.RESOLVED, verdict, reviewers, 0)
    return ReviewStatus(ReviewState.AWAITING, None, reviewers, reviewers_required - len(latest))
