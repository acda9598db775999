"""The legal-sufficiency gate: every rule over every record of a batch.

:func:`check_records` runs each concern's rules (one module each) over the
whole batch and returns a :class:`GateResult`: for every record *all* the
reason codes that apply, not just the first, plus summary counts. A record
passes only when no refusing code applies — fail closed. Some codes are notes
under an agreement (``reasons.Reason.note_unless``): they are reported with
the record but do not refuse it. The gate decides from the request alone: it
reads no master file, database or clock; the agreement, the request date and
(optionally) the request history are explicit inputs.

Order matters once: field lengths are checked first and over-long values
blanked, so that no parser sees a 10,000-character line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from ..agreement import Agreement
from ..contracts import REQUEST_COLUMNS
from ..errors import InputError
from . import _text as t
from .address import check_address
from .caseload import check_caseload
from .history import HistoryEntries, RequestHistory
from .identifiers import check_identifiers, usable_dob
from .investigation import check_investigation
from .lengths import too_long as field_lengths
from .lengths import without_long_values
from .names import check_names
from .periods import check_periods
from .reasons import ALL_CODES, REASONS
from .removal import check_removal
from .repeats import Digester, Identities, check_repeats, history_entries, identities
from .statute import check_statute


@dataclass(frozen=True)
class OfficerLoad:
    """An officer over the caseload cap, as the batch names them."""

    officer: str  # the spelling first met in the batch
    claimed: int  # open investigations counted (this batch and the window's batches)
    records: int  # records of this batch naming them


@dataclass(frozen=True)
class GateSummary:
    records: int
    accepted: int
    refused: int
    #: records carrying each code (a record with three codes counts three times)
    by_code: dict[str, int]
    probing_records: int
    #: offending identity groups per probing dimension
    probing_groups: dict[str, int]
    #: records carrying each note (non-refusing code), accepted or not
    by_note: dict[str, int] = field(default_factory=dict)
    #: officers over the caseload cap, most claims first
    officers_over_cap: tuple[OfficerLoad, ...] = ()


@dataclass(frozen=True)
class GateResult:
    """Per-record verdicts of one batch.

    ``flags[i, j]`` is True when code ``codes[j]`` refuses record ``i``, and
    ``note_flags[i, k]`` when note ``note_codes[k]`` applies to it (records in
    the order of the input frame). A note never refuses: it is reported with the
    record (see :meth:`recorded_codes`).
    """

    request_ids: list[str]
    codes: tuple[str, ...]
    flags: np.ndarray
    agreement_hash: str
    request_date: date
    probing_groups: dict[str, int]
    note_codes: tuple[str, ...]
    note_flags: np.ndarray
    #: per record, the open investigations counted for its officer (0 without one)
    claimed: np.ndarray
    #: per over-long field, the records where it was too long
    too_long: dict[str, np.ndarray]
    cap: int
    caseload_window_days: int
    officers_over_cap: tuple[OfficerLoad, ...]
    _ids: Identities = field(repr=False)
    _digest: Digester = field(repr=False)
    _claims: Callable[[], list[tuple[str, str]]] = field(repr=False)
    _usable_dob: np.ndarray = field(repr=False)

    @property
    def accepted(self) -> np.ndarray:
        """bool per record: True when no reason code applies."""
        return np.asarray(~self.flags.any(axis=1), dtype=bool)

    def __len__(self) -> int:
        return len(self.request_ids)

    def reasons(self, i: int) -> tuple[str, ...]:
        """The codes that refuse record ``i``, in reasons.ALL_CODES order."""
        return tuple(self.codes[j] for j in np.flatnonzero(self.flags[i]))

    def notes(self, i: int) -> tuple[str, ...]:
        """The notes on record ``i`` (codes reported without refusing)."""
        return tuple(self.note_codes[k] for k in np.flatnonzero(self.note_flags[i]))

    def iter_reasons(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(request id, refusing codes) for every record, in input order."""
        lists, which = _distinct_lists(self.flags, self.codes)
        for rid, k in zip(self.request_ids, which.tolist(), strict=True):
            yield rid, lists[k]

    def recorded_codes(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(request id, codes to keep with the request): the refusing codes of a refused
        record, the notes of an accepted one. This is how a note is carried: on the
        request's code list while its status says it was not refused."""
        accepted = self.accepted[:, None]
        both = np.concatenate([self.flags & ~accepted, self.note_flags & accepted], axis=1)
        lists, which = _distinct_lists(both, self.codes + self.note_codes)
        for rid, k in zip(self.request_ids, which.tolist(), strict=True):
            yield rid, lists[k]

    def detail(self, i: int) -> dict[str, dict[str, object]]:
        """What the codes of refused record ``i`` rest on, where a number or a field says
        more than the code: the over-long fields, the open investigations claimed."""
        out: dict[str, dict[str, object]] = {}
        fields = [f for f, mask in self.too_long.items() if mask[i]]
        if fields:
            out["FIELD_TOO_LONG"] = {"fields": fields}
        if self.flags[i, self.codes.index("OFFICER_CASELOAD_IMPLAUSIBLE")]:
            out["OFFICER_CASELOAD_IMPLAUSIBLE"] = {
                "claimed": int(self.claimed[i]), "cap": self.cap,
                "window_days": self.caseload_window_days}
        return out

    def for_matching(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` as the later stages may use it: the birth date emptied wherever the gate
        found it missing, malformed or implausible (noted, not evidence)."""
        drop = ~self._usable_dob
        if not drop.any():
            return df
        dob = np.where(drop, "", t.column(df, "dob").to_numpy(zero_copy_only=False))
        return df.assign(dob=pd.Series(dob, index=df.index, dtype=df["dob"].dtype))

    def counts(self) -> dict[str, int]:
        """Records per code, for every code (zeros included)."""
        totals = self.flags.sum(axis=0)
        return {c: int(n) for c, n in zip(self.codes, totals, strict=True)}

    def summary(self) -> GateSummary:
        accepted = int(self.accepted.sum())
        probing = self.flags[:, self.codes.index("PROBING_SUSPECTED")]
        notes = self.note_flags.sum(axis=0)
        return GateSummary(
            records=len(self),
            accepted=accepted,
            refused=len(self) - accepted,
            by_code={c: n for c, n in self.counts().items() if n},
            probing_records=int(probing.sum()),
            probing_groups=dict(self.probing_groups),
            by_note={c: int(k) for c, k in zip(self.note_codes, notes, strict=True) if k},
            officers_over_cap=self.officers_over_cap,
        )

    def history_entries(self) -> HistoryEntries:
        """What to record in the request history once the batch is decided."""
        entries = history_entries(self._ids, self.accepted, self._digest)
        return replace(entries, officer_claims=self._claims())


def _distinct_lists(flags: np.ndarray, names: tuple[str, ...]) -> tuple[list[tuple[str, ...]],
                                                                         np.ndarray]:
    """The distinct code lists of a flag matrix, and each row's index into them.

    A batch has few distinct lists (most records none, many the same note), so each
    is built once rather than once per record.
    """
    packed = np.packbits(flags, axis=1)
    if packed.shape[1] <= 8:  # up to 64 codes: one integer per row, hashed
        wide = np.zeros((len(flags), 8), dtype=np.uint8)
        wide[:, : packed.shape[1]] = packed
        which, keys = pd.factorize(wide.view("<u8").ravel())
        first = np.zeros(len(keys), dtype=np.int64)
        first[which[::-1]] = np.arange(len(which) - 1, -1, -1)
    else:  # pragma: no cover - more codes than one integer holds
        _keys, first, which = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    lists = [tuple(names[j] for j in np.flatnonzero(flags[i])) for i in first.tolist()]
    return lists, np.asarray(which, dtype=np.int64).ravel()


def note_codes(agreement: Agreement) -> tuple[str, ...]:
    """The codes that only note (do not refuse) under this agreement."""
    switches = {"eligibility.require_birth_date": agreement.eligibility.require_birth_date}
    return tuple(c for c in ALL_CODES
                 if REASONS[c].note_unless and not switches[REASONS[c].note_unless])


def check_records(
    df: pd.DataFrame,
    agreement: Agreement,
    *,
    request_date: date,
    history: RequestHistory | None = None,
    workers: int = 2,
    hash_key: bytes = b"",
) -> GateResult:
    """Check every record of a batch against the agreement.

    ``df`` has the contract's request columns as text ('' for missing), as
    :func:`disclosure_gateway.intake.records.read_records` returns it.
    ``request_date`` is the date the requests are judged on (the batch
    date). ``history`` adds the cross-batch repeat, probing and caseload
    rules. ``workers`` processes share the address parsing. ``hash_key`` keys
    the digests the history sees; pass the workspace's ledger secret so that
    the stored keys cannot be reversed by guessing names and birth dates.
    """
    missing = [c for c in REQUEST_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"records lack columns: {', '.join(missing)}", where="gate")
    elig = agreement.eligibility
    # lengths first: an over-long value is refused unread, so no parser ever sees it
    too_long = field_lengths(df)
    work = without_long_values(df, too_long)
    masks: dict[str, t.Mask] = {}
    masks |= check_identifiers(work, request_date=request_date)
    masks |= check_names(work)
    masks |= check_address(work, agreement.address, workers=workers)
    masks |= check_periods(work, elig)
    masks |= check_statute(work, agreement.permitted_statutes)
    masks |= check_removal(work, elig, request_date=request_date)
    masks |= check_investigation(work, elig)
    dob_ok = usable_dob(masks)
    ids = identities(work, usable_dob=dob_ok, as_submitted=df if too_long else None)
    digest = Digester(hash_key)
    repeat_masks, probing_groups = check_repeats(
        ids, agreement, request_date=request_date, history=history, digest=digest
    )
    masks |= repeat_masks
    load = check_caseload(work, ids.subject, elig, request_date=request_date, history=history,
                          digest=digest)
    masks["OFFICER_MISSING"] = ~load.named & elig.require_investigating_officer
    masks["OFFICER_CASELOAD_IMPLAUSIBLE"] = load.over
    unknown = set(masks) - set(ALL_CODES)
    if unknown:  # a rule emitting an undocumented code is a programming error
        raise AssertionError(f"rules emitted unknown codes: {sorted(unknown)}")
    n = len(df)
    if too_long:
        # the codes about a field that was not read are withheld (FIELD_TOO_LONG stands)
        masks["FIELD_TOO_LONG"] = np.logical_or.reduce(list(too_long.values()))
        for code, mask in masks.items():
            unread = [too_long[f] for f in REASONS[code].fields if f in too_long]
            if unread:
                masks[code] = mask & ~np.logical_or.reduce(unread)
    notes = note_codes(agreement)
    flags = np.zeros((n, len(ALL_CODES)), dtype=bool)
    note_flags = np.zeros((n, len(notes)), dtype=bool)
    for j, code in enumerate(ALL_CODES):
        if code in masks:
            target = note_flags[:, notes.index(code)] if code in notes else flags[:, j]
            target[:] = np.broadcast_to(masks[code], (n,))
    return GateResult(
        request_ids=[str(v) for v in t.column(df, "request_id").to_pylist()],
        codes=ALL_CODES,
        flags=flags,
        agreement_hash=agreement.terms_hash,
        request_date=request_date,
        probing_groups=probing_groups,
        note_codes=notes,
        note_flags=note_flags,
        claimed=load.claimed,
        too_long=too_long,
        cap=elig.max_open_investigations_per_officer,
        caseload_window_days=elig.officer_caseload_window_days,
        officers_over_cap=tuple(OfficerLoad(*o) for o in load.offenders),
        _ids=ids,
        _digest=digest,
        _claims=load.entries,
        _usable_dob=dob_ok,
    )
