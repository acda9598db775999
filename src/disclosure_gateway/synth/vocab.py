"""Vocabularies as arrays: names, streets and ZIP codes ready for vectorised draws.

Built once per process from the data modules under ``synth/data`` and the
installed ``zipcodes`` package. A draw is a ``searchsorted`` over cumulative
weights, so ten million draws cost one numpy call rather than ten million
Python calls. Strings live in pyarrow arrays and are gathered with ``take``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
from unidecode import unidecode

from .data import names as name_data
from .data import places as place_data


def fold(text: str) -> str:
    """Upper case without accents: what a careless keyboard makes of a name."""
    return unidecode(text).upper()


@dataclass(frozen=True, eq=False)
class Vocab:
    """Strings in segments (e.g. male / female), each with draw weights.

    ``forms`` holds the plain (folded) spellings followed by the accented ones,
    so ``forms.take(index + size * accented)`` picks either in one call.
    """

    plain: tuple[str, ...]
    accented: tuple[str, ...]
    weights: np.ndarray
    bounds: tuple[int, ...]  # segment k is [bounds[k], bounds[k + 1])
    cum: np.ndarray
    forms: pa.Array

    @property
    def size(self) -> int:
        return len(self.plain)

    def draw(self, rng: np.random.Generator, segment: np.ndarray) -> np.ndarray:
        """One index per element of ``segment`` (segment numbers), weighted."""
        cum = self.cum
        lo = np.asarray(self.bounds[:-1])[segment]
        hi = np.asarray(self.bounds[1:])[segment]
        start = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
        target = start + rng.random(len(segment)) * (cum[hi - 1] - start)
        idx = np.searchsorted(cum, target, side="right")
        return np.clip(idx, lo, hi - 1).astype(np.int32)

    def other_than(self, idx: np.ndarray, segment: np.ndarray) -> np.ndarray:
        """The next entry of the same segment: a different name, same kind."""
        lo = np.asarray(self.bounds[:-1])[segment]
        hi = np.asarray(self.bounds[1:])[segment]
        return (lo + (idx - lo + 1) % (hi - lo)).astype(np.int32)


def _build(segments: list[list[tuple[str, float]]]) -> Vocab:
    plain: list[str] = []
    accented: list[str] = []
    weights: list[float] = []
    bounds = [0]
    for seg in segments:
        total = sum(w for _, w in seg)
        for name, w in seg:
            accented.append(name.upper())
            plain.append(fold(name))
            weights.append(w / total)
        bounds.append(len(plain))
    weight_arr = np.asarray(weights)
    return Vocab(
        plain=tuple(plain),
        accented=tuple(accented),
        weights=weight_arr,
        bounds=tuple(bounds),
        cum=np.cumsum(weight_arr),
        forms=pa.array(plain + accented, type=pa.string()),
    )


# Segment numbers of the given-name and surname vocabularies.
MALE, FEMALE, HISPANIC_MALE, HISPANIC_FEMALE = 0, 1, 2, 3
GENERAL, HISPANIC, HISPANIC_SINGLE = 0, 1, 2


def _tail_surnames(known: set[str]) -> list[tuple[str, float]]:
    prefixes = [p.strip() for p in name_data.TAIL_PREFIXES.replace("\n", ",").split(",") if p.strip()]
    suffixes = [s.strip() for s in name_data.TAIL_SUFFIXES.replace("\n", ",").split(",") if s.strip()]
    combos = [p + s for p in prefixes for s in suffixes if fold(p + s) not in known]
    # A fixed shuffle gives the long tail a Zipf shape without favouring the alphabet.
    order = np.random.default_rng(0).permutation(len(combos))
    return [(combos[i], 1.0 / (rank + 10)) for rank, i in enumerate(order)]


@cache
def given_names() -> Vocab:
    return _build(
        [
            name_data.parse_block(name_data.MALE_GIVEN),
            name_data.parse_block(name_data.FEMALE_GIVEN),
            name_data.parse_block(name_data.HISPANIC_MALE_GIVEN),
            name_data.parse_block(name_data.HISPANIC_FEMALE_GIVEN),
        ]
    )


#: share of the non-Hispanic surname mass given to the synthetic long tail
_TAIL_MASS = 0.35


@cache
def surnames() -> Vocab:
    """Segments: general (common + long tail), Hispanic, Hispanic single-word."""
    common = name_data.parse_block(name_data.SURNAMES)
    known = {fold(n) for n, _ in common}
    tail = _tail_surnames(known)
    common_total = sum(w for _, w in common)
    tail_total = sum(w for _, w in tail)
    scale = common_total * _TAIL_MASS / (1 - _TAIL_MASS) / tail_total
    general = common + [(n, w * scale) for n, w in tail]
    hispanic = name_data.parse_block(name_data.HISPANIC_SURNAMES)
    single = [(n, w) for n, w in hispanic if " " not in n]
    return _build([general, hispanic, single])


@cache
def hispanic_surnames_folded() -> frozenset[str]:
    return frozenset(fold(n) for n, _ in name_data.parse_block(name_data.HISPANIC_SURNAMES))


@cache
def streets() -> tuple[str, ...]:
    block = place_data.STREET_NAMES.replace("\n", ",")
    return tuple(s.strip().upper() for s in block.split(",") if s.strip())


@dataclass(frozen=True, eq=False)
class ZipTable:
    """Residential ZIP codes (``zipcodes`` type STANDARD, active) of the 50 states
    and DC, sorted by state then ZIP, with draw weights."""

    zip: pa.Array
    city: pa.Array
    state: pa.Array
    state_of: np.ndarray  # state number of each ZIP
    states: tuple[str, ...]
    hispanic: np.ndarray  # Hispanic share of each ZIP's state
    cum: np.ndarray  # cumulative draw weights, in table order
    state_lo: np.ndarray  # first ZIP of each state
    state_hi: np.ndarray

    @property
    def size(self) -> int:
        return len(self.zip)

    def draw(self, rng: np.random.Generator, k: int) -> np.ndarray:
        idx = np.searchsorted(self.cum, rng.random(k) * self.cum[-1], side="right")
        return np.minimum(idx, self.size - 1).astype(np.int32)

    def draw_in_state(self, rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
        lo, hi = self.state_lo[state], self.state_hi[state]
        c_lo = np.where(lo > 0, self.cum[np.maximum(lo - 1, 0)], 0.0)
        target = c_lo + rng.random(len(state)) * (self.cum[hi - 1] - c_lo)
        idx = np.searchsorted(self.cum, target, side="right")
        return np.clip(idx, lo, hi - 1).astype(np.int32)

    def draw_other_state(self, rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
        """ZIPs from any state but the given one (for the ZIP/state mismatch defect)."""
        shift = rng.integers(1, len(self.states), len(state))
        return self.draw_in_state(rng, (state + shift) % len(self.states))


@cache
def zip_table() -> ZipTable:
    import zipcodes

    rows = [
        z
        for z in zipcodes.filter_by(zip_code_type="STANDARD", active=True)
        if z["state"] in place_data.STATES
    ]
    rows.sort(key=lambda z: (z["state"], z["zip_code"]))
    states = tuple(sorted({z["state"] for z in rows}))
    state_no = {s: i for i, s in enumerate(states)}
    state_of = np.array([state_no[z["state"]] for z in rows], dtype=np.int32)
    # Cities with many ZIP codes are dense: a ZIP there holds more people than a
    # rural one. sqrt(ZIPs of the city) is a crude but monotone density proxy.
    per_city: dict[tuple[str, str], int] = {}
    for z in rows:
        key = (z["state"], z["city"])
        per_city[key] = per_city.get(key, 0) + 1
    density = np.array([math.sqrt(per_city[(z["state"], z["city"])]) for z in rows])
    weights = np.empty(len(rows))
    for s, i in state_no.items():
        mask = state_of == i
        weights[mask] = density[mask] / density[mask].sum() * place_data.STATES[s][0]
    lo = np.searchsorted(state_of, np.arange(len(states)), side="left")
    hi = np.searchsorted(state_of, np.arange(len(states)), side="right")
    return ZipTable(
        zip=pa.array([z["zip_code"] for z in rows], type=pa.string()),
        city=pa.array([z["city"].upper() for z in rows], type=pa.string()),
        state=pa.array([z["state"] for z in rows], type=pa.string()),
        state_of=state_of,
        states=states,
        hispanic=np.array([place_data.STATES[z["state"]][1] for z in rows]),
        cum=np.cumsum(weights),
        state_lo=lo,
        state_hi=hi,
    )


def national_hispanic_share() -> float:
    pops = np.array([p for p, _ in place_data.STATES.values()])
    shares = np.array([h for _, h in place_data.STATES.values()])
    return float((pops * shares).sum() / pops.sum())
