"""Officer caseload: the investigations one officer claims, however the name is written.

6103(i)(2) disclosure goes only to officers "personally and directly engaged"
in the investigation. In 2025 one official was named on over a million
requests. Each record names an officer and thereby claims that this officer is
engaged in an investigation of this person; an officer claiming more open
investigations than the agreement's ``max_open_investigations_per_officer``
is implausible, and all of that officer's records are refused
(OFFICER_CASELOAD_IMPLAUSIBLE), with the number claimed in the refusal's detail.

**What is counted.** A *claim* is (officer, case number, subject), the subject
being the taxpayer's name and usable birth date (or none). The same claim made
twice — a duplicate in the batch, or a refused request sent
again corrected — is one investigation, so it counts once; every other record
is one more. Claims count in this batch and in every batch dated within the
agreement's ``officer_caseload_window_days`` (refused records included: the
claim was made), so splitting one officer's records over several batches
changes nothing.

**Who is one officer.** Names are compared as they look (``fold.lookalike``,
then case, accents, spacing and punctuation ignored); a comma marks the family
name first (``Split, Pat Z.`` is ``Pat Z. Split``); leading titles (``Special
Agent``, ``SA``, ``Det.``) and trailing generational suffixes are dropped; the
middle name or initial is ignored (varying it must not split an officer). The
family name (last word) and the given name (first word) remain:

* two different given names written in full (``Pat`` and ``Peter``) are two
  officers — large agencies have namesakes sharing an initial;
* a given name written only as an initial (``P. Split``) could be any officer
  with that initial, so those claims count against each of them, and a family
  name alone (``Split``) against every officer of that family name — fail
  closed: an ambiguity never lets claims escape the count.

What this must not do: pool officers whose written given names differ, or
count one investigation twice. Known limit: an officer named by different
given names (a nickname, or an invented colleague) counts as several; only a
roster of officers in the agreement would close that.

The history holds only keyed digests: per claim, the officer's family name
(the group key) and a variant made of 16 hex digits for family + initial, 16
for family + initial + given name (zeros where absent) and 32 for the claim.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..agreement import Eligibility
from . import _text as t
from .fold import lookalike
from .history import OFFICER_CLAIM, PERSON_CHARS, RequestHistory
from .repeats import SEP, Digester

#: ranks and forms of address that may precede an officer's name
TITLES = frozenset({
    "SPECIAL", "SUPERVISORY", "SENIOR", "ASSISTANT", "DEPUTY", "ACTING", "ASSOCIATE",
    "AGENT", "SA", "SSA", "ASAC", "SAC", "OFFICER", "DEPORTATION", "IMMIGRATION",
    "ENFORCEMENT", "REMOVAL", "CRIMINAL", "INVESTIGATOR", "INVESTIGATIVE", "DETECTIVE",
    "DET", "INSPECTOR", "INSP", "SERGEANT", "SGT", "LIEUTENANT", "LT", "CAPTAIN", "CAPT",
    "DIRECTOR", "FIELD", "OFFICE", "CHIEF", "TROOPER", "MR", "MRS", "MS", "MISS", "DR",
    "HSI", "ICE", "ERO", "DHS", "FBI", "DEA", "ATF", "USMS",
})
#: generational suffixes that may follow a family name
SUFFIXES = frozenset({"JR", "SR", "II", "III", "IV"})
_WORDS = re.compile(r"[^\W\d_]+")  # letters of any script
_NONE16 = "0" * 16


@dataclass(frozen=True)
class OfficerName:
    family: str
    initial: str  # "" when only a family name is given
    given: str  # "" unless the given name is written out (two letters or more)


def officer_name(text: str) -> OfficerName | None:
    """The comparable parts of an officer's name; None when it has no letters."""
    s = unicodedata.normalize("NFKD", lookalike(text))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").upper().replace("'", "")
    head, comma, tail = s.partition(",")
    tail_words = _WORDS.findall(tail)
    if comma and tail_words and not all(w in SUFFIXES for w in tail_words):
        words = tail_words + _WORDS.findall(head)  # "Family, Given M." -> given first
    else:
        words = _WORDS.findall(head)
    while len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in SUFFIXES:
        words = words[:-1]
    if not words:
        return None
    family = words[-1]
    given = words[0] if len(words) > 1 else ""
    return OfficerName(family, given[:1], given if len(given) > 1 else "")


