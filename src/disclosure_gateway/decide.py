"""The decision rule, the address confirmation and the review rule: pure functions.

Nothing here touches a database, a file or the linkage engine; the match
service hands in plain values (the evidence in bits, computed from the model by
``match.evidence``) and gets plain values back, so every edge of the rule is
tested directly. The derivation is in docs/linkage.md ("The decision rule").

**Decide** (``decide``). Three alternatives to "the request is about the best
candidate" are weighed, each as log-odds in bits, and an automatic match needs
each of them at least ``required_bits`` = the auto threshold's log-odds
(0.99 → 6.6 bits):

1. *anyone else* — the model's match probability (Fellegi–Sunter, with the
   prior of a master of N taxpayers) is at least ``auto_threshold``, and the
   candidate leads the runner-up by ``min_weight_margin`` bits;
2. *a co-resident* (a household member at the candidate's address, in the
   master or not, who shares surname and address by construction) —
   ``household_bits``: the person comparisons (given name, birth date, TIN)
   weighed with the odds the master's own households produce, less the log of
   the people at that address;
3. *a namesake* (someone else of the same name among the N taxpayers and the
   people beyond them) — ``namesake_bits``: what is not the name (birth date,
   TIN, address) less the log of how many share the name; it grows with N and
   with the name's frequency. Where the request's address is none the master
   holds for the candidate, name and birth date alone carry the link and a
   namesake not in the master is a runner-up nobody could score: the test then
   also asks the runner-up margin (``min_weight_margin``).

Evidence can meet these in more than one way: a birth-date slip with an exact
rare given name and an agreeing address history; a TIN; a nickname with an
exact birth date. A TIN on the request that is not the candidate's counts
against the candidate in every test, by the model's odds. Two contradictions
always go to a person: a TIN slip (one digit mistyped, two adjacent swapped)
unless given name, family name and birth date agree exactly — then the slip is
strong evidence — and JR against SR.

A best candidate at or above ``review_threshold`` that fails any of these goes
to clerical review, with the reasons — except:

- one on which no person comparison agrees at all (given name, birth date, TIN):
  it shares only household facts with the request and is no match;
- under ``confirm_address``, one whose request gives an address that is the last
  known address of none of the candidates in the review band
  (``confirmable`` false): the answer is NOT_CONFIRMED whichever of them it is,
  so it is answered now (``NOT_CONFIRMABLE`` with the identity doubt's reasons)
  and nobody is asked.

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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol


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


class Tin(StrEnum):
    AGREES = "agrees"        # the request's TIN is the candidate's
    SLIP = "slip"            # one digit mistyped or two adjacent swapped
    CONFLICTS = "conflicts"  # the request gives a TIN and the candidate's differs
    ABSENT = "absent"        # the request gives no TIN


Mode = Literal["confirm_address", "last_known_address"]

# Reason codes of a decision (stable identifiers, documented in docs/linkage.md).
NO_CANDIDATE = "NO_CANDIDATE"
BELOW_REVIEW_THRESHOLD = "BELOW_REVIEW_THRESHOLD"
NO_PERSON_EVIDENCE = "NO_PERSON_EVIDENCE"
BELOW_AUTO_THRESHOLD = "BELOW_AUTO_THRESHOLD"
NEAR_TIE = "NEAR_TIE"
TIN_CONFLICT = "TIN_CONFLICT"
HOUSEHOLD_DOUBT = "HOUSEHOLD_DOUBT"
NAMESAKE_DOUBT = "NAMESAKE_DOUBT"
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
    TIN_CONFLICT: "the request's TIN is a slip of the candidate's (one digit, or two adjacent "
                  "swapped) and name and birth date do not agree exactly",
    HOUSEHOLD_DOUBT: "given name, birth date and TIN do not tell the candidate from another "
                     "person at the candidate's address by the required margin",
    NAMESAKE_DOUBT: "birth date, TIN and address do not tell the candidate from someone else "
                    "of the same name among the master's taxpayers by the required margin",
    SUFFIX_CONFLICT: "generational suffixes differ (JR/SR)",
    AUTO_MATCH: "every condition for an automatic match holds",
    NOT_CONFIRMABLE: "the identity is in doubt, but the address asked about is the last known "
                     "address of none of the candidates: NOT_CONFIRMED whichever of them it is, "
                     "so nothing is queued for review (confirm_address mode)",
    # given by earlier versions of the rule; kept so stored decisions stay explained
    "NO_GIVEN_NAME_EVIDENCE": "(former rule) the given names do not agree well enough",
    "NO_BIRTH_DATE_EVIDENCE": "(former rule) the birth dates do not agree well enough",
    "NO_ADDRESS_EVIDENCE": "(former rule) no agreeing TIN and the address is none the master "
                           "holds for the candidate",
}


@dataclass(frozen=True)
class Candidate:
    """The best candidate's scores and the evidence the tests need (bits)."""

    match_probability: float
    match_weight: float
    #: log-odds for the candidate against a co-resident
    household_bits: float
    #: log-odds for the candidate against a namesake
    namesake_bits: float
    #: some person comparison (given name, birth date, TIN) agrees at all
    person_evidence: bool = True
    tin: Tin = Tin.ABSENT
    #: given name, family name and birth date agree exactly (a TIN slip is then no conflict)
    exact_name_and_birth_date: bool = False
    suffix_conflict: bool = False
    #: the request's address is the last known address of some candidate in the review band
    confirmable: bool = True
    #: the request's address is one the master holds for the candidate (last or earlier)
    address_held: bool = True


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[str, ...]
    margin: float | None  # match-weight lead over the runner-up; None when unopposed


