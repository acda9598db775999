"""Names: case and accent folding, parsing, suffixes and nicknames.

What a request writes as ``"José Luis", "García-López Jr."`` and the master file
holds as ``"JOSE", "LUIS", "GARCIA LOPEZ", "JR"`` must reach the model as the same
columns:

- ``given``: the first given name, folded (``JOSE``); further given names go to
  the middle name.
- ``family``: the family name, folded, its surnames joined by one space; particles
  are glued to the surname they introduce (``de la Cruz`` → ``DELACRUZ``) and the
  conjunction ``y`` is dropped, so ``García y López``, ``García-López`` and
  ``GARCIA LOPEZ`` agree.
- ``family_tokens``: each surname alone, so a double surname used alone
  (``García``) still agrees on one of them.
- ``suffix``: ``JR``, ``SR``, ``II``, ``III`` or ``IV``, taken from the suffix field
  or from the end of the family or given name.
- ``given_alts``: the names the shipped nickname table (the ``nicknames`` package)
  and the project's reviewed list of diminutives it lacks
  (``data/nicknames-reviewed.csv``: BARB, LIAM, KRIS, KATIE, CATE, LUPE, PACO, …)
  relate directly to ``given``: its canonical forms if it is a nickname
  (``BILL`` → ``WILLIAM``, ``ROBERT``) and its nicknames if it is canonical. The
  relation is deliberately not followed transitively: ``WILLIAM`` and ``ROBERT``
  share the nickname ``BILL`` but are different people.

Every function is pure and cached: the vectorised normaliser calls them once per
distinct value.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nicknames import NickNamer
from unidecode import unidecode

#: suffix spellings → canonical suffix
SUFFIXES: dict[str, str] = {
    "JR": "JR",
    "JUNIOR": "JR",
    "SR": "SR",
    "SENIOR": "SR",
    "II": "II",
    "2ND": "II",
    "III": "III",
    "3RD": "III",
    "IV": "IV",
    "4TH": "IV",
}

#: particles that introduce a surname and are glued to it (DE LA CRUZ → DELACRUZ)
PARTICLES: frozenset[str] = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "DA", "DAS", "DO", "DOS", "DI", "VAN", "VON", "DER",
     "DEN", "LE", "MAC", "ST"}
)

#: conjunctions between two surnames (GARCIA Y LOPEZ), dropped
CONJUNCTIONS: frozenset[str] = frozenset({"Y", "E", "I"})

_NON_NAME = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r" +")


@lru_cache(maxsize=1 << 18)
def fold(text: str | None) -> str:
    """Upper case, ASCII, letters/digits/single spaces only (``"O'Brien-Núñez"`` → ``OBRIEN NUNEZ``)."""
    if not text:
        return ""
    s = unidecode(str(text)).upper()
    # Apostrophes join (O'BRIEN); periods and every other mark separate (J.R. → J R).
    s = s.replace("'", "").replace("`", "")
    s = _NON_NAME.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


def _split_suffix(tokens: list[str]) -> tuple[list[str], str]:
    """Remove suffix tokens from the end (keeping at least one name token)."""
    suffix = ""
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        suffix = suffix or SUFFIXES[tokens[-1]]
        tokens = tokens[:-1]
    return tokens, suffix


@lru_cache(maxsize=1 << 18)
def parse_family(last: str | None) -> tuple[str, tuple[str, ...], str]:
    """``(family, family_tokens, suffix)`` of a family-name field."""
    tokens, suffix = _split_suffix(fold(last).split())
    out: list[str] = []
    pending = ""
    for tok in tokens:
        if tok in PARTICLES:
            pending += tok
            continue
        if tok in CONJUNCTIONS and out and not pending:
            continue
        out.append(pending + tok)
        pending = ""
    if pending:  # a family name that is only particles ("DE LA") stays as written
        out.append(pending)
    return " ".join(out), tuple(out), suffix


@lru_cache(maxsize=1 << 18)
def parse_given(first: str | None) -> tuple[str, str, str]:
    """``(given, further_given, suffix)`` of a given-name field."""
    tokens, suffix = _split_suffix(fold(first).split())
    if not tokens:
        return "", "", suffix
    return tokens[0], " ".join(tokens[1:]), suffix


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


#: the reviewed list of diminutives the package lacks (data, with its provenance)
REVIEWED_NICKNAMES = Path(__file__).resolve().parent.parent / "data" / "nicknames-reviewed.csv"


@lru_cache(maxsize=1)
def reviewed_nicknames() -> dict[str, frozenset[str]]:
    """Name → names directly related to it by the reviewed list (both directions)."""
    rel: dict[str, set[str]] = {}
    lines = [ln for ln in REVIEWED_NICKNAMES.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    for row in csv.DictReader(lines):
        name, nick = fold(row["name"]), fold(row["nickname"])
        rel.setdefault(name, set()).add(nick)
        rel.setdefault(nick, set()).add(name)
    return {k: frozenset(v) for k, v in rel.items()}


@lru_cache(maxsize=1 << 16)
def given_alts(given: str) -> tuple[str, ...]:
    """Names directly related to ``given`` by the nickname package or the reviewed
    list, sorted, upper case."""
    if len(given) < 2:
        return ()
    nn = _nicknamer()
    g = given.lower()
    rel = {fold(x) for x in nn.canonicals_of(g) | nn.nicknames_of(g)}
    rel |= reviewed_nicknames().get(given, frozenset())
    return tuple(sorted(rel - {given, ""}))


def normalise_suffix(suffix: str | None) -> str:
    s = fold(suffix).replace(" ", "")
    return SUFFIXES.get(s, "")


@dataclass(frozen=True)
class ParsedName:
    given: str
    given_alts: tuple[str, ...]
    middle: str
    family: str
    family_tokens: tuple[str, ...]
    suffix: str


def parse_name(
    first: str | None,
    middle: str | None,
    last: str | None,
    suffix: str | None = None,
) -> ParsedName:
    """Parse one person's name fields (any may be empty)."""
    given, more_given, suffix_g = parse_given(first)
    family, tokens, suffix_f = parse_family(last)
    mid = " ".join(x for x in (more_given, fold(middle)) if x)
    return ParsedName(
        given=given,
        given_alts=given_alts(given),
        middle=mid,
        family=family,
        family_tokens=tokens,
        suffix=normalise_suffix(suffix) or suffix_f or suffix_g,
    )
