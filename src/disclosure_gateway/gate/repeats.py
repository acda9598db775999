"""Repeats and probing: limits on learning what the custodian holds by asking.

* DUPLICATE_IN_BATCH — the same request subject (name, birth date, ZIP and
  house number, or name and street address when no birth date is given) more
  than once in a batch; the first request stands, the later ones are flagged.
* REREQUEST_WITHIN_WINDOW — the same person passed the gate in an earlier
  batch within ``repeats.rerequest_window_days``.
* RESUBMITTED_UNCHANGED — an identical request (every field but the request
  id) was refused before, within the agreement's request-data retention.
* PROBING_SUSPECTED — many near-variants of one identity, in this batch plus
  earlier batches within ``repeats.probe_window_days``:

  - one name (given, middle initial, family) at one street address with more
    than ``probe_max_dob_variants`` birth dates (guessing a birth date);
  - one street address (with unit) and one birth date (or none) with more
    than ``probe_max_names_per_address`` names (guessing who lives there);
  - one name and birth date in more than ``probe_max_zips_per_name`` ZIP
    codes (guessing where someone lives).

  Every record of an offending group is flagged: each of them is part of the
  probe. Each dimension holds two parts of an identity (name, birth date,
  address) fixed and counts variants of the third — that is what makes them
  *near-variants of one identity*. So namesakes in a city (name alone), a
  large household (many names, each with its own birth date) and Jr/Sr or
  twins at one address stay within the default limits.

Identity keys are built from folded text (look-alike letters folded, upper case,
accents and punctuation removed) so spelling noise — or a Cyrillic letter in a
Latin name — does not split one person in two. The history sees
them only as keyed BLAKE2b digests (domain-separated by purpose).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import Agreement
from ..contracts import REQUEST_COLUMNS
from . import _text as t
from .history import PROBE_DIMENSIONS, HistoryEntries, ProbeDimension, RequestHistory

SEP = "\x1f"  # never inside a folded value
#: BLAKE2b personalisation (<= 16 bytes) per dimension: group keys, variants
_PROBE_DOMAINS: dict[ProbeDimension, tuple[str, str]] = {
    "dob_by_name_street": ("probe-g-dob", "probe-v-dob"),
    "name_by_address": ("probe-g-name", "probe-v-name"),
    "zip_by_name_dob": ("probe-g-zip", "probe-v-zip"),
}


@dataclass(frozen=True)
class Identities:
    """Per-record comparison keys: folded text, kept in Arrow (compact; never leaves the process)."""

    identity: t.Column  # the person
    subject: t.Column  # folded given and family name, and the usable birth date (or none)
    has_name: np.ndarray  # bool
    #: the whole request but its id; made only when a history asks (it is the
    #: costliest key, and only earlier batches can make use of it)
    fingerprint: Callable[[], t.Column]
    #: per dimension: group key, variant, and which records take part
    probe: dict[ProbeDimension, tuple[t.Column, t.Column, np.ndarray]]


def _join(*cols: t.Column) -> t.Column:
    return pc.binary_join_element_wise(*cols, t.lit(SEP))


def _fold_address(col: t.Column) -> t.Column:
    """Upper case, letters and digits only, single spaces: '12 Elm St.' -> '12 ELM ST'."""
    up = pc.utf8_upper(pc.utf8_normalize(t.lookalike(col), "NFKD"))
    return t.squeezed(pc.replace_substring_regex(up, r"[^A-Z0-9]+", " "))


def identities(df: pd.DataFrame, *, usable_dob: np.ndarray | None = None,
               as_submitted: pd.DataFrame | None = None) -> Identities:
    """Comparison keys of every record.

    ``usable_dob`` (bool per record) says where the birth date is evidence; elsewhere
    the keys are made as if none were given, as matching will see it.
    ``as_submitted`` is the frame the fingerprint is taken from when ``df`` had
    values blanked (over-long fields): two different over-long requests are not
    "the same request" because both were blanked.
    """
    first = t.folded(t.column(df, "first_name"))
    last = t.folded(t.column(df, "last_name"))
    name = _join(first, last)
    has_name = ~t.blank(first) & ~t.blank(last)

    dob_ord = t.date_ordinals(t.column(df, "dob"))
    if usable_dob is not None:
        dob_ord = np.where(usable_dob, dob_ord, 0)
    has_dob = dob_ord != 0
    dob = pa.chunked_array([pa.array(dob_ord.astype(str), type=pa.large_string())])

    zip5 = pc.utf8_slice_codeunits(pc.replace_substring_regex(t.column(df, "zip"), r"\D", ""), 0, 5)
    has_zip = t.fullmatch(zip5, r"\d{5}")
    line1 = _fold_address(t.column(df, "address_line1"))
    line2 = _fold_address(t.column(df, "address_line2"))
    has_street = ~t.blank(line1) & t.contains(line1, r"\d") & has_zip
    street = _join(line1, zip5)
    unit = _join(line1, line2, zip5)

    # The request's subject: name + birth date + ZIP + house number, or name +
    # street when no birth date is given. ZIP and house number keep namesakes
    # born on the same day (common names, millions of records; even in one
    # ZIP) from being one "duplicate", while the same person at the same house
    # written two ways ("ST", "Street") still is. The same person asked at
    # several addresses is probing's business, not a duplicate.
    starts_numbered = pa.array(t.contains(line1, r"^\d"))
    house = pc.if_else(starts_numbered, pc.replace_substring_regex(line1, r" .*$", ""), t.lit(""))
    without_dob = pc.binary_join_element_wise(t.lit("@"), street, t.lit(""))
    identity = _join(name, pc.if_else(pa.array(has_dob), _join(dob, zip5, house), without_dob))
    # Jr, Sr and III share given and family names at one address, seldom the
    # middle initial; a prober guessing birth dates repeats the same name.
    initial = pc.utf8_slice_codeunits(t.folded(t.column(df, "middle_name")), 0, 1)
    full_name = _join(first, initial, last)
    submitted = df if as_submitted is None else as_submitted

    def fingerprint() -> t.Column:
        content = [c for c in REQUEST_COLUMNS if c != "request_id"]
        return _join(*[pc.utf8_upper(t.squeezed(t.column(submitted, c))) for c in content])

    probe: dict[ProbeDimension, tuple[t.Column, t.Column, np.ndarray]] = {
        "dob_by_name_street": (_join(full_name, street), dob, has_name & has_dob & has_street),
        # birth date in the key: a household is many names with many birth
        # dates; guessing who lives somewhere is many names with one (or none)
        "name_by_address": (_join(unit, dob), name, has_name & has_street),
        "zip_by_name_dob": (_join(name, dob), zip5, has_name & has_dob & has_zip),
    }
    return Identities(identity=identity, subject=_join(name, dob), has_name=has_name,
                      fingerprint=fingerprint, probe=probe)


def _codes(col: t.Column) -> np.ndarray:
    """Integer code per value (equal values, equal codes): grouping without Python strings.

    Codes are numbered in order of first appearance (Arrow's dictionary
    encoding), which :func:`_first_occurrences` relies on.
    """
    encoded = pc.dictionary_encode(col).combine_chunks()
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


class Digester:
    """Keyed BLAKE2b-128 digests (hex), domain-separated by purpose.

    One Digester serves one batch: a domain names one column of that batch,
    and its digests are kept, so the history lookups and the entries recorded
    afterwards hash each column once.
    """

    def __init__(self, key: bytes) -> None:
        # BLAKE2b keys are at most 64 bytes; a longer secret is hashed down.
        self._key = key if len(key) <= 64 else hashlib.sha256(key).digest()
        self._memo: dict[str, np.ndarray] = {}

    def __call__(self, values: t.Column | Callable[[], t.Column], domain: str) -> np.ndarray:
        """Digests of a column (or of a column made only if not yet digested)."""
        if domain not in self._memo:
            column = values() if callable(values) else values
            self._memo[domain] = self._digest(column, domain)
        return self._memo[domain]

    def _digest(self, values: t.Column, domain: str) -> np.ndarray:
        # once per distinct value: repeated keys (households, namesakes) hash once
        return t.map_unique(values, lambda v: self.text(v, domain), object)

    def text(self, value: str, domain: str, size: int = 16) -> str:
        """The digest of one value (``size`` bytes, hex)."""
        return hashlib.blake2b(value.encode(), key=self._key, digest_size=size,
                               person=domain.encode()[:16]).hexdigest()


def _member(values: np.ndarray, keys: Collection[str]) -> np.ndarray:
    """values[i] in keys, hash-based (numpy.isin is quadratic on strings)."""
    return np.asarray(pd.Series(values, dtype=object).isin(set(keys)).to_numpy(), dtype=bool)


def _first_occurrences(codes: np.ndarray) -> np.ndarray:
    """True where a code appears for the first time (codes numbered by first appearance)."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    seen_max = np.maximum.accumulate(codes)
    return codes > np.concatenate(([-1], seen_max[:-1]))