def required_bits(t: Thresholds) -> float:
    """The log-odds each alternative must be beaten by: the auto threshold's."""
    p = min(max(t.auto_threshold, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def required_namesake_bits(t: Thresholds, *, address_held: bool) -> float:
    """Against a namesake the auto threshold's log-odds — and, where the address is
    none the master holds for the candidate, also the lead a seen runner-up must
    have: name and birth date alone then carry the link, and a namesake not in the
    master is a runner-up nobody could score."""
    return required_bits(t) + (0.0 if address_held else t.min_weight_margin)


def tin_conflict(c: Candidate) -> bool:
    """A slip of the TIN is strong evidence only beside an exact name and birth date;
    otherwise it is a contradiction for a person to look at. A TIN that is simply
    another is weighed (it counts against the candidate in every test by the
    model's odds), not vetoed: where the data shows identifiers are often wrong,
    the other evidence can outweigh it; where they never are, it cannot."""
    return c.tin is Tin.SLIP and not c.exact_name_and_birth_date


def decide(best: Candidate | None, second_weight: float | None, t: Thresholds, *,
           mode: Mode = "confirm_address") -> Decision:
    """The outcome for one request from its best candidate and the runner-up's weight."""
    if best is None:
        return Decision(Outcome.NO_MATCH, (NO_CANDIDATE,), None)
    margin = None if second_weight is None else best.match_weight - second_weight
    if best.match_probability < t.review_threshold:
        return Decision(Outcome.NO_MATCH, (BELOW_REVIEW_THRESHOLD,), margin)
    if not best.person_evidence:
        # Nothing personal agrees: a household member of the person asked for.
        return Decision(Outcome.NO_MATCH, (NO_PERSON_EVIDENCE,), margin)
    need = required_bits(t)
    held: list[str] = []
    if best.match_probability < t.auto_threshold:
        held.append(BELOW_AUTO_THRESHOLD)
    if margin is not None and margin < t.min_weight_margin:
        held.append(NEAR_TIE)
    if tin_conflict(best):
        held.append(TIN_CONFLICT)
    if best.household_bits < need:
        held.append(HOUSEHOLD_DOUBT)
    if best.namesake_bits < required_namesake_bits(t, address_held=best.address_held):
        held.append(NAMESAKE_DOUBT)
    if best.suffix_conflict:
        held.append(SUFFIX_CONFLICT)
    if not held:
        return Decision(Outcome.MATCH, (AUTO_MATCH,), margin)
    if mode == "confirm_address" and not best.confirmable:
        # No reviewer's decision could make this a confirmation: answer it now.
        return Decision(Outcome.NO_MATCH, (NOT_CONFIRMABLE, *held), margin)
    return Decision(Outcome.REVIEW, tuple(held), margin)


def tin_agreement(request_tin: str | None, candidate_tin: str | None, *,
                  slip: bool = False) -> Tin:
    if not request_tin:
        return Tin.ABSENT
    if request_tin == candidate_tin:
        return Tin.AGREES
    return Tin.SLIP if slip else Tin.CONFLICTS


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
