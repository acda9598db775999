"""Folding look-alikes: properties in both directions.

Placeholders disguised with look-alike letters (drawn from Unicode's own
confusables data), compatibility forms, case, punctuation and invisible
characters are refused; real names — accented, in other scripts, however
spaced or cased — are not.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure_gateway.contracts import REQUEST_COLUMNS
from disclosure_gateway.gate.addressparse import PLACEHOLDER as PLACEHOLDER_FLAG
from disclosure_gateway.gate.addressparse import STREET_PLACEHOLDERS, classify, placeholder_street
from disclosure_gateway.gate.fold import lookalike
from disclosure_gateway.gate.names import PLACEHOLDER_NAMES, check_names

FAST = settings(max_examples=60, deadline=None, derandomize=True)
#: for properties over the vectorised name rule: many names per example, fewer examples
BATCHED = settings(max_examples=12, deadline=None, derandomize=True)


@lru_cache(maxsize=1)
def disguises() -> dict[str, list[str]]:
    """For each ASCII letter, the non-ASCII characters Unicode lists as confusable with it
    (straight from the package's data, independent of the gate's table)."""
    from confusable_homoglyphs.confusables import confusables_data

    out: dict[str, list[str]] = {}
    for char, entries in confusables_data.items():
        if len(char) == 1 and not char.isascii() and unicodedata.category(char) in ("Lu", "Ll"):
            for e in entries:
                if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isalpha():
                    out.setdefault(e["c"], []).append(char)
    return out


@st.composite
def disguised(draw: st.DrawFn, word: str) -> str:
    """``word`` with random case, some letters swapped for look-alikes, maybe fullwidth,
    maybe with zero-width characters between letters."""
    out = []
    for c in word:
        c = c.lower() if draw(st.booleans()) else c.upper()
        alts = disguises().get(c, [])
        if alts and draw(st.booleans()):
            c = draw(st.sampled_from(alts))
        elif draw(st.integers(0, 5)) == 0 and c.isascii() and c.isalpha():
            c = chr(ord(c) - 0x21 + 0xFF01)  # fullwidth form
        out.append(c)
        if draw(st.integers(0, 6)) == 0:
            out.append(draw(st.sampled_from(["\u200b", "\u200d", "\u00ad", "\u2060"])))
    return "".join(out)


def _names_refused(pairs: list[tuple[str, str]]) -> list[bool]:
    rows = [dict.fromkeys(REQUEST_COLUMNS, "") | {"first_name": f, "last_name": last}
            for f, last in pairs]
    masks = check_names(pd.DataFrame(rows, dtype="string[pyarrow]"))
    return (masks["NAME_PLACEHOLDER"] | masks["NAME_INVALID_CHARACTERS"]).tolist()


@BATCHED
@given(st.lists(st.sampled_from(sorted(PLACEHOLDER_NAMES)).flatmap(disguised), min_size=1,
                max_size=30))
def test_a_disguised_placeholder_name_is_refused(names: list[str]) -> None:
    refused = _names_refused([(n, "Lopez") for n in names])
    assert [n for n, r in zip(names, refused, strict=True) if not r] == []


@FAST
@given(st.sampled_from(sorted(STREET_PLACEHOLDERS)).flatmap(disguised),
       st.sampled_from(["St", "Street", "Rd", "Ave", ""]), st.integers(1, 99999))
def test_a_disguised_placeholder_street_is_refused(word: str, kind: str, number: int) -> None:
    line = f"{number} {word} {kind}".strip()
    assert classify(line).flags & PLACEHOLDER_FLAG, line


REAL_NAMES = ["José", "Nguyễn", "O'Brien", "Müller", "García-López", "María José", "Siobhán",
              "Zoë", "Ólafsdóttir", "Łukasz", "Dvořák", "Çelik", "Øyvind", "Anh", "Noa", "Tess",
              "Иван", "Ольга", "Γιώργος", "王芳", "김민준", "محمد", "अनिल", "Nakamura",
              "Del Toro", "St. John", "D'Angelo", "Anon", "Nils", "Teodoro"]


@st.composite
def respelled(draw: st.DrawFn) -> str:
    """A real name with spelling noise that does not make it another word: case,
    accents added or dropped on Latin letters, a hyphen or space doubled."""
    name = draw(st.sampled_from(REAL_NAMES))
    out = []
    for c in name:
        if c.isascii() and c.isalpha():
            c = c.upper() if draw(st.booleans()) else c.lower()
            if c.lower() in "aeiou" and draw(st.integers(0, 4)) == 0:
                c = unicodedata.normalize("NFC", c + draw(st.sampled_from(["\u0301", "\u0308"])))
        out.append(c)
        if c in " -" and draw(st.booleans()):
            out.append(c)
    return "".join(out)


@BATCHED
@given(st.lists(st.tuples(respelled(), respelled()), min_size=1, max_size=30))
def test_real_names_with_spelling_noise_pass(pairs: list[tuple[str, str]]) -> None:
    refused = _names_refused(pairs)
    assert [p for p, r in zip(pairs, refused, strict=True) if r] == []


@BATCHED
@given(st.lists(st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=1,
                        max_size=12), min_size=1, max_size=30))
def test_names_in_scripts_without_latin_look_alikes_are_not_placeholders(names: list[str]) -> None:
    rows = [dict.fromkeys(REQUEST_COLUMNS, "") | {"first_name": n, "last_name": n} for n in names]
    masks = check_names(pd.DataFrame(rows, dtype="string[pyarrow]"))
    assert [n for n, r in zip(names, masks["NAME_PLACEHOLDER"], strict=True) if r] == []


REAL_STREET_WORDS = ["Anyway", "Nonesuch", "Tester", "Annex", "Nash", "Test Valley", "Any Town",
                     "Nowhere Else", "Elm", "Tenant", "Unity", "Fakenham", "Nottingham", "Xavier"]


@FAST
@given(st.sampled_from(REAL_STREET_WORDS), st.sampled_from(["St", "Rd", "Ave", "Ln"]),
       st.integers(1, 9999), st.booleans())
def test_streets_that_contain_placeholder_letters_pass(word: str, kind: str, number: int,
                                                       upper: bool) -> None:
    line = f"{number} {word} {kind}"
    line = line.upper() if upper else line
    assert not classify(line).flags & PLACEHOLDER_FLAG, line


def test_route_designators_are_not_placeholder_words() -> None:
    assert placeholder_street("NA") and placeholder_street("XX")
    assert not placeholder_street("NA", route=True) and not placeholder_street("XX", route=True)
    assert placeholder_street("Unknown Unknown", route=True)


@FAST
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30))
def test_ascii_text_is_never_changed(text: str) -> None:
    assert lookalike(text) == text


@FAST
@given(st.text(max_size=30))
def test_folding_is_idempotent_and_leaves_no_invisible_characters(text: str) -> None:
    once = lookalike(text)
    assert lookalike(once) == once
    assert not any(unicodedata.category(c) == "Cf" for c in once)