def _distinct_per_group(groups: np.ndarray, variants: np.ndarray) -> np.ndarray:
    """For each record, the number of distinct variants in its group."""
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    width = int(variants.max()) + 1
    # pandas' hash-based unique: numpy's is many times slower on a million keys
    pairs = pd.unique(groups * width + variants)
    per_group = np.bincount(pairs // width, minlength=int(groups.max()) + 1)
    return per_group[groups]


def check_repeats(
    ids: Identities,
    agreement: Agreement,
    *,
    request_date: date,
    history: RequestHistory | None,
    digest: Digester,
) -> tuple[dict[str, t.Mask], dict[str, int]]:
    """Masks for the repeat codes, and the number of probing groups per dimension."""
    n = len(ids.has_name)
    rep = agreement.repeats
    dup = ~_first_occurrences(_codes(ids.identity)) & ids.has_name  # the first one stands

    rerequest = np.zeros(n, dtype=bool)
    resubmitted = np.zeros(n, dtype=bool)
    if history is not None:
        ident_d = digest(ids.identity, "identity")
        since = request_date - timedelta(days=rep.rerequest_window_days)
        seen = history.accepted_since(set(ident_d[ids.has_name]), since)
        if seen:
            rerequest = ids.has_name & _member(ident_d, seen)
        fp_d = digest(ids.fingerprint, "fingerprint")
        since = request_date - timedelta(days=agreement.retention.request_data_days)
        refused = history.refused_since(set(fp_d), since)
        if refused:
            resubmitted = _member(fp_d, refused)

    limits: dict[ProbeDimension, int] = {
        "dob_by_name_street": rep.probe_max_dob_variants,
        "name_by_address": rep.probe_max_names_per_address,
        "zip_by_name_dob": rep.probe_max_zips_per_name,
    }
    probing = np.zeros(n, dtype=bool)
    groups_flagged: dict[str, int] = {}
    probe_since = request_date - timedelta(days=rep.probe_window_days)
    for dim in PROBE_DIMENSIONS:
        group, variant, part = ids.probe[dim]
        idx = np.flatnonzero(part)
        groups_flagged[dim] = 0
        if not len(idx):
            continue
        sel = pa.array(part)
        g = _codes(group.filter(sel))
        over = _distinct_per_group(g, _codes(variant.filter(sel))) > limits[dim]
        if history is not None:
            g_dom, v_dom = _PROBE_DOMAINS[dim]
            g_d, v_d = digest(group, g_dom)[idx], digest(variant, v_dom)[idx]
            over |= _history_over(history, dim, g_d, v_d, probe_since, limits[dim])
        probing[idx[over]] = True
        groups_flagged[dim] = len(pd.unique(g[over]))
    masks = {
        "DUPLICATE_IN_BATCH": dup,
        "REREQUEST_WITHIN_WINDOW": rerequest,
        "RESUBMITTED_UNCHANGED": resubmitted,
        "PROBING_SUSPECTED": probing,
    }
    return masks, groups_flagged


def _history_over(
    history: RequestHistory,
    dim: ProbeDimension,
    g_d: np.ndarray,
    v_d: np.ndarray,
    since: date,
    limit: int,
) -> np.ndarray:
    """Which records' groups (digests) exceed ``limit`` with earlier batches' variants added."""
    earlier = history.variants_since(dim, set(g_d), since)
    if not earlier:
        return np.zeros(len(g_d), dtype=bool)
    in_history = _member(g_d, earlier)
    frame = pd.DataFrame({"g": g_d[in_history], "v": v_d[in_history]})
    batch_sets = frame.groupby("g")["v"].agg(set)
    over = {g for g, vs in batch_sets.items() if len(vs | earlier[g]) > limit}
    return _member(g_d, over) if over else np.zeros(len(g_d), dtype=bool)


def history_entries(
    ids: Identities, accepted: np.ndarray, digest: Digester
) -> HistoryEntries:
    """The digests a store records for this batch (see :class:`HistoryEntries`)."""
    probe: dict[ProbeDimension, list[tuple[str, str] | None]] = {}
    for dim in PROBE_DIMENSIONS:
        group, variant, part = ids.probe[dim]
        g_dom, v_dom = _PROBE_DOMAINS[dim]
        g_d, v_d = digest(group, g_dom), digest(variant, v_dom)
        probe[dim] = [(g, v) if p else None for g, v, p in zip(g_d, v_d, part, strict=True)]
    return HistoryEntries(
        identity=list(digest(ids.identity, "identity")),
        fingerprint=list(digest(ids.fingerprint, "fingerprint")),
        accepted=[bool(a) for a in accepted],
        probe=probe,
    )
