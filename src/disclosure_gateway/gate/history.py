"""What the gate needs to know about earlier batches: a small port, and a memory adapter.

Three repeat rules look beyond the batch at hand:

* REREQUEST_WITHIN_WINDOW — the same person was requested (and passed the
  gate) within the agreement's ``rerequest_window_days``;
* RESUBMITTED_UNCHANGED — an identical request was refused before;
* PROBING_SUSPECTED — variants of one identity spread over recent batches
  (``probe_window_days``);
* OFFICER_CASELOAD_IMPLAUSIBLE — the investigations one officer claimed in
  recent batches (``officer_caseload_window_days``), kind ``officer_claim``.

:class:`RequestHistory` is the port: three set-at-a-time questions, so a
database adapter answers each with one indexed query per batch instead of one
per record. Keys and values are opaque hex digests (:class:`HistoryEntries`
says how they are made): the history never holds a name, birth date or
address in clear, only keyed hashes of their normalised forms.

:class:`InMemoryHistory` implements the port for tests, benchmarks and
single-process use; the operational store provides the persistent one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

#: the identity dimensions probing is measured on: group key -> variant
#:   dob_by_name_street: (name with middle initial, street address) -> birth date
#:   name_by_address:    (street address, unit, birth date or none) -> name
#:   zip_by_name_dob:    (name, birth date)      -> ZIP
ProbeDimension = Literal["dob_by_name_street", "name_by_address", "zip_by_name_dob"]
PROBE_DIMENSIONS: tuple[ProbeDimension, ...] = (
    "dob_by_name_street",
    "name_by_address",
    "zip_by_name_dob",
)
#: the officers' claims: group key = officer's family name, variant = person part + claim
#: (see caseload.py for how a variant is made)
OFFICER_CLAIM: Literal["officer_claim"] = "officer_claim"
#: the kinds that hold (group key, variant) pairs
VariantKind = Literal["dob_by_name_street", "name_by_address", "zip_by_name_dob", "officer_claim"]
#: a variant of kind officer_claim: 32 hex digits naming the officer within the family
#: (initial part + person part), then 32 naming the claim
PERSON_CHARS = 32


class RequestHistory(Protocol):
    """Read side of the request history, as the gate asks it.

    Every method receives many keys at once and returns the subset (or
    mapping) it knows; ``since`` is inclusive.
    """

    def accepted_since(self, identity_keys: Collection[str], since: date) -> set[str]:
        """The identity keys that passed the gate in a batch dated ``since`` or later."""
        ...

    def refused_since(self, fingerprints: Collection[str], since: date) -> set[str]:
        """The record fingerprints that were refused in a batch dated ``since`` or later."""
        ...

    def variants_since(
        self, dimension: VariantKind, keys: Collection[str], since: date
    ) -> Mapping[str, set[str]]:
        """For each group key seen since ``since``, the distinct variant digests seen with it."""
        ...

    def claim_counts_since(
        self, officer_keys: Collection[str], since: date
    ) -> Mapping[str, Mapping[str, int]]:
        """For each officer group key seen since ``since``: per person part (the first
        :data:`PERSON_CHARS` of a variant), the number of distinct claims."""
        ...


@dataclass(frozen=True)
class HistoryEntries:
    """One batch's contribution to the history: per record, keyed digests.

    All lists are aligned with the batch's records. ``probe`` maps each
    dimension to a list of (group key, variant) digest pairs, ``None`` where
    the record does not take part in that dimension (e.g. no birth date).
    """

    identity: list[str]
    fingerprint: list[str]
    accepted: list[bool]
    probe: dict[ProbeDimension, list[tuple[str, str] | None]]
    #: the batch's distinct officer claims as (officer group key, variant) pairs; not
    #: aligned with the records (a claim repeated in the batch is one claim)
    officer_claims: list[tuple[str, str]] = field(default_factory=list)


class InMemoryHistory:
    """A :class:`RequestHistory` held in dictionaries (not persistent, not shared)."""

    def __init__(self) -> None:
        # digest -> latest date seen; the rules only ever ask "since when"
        self._accepted: dict[str, date] = {}
        self._refused: dict[str, date] = {}
        self._variants: dict[VariantKind, dict[str, dict[str, date]]] = {
            d: defaultdict(dict) for d in (*PROBE_DIMENSIONS, OFFICER_CLAIM)
        }

    def record(self, entries: HistoryEntries, *, on: date) -> None:
        """Add a decided batch dated ``on``."""
        for ident, fp, ok in zip(entries.identity, entries.fingerprint, entries.accepted,
                                 strict=True):
            target = self._accepted if ok else self._refused
            key = ident if ok else fp
            target[key] = max(on, target.get(key, on))
        for dimension, pairs in entries.probe.items():
            self._add(dimension, (p for p in pairs if p is not None), on)
        self._add(OFFICER_CLAIM, entries.officer_claims, on)

    def _add(self, kind: VariantKind, pairs: Iterable[tuple[str, str]], on: date) -> None:
        table = self._variants[kind]
        for group, variant in pairs:
            seen = table[group]
            seen[variant] = max(on, seen.get(variant, on))

    def accepted_since(self, identity_keys: Collection[str], since: date) -> set[str]:
        return {k for k in identity_keys if self._accepted.get(k, date.min) >= since}

    def refused_since(self, fingerprints: Collection[str], since: date) -> set[str]:
        return {k for k in fingerprints if self._refused.get(k, date.min) >= since}

    def variants_since(
        self, dimension: VariantKind, keys: Collection[str], since: date
    ) -> Mapping[str, set[str]]:
        table = self._variants[dimension]
        out: dict[str, set[str]] = {}
        for k in keys:
            seen = table.get(k)
            if seen:
                recent = {v for v, d in seen.items() if d >= since}
                if recent:
                    out[k] = recent
        return out

    def claim_counts_since(
        self, officer_keys: Collection[str], since: date
    ) -> Mapping[str, Mapping[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for group, variants in self.variants_since(OFFICER_CLAIM, officer_keys, since).items():
            per_person: dict[str, set[str]] = defaultdict(set)
            for v in variants:
                per_person[v[:PERSON_CHARS]].add(v[PERSON_CHARS:])
            out[group] = {p: len(claims) for p, claims in per_person.items()}
        return out
