"""The legal part of a request, made valid under the agreement.

Taxable periods inside the agreement's window, a permitted statute, a removal
order final well over the minimum number of days before the batch date, a
case number the agreement's pattern accepts, an investigating officer with a
plausible caseload, and a relevance statement. Defects (defects.py) break
these afterwards, one kind per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import Agreement
from ..errors import InputError
from . import vocab
from .data import places as place_data
from .knobs import BatchKnobs


@dataclass(frozen=True, eq=False)
class LegalFields:
    columns: dict[str, pa.Array]
    officers: pa.Array  # every ordinary officer's name
    implausible_officer: str  # a name no ordinary officer has


def _days(d: date) -> int:
    return int((np.datetime64(d, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64))


def iso(days: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(days, dtype=np.int64).astype("datetime64[D]")), pa.string())


def _years(x: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(x), pa.string())


def periods(rng: np.random.Generator, lo: int, hi: int, k: int) -> pa.Array:
    """1-3 consecutive tax years in [lo, hi] written ``2022;2023``."""
    span = hi - lo + 1
    length = np.minimum(rng.choice(3, size=k, p=[0.4, 0.4, 0.2]) + 1, span)
    start = lo + np.floor(rng.random(k) * (span - length + 1)).astype(np.int64)
    parts = [pc.if_else(pa.array(length > i), _years(start + i), pa.nulls(k, pa.string())) for i in range(3)]
    return pc.binary_join_element_wise(*parts, ";", null_handling="skip")


def officer_names(rng: np.random.Generator, k: int) -> pa.Array:
    """``k`` distinct names like ``Daniel R. Whitfield``."""
    g, s = vocab.given_names(), vocab.surnames()
    n_given = g.size
    n_sur = s.bounds[1]  # the general surnames (common and long tail)
    code = rng.choice(n_given * 26 * n_sur, size=k, replace=False)
    given = pa.array(g.plain, pa.string()).take(pa.array(code // (26 * n_sur)))
    initial = pa.array([chr(65 + i) + "." for i in range(26)], pa.string()).take(pa.array(code // n_sur % 26))
    family = pa.array(s.plain[:n_sur], pa.string()).take(pa.array(code % n_sur))
    return pc.binary_join_element_wise(pc.utf8_title(given), initial, pc.utf8_title(family), " ")


def legal_fields(
    rng: np.random.Generator, m: int, agreement: Agreement, batch_date: date, knobs: BatchKnobs
) -> LegalFields:
    el = agreement.eligibility
    cap = el.max_open_investigations_per_officer
    if knobs.officer_caseload > cap:
        raise InputError(
            f"officer_caseload {knobs.officer_caseload} exceeds the agreement's "
            f"max_open_investigations_per_officer ({cap}); ordinary officers would look implausible",
            where="--set",
        )
    statutes = list(agreement.permitted_statutes)
    weights = np.array([0.7] + [0.3 / max(len(statutes) - 1, 1)] * (len(statutes) - 1))
    statute = pa.array(statutes, pa.string()).take(
        pa.array(rng.choice(len(statutes), m, p=weights / weights.sum()))
    )

    today = _days(batch_date)
    oldest = 15 * 365
    final = today - rng.integers(el.min_days_since_final_order + 5, oldest, m)

    year = batch_date.year
    prefixes = [p for p, _ in place_data.CASE_PREFIXES]
    pw = np.array([w for _, w in place_data.CASE_PREFIXES])
    serial = rng.choice(10**7, size=m, replace=False) if m <= 10**7 else rng.integers(0, 10**7, m)
    case = pc.binary_join_element_wise(
        pa.array(prefixes, pa.string()).take(pa.array(rng.choice(len(prefixes), m, p=pw / pw.sum()))),
        _years(rng.integers(max(year - 8, 2000), year + 1, m)),
        pc.utf8_lpad(_years(serial), 7, "0"),
        "-",
    )
    accepted = pc.match_substring_regex(case, el.case_number_pattern)
    if m and not pc.all(accepted).as_py():
        raise InputError(
            f"the agreement's case_number_pattern {el.case_number_pattern!r} rejects the "
            f"generator's case numbers (e.g. {case[0].as_py()!r})",
            where="agreement",
        )

    n_officers = max(1, math.ceil(m / knobs.officer_caseload))
    names = officer_names(rng, n_officers + 1)
    officers, implausible = names.slice(0, n_officers), names[n_officers].as_py()
    # Balanced assignment: nobody carries more than officer_caseload records.
    officer = officers.take(pa.array(rng.permutation(m) % n_officers))

    relevance = pa.array(place_data.RELEVANCE, pa.string()).take(
        pa.array(rng.integers(0, len(place_data.RELEVANCE), m))
    )
    columns = {
        "taxable_periods": periods(rng, el.taxable_period_earliest, el.taxable_period_latest, m),
        "statute": statute,
        "removal_order_date": iso(final),
        "case_number": case,
        "investigating_officer": officer,
        "relevance": relevance,
    }
    return LegalFields(columns=columns, officers=officers, implausible_officer=str(implausible))
