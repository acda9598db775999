"""The legal-sufficiency gate: every rule over every record of a batch.

:func:`check_records` runs each concern's rules (one module each) over the
whole batch and returns a :class:`GateResult`: for every record *all* the
reason codes that apply, not just the first, plus summary counts. A record
passes only when no code applies — fail closed. The gate decides from the
request alone: it reads no master file, database or clock; the agreement,
the request date and (optionally) the request history are explicit inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..agreement import Agreement
from ..contracts import REQUEST_COLUMNS
from ..errors import InputError
from . import _text as t
from .address import check_address
from .history import HistoryEntries, RequestHistory
from .identifiers import check_identifiers
from .investigation import check_investigation
from .names import check_names
from .periods import check_periods
from .reasons import ALL_CODES
from .removal import check_removal
from .repeats import Digester, Identities, check_repeats, history_entries, identities
from .statute import check_statute


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


@dataclass(frozen=True)
class GateResult:
    """Per-record verdicts of one batch.

    ``flags[i, j]`` is True when code ``codes[j]`` applies to record ``i``
    (records in the order of the input frame).
    """

    request_ids: list[str]
    codes: tuple[str, ...]
    flags: np.ndarray
    agreement_hash: str
    request_date: date
    probing_groups: dict[str, int]
    _ids: Identities = field(repr=False)
    _digest: Digester = field(repr=False)

    @property
    def accepted(self) -> np.ndarray:
        """bool per record: True when no reason code applies."""
        return np.asarray(~self.flags.any(axis=1), dtype=bool)

    def __len__(self) -> int:
        return len(self.request_ids)

    def reasons(self, i: int) -> tuple[str, ...]:
        """The codes that apply to record ``i``, in reasons.ALL_CODES order."""
        return tuple(self.codes[j] for j in np.flatnonzero(self.flags[i]))

    def iter_reasons(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """(request id, codes) for every record, in input order."""
        empty: tuple[str, ...] = ()
        refused = set(np.flatnonzero(~self.accepted).tolist())
        for i, rid in enumerate(self.request_ids):
            yield rid, (self.reasons(i) if i in refused else empty)

    def counts(self) -> dict[str, int]:
        """Records per code, for every code (zeros included)."""
        totals = self.flags.sum(axis=0)
        return {c: int(n) for c, n in zip(self.codes, totals, strict=True)}

    def summary(self) -> GateSummary:
        accepted = int(self.accepted.sum())
        probing = self.flags[:, self.codes.index("PROBING_SUSPECTED")]
        return GateSummary(
            records=len(self),
            accepted=accepted,
            refused=len(self) - accepted,
            by_code={c: n for c, n in self.counts().items() if n},
            probing_records=int(probing.sum()),
            probing_groups=dict(self.probing_groups),
        )

    def history_entries(self) -> HistoryEntries:
        """What to record in the request history once the batch is decided."""
        return history_entries(self._ids, self.accepted, self._digest)


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
    date). ``history`` adds the cross-batch repeat and probing rules.
    ``workers`` processes share the address parsing. ``hash_key`` keys the
    digests the history sees; pass the workspace's ledger secret so that the
    stored keys cannot be reversed by guessing names and birth dates.
    """
    missing = [c for c in REQUEST_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"records lack columns: {', '.join(missing)}", where="gate")
    elig = agreement.eligibility
    masks: dict[str, t.Mask] = {}
    masks |= check_identifiers(df, request_date=request_date)
    masks |= check_names(df)
    masks |= check_address(df, agreement.address, workers=workers)
    masks |= check_periods(df, elig)
    masks |= check_statute(df, agreement.permitted_statutes)
    masks |= check_removal(df, elig, request_date=request_date)
    masks |= check_investigation(df, elig)
    ids = identities(df)
    digest = Digester(hash_key)
    repeat_masks, probing_groups = check_repeats(
        ids, agreement, request_date=request_date, history=history, digest=digest
    )
    masks |= repeat_masks
    unknown = set(masks) - set(ALL_CODES)
    if unknown:  # a rule emitting an undocumented code is a programming error
        raise AssertionError(f"rules emitted unknown codes: {sorted(unknown)}")
    n = len(df)
    flags = np.zeros((n, len(ALL_CODES)), dtype=bool)
    for j, code in enumerate(ALL_CODES):
        if code in masks:
            flags[:, j] = np.broadcast_to(masks[code], (n,))
    return GateResult(
        request_ids=[str(v) for v in t.column(df, "request_id").to_pylist()],
        codes=ALL_CODES,
        flags=flags,
        agreement_hash=agreement.terms_hash,
        request_date=request_date,
        probing_groups=probing_groups,
        _ids=ids,
        _digest=digest,
    )