@dataclass(frozen=True)
class Caseload:
    """Per record the claims counted for its officer (0 without one); the flag mask."""

    claimed: np.ndarray  # int64
    over: np.ndarray  # bool
    #: whether the record names an officer at all (letters, not only punctuation)
    named: np.ndarray  # bool
    #: per officer over the cap: (name as first written in the batch, claims counted, records)
    offenders: list[tuple[str, int, int]]
    #: the batch's distinct claims, for the history: (officer group key, variant); made
    #: only when asked (hashing every claim is the costly part, and only the history needs it)
    entries: Callable[[], list[tuple[str, str]]]


def _loads(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Claims counted per person of one family group, ambiguity counted against everyone.

    ``counts`` maps (initial, given) -> distinct claims; ("", "") is the family name
    alone, (i, "") an initial alone.
    """
    family_only = counts.get(("", ""), 0)
    loads: dict[tuple[str, str], int] = {}
    for (initial, given), n in counts.items():
        if given:
            loads[(initial, given)] = n + counts.get((initial, ""), 0) + family_only
    for (initial, given), n in counts.items():
        if initial and not given:
            full = [v for (i, g), v in loads.items() if i == initial and g]
            loads[(initial, "")] = max([n + family_only, *full])
    if ("", "") in counts:
        loads[("", "")] = max([family_only, *loads.values()])
    return loads


def check_caseload(
    df: pd.DataFrame,
    subject: t.Column,
    eligibility: Eligibility,
    *,
    request_date: date,
    history: RequestHistory | None,
    digest: Digester,
) -> Caseload:
    """Claims per officer over this batch and the history window. ``subject`` is each
    record's taxpayer as the claim names them (folded name and usable birth date)."""
    n = len(df)
    # per distinct spelling (officer_name ignores spacing); the column is not rewritten
    officer_dict, spelling_idx = _codes(t.column(df, "investigating_officer"))
    spellings = [" ".join(v.split()) for v in officer_dict.to_pylist()]
    # one person per distinct spelling; persons numbered in order of first appearance
    persons: dict[OfficerName, int] = {}
    person_of_spelling = np.full(len(spellings) + 1, -1, dtype=np.int64)
    for k, text in enumerate(spellings):
        name = officer_name(text) if text else None
        if name is not None:
            person_of_spelling[k] = persons.setdefault(name, len(persons))
    person = person_of_spelling[spelling_idx] if n else np.zeros(0, dtype=np.int64)
    present = person >= 0
    names = list(persons)
    if not present.any():
        return Caseload(np.zeros(n, np.int64), np.zeros(n, bool), present, [], lambda: [])

    group_of = np.array([digest.text(p.family, "officer-g") for p in names], dtype=object)
    part_of = np.array([
        (digest.text(p.family + SEP + p.initial, "officer-i", 8) if p.initial else _NONE16)
        + (digest.text(f"{p.family}{SEP}{p.initial}{SEP}{p.given}", "officer-p", 8)
           if p.given else _NONE16)
        for p in names], dtype=object)

    # the batch's distinct (officer, case, subject) claims, as integer codes
    case = pc.utf8_upper(pc.replace_substring_regex(
        t.lookalike(t.column(df, "case_number")), r"[^\p{L}\p{N}]+", ""))
    case_values, case_idx = _codes(case)
    subject_values, subject_idx = _codes(subject)
    claim_idx, _claims = pd.factorize(case_idx * max(len(subject_values), 1) + subject_idx)
    rows = np.flatnonzero(present)
    keys = person[rows] * max(len(_claims), 1) + claim_idx[rows]
    pair_idx, pairs = pd.factorize(keys)  # distinct pairs, in order of first appearance
    pair_person = pairs // max(len(_claims), 1)
    first = np.empty(len(pairs), dtype=np.int64)
    first[pair_idx[::-1]] = np.arange(len(keys) - 1, -1, -1)  # the first row of each pair
    first_row = rows[first]

    def claim_hex(select: np.ndarray) -> np.ndarray:
        """Keyed digests of the claims of the pairs ``select`` (hashed only on demand)."""
        r = first_row[select]
        cases = case_values.take(pa.array(case_idx[r])).to_pylist()
        subjects = subject_values.take(pa.array(subject_idx[r])).to_pylist()
        text = [f"{c}{SEP}{v}" for c, v in zip(cases, subjects, strict=True)]
        return np.array([digest.text(v, "officer-claim") for v in text], dtype=object)

    def entries() -> list[tuple[str, str]]:
        every = np.arange(len(pairs))
        variants = part_of[pair_person] + claim_hex(every)
        return list(zip(group_of[pair_person].tolist(), variants.tolist(), strict=True))

    # per family group: person part -> distinct claims (this batch; the history added below)
    per_person = np.bincount(pair_person, minlength=len(names))
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for pi in range(len(names)):
        counted[group_of[pi]][part_of[pi]] = int(per_person[pi])
    cap = eligibility.max_open_investigations_per_officer
    if history is not None:
        since = request_date - timedelta(days=eligibility.officer_caseload_window_days)
        earlier = history.claim_counts_since(set(group_of.tolist()), since)
        # an upper bound first (a claim in both would count twice); exact sets only
        # for the few groups the bound puts over the cap
        exact: set[str] = set()
        for g, per in earlier.items():
            for part, k in per.items():
                counted[g][part] = counted[g].get(part, 0) + k
            if any(v > cap for v in _loads(_by_name(counted[g])).values()):
                exact.add(g)
        if exact:
            sets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            mine = np.flatnonzero([g in exact for g in group_of[pair_person].tolist()])
            for pi, c in zip(pair_person[mine].tolist(), claim_hex(mine).tolist(), strict=True):
                sets[group_of[pi]][part_of[pi]].add(c)
            for g, seen in history.variants_since(OFFICER_CLAIM, exact, since).items():
                for v in seen:
                    sets[g][v[:PERSON_CHARS]].add(v[PERSON_CHARS:])
                counted[g] = {part: len(cs) for part, cs in sets[g].items()}

    loads = {g: _loads(_by_name(per)) for g, per in counted.items()}
    load_of_person = np.array(
        [loads[group_of[pi]][_absent_as_blank(part_of[pi])] for pi in range(len(names))],
        dtype=np.int64)
    claimed = np.where(present, load_of_person[np.maximum(person, 0)], 0)
    over = present & (claimed > cap)
    offenders = _offenders(spellings, spelling_idx, person, load_of_person, cap)
    return Caseload(claimed.astype(np.int64), over, present, offenders, entries)


def _codes(col: t.Column) -> tuple[pa.Array, np.ndarray]:
    """Distinct values (Arrow), and each row's index into them."""
    encoded = pc.dictionary_encode(col).combine_chunks()
    return encoded.dictionary, np.asarray(encoded.indices.to_numpy(zero_copy_only=False),
                                          dtype=np.int64)


def _absent_as_blank(person_part: str) -> tuple[str, str]:
    """A variant's person part as (initial digest, given digest), '' where absent."""
    initial, given = person_part[:16], person_part[16:PERSON_CHARS]
    return (initial if initial != _NONE16 else "", given if given != _NONE16 else "")


def _by_name(per_person: dict[str, int]) -> dict[tuple[str, str], int]:
    return {_absent_as_blank(p): k for p, k in per_person.items()}


def _offenders(spellings: list[str], spelling_idx: np.ndarray, person: np.ndarray,
               load: np.ndarray, cap: int) -> list[tuple[str, int, int]]:
    over = np.flatnonzero(load > cap)
    if not len(over):
        return []
    out: list[tuple[str, int, int]] = []
    for pi in over.tolist():
        rows = np.flatnonzero(person == pi)
        out.append((spellings[int(spelling_idx[rows[0]])], int(load[pi]), len(rows)))
    return sorted(out, key=lambda o: (-o[1], o[0]))
